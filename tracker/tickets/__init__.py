"""Tickets."""
from flask import Blueprint

bp = Blueprint("tickets", __name__, cli_group=None)
