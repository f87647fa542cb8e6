"""Two rejections racing to link the same tickets never leave a cycle or a chain (issue 14).

Each thread has its own app context, session and connection, as two web
workers would. On PostgreSQL the pair's rows are locked (lowest id first)
before the original is checked, so the second rejection waits and then
sees the first one's link; run with TEST_DATABASE_URL for the real race.
"""
import pytest
from sqlalchemy import select

from tests.tickets.test_concurrency import run_in_threads
from tracker.auth.models import User
from tracker.errors import Conflict, ValidationError
from tracker.extensions import db
from tracker.tickets.models import Ticket
from tracker.tickets.services import transition

pytestmark = pytest.mark.real_commits


def links():
    db.session.expire_all()
    return dict(db.session.execute(select(Ticket.id, Ticket.duplicate_of_id).order_by(Ticket.id)).all())


def race(app, koramil_id, pairs):
    """Reject pairs[i][0] as a duplicate of pairs[i][1], each in its own thread, at once."""

    def load(index):
        ticket_id, original_id = pairs[index]
        return db.session.get(Ticket, ticket_id), db.session.get(User, koramil_id), original_id

    def reject(prepared):
        ticket, user, original_id = prepared
        transition(user, ticket, "reject", duplicate_of=original_id)
        db.session.commit()
        return ticket.id

    return run_in_threads(app, len(pairs), reject, prepare=load)


def test_two_tickets_rejected_as_each_others_duplicate_at_once_make_no_cycle(app, world, make_ticket):
    a, b = (make_ticket(world.babinsa, category="hoax", title="Pesan berantai").id for _ in range(2))
    results, errors = race(app, world.koramil.id, [(a, b), (b, a)])
    assert len([r for r in results if r]) == 1 and len(errors) == 1
    assert isinstance(errors[0], (Conflict, ValidationError)), errors
    linked = links()
    assert linked in ({a: b, b: None}, {a: None, b: a}), linked


def test_an_original_rejected_onto_a_third_while_it_gains_a_duplicate_makes_no_chain(app, world, make_ticket):
    x, y, z = (make_ticket(world.babinsa, category="hoax", title=f"Pesan {n}").id for n in range(3))
    results, errors = race(app, world.koramil.id, [(y, x), (x, z)])
    assert len([r for r in results if r]) == 1 and len(errors) == 1
    assert isinstance(errors[0], (Conflict, ValidationError)), errors
    linked = links()
    chained = [t for t, original in linked.items() if original is not None and linked.get(original) is not None]
    assert chained == [], linked
