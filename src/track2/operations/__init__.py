"""Operations: backups that restore, keys kept apart, retention and crypto-shredding, upgrades
that keep data (issue 16; docs/operations.md)."""
