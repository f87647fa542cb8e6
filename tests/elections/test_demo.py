"""The demo's elections and its sweep."""
from datetime import date, timedelta

import time_machine
from sqlalchemy import select

from tests.plugins.world import KEBAK, KEMIRI, WARU, wib
from tracker.elections.models import Election


def test_demo_has_the_pilkades_wave_and_the_2024_votes(app, db):
    from tracker.demo import seed_demo
    from tracker.warnings.services import sweep

    moment = wib(2026, 11, 28, 10)
    with time_machine.travel(moment, tick=False):
        seed_demo()
        db.session.commit()
        again = sweep(moment)   # the demo swept at this moment already
    assert (again.raised, again.cleared, again.escalated) == (0, 0, 0)

    elections = {e.kind: e for e in db.session.execute(select(Election)).scalars()}
    assert set(elections) == {"pilkades", "pileg", "pilpres", "pilkada"}
    pilkades = elections["pilkades"]
    assert pilkades.voting_on == date(2026, 11, 28) + timedelta(days=30)
    codes = [a.region_code for a in pilkades.areas]
    assert 38 <= len(codes) <= 42
    assert KEMIRI in codes and KEBAK in codes and WARU not in codes
    assert all(code.split(".")[-1].startswith("2") for code in codes)
    assert elections["pileg"].voting_on == elections["pilpres"].voting_on == date(2024, 2, 14)
    assert elections["pilkada"].voting_on == date(2024, 11, 27)
