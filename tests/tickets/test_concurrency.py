"""References stay gap-free under concurrent creation; concurrent actions never lose an update.

Each thread pushes its own app context, so it has its own session and
connection, as two web workers would. Run these on PostgreSQL too
(TEST_DATABASE_URL): that is where the row locks really race.
"""
import threading
from datetime import datetime, timezone

import pytest
import time_machine
from sqlalchemy import select

from tests.plugins.world import KEBAK, KEMIRI, SRAGEN_VILLAGE, ticket_fields
from tracker.auth.models import User
from tracker.errors import Conflict
from tracker.extensions import db
from tracker.tickets.models import Ticket, TicketEvent
from tracker.tickets.services import create_ticket, transition

# Threads with their own connections read each other's commits.
pytestmark = pytest.mark.real_commits

THREADS = 6
PER_THREAD = 5


def run_in_threads(app, count, work, prepare=lambda index: index):
    """In ``count`` threads: prepare(index), wait for all, then work(prepared).

    Returns (results, errors) so the test asserts on both.
    """
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def target(index):
        with app.app_context():
            try:
                prepared = prepare(index)
                barrier.wait()
                results[index] = work(prepared)
            except Exception as error:  # reported to the test thread below
                db.session.rollback()
                errors.append(error)

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results, errors


def test_references_are_gap_free_under_concurrent_creation(app, world):
    ids = {"babinsa": world.babinsa.id, "kodim": world.kodim.id}

    def create_many(index):
        user = db.session.get(User, ids["babinsa"] if index % 2 else ids["kodim"])
        refs = []
        for n in range(PER_THREAD):
            ticket = create_ticket(user, **ticket_fields(village_code=KEMIRI if n % 2 else KEBAK,
                                                         title=f"thread {index} ticket {n}"))
            refs.append(ticket.ref)
            db.session.commit()
        return refs

    with time_machine.travel(datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc), tick=True):
        results, errors = run_in_threads(app, THREADS, create_many)
    assert errors == []
    made = sorted(ref for refs in results for ref in refs)
    assert made == [f"0727-2026-{n:06d}" for n in range(1, THREADS * PER_THREAD + 1)]
    stored = db.session.execute(select(Ticket.ref).order_by(Ticket.ref)).scalars().all()
    assert stored == made


def test_a_rolled_back_ticket_gives_its_number_back(world):
    first = create_ticket(world.babinsa, **ticket_fields()).ref
    db.session.rollback()
    again = create_ticket(world.babinsa, **ticket_fields()).ref
    db.session.commit()
    assert first == again == first[:10] + "000001"


def test_sequences_are_per_kodim_and_local_year(world):
    # 31 Dec 2026 17:30 UTC is already 1 Jan 2027 in WIB.
    with time_machine.travel(datetime(2026, 12, 31, 16, 0, tzinfo=timezone.utc), tick=False):
        a = create_ticket(world.babinsa, **ticket_fields()).ref
        b = create_ticket(world.kodim_other, **ticket_fields(village_code=SRAGEN_VILLAGE)).ref
    with time_machine.travel(datetime(2026, 12, 31, 17, 30, tzinfo=timezone.utc), tick=False):
        c = create_ticket(world.babinsa, **ticket_fields()).ref
    assert (a, b, c) == ("0727-2026-000001", "0725-2026-000001", "0727-2027-000001")


def test_a_village_without_kodim_uses_its_kabupaten_code(world, make_user):
    from tracker.regions.services import import_regions

    import_regions("code,name\n34,DI Yogyakarta\n34.02,Kabupaten Bantul\n34.02.01,Srandakan\n34.02.01.2001,Poncosari\n")
    ticket = create_ticket(world.admin, **ticket_fields(village_code="34.02.01.2001"))
    assert ticket.ref.startswith("3402-")


def _load(ticket_id, user_id):
    return db.session.get(Ticket, ticket_id), db.session.get(User, user_id)


def test_stale_session_gets_conflict_and_writes_nothing(app, world, make_ticket):
    ticket_id = make_ticket(world.babinsa).id
    with app.app_context():
        stale, koramil = _load(ticket_id, world.koramil.id)
        assert stale.status == "new"
        with app.app_context():
            fresh, kodim = _load(ticket_id, world.kodim.id)
            transition(kodim, fresh, "triage")
            db.session.commit()
        with pytest.raises(Conflict):
            transition(koramil, stale, "reject", reason="duplikat")
        db.session.rollback()
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket_id)
    assert (ticket.status, ticket.version) == ("triaged", 2)
    kinds = db.session.execute(select(TicketEvent.to_value).where(TicketEvent.ticket_id == ticket_id)
                               .order_by(TicketEvent.id)).scalars().all()
    assert kinds == ["new", "triaged"]


def test_a_stale_version_from_the_form_is_a_conflict_before_any_write(world, make_ticket):
    ticket = make_ticket(world.babinsa)
    transition(world.koramil, ticket, "triage", version=1)
    db.session.commit()
    with pytest.raises(Conflict):
        transition(world.koramil, ticket, "reject", reason="duplikat", version=1)
    assert not db.session.dirty and not db.session.new
    assert ticket.status == "triaged"


def test_two_concurrent_actions_one_wins_the_other_conflicts(app, world, make_ticket):
    ticket_id = make_ticket(world.babinsa).id
    users = [world.koramil.id, world.kodim.id]
    actions = [("triage", None), ("reject", "duplikat")]

    def load(index):
        ticket, user = _load(ticket_id, users[index])
        assert ticket.version == 1
        return index, ticket, user

    def act(prepared):
        index, ticket, user = prepared
        transition(user, ticket, actions[index][0], reason=actions[index][1])
        db.session.commit()
        return actions[index][0]

    results, errors = run_in_threads(app, 2, act, prepare=load)
    assert len(errors) == 1 and isinstance(errors[0], Conflict)
    winner = next(r for r in results if r)
    db.session.expire_all()
    ticket = db.session.get(Ticket, ticket_id)
    assert ticket.status == {"triage": "triaged", "reject": "rejected"}[winner]
    assert ticket.version == 2
    events = db.session.execute(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id)).scalars().all()
    assert len(events) == 2
