"""The life-cycle table of issue 3, as a role x action x status matrix.

The expectations are written out from the issue's table here, not derived
from the service's own ACTIONS, so the test can disagree with the code.
"""
import pytest
from sqlalchemy import func, select

from tests.plugins.world import DEMO_PASSWORD, module_world
from tracker.errors import Conflict, Forbidden, ValidationError
from tracker.extensions import db
from tracker.tickets.models import STATUSES, TicketEvent
from tracker.tickets.services import allowed_actions, can, transition

ROLES = ("babinsa", "koramil", "kodim", "admin")
# action: (from statuses, to status, reason required)
TABLE = {
    "triage": ({"new"}, "triaged", False),
    "start": ({"new", "triaged", "escalated"}, "in_progress", False),
    "escalate": ({"new", "triaged", "in_progress"}, "escalated", True),
    "resolve": ({"triaged", "in_progress", "escalated"}, "resolved", True),
    "close": ({"resolved"}, "closed", False),
    "reopen": ({"resolved", "closed"}, "in_progress", True),
    "reject": ({"new", "triaged"}, "rejected", True),
}


def role_allowed(role, action, level, status):
    """Who may, from issues 3 and 13 (the command chain): the Kodim and admin take every
    action; at Koramil level the Koramil takes every action and the Babinsa starts and
    resolves; a ticket at Kodim level is the Kodim's alone (others may only comment)."""
    if role in ("kodim", "admin"):
        return True
    if level != "koramil":
        return False
    return role == "koramil" or action in ("start", "resolve")


def expected(role, action, status, level):
    sources, target, needs_reason = TABLE[action]
    if not role_allowed(role, action, level, status):
        return Forbidden
    if status not in sources:
        return Conflict
    if action == "escalate" and level == "kodim":
        return Conflict  # nowhere higher to go
    return target


@pytest.fixture(scope="module")
def lifecycle_world(_schema, database_url):
    """One world for the whole matrix: each case rolls its ticket back."""
    for _app, world in module_world(database_url, DEMO_PASSWORD):
        yield world


@pytest.fixture
def world(lifecycle_world):
    """The module's world; whatever a test writes is rolled back after it."""
    yield lifecycle_world
    db.session.rollback()


def make_ticket(reporter, status, level):
    from tests.plugins.world import new_ticket as factory

    return factory(reporter, status=status, level=level, commit=False)


def _events(ticket_id):
    return db.session.execute(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id)
    ).scalars().all()


def _assert_nothing_written(ticket, status, level, version):
    """The refused call left no pending change and no new event."""
    assert not db.session.dirty and not db.session.new
    assert (ticket.status, ticket.level, ticket.version) == (status, level, version)
    assert [e.kind for e in _events(ticket.id)] == ["created"]


# An escalated ticket is always at Kodim level; any other status happens at both levels
# (e.g. in progress at the Kodim after it was started there, or reopened).
CASES = [(r, a, s, lvl) for r in ROLES for a in TABLE for s in STATUSES for lvl in ("koramil", "kodim")
         if not (s == "escalated" and lvl == "koramil")]


@pytest.mark.parametrize("role,action,status,level", CASES, ids=["-".join(c) for c in CASES])
def test_life_cycle_table(world, role, action, status, level):
    ticket = make_ticket(world.babinsa, status=status, level=level)
    version = ticket.version
    user = world.users[role]
    outcome = expected(role, action, status, level)

    assert can(user, ticket, action) is (outcome not in (Forbidden, Conflict))
    if outcome in (Forbidden, Conflict):
        with pytest.raises(outcome):
            transition(user, ticket, action, reason="alasan")
        _assert_nothing_written(ticket, status, level, version)
        return

    if TABLE[action][2]:
        with pytest.raises(ValidationError) as error:
            transition(user, ticket, action, reason="  ")
        assert "reason" in error.value.errors
        _assert_nothing_written(ticket, status, level, version)

    transition(user, ticket, action, reason="alasan")
    db.session.refresh(ticket)
    assert ticket.status == outcome
    assert ticket.version == version + 1
    assert ticket.level == ("kodim" if action == "escalate" else level)
    last = _events(ticket.id)[-1]
    assert last.kind == ("escalated" if action == "escalate" else "status")
    assert (last.from_value, last.to_value, last.actor_id) == (status, outcome, user.id)
    assert last.reason == "alasan"


@pytest.mark.parametrize("role", ROLES)
def test_tickets_escalated_then_started_stay_at_kodim_level(world, role):
    """In progress at Kodim level: babinsa and koramil may no longer start or resolve it."""
    ticket = make_ticket(world.babinsa, "in_progress", "kodim")
    user = world.users[role]
    if role in ("kodim", "admin"):
        assert "resolve" in allowed_actions(user, ticket)
        transition(user, ticket, "resolve", reason="selesai")
        assert ticket.status == "resolved"
    else:
        assert "resolve" not in allowed_actions(user, ticket)
        with pytest.raises(Forbidden):
            transition(user, ticket, "resolve", reason="selesai")


def test_unknown_action_is_a_validation_error(world):
    ticket = make_ticket(world.babinsa, "new", "koramil")
    with pytest.raises(ValidationError) as error:
        transition(world.koramil, ticket, "approve")
    assert "action" in error.value.errors


def test_overlong_reason_is_refused(world):
    ticket = make_ticket(world.babinsa, "new", "koramil")
    with pytest.raises(ValidationError) as error:
        transition(world.koramil, ticket, "reject", reason="x" * 2001)
    assert "reason" in error.value.errors
    _assert_nothing_written(ticket, "new", "koramil", 1)


def test_resolve_sets_and_reopen_clears_resolved_at(world):
    ticket = make_ticket(world.babinsa, "in_progress", "koramil")
    transition(world.koramil, ticket, "resolve", reason="damai")
    assert ticket.resolved_at is not None
    transition(world.koramil, ticket, "reopen", reason="kambuh")
    assert ticket.resolved_at is None and ticket.status == "in_progress"


def test_full_walk_records_every_step_in_order(world):
    ticket = make_ticket(world.babinsa, "new", "koramil")
    transition(world.koramil, ticket, "triage")
    transition(world.koramil, ticket, "escalate", reason="butuh Kodim")
    transition(world.kodim, ticket, "start")
    transition(world.kodim, ticket, "resolve", reason="mediasi berhasil")
    transition(world.kodim, ticket, "close")
    steps = [(e.kind, e.from_value, e.to_value) for e in _events(ticket.id)]
    assert steps == [
        ("created", None, "new"), ("status", "new", "triaged"), ("escalated", "triaged", "escalated"),
        ("status", "escalated", "in_progress"), ("status", "in_progress", "resolved"),
        ("status", "resolved", "closed"),
    ]
    assert db.session.scalar(
        select(func.count()).select_from(TicketEvent).where(TicketEvent.ticket_id == ticket.id)) == 6
