"""Demo elections: a Pilkades wave in Karanganyar 30 days ahead, the 2024 votes for history; then a sweep.

Runs after the tickets demo, so the sweep leaves live flags and hotspots.
"""
from datetime import date, timedelta

from sqlalchemy import select

from tracker.elections.services import create_election
from tracker.extensions import db
from tracker.regions.codes import WIB
from tracker.regions.models import Region
from tracker.timeutil import local_date, utcnow
from tracker.warnings.services import sweep

# Kebakkramat, Jaten, Tasikmadu and Mojogedang: 40 desa once Waru is left out
# (Waru elected its village head in another wave).
PILKADES_DISTRICTS = ("33.13.14", "33.13.11", "33.13.10", "33.13.15")
NOT_IN_THIS_WAVE = ("33.13.14.2007",)
PILKADES_DAYS_AHEAD = 30


def pilkades_villages():
    """The participating desa, in code order (kelurahan hold no Pilkades)."""
    return db.session.execute(
        select(Region.code)
        .where(Region.district_code.in_(PILKADES_DISTRICTS), Region.level == 4,
               Region.kind.in_(("desa", "desa_adat")), Region.code.notin_(NOT_IN_THIS_WAVE))
        .order_by(Region.code)
    ).scalars().all()


def seed(users):
    """Create the demo elections as the demo administrator, then sweep once; flushes only."""
    admin = next(user for user in users if user.role == "admin")
    now = utcnow()
    voting_on = local_date(now, WIB) + timedelta(days=PILKADES_DAYS_AHEAD)
    create_election(admin, kind="pilkades", name=f"Pilkades Serentak Kabupaten Karanganyar {voting_on.year}",
                    voting_on=voting_on, scope={"villages": pilkades_villages()})
    create_election(admin, kind="pileg", name="Pemilu Legislatif 2024", voting_on=date(2024, 2, 14),
                    scope={"national": True})
    create_election(admin, kind="pilpres", name="Pemilu Presiden dan Wakil Presiden 2024",
                    voting_on=date(2024, 2, 14), scope={"national": True})
    create_election(admin, kind="pilkada", name="Pilkada Serentak 2024 (Gubernur Jawa Tengah, Bupati Karanganyar)",
                    voting_on=date(2024, 11, 27), scope={"regions": ["33"]})
    sweep(now)
