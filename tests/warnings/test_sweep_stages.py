"""The sweep walks one ticket and one village through a Pilkades and a Pilpres window."""
from datetime import date

import pytest
import time_machine
from sqlalchemy import func, select

from tests.plugins.world import KEBAK, KEMIRI, PAPUA_VILLAGE, SRAGEN_VILLAGE, WARU, wib
from tracker.tickets.models import Ticket, TicketEvent
from tracker.tickets.services import transition
from tracker.warnings.models import Flag

PILKADES_DAY = date(2026, 12, 20)  # lead-up 21 Oct, campaign 14-16 Dec, quiet 17-19, recap to 19 Jan 2027


def flags_of(db, ticket):
    return db.session.execute(select(Flag).where(Flag.ticket_id == ticket.id).order_by(Flag.id)).scalars().all()


def active_flags(db, ticket):
    return [f for f in flags_of(db, ticket) if f.cleared_at is None]


def events_of(db, ticket, kind):
    return db.session.execute(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == kind).order_by(TicketEvent.id)
    ).scalars().all()


def test_low_ticket_walks_through_every_pilkades_stage(db, make_election, make_ticket_at, run_sweep):
    election = make_election("pilkades", PILKADES_DAY, name="Pilkades Karanganyar 2026")
    ticket = make_ticket_at(wib(2026, 12, 10, 9), severity="low")

    steps = [
        # moment, expected active stage of the flag (None: no flag), silent villages (Kemiri, Kebak)
        (wib(2026, 10, 20, 12), None, 0),        # before the window
        (wib(2026, 12, 10, 12), None, 2),        # lead-up: low and new
        (wib(2026, 12, 14, 12), None, 2),        # campaign, 4 days open
        (wib(2026, 12, 16, 23, 59), None, 2),    # campaign's last minute, 6 days open
        (wib(2026, 12, 17, 0, 1), "quiet", 2),   # quiet: every unresolved ticket
        (wib(2026, 12, 20, 7), "quiet", 2),      # voting: still the one flag
        (wib(2027, 1, 19, 23), "quiet", 2),      # recap's last hour
    ]
    for moment, stage, silent in steps:
        result = run_sweep(moment)
        active = active_flags(db, ticket)
        assert [f.stage for f in active] == ([stage] if stage else []), moment
        assert result.silent == silent, moment

    flag = active_flags(db, ticket)[0]
    assert flag.election_id == election.id and flag.reason == "every"

    result = run_sweep(wib(2027, 1, 20, 0, 1))  # the window is over
    assert (result.cleared, result.silent) == (1, 0)
    assert active_flags(db, ticket) == []
    cleared = flags_of(db, ticket)[0]
    assert cleared.clear_reason == "outside_window" and cleared.cleared_at is not None
    raised_events = events_of(db, ticket, "flag_raised")
    cleared_events = events_of(db, ticket, "flag_cleared")
    assert len(raised_events) == 1 and len(cleared_events) == 1
    assert raised_events[0].actor_id is None and raised_events[0].to_value == "quiet"
    assert "Pilkades Karanganyar 2026" in raised_events[0].reason
    assert "Pilkades Karanganyar 2026" in cleared_events[0].reason


@pytest.mark.parametrize("stage_day, severity, days_open, flagged, reason", [
    (date(2026, 12, 1), "medium", 3, False, None),      # lead-up: below high, young
    (date(2026, 12, 1), "high", 0, True, "severity"),
    (date(2026, 12, 1), "low", 15, True, "age"),        # open more than 14 days
    (date(2026, 12, 1), "low", 14, False, None),       # exactly 14 days is not more
    (date(2026, 12, 15), "low", 6, False, None),        # campaign
    (date(2026, 12, 15), "medium", 0, True, "severity"),
    (date(2026, 12, 15), "low", 8, True, "age"),        # open more than 7 days
    (date(2026, 12, 18), "low", 0, True, "every"),      # quiet
    (date(2026, 12, 20), "low", 0, True, "every"),      # voting
    (date(2027, 1, 5), "low", 40, False, None),         # recap: medium or above only
    (date(2027, 1, 5), "medium", 0, True, "severity"),
])
def test_stage_rules(db, make_election, make_ticket_at, run_sweep, stage_day, severity, days_open, flagged, reason):
    from datetime import timedelta

    make_election("pilkades", PILKADES_DAY)
    at = wib(stage_day.year, stage_day.month, stage_day.day, 12)
    ticket = make_ticket_at(at - timedelta(days=days_open), severity=severity)
    run_sweep(at)
    active = active_flags(db, ticket)
    assert bool(active) is flagged
    if flagged:
        assert active[0].reason == reason


