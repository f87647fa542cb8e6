"""Creating tickets: due times, stored text, scope, and every bad field refused with nothing written."""
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import func, select

from tests.plugins.world import JATEN, KEMIRI, SRAGEN_VILLAGE, WARU, ticket_fields
from tracker.errors import Forbidden, ValidationError
from tracker.extensions import db
from tracker.tickets.models import Ticket, TicketCounter, TicketEvent
from tracker.tickets.services import create_ticket
from tracker.timeutil import as_utc
from tracker.visits.services import record_visit

NOW = datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc)


def _written():
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Ticket, TicketEvent, TicketCounter))


@pytest.mark.parametrize("severity,hours", [("critical", 24), ("high", 72), ("medium", 168), ("low", 336)])
def test_due_time_follows_severity(world, severity, hours):
    with time_machine.travel(NOW, tick=False):
        ticket = create_ticket(world.babinsa, **ticket_fields(severity=severity))
    assert as_utc(ticket.reported_at) == NOW
    assert as_utc(ticket.due_at) == NOW + timedelta(hours=hours)


def test_due_hours_are_configurable(app, world):
    app.config["DUE_HOURS"] = dict(app.config["DUE_HOURS"], critical=6)
    with time_machine.travel(NOW, tick=False):
        ticket = create_ticket(world.babinsa, **ticket_fields(severity="critical"))
    assert as_utc(ticket.due_at) == NOW + timedelta(hours=6)


def test_new_ticket_starts_at_koramil_level_with_a_created_event(world):
    ticket = create_ticket(world.babinsa, **ticket_fields(sensitive=True, parties="Tim A; Tim B"))
    db.session.commit()
    assert (ticket.status, ticket.level, ticket.version, ticket.is_sensitive) == ("new", "koramil", 1, True)
    assert (ticket.district_code, ticket.regency_code) == ("33.13.14", "33.13")
    [event] = ticket.events
    assert (event.kind, event.to_value, event.actor_id) == ("created", "new", world.babinsa.id)


def test_html_is_stored_exactly_as_typed(world):
    title = '<script>alert("x")</script> & <b>bold</b>'
    ticket = create_ticket(world.babinsa, **ticket_fields(title=title, description="<img src=x onerror=1>"))
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Ticket, ticket.id)
    assert stored.title == title and stored.description == "<img src=x onerror=1>"


@pytest.mark.parametrize("reporter,village", [
    ("babinsa", KEMIRI), ("koramil", WARU), ("kodim", JATEN), ("admin", SRAGEN_VILLAGE),
])
def test_anyone_files_inside_his_area(world, reporter, village):
    ticket = create_ticket(world.users[reporter], **ticket_fields(village_code=village))
    assert ticket.village_code == village


@pytest.mark.parametrize("reporter,village", [
    ("babinsa", WARU), ("babinsa_waru", KEMIRI), ("koramil", JATEN), ("koramil_other", KEMIRI),
    ("kodim", SRAGEN_VILLAGE), ("kodim_other", KEMIRI),
])
def test_filing_outside_ones_area_is_forbidden_and_writes_nothing(world, reporter, village):
    with pytest.raises(Forbidden):
        create_ticket(world.users[reporter], **ticket_fields(village_code=village))
    db.session.rollback()
    assert _written() == (0, 0, 0)


BAD_FIELDS = [
    ("village_code", None), ("village_code", ""), ("village_code", "99.99.99.9999"),
    ("village_code", "33.13.14"), ("village_code", "Kemiri"), ("village_code", 3313142005),
    ("category", "politics"), ("category", ""), ("category", None), ("category", ["hoax"]),
    ("severity", "urgent"), ("severity", "HIGH"), ("severity", 3),
    ("title", ""), ("title", "   "), ("title", "x" * 201), ("title", 42), ("title", "nul\x00byte"),
    ("title", "lone \ud800 surrogate"),
    ("description", "x" * 10_001), ("description", {"a": 1}),
    ("parties", "x" * 501),
    ("occurred_on", "2026-13-01"), ("occurred_on", "01/03/2026"), ("occurred_on", "2026-03-03"),
    ("occurred_on", 20260301),
    ("visit_id", "abc"), ("visit_id", True), ("visit_id", 2**70), ("visit_id", 999_999), ("visit_id", -1),
    ("sensitive", "yes"), ("sensitive", 1),
]


@pytest.mark.parametrize("field,value", BAD_FIELDS, ids=[f"{f}-{i}" for i, (f, _v) in enumerate(BAD_FIELDS)])
def test_bad_field_is_named_and_nothing_is_written(world, field, value):
    with time_machine.travel(NOW, tick=False):  # 2 Mar 2026 in WIB: 3 Mar is the future
        with pytest.raises(ValidationError) as error:
            create_ticket(world.babinsa, **ticket_fields(**{field: value}))
    assert list(error.value.errors) == [field]
    assert all(isinstance(m, str) and m for m in error.value.errors[field])
    db.session.rollback()
    assert _written() == (0, 0, 0)


def test_every_bad_field_is_reported_at_once(world):
    with pytest.raises(ValidationError) as error:
        create_ticket(world.babinsa, village_code="nope", category="x", severity="y", title="",
                      occurred_on="2999-01-01")
    assert set(error.value.errors) == {"village_code", "category", "severity", "title", "occurred_on"}


def test_a_visit_from_another_village_is_refused(world):
    visit = record_visit(world.babinsa, village_code=KEMIRI, visited_on="2026-03-01")
    db.session.commit()
    with pytest.raises(ValidationError) as error:
        create_ticket(world.babinsa, **ticket_fields(village_code="33.13.14.2006", visit_id=visit.id))
    assert list(error.value.errors) == ["visit_id"]
    ticket = create_ticket(world.babinsa, **ticket_fields(visit_id=visit.id))
    assert ticket.visit_id == visit.id


def test_a_visit_outside_the_reporters_area_is_refused(world):
    visit = record_visit(world.babinsa_waru, village_code=WARU, visited_on="2026-03-01")
    db.session.commit()
    with pytest.raises(ValidationError) as error:
        create_ticket(world.koramil_other, **ticket_fields(village_code=JATEN, visit_id=visit.id))
    assert "visit_id" in error.value.errors


def test_codes_without_dots_are_accepted(world):
    ticket = create_ticket(world.babinsa, **ticket_fields(village_code="3313142005"))
    assert ticket.village_code == KEMIRI
