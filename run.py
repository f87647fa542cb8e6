"""WSGI entry point: ``gunicorn run:app``."""
from tracker import create_app

app = create_app()