def test_pilpres_walk_resolution_and_reopening(db, area, make_election, make_ticket_at, run_sweep):
    election = make_election("pilpres", date(2024, 2, 14), name="Pilpres 2024")
    ticket = make_ticket_at(wib(2023, 10, 1, 9), severity="high")

    assert run_sweep(wib(2023, 10, 16, 23)).raised == 0         # the day before lead-up
    result = run_sweep(wib(2023, 10, 17, 0, 5))                  # lead-up starts D-120
    assert result.raised == 1
    assert [(f.stage, f.reason) for f in active_flags(db, ticket)] == [("lead_up", "severity")]

    with time_machine.travel(wib(2023, 11, 1, 10), tick=False):
        ticket = db.session.get(Ticket, ticket.id)
        transition(area.koramil, ticket, "triage")
        transition(area.koramil, ticket, "resolve", reason="Didamaikan")
        db.session.commit()
    result = run_sweep(wib(2023, 11, 1, 11))
    assert (result.raised, result.cleared) == (0, 1)
    assert active_flags(db, ticket) == []
    assert flags_of(db, ticket)[0].clear_reason == "resolved"

    with time_machine.travel(wib(2023, 12, 1, 10), tick=False):
        ticket = db.session.get(Ticket, ticket.id)
        transition(area.koramil, ticket, "reopen", reason="Muncul lagi")
        db.session.commit()
    result = run_sweep(wib(2023, 12, 1, 11))                     # campaign
    assert result.raised == 1
    assert [f.stage for f in active_flags(db, ticket)] == ["campaign"]

    for moment in (wib(2024, 2, 12, 8), wib(2024, 2, 14, 8), wib(2024, 3, 20, 20)):  # quiet, voting, recap
        assert run_sweep(moment).raised == 0
        assert len(active_flags(db, ticket)) == 1

    result = run_sweep(wib(2024, 3, 21, 0, 5))
    assert result.cleared == 1 and active_flags(db, ticket) == []
    assert len(flags_of(db, ticket)) == 2
    assert len(events_of(db, ticket, "flag_raised")) == 2
    assert len(events_of(db, ticket, "flag_cleared")) == 2
    assert all(f.election_id == election.id for f in flags_of(db, ticket))


def test_one_flag_per_election_when_pileg_and_pilpres_share_a_day(db, make_election, make_ticket_at, run_sweep):
    make_election("pileg", date(2024, 2, 14), name="Pileg 2024")
    make_election("pilpres", date(2024, 2, 14), name="Pilpres 2024")
    ticket = make_ticket_at(wib(2024, 2, 1, 9), severity="critical")
    assert run_sweep(wib(2024, 2, 2, 9)).raised == 2
    assert run_sweep(wib(2024, 2, 3, 9)).raised == 0
    assert sorted(f.election.name for f in active_flags(db, ticket)) == ["Pileg 2024", "Pilpres 2024"]


def test_only_villages_the_election_covers_are_flagged(db, make_election, make_ticket_at, run_sweep):
    make_election("pilkades", PILKADES_DAY, scope={"villages": [KEMIRI, KEBAK]})
    kemiri = make_ticket_at(wib(2026, 12, 1, 9), village=KEMIRI, severity="critical")
    waru = make_ticket_at(wib(2026, 12, 1, 9), village=WARU, severity="critical")
    run_sweep(wib(2026, 12, 18, 9))
    assert len(active_flags(db, kemiri)) == 1
    assert active_flags(db, waru) == []


def test_regional_election_covers_the_villages_of_its_kabupaten(db, area, make_election, make_ticket_at, run_sweep):
    make_election("pilkada", date(2024, 11, 27), scope={"regions": ["33.13"]})
    inside = make_ticket_at(wib(2024, 11, 1, 9), village=WARU, severity="medium")
    outside = make_ticket_at(wib(2024, 11, 1, 9), village=SRAGEN_VILLAGE, severity="medium", reporter=area.sragen)
    run_sweep(wib(2024, 11, 2, 9))  # campaign
    assert len(active_flags(db, inside)) == 1
    assert active_flags(db, outside) == []


def test_a_village_judges_stages_by_its_own_local_day(db, area, make_election, make_ticket_at, run_sweep):
    make_election("pilkades", PILKADES_DAY, scope={"villages": [KEMIRI, PAPUA_VILLAGE]})
    kemiri = make_ticket_at(wib(2026, 12, 15, 9), village=KEMIRI, severity="low")
    papua = make_ticket_at(wib(2026, 12, 15, 9), village=PAPUA_VILLAGE, severity="low", reporter=area.admin)
    # 16 Dec 23:00 WIB is 17 Dec 01:00 WIT: the quiet period has begun in Papua only.
    run_sweep(wib(2026, 12, 16, 23))
    assert active_flags(db, kemiri) == []
    assert [f.stage for f in active_flags(db, papua)] == ["quiet"]


def test_a_ticket_filed_after_the_moment_is_not_judged(db, make_election, make_ticket_at, run_sweep):
    make_election("pilkades", PILKADES_DAY)
    ticket = make_ticket_at(wib(2026, 12, 18, 12), severity="critical")
    assert run_sweep(wib(2026, 12, 18, 11)).raised == 0
    assert active_flags(db, ticket) == []


def test_silent_village_counts_visits_of_the_last_14_days(db, area, make_election, run_sweep):
    from tracker.visits.services import record_visit

    make_election("pilkades", PILKADES_DAY, scope={"villages": [KEMIRI, KEBAK]})
    with time_machine.travel(wib(2026, 12, 1, 10), tick=False):
        record_visit(area.babinsa, village_code=KEMIRI, visited_on=date(2026, 12, 1))
        db.session.commit()
    assert run_sweep(wib(2026, 12, 14, 20)).silent == 1   # Kemiri visited 13 days ago; Kebak never
    assert run_sweep(wib(2026, 12, 15, 8)).silent == 2    # 14 days: silent again
    assert db.session.execute(select(func.count()).select_from(Flag)).scalar_one() == 0
