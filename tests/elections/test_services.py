"""Default stages, creating elections (validation, roles, area) and the scoped calendar."""
from datetime import date

import pytest

from tests.plugins.world import KEBAK, KEMIRI, LALUNG, SRAGEN_VILLAGE, wib
from tracker.elections.services import (
    create_election, default_stages, election_stages_ahead, elections_for_user, merge_stages, stage_problems,
)
from tracker.errors import Forbidden, ValidationError


def as_table(stages):
    return [(s["name"], s["starts_on"], s["ends_on"]) for s in stages]


def test_pemilu_2024_default_stages_match_the_kpu_calendar():
    assert as_table(default_stages("pilpres", date(2024, 2, 14))) == [
        ("lead_up", date(2023, 10, 17), date(2023, 11, 27)),
        ("campaign", date(2023, 11, 28), date(2024, 2, 10)),
        ("quiet", date(2024, 2, 11), date(2024, 2, 13)),
        ("voting", date(2024, 2, 14), date(2024, 2, 14)),
        ("recap", date(2024, 2, 15), date(2024, 3, 20)),
    ]
    assert default_stages("pileg", date(2024, 2, 14)) == default_stages("pilpres", date(2024, 2, 14))


def test_pilkada_2024_default_stages_match_the_kpu_calendar():
    assert as_table(default_stages("pilkada", date(2024, 11, 27))) == [
        ("lead_up", date(2024, 8, 29), date(2024, 9, 24)),
        ("campaign", date(2024, 9, 25), date(2024, 11, 23)),
        ("quiet", date(2024, 11, 24), date(2024, 11, 26)),
        ("voting", date(2024, 11, 27), date(2024, 11, 27)),
        ("recap", date(2024, 11, 28), date(2024, 12, 16)),
    ]


def test_pilkades_default_stages():
    assert as_table(default_stages("pilkades", date(2026, 12, 20))) == [
        ("lead_up", date(2026, 10, 21), date(2026, 12, 13)),
        ("campaign", date(2026, 12, 14), date(2026, 12, 16)),
        ("quiet", date(2026, 12, 17), date(2026, 12, 19)),
        ("voting", date(2026, 12, 20), date(2026, 12, 20)),
        ("recap", date(2026, 12, 21), date(2027, 1, 19)),
    ]


def test_moving_the_campaign_keeps_the_lead_up_adjacent():
    stages = merge_stages("pilkades", date(2026, 12, 20),
                          {"campaign": (date(2026, 12, 10), date(2026, 12, 16))})
    assert as_table(stages)[:2] == [("lead_up", date(2026, 10, 21), date(2026, 12, 9)),
                                    ("campaign", date(2026, 12, 10), date(2026, 12, 16))]
    assert stage_problems(stages, date(2026, 12, 20)) == []


def test_create_election_with_defaults(db, area):
    election = create_election(area.kodim, kind="pilkades", name="Pilkades Karanganyar 2026",
                               voting_on="2026-12-20", scope={"villages": [KEMIRI, "3313142006"]})
    db.session.commit()
    assert (election.window_start, election.window_end) == (date(2026, 10, 21), date(2027, 1, 19))
    assert [a.region_code for a in election.areas] == [KEMIRI, KEBAK]
    assert election.scope_kind == "villages" and election.created_by_id == area.kodim.id
    assert [s.name for s in election.stages] == ["lead_up", "campaign", "quiet", "voting", "recap"]


@pytest.mark.parametrize("stages, message", [
    ([{"name": "quiet", "starts_on": "2026-12-16", "ends_on": "2026-12-19"}], "overlap"),
    ([{"name": "quiet", "starts_on": "2026-12-18", "ends_on": "2026-12-20"}], "before the voting day"),
    ([{"name": "campaign", "starts_on": "2026-12-16", "ends_on": "2026-12-14"}], "before it starts"),
    ([{"name": "recap", "starts_on": "2026-12-25", "ends_on": "2027-01-19"}], "gap"),
    ([{"name": "voting", "starts_on": "2026-12-21", "ends_on": "2026-12-21"}], "voting day"),
    ([{"name": "counting", "starts_on": "2026-12-21", "ends_on": "2026-12-21"}], "Unknown stage"),
    ([{"name": "recap", "starts_on": "soon", "ends_on": "2026-12-21"}], "YYYY-MM-DD"),
    ("campaign", "list of stages"),
])
def test_inconsistent_stages_are_refused(db, area, english, stages, message):
    with pytest.raises(ValidationError) as caught:
        create_election(area.admin, kind="pilkades", name="Pilkades", voting_on="2026-12-20",
                        scope={"villages": [KEMIRI]}, stages=stages)
    assert list(caught.value.errors) == ["stages"]
    assert any(message in m for m in caught.value.errors["stages"]), caught.value.errors


