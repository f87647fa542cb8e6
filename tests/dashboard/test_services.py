"""The dashboard's aggregates: headline, weekly flow, categories, areas, villages."""
from datetime import date, datetime, timedelta, timezone

import pytest

from tests.dashboard.factories import NOW
from tests.plugins.world import JATEN, KEBAK, KEMIRI, WARU
from tracker import scope
from tracker.dashboard import services
from tracker.extensions import db
from tracker.regions.models import Region
from tracker.tickets.services import transition


def _resolve(ticket, actor, at, clock):
    clock.move_to(at)
    transition(actor, ticket, "resolve", reason="selesai")
    db.session.commit()
    clock.move_to(NOW)


def test_headline_counts_open_flagged_overdue_and_resolved_this_week(world, make_ticket, clock, flag):
    b = world.babinsa
    clock.move_to(NOW - timedelta(days=20))
    old = make_ticket(b, severity="critical", title="lama")            # overdue (due after 24 h)
    clock.move_to(NOW)
    flagged = make_ticket(b, severity="low", title="ditandai")
    flag(flagged)
    make_ticket(b, severity="low", title="baru")
    done_now = make_ticket(b, status="triaged", title="selesai minggu ini")
    _resolve(done_now, world.koramil, NOW - timedelta(hours=1), clock)
    done_before = make_ticket(b, status="triaged", title="selesai minggu lalu")
    _resolve(done_before, world.koramil, NOW - timedelta(days=3), clock)  # Sunday 22 Nov: last week

    counts = services.headline(world.koramil, NOW)

    assert counts["open"] == 3
    assert counts["flagged"] == 1
    assert counts["overdue"] == 1
    assert counts["resolved_week"] == 1
    assert old.status == "new"


def test_resolved_flag_does_not_count_as_flagged(world, make_ticket, clock, flag):
    ticket = make_ticket(world.babinsa, status="triaged")
    flag(ticket)
    _resolve(ticket, world.koramil, NOW, clock)
    assert services.headline(world.koramil, NOW)["flagged"] == 0


# Koramil: the new tickets at its level (triage queue). Kodim and admin: the
# escalated one. Babinsa: the open tickets still at Koramil level in his
# villages, the ones he may start or resolve, whoever reported them; not the
# escalated one (the Kodim's now) nor those of villages not his.
@pytest.mark.parametrize("role, expected", [("koramil", 3), ("kodim", 1), ("admin", 1), ("babinsa", 4),
                                            ("babinsa_waru", 1)])
def test_waiting_for_me_is_the_queue_of_the_role(world, make_ticket, clock, role, expected):
    make_ticket(world.babinsa, title="baru")
    make_ticket(world.babinsa, status="escalated", level="kodim", title="naik")
    make_ticket(world.babinsa, status="in_progress", level="kodim", title="dikerjakan Kodim")
    make_ticket(world.babinsa_same, title="laporan orang lain")
    make_ticket(world.babinsa, status="triaged", level="koramil", title="sudah dipilah")
    make_ticket(world.babinsa, status="in_progress", level="koramil", title="dikerjakan")
    make_ticket(world.babinsa, status="resolved", title="selesai")
    make_ticket(world.babinsa_waru, village_code=WARU, title="di Waru")
    waiting = services.headline(getattr(world, role), NOW)["waiting"]
    assert waiting == expected


def test_what_waits_for_a_babinsa_is_what_he_may_start_or_resolve(world, make_ticket, clock):
    from tracker.tickets.services import can

    for status, level in (("new", "koramil"), ("triaged", "koramil"), ("in_progress", "koramil"),
                          ("escalated", "kodim"), ("in_progress", "kodim"), ("resolved", "koramil"),
                          ("rejected", "koramil")):
        make_ticket(world.babinsa, status=status, level=level, title=f"{status} {level}")
    actionable = [t for t in db.session.execute(scope.tickets(world.babinsa)).scalars()
                  if can(world.babinsa, t, "start") or can(world.babinsa, t, "resolve")]
    assert services.headline(world.babinsa, NOW)["waiting"] == len(actionable) == 3


