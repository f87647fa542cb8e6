"""No input to the web forms produces a 500: the ticket form and the transition form (Hypothesis)."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.plugins.world import KEMIRI, WARU
from tracker.tickets.models import CATEGORIES, SEVERITIES
from tracker.tickets.services import ACTIONS

# Hypothesis: hundreds of requests per test.
pytestmark = pytest.mark.slow
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def anything(*good):
    return st.one_of(st.sampled_from(good), st.text(max_size=40), st.text(max_size=300))


TICKET_FORM = st.fixed_dictionaries({}, optional={
    "village_code": anything(KEMIRI, WARU, "3313142005", "33.13.14"),
    "category": anything(*CATEGORIES),
    "severity": anything(*SEVERITIES),
    "title": st.text(max_size=250),
    "description": st.text(max_size=300),
    "occurred_on": anything("2026-01-01", "2999-01-01", "2026-02-30"),
    "parties": st.text(max_size=50),
    "sensitive": anything("y", "on"),
    "visit_id": anything("1", "0", "-1", "99999999999999999999999"),
    "check": st.just("1"),
})
TRANSITION_FORM = st.fixed_dictionaries({}, optional={
    "action": anything(*ACTIONS),
    "reason": st.text(max_size=300),
    "version": anything("1", "2", "0", "x", "99999999999999999999999"),
})


@SETTINGS
@given(data=TICKET_FORM)
def test_the_ticket_form_answers_every_input_without_error(world, web, data):
    client = web.cached(world.babinsa)
    response = client.post("/tickets/new", data=data)
    assert response.status_code in (200, 302, 403, 422)


@pytest.fixture
def ticket(world, make_ticket):
    """One ticket for all examples: the random actions walk it through its life cycle."""
    return make_ticket(world.babinsa)


@SETTINGS
@given(data=TRANSITION_FORM, role=st.sampled_from(["babinsa", "koramil", "kodim"]))
def test_the_transition_form_answers_every_input_without_error(world, web, ticket, data, role):
    response = web.cached(world.users[role]).post(f"/tickets/{ticket.id}/transition", data=data)
    assert response.status_code in (302, 403, 409, 422)
