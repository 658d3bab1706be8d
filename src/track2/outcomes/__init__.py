"""Non-binding outcome documents: versions bound by SHA-256, amendments, graded endorsements,
ranked alternative texts and exports (issue 12)."""
