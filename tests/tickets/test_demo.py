"""The demo tickets: spread, coverage, believable timelines, scope per demo user."""
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.tickets.models import CATEGORIES, SEVERITIES, STATUSES, UNRESOLVED, Ticket, TicketEvent
from tracker.timeutil import as_utc
from tracker.visits.models import Visit

NOW = datetime(2026, 11, 28, 3, 0, tzinfo=timezone.utc)


@pytest.fixture
def demo_at_now(app):
    from tracker.demo import foundation
    from tracker.demo.tickets import seed

    with time_machine.travel(NOW, tick=False):
        users = foundation.seed()
        seed(users)
        db.session.commit()
    return {u.username: u for u in users}


def tickets():
    return db.session.execute(select(Ticket)).scalars().all()


def test_about_sixty_tickets_in_every_status_severity_and_category(demo_at_now):
    made = tickets()
    assert 55 <= len(made) <= 65
    assert set(Counter(t.status for t in made)) == set(STATUSES)
    assert set(Counter(t.severity for t in made)) == set(SEVERITIES)
    assert set(Counter(t.category for t in made)) == set(CATEGORIES)
    assert all(t.village_code.startswith("33.13.") for t in made)
    assert 2 <= sum(t.is_sensitive for t in made) <= 10


def test_spread_over_the_last_90_days_with_timelines_in_the_past(demo_at_now):
    for ticket in tickets():
        reported = as_utc(ticket.reported_at)
        assert NOW - timedelta(days=90) <= reported < NOW
        events = ticket.events
        assert events[0].kind == "created" and as_utc(events[0].at) == reported
        times = [as_utc(e.at) for e in events]
        assert times == sorted(times) and times[-1] < NOW
        assert events[-1].to_value in (None, ticket.status) or events[-1].kind in ("comment", "severity", "category")
        assert as_utc(ticket.due_at) > reported
    kinds = set(db.session.execute(select(TicketEvent.kind)).scalars())
    assert {"created", "status", "escalated", "comment"} <= kinds


def test_babinsa_file_in_their_villages_after_a_visit(demo_at_now):
    for ticket in tickets():
        if ticket.reporter.role == "babinsa":
            assert ticket.village_code in ticket.reporter.village_codes
            assert ticket.visit is not None and ticket.visit.village_code == ticket.village_code
    assert db.session.scalar(select(func.count()).select_from(Visit)) > 30


def test_kemiri_and_kebak_keep_unresolved_tickets(demo_at_now):
    open_by_village = Counter(t.village_code for t in tickets() if t.status in UNRESOLVED)
    assert open_by_village["33.13.14.2005"] >= 3 and open_by_village["33.13.14.2006"] >= 3


def test_the_demo_is_deterministic(app):
    from tracker.demo import foundation
    from tracker.demo.tickets import seed

    def run():
        with time_machine.travel(NOW, tick=False):
            seed(foundation.seed())
            db.session.flush()
        return sorted((t.ref, t.title, t.status, t.severity, t.village_code, as_utc(t.reported_at)) for t in tickets())

    first = run()
    db.session.rollback()
    assert run() == first


def test_each_demo_user_sees_the_demo_by_scope(demo_at_now, client):
    from tests.plugins.world import UserClient

    seen = {}
    for username in ("babinsa.kemiri", "babinsa.waru", "danramil.kebakkramat", "danramil.jaten",
                     "dandim.karanganyar", "admin"):
        web = UserClient(client.application, client.application.response_class, use_cookies=True)
        assert web.post("/login", data={"username": username, "password": "waspada-demo"}).status_code == 302
        body = web.get("/tickets/export.csv").get_data(as_text=True)
        seen[username] = len(body.strip().splitlines()) - 1
    total = len(tickets())
    assert seen["admin"] == seen["dandim.karanganyar"] == total
    assert 0 < seen["babinsa.kemiri"] < seen["danramil.kebakkramat"] < total
    assert 0 < seen["babinsa.waru"] < seen["danramil.kebakkramat"]
    assert 0 < seen["danramil.jaten"] < total
