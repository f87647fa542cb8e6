"""Fixtures for ticket tests: the small world, a ticket factory, clients per user."""
import pytest
from flask.testing import FlaskClient

from tests.conftest import DEMO_PASSWORD
from tests.tickets.factories import build_world, make_ticket as _make_ticket


@pytest.fixture
def world(make_unit, make_user):
    return build_world(make_unit, make_user)


@pytest.fixture
def make_ticket(world):
    """Factory: make_ticket(reporter, status=None, level=None, **create_ticket fields)."""
    return _make_ticket


class UserClient(FlaskClient):
    """A test client whose every request runs in its own app context.

    The ``app`` fixture keeps one app context pushed for the test, and a
    request would otherwise reuse it: its ``g`` (where Flask-Login caches the
    current user, so two clients would share a user) and its session (so
    the view would see the test's identity map). A fresh context per
    request behaves like production: one session per request.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


class Clients:
    """web(user): a new client logged in as the user; web.cached(user): one per user for the test."""

    def __init__(self, app):
        self.app, self.by_user = app, {}

    def __call__(self, user):
        client = UserClient(self.app, self.app.response_class, use_cookies=True)
        response = client.post("/login", data={"username": user.username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    def cached(self, user):
        if user.id not in self.by_user:
            self.by_user[user.id] = self(user)
        return self.by_user[user.id]


@pytest.fixture
def web(app):
    """Logged-in test clients: ``web(user)``, or ``web.cached(user)`` to reuse one (Hypothesis)."""
    return Clients(app)
