"""Visits."""
from flask import Blueprint

bp = Blueprint("visits", __name__, cli_group=None)
