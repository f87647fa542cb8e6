"""Hotspots narrowed by the village counters (``warnings.services._hotspot_candidates``) equal every village scored.

Five villages, tickets of every severity and of ages on both sides of the
30-day cap, an election in two of the villages (so stage multipliers
differ): for each commander and several limits the narrowed list is the
head of the list that scores every village.
"""
import random
from datetime import timedelta

import pytest

from tests.counters.test_drift import PILKADES_DAY, START, VILLAGES, elections  # noqa: F401 (fixture)
from tests.plugins.world import wib
from tracker.extensions import db
from tracker.tickets.models import SEVERITIES
from tracker.tickets.services import transition
from tracker.warnings.services import hotspots, sweep

COMMANDERS = ("admin", "kodim", "koramil", "jaten", "sragen")


@pytest.mark.parametrize("seed", range(4))
def test_narrowed_hotspots_are_the_head_of_every_village_scored(area, elections, make_ticket_at, seed):
    chance = random.Random(seed)
    tickets = [
        make_ticket_at(START - timedelta(days=chance.randint(0, 60), hours=chance.randint(0, 23)),
                       village=chance.choice(VILLAGES), severity=chance.choice(SEVERITIES), reporter=area.admin)
        for _ in range(40)
    ]
    for ticket in chance.sample(tickets, 8):
        transition(area.admin, ticket, "triage")
        transition(area.admin, ticket, "resolve", reason="selesai")
    db.session.commit()
    sweep(START)
    db.session.commit()
    at = START + timedelta(days=chance.randint(0, 8))
    compared = 0
    for name in COMMANDERS:
        user = getattr(area, name)
        every = hotspots(user, limit=None, at=at)
        compared += len(every)
        for limit in (1, 2, 3, 5):
            assert hotspots(user, limit=limit, at=at) == every[:limit], (name, limit)
    assert compared >= 5


def test_a_village_with_few_but_old_tickets_is_not_cut(area, elections, make_ticket_at):
    """Two old critical tickets (risk 16 each) outrank three fresh high ones (about 4 each)."""
    kemiri, kebak, waru = VILLAGES[:3]
    for _ in range(3):
        make_ticket_at(START, village=kemiri, severity="high")
    for _ in range(2):
        make_ticket_at(START - timedelta(days=45), village=waru, severity="critical")
    make_ticket_at(START, village=kebak, severity="low")
    top = hotspots(area.admin, limit=1, at=START)
    assert [row["village_code"] for row in top] == [waru]
    assert top == hotspots(area.admin, limit=None, at=START)[:1]


def test_a_light_village_on_voting_day_outranks_a_heavier_one_outside_it(area, elections, make_ticket_at):
    """Kemiri votes (multiplier 2) with one old high ticket (risk 8, score 16); Waru, outside the
    Pilkades, has fresh tickets of weight 9: heavier by the counters, lower by score. The
    narrowing must keep Kemiri although its weight alone at the highest multiplier (8) does not
    reach Waru's base: only twice its weight (the age factor's cap) does."""
    kemiri, waru = VILLAGES[0], VILLAGES[2]
    voting_day = wib(PILKADES_DAY.year, PILKADES_DAY.month, PILKADES_DAY.day, 10)
    make_ticket_at(voting_day - timedelta(days=45), village=kemiri, severity="high", reporter=area.admin)
    make_ticket_at(voting_day - timedelta(hours=1), village=waru, severity="critical", reporter=area.admin)
    make_ticket_at(voting_day - timedelta(hours=1), village=waru, severity="low", reporter=area.admin)
    top = hotspots(area.admin, limit=1, at=voting_day)
    assert [row["village_code"] for row in top] == [kemiri]
    assert top == hotspots(area.admin, limit=None, at=voting_day)[:1]
