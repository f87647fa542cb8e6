"""Digests: the daily email per Koramil and Kodim user, the outbox and its relay."""
