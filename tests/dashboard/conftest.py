"""Fixtures for dashboard tests (on the ticket tests' world): a fixed clock, an election, flags."""
import pytest
import time_machine

from tests.dashboard.factories import NOW
from tracker.extensions import db


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
