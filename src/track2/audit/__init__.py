"""Who changed what, and when: the audit trail of conveners', facilitators' and rapporteurs'
writes (ARCHITECTURE.md). Writes only — reads are never recorded (no access logs) — and never
the authorship of statements or votes: those stay under pseudonyms (docs/security.md)."""
