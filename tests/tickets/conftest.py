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


@pytest.fixture
def web(app):
    """web(user) -> a new test client logged in as that user."""

    def make(user):
        client = UserClient(app, app.response_class, use_cookies=True)
        response = client.post("/login", data={"username": user.username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return make
