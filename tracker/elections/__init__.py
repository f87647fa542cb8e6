"""Elections."""
from flask import Blueprint

bp = Blueprint("elections", __name__, cli_group=None)
