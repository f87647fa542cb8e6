"""The application as the benchmark runs it: production settings on the bench database."""
import os

from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import select

from tracker import create_app
from tracker.auth.models import User
from tracker.auth.sessions import start_session
from tracker.extensions import db

# The bench signs its own session cookies; this key protects nothing real.
BENCH_SECRET = "bench-only-not-a-secret"


class FreshRequestClient(FlaskClient):
    """A test client whose every request starts as in production.

    The bench keeps an app context pushed, and Flask reuses it for test
    requests: ``g`` (Flask-Login's user, the locale) and the database
    session (its identity map, the scope's cached codes) would carry over
    from one request to the next. Each request here starts with an empty
    ``g`` and a new session, as it does under gunicorn.
    """

    def open(self, *args, **kwargs):
        # Only before: a streamed answer (the CSV export) still reads through
        # the session's server-side cursor after ``open`` returns.
        self._fresh()
        return super().open(*args, **kwargs)

    @staticmethod
    def _fresh():
        if has_app_context():
            for name in list(vars(g)):
                delattr(g, name)
            db.session.remove()


def make_app(database_url):
    """A production-config app (no debug) on ``database_url``, cookies usable over plain HTTP."""
    app = _create(database_url)
    app.test_client_class = FreshRequestClient
    return app


def _create(database_url):
    return create_app({
        "CONFIG_NAME": "production",
        "SECRET_KEY": BENCH_SECRET,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "WASPADA_SCHEDULER": False,
        "MAIL_SERVER": None,
    })


def server_env(database_url):
    """Environment for ``gunicorn run:app``: the production config on the bench database."""
    env = dict(os.environ)
    env.update({"WASPADA_CONFIG": "production", "SECRET_KEY": BENCH_SECRET, "DATABASE_URL": database_url,
                "WASPADA_SCHEDULER": "off"})
    env.pop("MAIL_SERVER", None)
    return env


def find_user(username):
    """The bench database's user called ``username``."""
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def logged_in_client(app, username):
    """A test client whose session belongs to ``username`` (no password round trip)."""
    user = find_user(username)
    start_session(user)
    db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    db.session.rollback()
    return client


def find_endpoint_rule(app, endpoint_test, method="GET"):
    """The URL rule of the first endpoint that ``endpoint_test(name, rule)`` accepts, or None."""
    for rule in app.url_map.iter_rules():
        if method in (rule.methods or ()) and endpoint_test(rule.endpoint, rule.rule):
            return rule
    return None
