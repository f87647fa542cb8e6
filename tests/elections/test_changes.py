"""Editing and removing an election: validation, who may, flags cleared, and every reader forgetting it."""
from datetime import date, timedelta, timezone

import pytest
from sqlalchemy import func, select

from tests.plugins.world import JATEN, KEBAK, KEMIRI, WARU, wib
from tracker.elections.models import Election, ElectionArea, ElectionStage
from tracker.elections.services import (
    can_manage_election, default_stages, edit_election, election_stages_ahead, elections_for_user,
    get_election, remove_election,
)
from tracker.errors import Forbidden, ValidationError
from tracker.extensions import db as _db
from tracker.tickets.models import TicketEvent
from tracker.timeutil import as_utc
from tracker.warnings.models import Flag

PILKADES_DAY = date(2026, 12, 20)


def stage_dates(election):
    return [(s.name, s.starts_on, s.ends_on) for s in
            _db.session.execute(select(ElectionStage).where(ElectionStage.election_id == election.id)
                                .order_by(ElectionStage.starts_on)).scalars()]


def as_rows(stages):
    return [(s["name"], s["starts_on"], s["ends_on"]) for s in stages]


def snapshot(election):
    """Everything an edit may change, read from the database."""
    _db.session.expire_all()
    row = _db.session.get(Election, election.id)
    areas = sorted(_db.session.execute(
        select(ElectionArea.region_code).where(ElectionArea.election_id == election.id)).scalars())
    return (row.name, row.voting_on, row.scope_kind, row.window_start, row.window_end, areas, stage_dates(row))


def events(ticket, kind="flag_cleared"):
    return _db.session.execute(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == kind)
        .order_by(TicketEvent.id)
    ).scalars().all()


def active_flags(election=None):
    stmt = select(func.count()).select_from(Flag).where(Flag.cleared_at.is_(None))
    if election is not None:
        stmt = stmt.where(Flag.election_id == election.id)
    return _db.session.execute(stmt).scalar_one()


# --- editing ------------------------------------------------------------------------

def test_a_new_voting_day_moves_the_stages_to_its_defaults(db, area, make_election):
    election = make_election("pilkades", PILKADES_DAY,
                             stages=[{"name": "campaign", "starts_on": "2026-12-10", "ends_on": "2026-12-16"}])
    edit_election(area.kodim, election, voting_on="2027-01-10")
    db.session.commit()
    new_day = date(2027, 1, 10)
    assert stage_dates(election) == as_rows(default_stages("pilkades", new_day))
    assert (election.voting_on, election.window_start, election.window_end) == (
        new_day, new_day - timedelta(days=60), new_day + timedelta(days=30))


def test_a_new_voting_day_with_stages_overrides_them_by_name(db, area, make_election):
    election = make_election("pilkades", PILKADES_DAY)
    edit_election(area.admin, election, voting_on="2027-01-10",
                  stages=[{"name": "campaign", "starts_on": "2027-01-01", "ends_on": "2027-01-06"}])
    db.session.commit()
    stages = {name: (start, end) for name, start, end in stage_dates(election)}
    assert stages["campaign"] == (date(2027, 1, 1), date(2027, 1, 6))
    assert stages["lead_up"] == (date(2026, 11, 11), date(2026, 12, 31))


def test_the_name_alone_changes_nothing_else(db, area, make_election):
    election = make_election("pilkades", PILKADES_DAY,
                             stages=[{"name": "campaign", "starts_on": "2026-12-10", "ends_on": "2026-12-16"}])
    before = snapshot(election)
    edit_election(area.kodim, election, name="  Pilkades Karanganyar (ulang)  ", voting_on=PILKADES_DAY)
    db.session.commit()
    after = snapshot(election)
    assert after[0] == "Pilkades Karanganyar (ulang)"
    assert after[1:] == before[1:]


