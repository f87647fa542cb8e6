"""The counters give the same answers as counting the tickets: dashboards and list totals (Hypothesis).

After a random history of tickets, flags and sweeps, every commander's
dashboard numbers read from the counters equal the ones counted from the
tickets (the queries the dashboard used before the counters), the hotspots
the village counters narrow equal the head of every village scored, and every
list total the counters answer equals the rows counted.
"""
from datetime import timedelta

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.counters.test_drift import OPERATIONS, START, _run, elections  # noqa: F401 (fixture)
from tests.plugins.world import KEMIRI
from tracker.counters.queries import list_total
from tracker.dashboard import services as dashboard
from tracker.extensions import db
from tracker.pagination import count_rows
from tracker.tickets.services import escalation_queue, search_tickets, triage_queue
from tracker.timeutil import utcnow
from tracker.warnings.services import hotspots

pytestmark = pytest.mark.slow

COMMANDERS = ("admin", "kodim", "koramil", "jaten", "sragen")
# Filters the counters answer, as the list's query string gives them.
COUNTED_FILTERS = (
    {}, {"status": "open"}, {"status": "new"}, {"status": "resolved"}, {"severity": "critical"},
    {"category": "other"}, {"status": "open", "severity": "high"}, {"level": "kodim"},
    {"district_code": "33.13.14"}, {"village_code": KEMIRI}, {"district_code": "33.13.11", "status": "open"},
    {"status": "escalated", "category": "hoax", "severity": "low"},
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(OPERATIONS, max_size=25), later=st.integers(min_value=0, max_value=100))
def test_counted_dashboards_and_totals_equal_the_ticket_counts(area, elections, operations, later):
    savepoint = db.session.begin_nested()
    try:
        with time_machine.travel(START, tick=False) as traveller:
            for operation in operations:
                _run(operation, area, elections, traveller)
            now = utcnow() + timedelta(days=later)
        for name in COMMANDERS:
            user = getattr(area, name)
            assert dashboard.ticket_summary(user, now) == dashboard.tickets_summary(user, now), name
            level = dashboard.area_level(user)
            for limit in (2, 15):
                assert dashboard._counted_areas(user, level, limit) == \
                    dashboard._queried_areas(user, level, limit), (name, limit)
            # Hotspots narrowed by the village counters: the head of every village scored.
            every = hotspots(user, limit=None, at=now)
            for limit in (1, 2, 10):
                assert hotspots(user, limit=limit, at=now) == every[:limit], (name, limit)
            for params in COUNTED_FILTERS:
                stmt = search_tickets(user, params)
                assert list_total(stmt) is not None and list_total(stmt) == count_rows(stmt), (name, params)
            for stmt in (triage_queue(user), escalation_queue(user)):
                assert list_total(stmt) is not None and list_total(stmt) == count_rows(stmt), name
    finally:
        savepoint.rollback()


def test_the_counters_answer_only_what_they_keep(area, make_ticket_at):
    """A Babinsa's scope, text search, dates, flagged and overdue filters are counted from the rows."""
    make_ticket_at(START, village=KEMIRI, severity="high")
    for params in ({"q": "jalan"}, {"flagged": "true"}, {"overdue": "true"}, {"date_from": "2026-12-01"}):
        assert list_total(search_tickets(area.admin, params)) is None, params
    assert list_total(search_tickets(area.babinsa, {})) is None
    assert list_total(search_tickets(area.admin, {})) == 1
    assert list_total(search_tickets(area.kodim, {"severity": "high"})) == 1
    assert list_total(search_tickets(area.sragen, {})) == 0
