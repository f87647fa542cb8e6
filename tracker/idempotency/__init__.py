"""Idempotency: a client-made key per created record, so a replay answers the first result."""