@pytest.mark.parametrize("changes, field", [
    ({"name": "   "}, "name"),
    ({"name": "x" * 161}, "name"),
    ({"voting_on": "20-12-2026"}, "voting_on"),
    ({"voting_on": None}, "voting_on"),
    ({"stages": [{"name": "quiet", "starts_on": "2026-12-15", "ends_on": "2026-12-19"}]}, "stages"),
    ({"stages": [{"name": "campaign", "starts_on": "2026-12-14", "ends_on": "2026-12-21"}]}, "stages"),
    ({"stages": "campaign"}, "stages"),
    ({"voting_on": "2027-01-10",
      "stages": [{"name": "recap", "starts_on": "2026-12-21", "ends_on": "2027-01-19"}]}, "stages"),
    ({"scope": {"villages": [KEMIRI, "33.13.09.1001"]}}, "scope"),
    ({"scope": {"regions": ["33.13"]}}, "scope"),
    ({"scope": {"national": True}}, "scope"),
    ({"scope": {"villages": []}}, "scope"),
    ({"kind": "pilkada"}, "kind"),
])
def test_invalid_changes_name_the_field_and_write_nothing(db, area, make_election, changes, field):
    election = make_election("pilkades", PILKADES_DAY)
    before = snapshot(election)
    election = db.session.get(Election, election.id)
    with pytest.raises(ValidationError) as caught:
        edit_election(area.admin, election, **{"name": "Renamed", **changes})   # a valid change beside it
    assert field in caught.value.errors
    db.session.rollback()
    assert snapshot(election) == before


def test_every_invalid_field_is_named_at_once(db, area, make_election):
    election = make_election("pilkades", PILKADES_DAY)
    with pytest.raises(ValidationError) as caught:
        edit_election(area.admin, election, name="", voting_on="soon", scope={"regions": ["33.13"]})
    assert set(caught.value.errors) == {"name", "voting_on", "scope"}


def test_the_kind_given_unchanged_is_accepted(db, area, make_election):
    election = make_election("pilkades", PILKADES_DAY)
    edit_election(area.admin, election, kind="pilkades", name="Pilkades 2026")
    assert election.name == "Pilkades 2026"


def test_a_corrected_village_list_replaces_the_area(db, area, make_election):
    election = make_election("pilkades", PILKADES_DAY, scope={"villages": [KEMIRI, KEBAK]})
    edit_election(area.kodim, election, scope={"villages": [KEBAK, WARU, JATEN]})
    db.session.commit()
    assert snapshot(election)[5] == sorted([KEBAK, WARU, JATEN])


# --- who may --------------------------------------------------------------------------

@pytest.mark.parametrize("who, kind, scope, allowed", [
    ("admin", "pileg", {"national": True}, True),
    ("kodim", "pileg", {"national": True}, False),            # a national election is the administrator's
    ("kodim", "pilkada", {"regions": ["33.13"]}, True),
    ("kodim", "pilkada", {"regions": ["33"]}, False),          # the whole province is beyond the Kodim
    ("kodim", "pilkada", {"regions": ["33.13", "33.14"]}, False),
    ("kodim", "pilkades", {"villages": [KEMIRI, KEBAK]}, True),  # created by the admin, inside the Kodim
    ("sragen", "pilkades", {"villages": [KEMIRI]}, False),     # another Kodim's
    ("koramil", "pilkades", {"villages": [KEMIRI]}, False),
    ("babinsa", "pilkades", {"villages": [KEMIRI]}, False),
])
def test_who_may_edit_and_remove(db, area, make_election, who, kind, scope, allowed):
    election = make_election(kind, date(2029, 11, 28) if kind != "pilkades" else PILKADES_DAY, scope=scope)
    user = getattr(area, who)
    assert can_manage_election(user, election) is allowed
    if allowed:
        edit_election(user, election, name="Renamed")
        remove_election(user, election)
        db.session.commit()
        assert db.session.get(Election, election.id).removed_at is not None
        return
    for attempt in (lambda: edit_election(user, election, name="Renamed"),
                    lambda: remove_election(user, election)):
        with pytest.raises(Forbidden):
            attempt()
        db.session.rollback()
    election = db.session.get(Election, election.id)
    assert election.name != "Renamed" and election.removed_at is None


