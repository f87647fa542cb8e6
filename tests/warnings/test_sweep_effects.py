"""Escalation, idempotence, concurrency and the constant statement count of the sweep."""
import threading
from datetime import date, timedelta, timezone

import pytest
from sqlalchemy import func, select, update

from tests.plugins.world import KEBAK, KEMIRI, WARU, wib
from tracker.extensions import db as _db
from tracker.tickets.models import UNRESOLVED, Ticket, TicketEvent
from tracker.warnings.models import Flag

PILKADES_DAY = date(2026, 12, 20)


def count(model, *where):
    return _db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def test_overdue_critical_ticket_inside_a_stage_is_escalated_to_the_kodim(db, make_election, make_ticket_at, run_sweep):
    make_election("pilkades", PILKADES_DAY, name="Pilkades Karanganyar 2026")
    ticket = make_ticket_at(wib(2026, 12, 10, 8), severity="critical")   # due 24 hours later
    version = ticket.version

    assert run_sweep(wib(2026, 12, 11, 7)).escalated == 0              # not yet due
    result = run_sweep(wib(2026, 12, 11, 9))
    assert result.escalated == 1
    ticket = db.session.get(Ticket, ticket.id)
    assert (ticket.status, ticket.level) == ("escalated", "kodim")
    assert ticket.version == version + 1
    event = db.session.execute(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "escalated")
    ).scalar_one()
    assert event.actor_id is None
    assert (event.from_value, event.to_value) == ("new", "escalated")
    assert "Pilkades Karanganyar 2026" in event.reason
    assert run_sweep(wib(2026, 12, 11, 10)).escalated == 0             # already at the Kodim


@pytest.mark.parametrize("severity, at, reason", [
    ("high", wib(2026, 12, 11, 9), "only critical tickets"),
    ("critical", wib(2026, 10, 15, 9), "before the window"),
])
def test_escalation_needs_a_critical_ticket_inside_a_window(db, make_election, make_ticket_at, run_sweep,
                                                             severity, at, reason):
    make_election("pilkades", PILKADES_DAY)
    ticket = make_ticket_at(at - timedelta(days=5), severity=severity)
    assert run_sweep(at).escalated == 0, reason
    assert db.session.get(Ticket, ticket.id).level == "koramil"


def test_escalation_skips_tickets_already_escalated_by_hand(db, area, make_election, make_ticket_at, run_sweep):
    from tracker.tickets.services import transition

    make_election("pilkades", PILKADES_DAY)
    ticket = make_ticket_at(wib(2026, 12, 10, 8), severity="critical")
    transition(area.koramil, ticket, "escalate", reason="Butuh Kodim")
    db.session.commit()
    assert run_sweep(wib(2026, 12, 12, 9)).escalated == 0
    assert count(TicketEvent, TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "escalated") == 1


def test_running_the_sweep_twice_at_one_moment_changes_nothing(db, make_election, make_ticket_at, run_sweep):
    make_election("pilkades", PILKADES_DAY)
    for severity in ("low", "medium", "high", "critical"):
        make_ticket_at(wib(2026, 12, 1, 8), severity=severity)
    moment = wib(2026, 12, 15, 9)
    first = run_sweep(moment)
    assert (first.raised, first.escalated) == (4, 1)   # campaign: all open more than 7 days
    events = count(TicketEvent)
    second = run_sweep(moment)
    assert (second.raised, second.cleared, second.escalated) == (0, 0, 0)
    assert second.silent == first.silent
    assert count(TicketEvent) == events


def test_an_earlier_moment_clears_what_a_later_one_raised(db, make_election, make_ticket_at, run_sweep):
    make_election("pilkades", PILKADES_DAY)
    ticket = make_ticket_at(wib(2026, 10, 1, 8), severity="low")
    assert run_sweep(wib(2026, 12, 18, 9)).raised == 1
    result = run_sweep(wib(2026, 10, 10, 9))     # before the window: judged as of then
    assert result.cleared == 1
    assert count(Flag, Flag.ticket_id == ticket.id, Flag.cleared_at.is_(None)) == 0


