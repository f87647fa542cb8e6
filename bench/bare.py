"""A bare Flask app answering one fixed JSON body: the ceiling the ticket list API is compared to.

Served by gunicorn with the same settings as the application; the body is
a real ticket list page captured by the harness (``BENCH_BARE_BODY``), so
both sides send the same bytes.
"""
import os

from flask import Flask, Response

app = Flask(__name__)
with open(os.environ["BENCH_BARE_BODY"], "rb") as handle:
    BODY = handle.read()


@app.get("/")
@app.get("/<path:_path>")
def answer(_path=""):
    """The fixed body, whatever the path."""
    return Response(BODY, mimetype="application/json")
