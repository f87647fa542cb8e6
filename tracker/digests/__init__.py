"""Digests: the daily email per Koramil and Kodim user, the outbox and its relay."""
from flask import Blueprint

bp = Blueprint("digests", __name__, cli_group=None)

from tracker.digests import cli, routes  # noqa: E402,F401