def test_a_kodim_cannot_move_its_election_out_of_its_area(db, area, make_election):
    election = make_election("pilkades", PILKADES_DAY, actor=area.kodim)
    with pytest.raises(Forbidden) as caught:
        edit_election(area.kodim, election, scope={"villages": [KEMIRI, "33.14.01.2001"]})
    assert "33.14.01.2001" in str(caught.value.args[0])
    db.session.rollback()
    assert snapshot(election)[5] == [KEMIRI, KEBAK]


def test_the_operator_and_the_admin_change_anything(db, area, make_election):
    election = make_election("pileg", date(2029, 2, 14))
    edit_election(None, election, scope={"regions": ["33"]})
    edit_election(area.admin, election, scope={"national": True}, voting_on="2029-02-21")
    db.session.commit()
    assert snapshot(election)[1:3] == (date(2029, 2, 21), "national")


# --- flags ------------------------------------------------------------------------------

def test_removing_clears_active_flags_with_a_timeline_line(db, area, make_election, make_ticket_at, run_sweep):
    election = make_election("pilkades", PILKADES_DAY, name="Pilkades Karanganyar 2026")
    other = make_election("pilpres", date(2027, 2, 14), name="Pilpres 2027")
    kemiri = make_ticket_at(wib(2026, 12, 1, 8), severity="high")
    kebak = make_ticket_at(wib(2026, 12, 1, 9), village=KEBAK, severity="critical")
    assert run_sweep(wib(2026, 12, 18, 9)).raised == 4          # both tickets, both elections
    moment = wib(2026, 12, 18, 10).astimezone(timezone.utc)

    assert remove_election(area.kodim, election, at=moment) == 2
    db.session.commit()

    flags = db.session.execute(select(Flag).where(Flag.election_id == election.id)).scalars().all()
    assert [as_utc(f.cleared_at) for f in flags] == [moment, moment]
    assert {f.clear_reason for f in flags} == {"pemilihan dihapus"}
    for ticket in (kemiri, kebak):
        (event,) = events(ticket)
        assert event.actor_id == area.kodim.id and as_utc(event.at) == moment and event.from_value == "quiet"
        assert event.reason == "Pilkades Karanganyar 2026: pemilihan dihapus"
    assert active_flags(other) == 2                              # the other election's flags stay
    # Cleared flags keep their election: history stays readable.
    assert {f.election.name for f in flags} == {"Pilkades Karanganyar 2026"}


def test_a_removed_election_is_ignored_by_the_sweep(db, area, make_election, make_ticket_at, run_sweep):
    election = make_election("pilkades", PILKADES_DAY)
    make_ticket_at(wib(2026, 12, 1, 8), severity="critical")
    remove_election(area.admin, election)
    db.session.commit()
    result = run_sweep(wib(2026, 12, 18, 9))
    assert (result.raised, result.escalated, result.silent) == (0, 0, 0)
    assert active_flags() == 0


def test_a_flag_raced_onto_a_removed_election_is_cleared_by_the_next_sweep(db, area, make_election, make_ticket_at,
                                                                          run_sweep):
    election = make_election("pilkades", PILKADES_DAY)
    ticket = make_ticket_at(wib(2026, 12, 1, 8), severity="critical")
    run_sweep(wib(2026, 12, 18, 9))
    # As if a sweep had raised it after the removal's clearing step.
    db.session.execute(Flag.__table__.update().values(cleared_at=None))
    db.session.get(Election, election.id).removed_at = wib(2026, 12, 18, 10)
    db.session.commit()
    assert run_sweep(wib(2026, 12, 18, 11)).cleared == 1
    assert active_flags() == 0 and len(events(ticket)) == 1


def test_villages_leaving_the_area_lose_their_flags_at_once(db, area, make_election, make_ticket_at, run_sweep):
    election = make_election("pilkades", PILKADES_DAY, name="Pilkades Karanganyar 2026")
    kemiri = make_ticket_at(wib(2026, 12, 1, 8), severity="high")
    kebak = make_ticket_at(wib(2026, 12, 1, 9), village=KEBAK, severity="high")
    run_sweep(wib(2026, 12, 18, 9))
    assert active_flags(election) == 2

    edit_election(area.kodim, election, scope={"villages": [KEBAK, WARU]}, at=wib(2026, 12, 18, 10))
    db.session.commit()
    (event,) = events(kemiri)
    assert event.reason == "Pilkades Karanganyar 2026: desa tidak lagi termasuk wilayah pemilihan"
    assert event.actor_id == area.kodim.id
    assert events(kebak) == [] and active_flags(election) == 1
    assert run_sweep(wib(2026, 12, 18, 11)).raised == 0          # Kemiri stays out, Kebak keeps its flag


