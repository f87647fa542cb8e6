"""Digests."""
from flask import Blueprint

bp = Blueprint("digests", __name__, cli_group=None)
