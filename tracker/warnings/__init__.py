"""Warnings."""
from flask import Blueprint

bp = Blueprint("warnings", __name__, cli_group=None)
