"""Fixtures for ticket tests: the small world and a ticket factory."""
import pytest

from tests.tickets.factories import build_world, make_ticket as _make_ticket


@pytest.fixture
def world(make_unit, make_user):
    return build_world(make_unit, make_user)


@pytest.fixture
def make_ticket(world):
    """Factory: make_ticket(reporter, status=None, level=None, **create_ticket fields)."""
    return _make_ticket
