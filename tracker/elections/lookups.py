"""An election's area as its page shows it: how many regions it names."""
from sqlalchemy import func, select

from tracker.elections.models import ElectionArea
from tracker.extensions import db


def area_count(election):
    """How many regions (provinces, kabupaten or desa) the election's area names (one count)."""
    return db.session.execute(
        select(func.count()).where(ElectionArea.election_id == election.id)
    ).scalar_one()
