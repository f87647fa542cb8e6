"""Silent villages from the sweep's snapshot (tracker/warnings/silence.py): the same list as the rule, kept honest.

After a sweep the dashboards and the early-warning page read the villages the
sweep found silent instead of testing every village of the scope. These tests
compare that list with the rule applied at the same moment, for every role,
after the changes that move it: a visit (at once), an election change (the
snapshot is dropped), time (a snapshot older than two sweep periods is not
trusted).
"""
from datetime import timedelta

import pytest

from tests.dashboard.factories import NOW
from tests.plugins.world import JATEN, KEBAK, KEMIRI, WARU
from tracker.dashboard import services
from tracker.extensions import db
from tracker.visits.services import record_visit
from tracker.warnings.models import SilentVillage
from tracker.warnings.services import sweep
from tracker.warnings.silence import silent_villages, snapshot_time

ROLES = ("admin", "kodim", "kodim_other", "koramil", "koramil_other", "babinsa", "babinsa_waru")


@pytest.fixture
def swept(world, clock, election):
    """Kemiri visited yesterday, Kebak 20 days ago, Waru and Jaten never; a sweep at NOW, committed."""
    record_visit(world.babinsa, village_code=KEMIRI, visited_on=(NOW - timedelta(days=1)).date())
    record_visit(world.babinsa, village_code=KEBAK, visited_on=(NOW - timedelta(days=20)).date())
    db.session.commit()
    result = sweep(NOW)
    db.session.commit()
    return result


def codes(rows):
    return [row["village_code"] for row in rows]


def read_with_statements(count_queries, user):
    with count_queries() as statements:
        rows = silent_villages(user)
    return rows, " ".join(statements)


def test_after_a_sweep_every_role_reads_the_snapshot_and_it_equals_the_rule(world, swept, count_queries):
    assert swept.silent == 3
    assert db.session.query(SilentVillage).count() == 3
    assert snapshot_time() == NOW
    for role in ROLES:
        user = getattr(world, role)
        rows, sql = read_with_statements(count_queries, user)
        assert "silent_village" in sql and "visit" not in sql.replace("last_visit", ""), role
        assert rows == silent_villages(user, at=NOW, snapshot=False), role
    assert codes(silent_villages(world.admin)) == [JATEN, WARU, KEBAK]   # never visited first, by code
    assert codes(silent_villages(world.babinsa)) == [KEBAK]
    assert silent_villages(world.kodim_other) == []


def test_a_visit_takes_its_village_off_the_list_at_once(world, swept):
    record_visit(world.babinsa_waru, village_code=WARU, visited_on=NOW.date())
    db.session.commit()
    assert snapshot_time() == NOW
    assert codes(silent_villages(world.koramil)) == [KEBAK]
    for role in ROLES:
        user = getattr(world, role)
        assert silent_villages(user) == silent_villages(user, at=NOW, snapshot=False), role


def test_an_old_visit_moves_the_last_visit_day_and_keeps_the_village_silent(world, swept):
    record_visit(world.babinsa_waru, village_code=WARU, visited_on=(NOW - timedelta(days=30)).date())
    record_visit(world.babinsa, village_code=KEBAK, visited_on=(NOW - timedelta(days=40)).date())
    db.session.commit()
    rows = silent_villages(world.koramil)
    assert rows == silent_villages(world.koramil, at=NOW, snapshot=False)
    assert [(row["village_code"], row["days_silent"]) for row in rows] == [(WARU, 30), (KEBAK, 20)]


def test_an_election_change_drops_the_snapshot_and_readers_apply_the_rule(world, swept):
    from tracker.elections.services import create_election

    create_election(None, kind="pilkada", name="Pilkada Sragen 2026", voting_on="2026-12-16",
                    scope={"regions": ["33.14"]})
    db.session.commit()
    assert snapshot_time() is None
    fresh = silent_villages(world.kodim_other)
    assert fresh and fresh == silent_villages(world.kodim_other, at=NOW, snapshot=False)
    # The next sweep takes a snapshot again, with Sragen's villages in it.
    sweep(NOW)
    db.session.commit()
    assert snapshot_time() == NOW
    assert silent_villages(world.kodim_other) == fresh


def test_a_snapshot_older_than_two_sweep_periods_is_not_trusted(world, swept, clock, app):
    period = timedelta(minutes=app.config["SWEEP_INTERVAL_MINUTES"])
    clock.move_to(NOW + 2 * period)
    assert snapshot_time() == NOW
    clock.move_to(NOW + 2 * period + timedelta(seconds=1))
    assert snapshot_time() is None
    # Read from the rule now: a snapshot row the rule would not give is not shown.
    db.session.add(SilentVillage(village_code=KEMIRI, last_visit_on=None, order_day=NOW.date()))
    db.session.commit()
    assert KEMIRI not in codes(silent_villages(world.admin))
    clock.move_to(NOW)
    assert KEMIRI in codes(silent_villages(world.admin))


def test_a_sweep_at_another_moment_is_not_now(world, swept):
    sweep(NOW - timedelta(hours=2))
    db.session.commit()
    assert snapshot_time() is None


def test_the_dashboard_reads_the_snapshot_as_the_page_asks_for_now(world, swept, count_queries, clock):
    clock.move_to(NOW + timedelta(minutes=20))
    now = NOW + timedelta(minutes=20)
    for role in ("admin", "kodim", "koramil"):
        user = getattr(world, role)
        with count_queries() as statements:
            board = services.commander_dashboard(user, now)
        assert any("silent_village" in sql for sql in statements), role
        assert board["silent"] == silent_villages(user, at=now, limit=10, snapshot=False), role


def test_a_moment_before_the_snapshot_is_answered_by_the_rule(world, swept, count_queries):
    earlier = NOW - timedelta(minutes=1)
    assert snapshot_time(earlier) is None
    with count_queries() as statements:
        rows = silent_villages(world.admin, at=earlier)
    assert not any("FROM silent_village" in sql for sql in statements)
    assert rows == silent_villages(world.admin, at=earlier, snapshot=False)