def test_the_sweep_follows_the_new_dates(db, area, make_election, make_ticket_at, run_sweep):
    election = make_election("pilkades", PILKADES_DAY, name="Pilkades Karanganyar 2026")
    ticket = make_ticket_at(wib(2026, 12, 1, 8), severity="low")
    assert run_sweep(wib(2026, 12, 18, 9)).raised == 1            # quiet period: every ticket

    # The KPU postpones the vote by two months: 18 December is now early lead-up.
    edit_election(area.kodim, election, voting_on="2027-02-10")
    db.session.commit()
    result = run_sweep(wib(2026, 12, 18, 9, 15))
    assert (result.raised, result.cleared) == (0, 0)              # still inside the moved window
    assert run_sweep(wib(2026, 12, 18, 9, 15)).cleared == 0

    # Moved to next year's spring: 18 December is outside the window, the flag is cleared.
    edit_election(area.kodim, election, voting_on="2027-04-20")
    db.session.commit()
    assert run_sweep(wib(2026, 12, 18, 9, 30)).cleared == 1
    assert "di luar masa pemilihan" in events(ticket)[-1].reason
    # Its new quiet period flags the ticket again.
    assert run_sweep(wib(2027, 4, 18, 9)).raised == 1


def test_moving_the_vote_forward_raises_flags_at_once(db, area, make_election, make_ticket_at, run_sweep):
    election = make_election("pilkades", date(2027, 3, 1))
    make_ticket_at(wib(2026, 12, 1, 8), severity="low")
    assert run_sweep(wib(2026, 12, 18, 9)).raised == 0            # lead-up: a fresh low ticket is not flagged
    edit_election(area.admin, election, voting_on="2026-12-20")
    db.session.commit()
    assert run_sweep(wib(2026, 12, 18, 9, 15)).raised == 1         # now the quiet period


# --- readers forgetting a removed election ---------------------------------------------------

def test_a_removed_election_vanishes_from_the_calendar(db, area, make_election, english):
    kept = make_election("pilkada", date(2026, 11, 27), scope={"regions": ["33.13"]})
    removed = make_election("pilkades", PILKADES_DAY)
    remove_election(area.admin, removed)
    db.session.commit()
    at = wib(2026, 12, 15, 9)
    for user in (area.admin, area.kodim, area.koramil):
        assert db.session.execute(elections_for_user(user)).scalars().all() == [kept]
        assert db.session.execute(elections_for_user(user, active=True, at=at)).scalars().all() == [kept]
        assert get_election(user, removed.id) is None
        assert {row["election_id"] for row in election_stages_ahead(user, at)} <= {kept.id}


def test_a_removed_election_leaves_the_dashboard_and_silent_villages(db, area, make_election):
    from tracker.dashboard.services import village_page, village_silence
    from tracker.regions.models import Region
    from tracker.warnings.silence import silent_villages

    election = make_election("pilkades", PILKADES_DAY)
    at = wib(2026, 12, 15, 9).astimezone(timezone.utc)
    assert silent_villages(area.kodim, at=at)
    remove_election(area.admin, election)
    db.session.commit()
    assert silent_villages(area.kodim, at=at) == []
    assert village_silence(db.session.get(Region, KEMIRI), at) is None
    assert village_page(area.kodim, KEMIRI, now=at)["elections"] == []


def test_a_removed_election_leaves_the_digests(db, area, make_election):
    from tracker.digests import audiences

    kept = make_election("pilkada", date(2026, 11, 27), scope={"regions": ["33.13"]})
    removed = make_election("pilkades", PILKADES_DAY)
    remove_election(area.admin, removed)
    db.session.commit()
    stages = audiences.stages_ahead(date(2026, 11, 1), date(2027, 3, 1))
    assert {row.election_id for row in stages} == {kept.id}