@pytest.mark.real_commits  # sweeps in threads, each on its own connection
def test_concurrent_sweeps_raise_each_flag_once(app, db, make_election, make_ticket_at):
    from tracker.warnings.services import sweep

    make_election("pilkades", PILKADES_DAY)
    make_election("pilpres", date(2027, 2, 14), scope={"regions": ["33"]})
    tickets = [make_ticket_at(wib(2026, 12, 1, 8), village=v, severity="high") for v in (KEMIRI, KEBAK, WARU)]
    moment = wib(2026, 12, 18, 9).astimezone(timezone.utc)
    start = threading.Barrier(3)
    results, errors = [], []

    def worker():
        with app.app_context():
            try:
                start.wait()
                results.append(sweep(moment))
                _db.session.commit()
            except Exception as error:  # reported below
                errors.append(error)
                _db.session.rollback()
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    # Kemiri and Kebak in the Pilkades and the Pilpres, Waru only in the Pilpres.
    assert sum(r.raised for r in results) == 5
    assert count(Flag, Flag.cleared_at.is_(None)) == 5
    assert count(TicketEvent, TicketEvent.kind == "flag_raised") == 5
    assert all(count(Flag, Flag.ticket_id == t.id) >= 1 for t in tickets)


@pytest.fixture
def statements_for(app, area, make_election, bulk_tickets, count_queries, run_sweep):
    """Function: the SQL statements one sweep sends with ``n`` tickets in the database."""
    from tracker.visits.models import Visit
    from tracker.warnings.services import sweep

    make_election("pilkades", PILKADES_DAY, scope={"villages": [KEMIRI, KEBAK]})
    make_election("pilpres", date(2027, 2, 14))
    _db.session.add(Visit(babinsa_id=area.babinsa.id, village_code=KEMIRI, visited_on=date(2026, 12, 10)))
    _db.session.commit()
    moment = wib(2026, 12, 15, 9).astimezone(timezone.utc)

    def measure(n):
        bulk_tickets(n, moment - timedelta(days=1))
        with count_queries() as statements:
            result = sweep(moment)
        _db.session.commit()
        assert result.raised > 0 and result.escalated > 0
        return statements

    measure.moment = moment
    return measure


def test_sweep_sends_a_constant_number_of_statements(statements_for):
    small = statements_for(100)
    large = statements_for(1_900)   # 2,000 tickets in all
    assert len(small) == len(large)
    # Lock (PostgreSQL only), one to clear (its UPDATE returns the flags it
    # cleared; none here, so no timeline INSERT), three to raise and three to
    # count the newly flagged tickets into the counters (cells, village rows),
    # two to escalate and two to move them in the counters (village rows do
    # not move), five to replace the silent villages' snapshot (two DELETEs,
    # the INSERT ... SELECT of the rule, its time, its count).
    assert len(large) == (17 if _db.engine.dialect.name == "postgresql" else 16)
    assert count(Ticket) == 2_000
    assert count(Flag, Flag.cleared_at.is_(None)) > 1_000


def test_clearing_sends_a_constant_number_of_statements(statements_for, count_queries):
    from tracker.warnings.services import sweep

    def resolve_all_and_sweep(n):
        statements_for(n)
        _db.session.execute(update(Ticket.__table__).where(Ticket.status.in_(UNRESOLVED)).values(status="resolved"))
        _db.session.commit()
        with count_queries() as statements:
            result = sweep(statements_for.moment)
        _db.session.commit()
        return result, statements

    small, small_statements = resolve_all_and_sweep(100)
    large, large_statements = resolve_all_and_sweep(1_900)
    assert 0 < small.cleared < large.cleared
    assert count(Flag, Flag.cleared_at.is_(None)) == 0
    assert count(Flag, Flag.clear_reason == "resolved") == small.cleared + large.cleared
    assert count(TicketEvent, TicketEvent.kind == "flag_cleared") == small.cleared + large.cleared
    # The clearing UPDATE returns the flags; their timeline lines go in with
    # one executemany, whatever their number.
    assert len(small_statements) == len(large_statements)
    assert sum(" VALUES " in s and s.lstrip().startswith("INSERT INTO ticket_event") for s in large_statements) == 1
