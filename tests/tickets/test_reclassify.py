"""Severity and category changes: commanders only, with a reason, each one an event."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from tracker.errors import Conflict, Forbidden, ValidationError
from tracker.extensions import db
from tracker.tickets.models import TicketEvent
from tracker.tickets.services import reclassify
from tracker.timeutil import as_utc


def _events(ticket):
    return db.session.execute(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)
    ).scalars().all()


@pytest.mark.parametrize("role", ["koramil", "kodim", "admin"])
def test_commanders_change_severity_with_an_event_and_a_new_due_time(world, make_ticket, role):
    ticket = make_ticket(world.babinsa, severity="low")
    reclassify(world.users[role], ticket, severity="critical", reason="massa berkumpul")
    db.session.commit()
    assert (ticket.severity, ticket.severity_rank, ticket.version) == ("critical", 4, 2)
    assert as_utc(ticket.due_at) == as_utc(ticket.reported_at) + timedelta(hours=24)
    event = _events(ticket)[-1]
    assert (event.kind, event.from_value, event.to_value, event.reason, event.actor_id) == (
        "severity", "low", "critical", "massa berkumpul", world.users[role].id)


def test_changing_both_records_two_events(world, make_ticket):
    ticket = make_ticket(world.babinsa, category="other", severity="medium")
    reclassify(world.koramil, ticket, severity="high", category="hoax", reason="ternyata hoaks")
    db.session.commit()
    kinds = [(e.kind, e.from_value, e.to_value) for e in _events(ticket)[1:]]
    assert kinds == [("severity", "medium", "high"), ("category", "other", "hoax")]


@pytest.mark.parametrize("who", ["babinsa", "babinsa_same"])
def test_babinsa_may_not_reclassify(world, make_ticket, who):
    ticket = make_ticket(world.babinsa)
    with pytest.raises(Forbidden):
        reclassify(world.users[who], ticket, severity="high", reason="x")
    assert ticket.severity == "medium" and len(_events(ticket)) == 1


@pytest.mark.parametrize("kwargs,field", [
    ({"severity": "high"}, "reason"),
    ({"severity": "high", "reason": "  "}, "reason"),
    ({"reason": "x"}, "severity"),
    ({"severity": "extreme", "reason": "x"}, "severity"),
    ({"category": "weather", "reason": "x"}, "category"),
    ({"severity": "high", "reason": "x" * 2001}, "reason"),
])
def test_bad_reclassification_is_named_and_writes_nothing(world, make_ticket, kwargs, field):
    ticket = make_ticket(world.babinsa)
    with pytest.raises(ValidationError) as error:
        reclassify(world.koramil, ticket, **kwargs)
    assert field in error.value.errors
    assert not db.session.dirty and (ticket.severity, ticket.version) == ("medium", 1)
    assert len(_events(ticket)) == 1


def test_same_values_change_nothing(world, make_ticket):
    ticket = make_ticket(world.babinsa, severity="medium", category="land_dispute")
    reclassify(world.koramil, ticket, severity="medium", category="land_dispute", reason="cek")
    db.session.commit()
    assert ticket.version == 1 and len(_events(ticket)) == 1


def test_stale_version_is_a_conflict(world, make_ticket):
    ticket = make_ticket(world.babinsa)
    reclassify(world.koramil, ticket, severity="high", reason="naik")
    db.session.commit()
    with pytest.raises(Conflict):
        reclassify(world.kodim, ticket, severity="critical", reason="naik lagi", version=1)
    assert ticket.severity == "high"
