"""The counters never drift: after any sequence of ticket and flag changes they equal a full recount (Hypothesis).

Each example runs inside a savepoint that is rolled back at its end, so the
rollback of a savepoint is exercised too: the next example starts from the
counters of the committed world and must find them exact again.
"""
from datetime import date, timedelta

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert

from tests.plugins.world import JATEN, KEBAK, KEMIRI, SRAGEN_VILLAGE, WARU, wib
from tracker.counters.tally import drift, rebuild
from tracker.errors import Conflict, Forbidden, ValidationError
from tracker.extensions import db
from tracker.tickets.models import CATEGORIES, SEVERITIES, SEVERITY_RANK, Ticket
from tracker.tickets.services import ACTIONS, create_ticket, reclassify, transition
from tracker.timeutil import utcnow
from tracker.warnings.models import Flag

pytestmark = pytest.mark.slow

PILKADES_DAY = date(2026, 12, 20)
START = wib(2026, 12, 10, 8)
VILLAGES = (KEMIRI, KEBAK, WARU, JATEN, SRAGEN_VILLAGE)

index = st.integers(min_value=0, max_value=50)
OPERATIONS = st.one_of(
    st.tuples(st.just("create"), st.sampled_from(VILLAGES), st.sampled_from(CATEGORIES), st.sampled_from(SEVERITIES),
              st.booleans()),
    st.tuples(st.just("transition"), index, st.sampled_from(sorted(ACTIONS))),
    st.tuples(st.just("settle"), index),
    st.tuples(st.just("reclassify"), index, st.one_of(st.none(), st.sampled_from(SEVERITIES)),
              st.one_of(st.none(), st.sampled_from(CATEGORIES))),
    st.tuples(st.just("move"), index, st.sampled_from(VILLAGES)),
    st.tuples(st.just("sweep"), st.integers(min_value=0, max_value=12)),
    st.tuples(st.just("flag"), index, st.booleans()),
    st.tuples(st.just("unflag"), index),
    st.tuples(st.just("delete"), index),
    st.tuples(st.just("wait"), st.integers(min_value=1, max_value=40)),
)


@pytest.fixture
def elections(area, make_election):
    """A Pilkades in Kemiri and Kebak and a national Pilpres, so sweeps raise, clear and escalate."""
    return [make_election("pilkades", PILKADES_DAY), make_election("pilpres", date(2027, 2, 14))]


def _pick(number):
    tickets = db.session.query(Ticket).order_by(Ticket.id).all()
    return tickets[number % len(tickets)] if tickets else None


def _run(operation, area, elections, traveller):
    """Apply one operation; ``wait`` moves the clock on by days."""
    from tracker.warnings.services import sweep

    name, *args = operation
    clock = START
    if name == "wait":
        traveller.shift(timedelta(days=args[0]))
        return
    if name == "create":
        village, category, severity, sensitive = args
        create_ticket(area.admin, village_code=village, category=category, severity=severity,
                      title="Jalan desa rusak", sensitive=sensitive)
        return
    if name == "sweep":
        sweep(utcnow() + timedelta(hours=6 * args[0]))
        return
    ticket = _pick(args[0])
    if ticket is None:
        return
    if name == "transition":
        try:
            transition(area.admin, ticket, args[1], reason="alasan")
        except (Conflict, Forbidden, ValidationError):
            pass
    elif name == "settle":
        # Triage if new, then resolve: the next sweep clears the ticket's flags.
        for action in ("triage", "resolve"):
            try:
                transition(area.admin, ticket, action, reason="selesai")
            except Conflict:
                pass
    elif name == "reclassify":
        try:
            reclassify(area.admin, ticket, severity=args[1], category=args[2], reason="alasan")
        except ValidationError:
            pass
    elif name == "move":
        ticket.village_code, ticket.district_code, ticket.regency_code = args[1], args[1][:8], args[1][:5]
        db.session.flush()
    elif name == "flag":
        election = elections[0 if args[1] else 1]
        if not db.session.query(Flag).filter_by(ticket_id=ticket.id, election_id=election.id,
                                                 cleared_at=None).count():
            db.session.add(Flag(ticket=ticket, election_id=election.id, stage="campaign", reason="test",
                                raised_at=clock))
            db.session.flush()
    elif name == "unflag":
        for flag in db.session.query(Flag).filter_by(ticket_id=ticket.id, cleared_at=None).limit(1):
            flag.cleared_at = clock
        db.session.flush()
    elif name == "delete":
        db.session.delete(ticket)
        db.session.flush()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=st.lists(OPERATIONS, max_size=25))
