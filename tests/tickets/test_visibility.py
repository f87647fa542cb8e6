"""Sensitive tickets at the service level: every read function hides them from other Babinsa."""
from datetime import datetime, timedelta, timezone

import pytest
import time_machine

from tests.plugins.world import KEMIRI
from tracker.extensions import db
from tracker.tickets.export import export_csv
from tracker.tickets.services import (
    escalation_queue, get_ticket, open_ticket_counts, overdue_tickets, search_tickets,
    similar_open_tickets, transition, triage_queue,
)

# The sensitive ticket is reported by babinsa_same in Kemiri, where babinsa serves too.
SEES = {"babinsa_same": True, "koramil": True, "kodim": True, "admin": True,
        "babinsa": False, "babinsa_waru": False, "koramil_other": False, "kodim_other": False}


def reads(user, ticket):
    """Whether each read function returns the ticket for the user."""
    def ids(stmt):
        return {t.id for t in db.session.execute(stmt).scalars()}

    return {
        "get_ticket": get_ticket(user, ticket.id) is not None,
        "search": ticket.id in ids(search_tickets(user, {"q": "informan"})),
        "triage_queue": ticket.id in ids(triage_queue(user)),
        "overdue": ticket.id in ids(overdue_tickets(user)),
        "similar": ticket.id in {t.id for t in similar_open_tickets(user, KEMIRI, "identity_politics")},
        "open_counts": open_ticket_counts(user, [KEMIRI]).get(KEMIRI, 0) == 1,
        "export": ticket.ref in "".join(export_csv(user, {})),
    }


@pytest.fixture
def secret(world, make_ticket):
    with time_machine.travel(datetime.now(timezone.utc) - timedelta(days=10), tick=False):
        return make_ticket(world.babinsa_same, title="Informan melihat selebaran", category="identity_politics",
                           severity="high", sensitive=True)


@pytest.mark.parametrize("role", sorted(SEES))
def test_sensitive_ticket_reads(world, secret, role):
    assert reads(world.users[role], secret) == {name: SEES[role] for name in reads(world.admin, secret)}


@pytest.mark.parametrize("role", sorted(SEES))
def test_sensitive_ticket_in_the_escalation_queue(world, secret, role):
    transition(world.koramil, secret, "escalate", reason="perlu Kodim")
    db.session.commit()
    visible = secret.id in {t.id for t in db.session.execute(escalation_queue(world.users[role])).scalars()}
    assert visible is SEES[role]


def test_a_non_sensitive_ticket_is_seen_by_every_babinsa_of_the_village(world, make_ticket):
    ticket = make_ticket(world.babinsa_same, title="biasa")
    assert get_ticket(world.babinsa, ticket.id) is not None
    assert get_ticket(world.babinsa_waru, ticket.id) is None