def test_headline_is_scoped(world, make_ticket, clock):
    make_ticket(world.babinsa, village_code=KEMIRI)
    make_ticket(world.babinsa, village_code=KEBAK, sensitive=True)
    assert services.headline(world.koramil_other, NOW)["open"] == 0
    assert services.headline(world.kodim_other, NOW)["open"] == 0
    assert services.headline(world.kodim, NOW)["open"] == 2
    # Sensitive tickets are need-to-know: another Babinsa of Kemiri does not count it.
    assert services.headline(world.babinsa_same, NOW)["open"] == 1


def test_weekly_flow_buckets_by_local_monday(world, make_ticket, clock):
    monday = datetime(2026, 11, 23, tzinfo=timezone.utc) - timedelta(hours=7)  # Mon 00:00 WIB
    clock.move_to(monday + timedelta(minutes=30))
    make_ticket(world.babinsa, severity="high", title="senin dini hari")
    clock.move_to(monday - timedelta(minutes=30))
    make_ticket(world.babinsa, severity="low", title="minggu malam")
    clock.move_to(NOW - timedelta(weeks=11, days=2))  # Monday 12 weeks back: the oldest week
    make_ticket(world.babinsa, severity="critical", title="lama")
    clock.move_to(NOW - timedelta(weeks=13))           # before the chart starts
    make_ticket(world.babinsa, severity="medium", title="terlalu lama")
    clock.move_to(NOW)
    resolved = make_ticket(world.babinsa, status="triaged", severity="medium", title="beres")
    _resolve(resolved, world.koramil, NOW, clock)

    flow = services.weekly_flow(world.koramil, NOW)

    assert flow["weeks"][-1] == date(2026, 11, 23)
    assert flow["weeks"][0] == date(2026, 9, 7)
    assert len(flow["weeks"]) == 12
    assert flow["new"]["high"][11] == 1
    assert flow["new"]["medium"][11] == 1
    assert flow["new"]["low"][10] == 1
    assert flow["new"]["critical"][0] == 1
    assert sum(sum(v) for v in flow["new"].values()) == 4
    assert flow["resolved"]["medium"] == [0] * 11 + [1]


def test_open_by_category_largest_first_with_severities(world, make_ticket, clock):
    make_ticket(world.babinsa, category="hoax", severity="high")
    make_ticket(world.babinsa, category="hoax", severity="low")
    make_ticket(world.babinsa, category="crime", severity="critical")
    make_ticket(world.babinsa, category="crime", severity="critical", status="closed")
    rows = services.open_by_category(world.kodim)
    assert [(category, total) for category, _counts, total in rows] == [("hoax", 2), ("crime", 1)]
    assert rows[0][1] == {"low": 1, "medium": 0, "high": 1, "critical": 0}


def test_open_by_area_per_kecamatan_for_kodim_sorted_with_quiet_ones(world, make_ticket, clock, flag):
    make_ticket(world.babinsa, village_code=KEMIRI)
    flag(make_ticket(world.babinsa, village_code=KEBAK))
    make_ticket(world.koramil_other, village_code=JATEN)
    rows = services.open_by_area(world.kodim)
    assert rows == [
        {"code": "33.13.14", "name": "Kebakkramat", "open": 2, "flagged": 1},
        {"code": "33.13.11", "name": "Jaten", "open": 1, "flagged": 0},
    ]


def test_open_by_area_per_village_for_koramil(world, make_ticket, clock):
    make_ticket(world.babinsa, village_code=KEBAK)
    make_ticket(world.babinsa, village_code=KEBAK)
    make_ticket(world.babinsa, village_code=KEMIRI, status="resolved")
    rows = services.open_by_area(world.koramil)
    assert [(r["name"], r["open"]) for r in rows] == [("Kebak", 2), ("Kemiri", 0), ("Waru", 0)]
    assert services.open_by_area(world.babinsa) == []


def test_my_villages_days_since_last_visit(world, make_ticket, clock):
    from tracker.visits.services import record_visit

    record_visit(world.babinsa, village_code=KEMIRI, visited_on="2026-11-20")
    record_visit(world.babinsa, village_code=KEMIRI, visited_on="2026-11-10")
    make_ticket(world.babinsa, village_code=KEMIRI)
    db.session.commit()
    villages = {v["code"]: v for v in services.my_villages(world.babinsa, NOW)}
    assert set(villages) == {KEMIRI, KEBAK}
    assert villages[KEMIRI]["days_since_visit"] == 5
    assert villages[KEMIRI]["last_visit_on"] == date(2026, 11, 20)
    assert villages[KEMIRI]["open"] == 1
    assert villages[KEBAK]["days_since_visit"] is None
    assert WARU not in villages