def test_counters_equal_a_full_recount_after_any_sequence_of_changes(area, elections, operations):
    savepoint = db.session.begin_nested()
    try:
        with time_machine.travel(START, tick=False) as traveller:
            for operation in operations:
                _run(operation, area, elections, traveller)
            assert drift() == []
    finally:
        savepoint.rollback()
    # The rolled-back changes took their counter changes with them.
    assert drift() == []


def test_drift_names_the_cell_that_differs_and_rebuild_repairs_it(area, make_ticket_at):
    from tracker.counters.models import TicketTally

    make_ticket_at(START, village=KEMIRI, severity="high")
    assert drift() == []
    row = db.session.query(TicketTally).filter_by(village_code=KEMIRI).one()
    row.tickets = 5
    db.session.flush()
    found = drift()
    assert found == [("ticket_tally", (KEMIRI, KEMIRI[:8], KEMIRI[:5], "new", "high", "other", "koramil"), (5, 0),
                      (1, 0))]
    rebuild()
    assert drift() == []


def test_a_villages_open_row_follows_its_unresolved_tickets_and_drift_names_it(area, make_ticket_at):
    from tracker.counters.models import VillageOpen
    from tracker.tickets.services import transition

    make_ticket_at(START, village=KEMIRI, severity="high")
    make_ticket_at(START, village=KEMIRI, severity="low")
    done = make_ticket_at(START, village=KEMIRI, severity="critical")
    transition(area.koramil, done, "triage")
    transition(area.koramil, done, "resolve", reason="selesai")
    db.session.flush()
    row = db.session.get(VillageOpen, KEMIRI)
    assert (row.low, row.medium, row.high, row.critical, row.flagged) == (1, 0, 1, 0, 0)
    assert drift() == []
    row.critical = 4
    db.session.flush()
    assert drift() == [("village_open", (KEMIRI, KEMIRI[:8], KEMIRI[:5]), (1, 0, 1, 4, 0), (1, 0, 1, 0, 0))]
    rebuild()
    assert drift() == []


def test_a_write_the_orm_does_not_follow_makes_the_counters_recount_before_they_are_read(area):
    from tracker.counters.queries import national_cells

    db.session.execute(insert(Ticket), [{
        "ref": "BULK-0000001", "village_code": KEMIRI, "district_code": KEMIRI[:8], "regency_code": KEMIRI[:5],
        "reporter_id": area.admin.id, "category": "other", "severity": "low", "severity_rank": 1,
        "status": "resolved", "level": "koramil", "title": "bulk", "description": "", "parties": "",
        "is_sensitive": False, "reported_at": START, "updated_at": START, "resolved_at": START,
        "due_at": START, "version": 1,
    }])
    assert national_cells() == {("resolved", "low", "other", "koramil"): (1, 0)}
    assert drift() == []


def test_the_sweep_moves_escalated_tickets_and_counts_raised_and_cleared_flags(area, elections, make_ticket_at,
                                                                               run_sweep):
    from tracker.counters.queries import national_cells

    ticket = make_ticket_at(START, village=KEMIRI, severity="critical")   # due 24 hours later
    result = run_sweep(START + timedelta(hours=25))
    assert result.escalated == 1 and result.raised >= 1
    assert national_cells() == {("escalated", "critical", "other", "kodim"): (1, 1)}
    assert drift() == []
    transition(area.admin, db.session.get(Ticket, ticket.id), "resolve", reason="selesai")
    db.session.commit()
    assert national_cells() == {("resolved", "critical", "other", "kodim"): (1, 1)}
    assert run_sweep(START + timedelta(hours=26)).cleared >= 1
    assert national_cells() == {("resolved", "critical", "other", "kodim"): (1, 0)}
    assert drift() == []
