"""The audit log: an append-only record of security events, its admin page and its command."""
