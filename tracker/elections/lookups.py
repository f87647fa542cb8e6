"""Unscoped reads of elections: the operator's look-ups (CLI), and an election's area count for its page.

The scoped reads (what a user may see) are ``elections_for_user`` and
``get_election`` in tracker/elections/services.py.
"""
from sqlalchemy import func, select

from tracker.elections.models import Election, ElectionArea
from tracker.elections.queries import live_condition
from tracker.extensions import db
from tracker.params import is_row_id


def live_election(election_id):
    """The election with this id unless it was removed, else None (any area: the operator's view)."""
    if not is_row_id(election_id):
        return None
    return db.session.execute(
        select(Election).where(Election.id == election_id, live_condition(Election))
    ).scalar_one_or_none()


def live_elections(active_on=None):
    """Every election not removed, latest voting day first; ``active_on`` keeps those whose window holds that day."""
    stmt = select(Election).where(live_condition(Election)).order_by(Election.voting_on.desc(), Election.id.desc())
    if active_on is not None:
        stmt = stmt.where(Election.window_start <= active_on, Election.window_end >= active_on)
    return db.session.execute(stmt).scalars().all()


def area_count(election):
    """How many regions (provinces, kabupaten or desa) the election's area names (one count)."""
    return db.session.execute(
        select(func.count()).where(ElectionArea.election_id == election.id)
    ).scalar_one()