@pytest.mark.parametrize("kind, scope, field, message", [
    ("pilkades", {"villages": [KEMIRI, LALUNG]}, "scope", "Kelurahan hold no Pilkades: 33.13.09.1001 Lalung"),
    ("pilkades", {"regions": ["33.13"]}, "scope", "participating desa"),
    ("pilkades", {"national": True}, "scope", "participating desa"),
    ("pileg", {"villages": [KEMIRI]}, "scope", "Only a Pilkades"),
    ("pilkada", {"regions": ["33.13.14"]}, "scope", "province or kabupaten"),
    ("pilkada", {"regions": ["99.99"]}, "scope", "99.99"),
    ("pilkada", {"regions": []}, "scope", "non-empty"),
    ("pilkada", {"national": True, "regions": ["33"]}, "scope", "exactly one"),
    ("pilkada", "33.13", "scope", "exactly one"),
    ("pemilu", {"national": True}, "kind", "Choose one of"),
])
def test_bad_scope_or_kind_is_refused(db, area, english, kind, scope, field, message):
    with pytest.raises(ValidationError) as caught:
        create_election(area.admin, kind=kind, name="X", voting_on="2026-12-20", scope=scope)
    assert any(message in m for m in caught.value.errors[field]), caught.value.errors


def test_name_and_voting_day_are_required(db, area):
    with pytest.raises(ValidationError) as caught:
        create_election(area.admin, kind="pileg", name=" ", voting_on=None, scope={"national": True})
    assert set(caught.value.errors) == {"name", "voting_on"}


@pytest.mark.parametrize("role", ["babinsa", "koramil"])
def test_only_kodim_and_admin_create_elections(db, area, role):
    actor = area.babinsa if role == "babinsa" else area.koramil
    with pytest.raises(Forbidden):
        create_election(actor, kind="pilkades", name="X", voting_on="2026-12-20", scope={"villages": [KEMIRI]})


@pytest.mark.parametrize("scope", [
    {"national": True}, {"regions": ["33"]}, {"regions": ["33.14"]}, {"villages": [KEMIRI, SRAGEN_VILLAGE]},
])
def test_a_kodim_creates_elections_only_inside_its_kabupaten(db, area, scope):
    kind = "pilkades" if "villages" in scope else "pilkada"
    with pytest.raises(Forbidden):
        create_election(area.kodim, kind=kind, name="X", voting_on="2026-12-20", scope=scope)


def test_a_kodim_creates_a_pilkada_for_its_own_kabupaten(db, area):
    election = create_election(area.kodim, kind="pilkada", name="Pilkada Karanganyar", voting_on="2029-11-28",
                               scope={"regions": ["33.13"]})
    assert election.scope_kind == "regions"


def test_elections_are_scoped_to_the_villages_they_touch(db, area, make_election):
    pilkades = make_election("pilkades", date(2026, 12, 20), scope={"villages": [KEMIRI, KEBAK]})
    sragen = make_election("pilkada", date(2029, 11, 28), scope={"regions": ["33.14"]})
    national = make_election("pilpres", date(2029, 2, 14))

    def visible(user):
        return set(db.session.execute(elections_for_user(user)).scalars())

    assert visible(area.admin) == {pilkades, sragen, national}
    assert visible(area.kodim) == {pilkades, national}
    assert visible(area.babinsa) == {pilkades, national}          # Kemiri
    assert visible(area.waru_babinsa) == {national}               # Waru holds no Pilkades
    assert visible(area.jaten) == {national}
    assert visible(area.sragen) == {sragen, national}


def test_active_elections_are_those_whose_window_holds_today(db, area, make_election):
    running = make_election("pilkades", date(2026, 12, 20))
    past = make_election("pilpres", date(2024, 2, 14))
    active = db.session.execute(elections_for_user(area.kodim, active=True, at=wib(2026, 12, 1, 9))).scalars().all()
    inactive = db.session.execute(elections_for_user(area.kodim, active=False, at=wib(2026, 12, 1, 9))).scalars().all()
    assert active == [running] and inactive == [past]


def test_stages_ahead_count_down_to_each_stage(db, area, make_election):
    election = make_election("pilkades", date(2026, 12, 20), name="Pilkades Karanganyar 2026")
    make_election("pilpres", date(2024, 2, 14))   # over: not listed
    rows = election_stages_ahead(area.koramil, wib(2026, 12, 11, 9), days=9)
    assert [(r["stage"], r["days_until_start"]) for r in rows] == [
        ("lead_up", -51), ("campaign", 3), ("quiet", 6), ("voting", 9)]
    assert all(r["election_id"] == election.id and r["days_until_voting"] == 9 for r in rows)
    assert rows[1]["election_name"] == "Pilkades Karanganyar 2026" and rows[1]["kind"] == "pilkades"
    assert election_stages_ahead(area.waru_babinsa, wib(2026, 12, 11, 9)) == []


def test_stage_labels_are_indonesian_by_default(db, area, make_election):
    make_election("pilkades", date(2026, 12, 20))
    rows = election_stages_ahead(area.koramil, wib(2026, 12, 16, 9), days=2)
    assert [r["stage_label"] for r in rows] == ["Kampanye", "Masa tenang"]
