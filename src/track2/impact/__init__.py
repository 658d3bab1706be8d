"""Policy impact and trust (issue 14): recommendations relayed to officials and their reactions,
Track 1.5 notifications, trust and tension surveys, and the evaluation a funder can read."""
