"""Kemendagri regions: province, kabupaten/kota, kecamatan, village."""
from flask import Blueprint

bp = Blueprint("regions", __name__, cli_group=None)

from tracker.regions import cli  # noqa: E402,F401  (registers commands)
