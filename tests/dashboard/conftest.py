"""Fixtures for dashboard tests: the tickets' small world, a fixed clock, flags."""
from datetime import datetime, timezone

import pytest
import time_machine

from tests.tickets.factories import build_world, make_ticket as _make_ticket
from tracker.extensions import db

# Wednesday 25 Nov 2026, 10:00 WIB: the week started Monday 23 Nov (local).
NOW = datetime(2026, 11, 25, 3, 0, tzinfo=timezone.utc)


@pytest.fixture
def world(make_unit, make_user):
    return build_world(make_unit, make_user)


@pytest.fixture
def make_ticket(world):
    """Factory: make_ticket(reporter, status=None, level=None, **create_ticket fields)."""
    return _make_ticket


@pytest.fixture
def clock():
    """The clock stopped at NOW; ``clock.move_to(moment)`` to file tickets in the past."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def election(world, clock):
    """A Pilkada in Karanganyar, voting in three weeks (its window holds NOW)."""
    from tracker.elections.services import create_election

    created = create_election(None, kind="pilkada", name="Pilkada Karanganyar 2026",
                              voting_on="2026-12-16", scope={"regions": ["33.13"]})
    db.session.commit()
    return created


@pytest.fixture
def flag(election):
    """flag(ticket): give the ticket an active early-warning flag."""
    from tracker.warnings.models import Flag

    def raise_flag(ticket):
        db.session.add(Flag(ticket_id=ticket.id, election_id=election.id, stage="campaign",
                            reason="test", raised_at=NOW))
        db.session.commit()

    return raise_flag