def test_village_page_is_none_outside_scope(world, make_ticket, clock):
    assert services.village_page(world.babinsa, WARU, NOW) is None
    assert services.village_page(world.koramil_other, KEMIRI, NOW) is None
    assert services.village_page(world.kodim, "33.13.14", NOW) is None  # a kecamatan, not a village
    assert services.village_page(world.koramil, KEMIRI, NOW)["village"].name == "Kemiri"


def test_village_page_lists_open_tickets_most_severe_first_and_elections(world, make_ticket, clock, election, flag):
    make_ticket(world.babinsa, severity="low", title="kecil")
    flag(make_ticket(world.babinsa, severity="critical", title="gawat"))
    make_ticket(world.babinsa, severity="high", title="selesai", status="resolved")
    page = services.village_page(world.koramil, KEMIRI, NOW)
    assert [(r["ticket"].title, r["is_flagged"]) for r in page["tickets"]] == [("gawat", True), ("kecil", False)]
    assert page["counts"] == {"open": 2, "flagged": 1}
    assert [(e["election"].name, e["stage"], e["days_until_voting"]) for e in page["elections"]] == [
        ("Pilkada Karanganyar 2026", "campaign", 21)]
    assert page["silent"]["village_code"] == KEMIRI


def test_election_banner_groups_stages_per_election():
    stages = [
        {"election_id": 1, "election_name": "A", "kind": "pilkada", "stage": "campaign", "stage_label": "Campaign",
         "starts_on": date(2026, 9, 25), "ends_on": date(2026, 12, 12), "days_until_start": -61,
         "voting_on": date(2026, 12, 16), "days_until_voting": 21},
        {"election_id": 1, "election_name": "A", "kind": "pilkada", "stage": "quiet", "stage_label": "Quiet",
         "starts_on": date(2026, 12, 13), "ends_on": date(2026, 12, 15), "days_until_start": 18,
         "voting_on": date(2026, 12, 16), "days_until_voting": 21},
        {"election_id": 1, "election_name": "A", "kind": "pilkada", "stage": "voting", "stage_label": "Voting",
         "starts_on": date(2026, 12, 16), "ends_on": date(2026, 12, 16), "days_until_start": 21,
         "voting_on": date(2026, 12, 16), "days_until_voting": 21},
    ]
    (entry,) = services.election_banner(stages)
    assert entry["current"]["stage"] == "campaign"
    assert entry["quiet"]["days_until_start"] == 18
    assert entry["next"]["stage"] == "quiet"
    assert entry["days_until_voting"] == 21



def test_village_silence_follows_the_early_warning_rule_for_one_village(world, clock, election):
    from tracker.visits.services import record_visit
    from tracker.warnings.silence import silent_villages

    record_visit(world.babinsa, village_code=KEMIRI, visited_on=(NOW - timedelta(days=1)).date())
    record_visit(world.babinsa, village_code=KEBAK, visited_on=(NOW - timedelta(days=20)).date())
    db.session.commit()
    regions = {code: db.session.get(Region, code) for code in (KEMIRI, KEBAK, WARU, JATEN)}

    silence = {code: services.village_silence(village, NOW) for code, village in regions.items()}

    assert silence[KEMIRI] is None
    assert silence[KEBAK] == {"village_code": KEBAK, "last_visit_on": date(2026, 11, 5), "days_silent": 20,
                              "election_name": "Pilkada Karanganyar 2026"}
    assert silence[WARU]["last_visit_on"] is None and silence[WARU]["days_silent"] is None
    # The same answer as the area-wide list, village by village.
    area = {row["village_code"]: row for row in silent_villages(world.admin, at=NOW)}
    assert {code for code, row in silence.items() if row} == set(area) == {KEBAK, WARU, JATEN}
    for code, row in area.items():
        assert silence[code] == {key: row[key] for key in silence[code]}


def test_no_village_is_silent_outside_an_election_window(world, clock):
    village = db.session.get(Region, WARU)
    assert services.village_silence(village, NOW) is None
