"""The stamps behind the per-process user and area cache (tracker/auth/cache.py) and the scope's use of it.

A user's ``auth_stamp`` must change with anything a cached answer holds
(his row, his villages, his unit's regions) and must not change otherwise,
or the cache would never be hit; and the cache must neither serve nor keep
codes while the session holds changes not yet flushed or about to roll back.
"""
from contextlib import contextmanager

import pytest
from sqlalchemy import inspect, select, update

from tests.plugins.world import KEMIRI, WARU, new_ticket
from tracker import scope
from tracker.auth import cache as auth_cache
from tracker.auth.models import BabinsaVillage, User
from tracker.auth.services import issue_token, user_for_token
from tracker.extensions import db
from tracker.units.models import Unit, UnitRegion

JATEN_DISTRICT = "33.13.11"


def stamps(*users):
    ids = [u.id for u in users]
    rows = dict(db.session.execute(select(User.id, User.auth_stamp).where(User.id.in_(ids))).all())
    return [rows[i] for i in ids]


@pytest.fixture
def token_user(app):
    """Context manager: (user, session) of a fresh token, as a request sees him in its own app context.

    Inside it, ``db.session`` is the request's; the test's own objects (``world``) must not be
    loaded there (their session shares the connection and its savepoints).
    """

    @contextmanager
    def load(user):
        token, _row = issue_token(user)
        db.session.commit()
        with app.app_context():
            yield user_for_token(token), db.session()

    return load


def test_a_new_user_gets_a_random_stamp(app, make_user):
    first, second = make_user("admin"), make_user("admin")
    one, two = stamps(first, second)
    assert one != two and 0 not in (one, two)


def test_work_that_does_not_touch_the_user_keeps_his_stamp(world):
    before = stamps(world.babinsa, world.koramil, world.kodim)
    new_ticket(world.babinsa, village_code=KEMIRI)
    assert stamps(world.babinsa, world.koramil, world.kodim) == before


def test_any_column_of_the_user_renews_his_stamp_alone(world):
    before = stamps(world.kodim, world.koramil)
    world.kodim.locale = "en"
    db.session.commit()
    after = stamps(world.kodim, world.koramil)
    assert after[0] != before[0] and after[1] == before[1]


def test_a_village_removed_from_a_user_the_session_does_not_hold_renews_his_stamp(world):
    """The after-flush UPDATE path: the village row is deleted without its user loaded."""
    babinsa_id, (before,) = world.babinsa.id, stamps(world.babinsa)
    db.session.expunge(world.babinsa)
    row = db.session.execute(select(BabinsaVillage).where(BabinsaVillage.user_id == babinsa_id,
                                                          BabinsaVillage.village_code == KEMIRI)).scalar_one()
    db.session.expunge_all()
    db.session.delete(db.session.merge(row))
    db.session.commit()
    assert db.session.get(User, babinsa_id).auth_stamp != before


def test_a_units_new_region_renews_every_user_of_that_unit_and_no_other(world):
    kebakkramat = db.session.get(Unit, world.koramil.unit_id)
    members = (world.koramil, world.babinsa, world.babinsa_waru)
    before, others = stamps(*members), stamps(world.kodim, world.koramil_other)
    kebakkramat.regions.append(UnitRegion(region_code=JATEN_DISTRICT))
    db.session.commit()
    after = stamps(*members)
    assert all(a != b for a, b in zip(after, before))
    assert stamps(world.kodim, world.koramil_other) == others
    # The objects the session holds know their new stamps without reloading.
    assert [u.auth_stamp for u in members] == after


def test_an_update_statement_on_users_renews_the_stamps(world):
    (before,) = stamps(world.kodim)
    db.session.execute(update(User).where(User.id == world.kodim.id).values(full_name="Dandim Baru"))
    assert stamps(world.kodim) != [before]


def test_a_request_gets_its_own_copy_of_the_cached_user(world, token_user):
    name = world.kodim.full_name
    with token_user(world.kodim) as (first, first_session):
        entry = auth_cache._get((first.id, first.auth_stamp))
        assert entry is not None and entry.user is not first and first in first_session
        assert inspect(entry.user).detached
        first.full_name = "changed in one request only"
        assert entry.user.full_name == name
        first_session.expire(first)  # drop the change unflushed
    with token_user(world.kodim) as (second, second_session):
        assert second is not first and second in second_session
        assert second.full_name == entry.user.full_name == name


def test_codes_are_served_from_the_cache_at_the_same_stamp(world, token_user, count_queries):
    with token_user(world.kodim) as (kodim, _session):
        assert scope._covered_codes(kodim) == ("33.13",)
    with token_user(world.kodim) as (kodim, _session):
        with count_queries() as statements:
            assert scope._covered_codes(kodim) == ("33.13",)
    assert statements == []


def test_an_unflushed_unit_change_is_neither_served_from_nor_kept_in_the_cache(world, token_user):
    other_unit = world.kodim_other.unit_id
    with token_user(world.kodim) as (kodim, session):
        stamp = kodim.auth_stamp
        assert scope._covered_codes(kodim) == ("33.13",)
        session.info.clear()
        with session.no_autoflush:
            kodim.unit_id = other_unit
            assert auth_cache.area_codes(session, kodim, "unit") is None
            assert scope._covered_codes(kodim) == ("33.14",)
        assert auth_cache._get((kodim.id, stamp)).codes["unit"] == ("33.13",)
        session.rollback()


def test_a_rolled_back_village_change_leaves_the_cache_as_it_was(world, token_user):
    assigned = tuple(sorted(world.babinsa.village_codes))
    with token_user(world.babinsa) as (babinsa, session):
        stamp = babinsa.auth_stamp
        assert scope._assigned_villages(babinsa) == assigned
        babinsa.villages.append(BabinsaVillage(village_code=WARU))
        session.flush()
        assert babinsa.auth_stamp != stamp  # renewed in the flush
        assert WARU in scope._assigned_villages(babinsa)
        session.rollback()
        assert babinsa.auth_stamp == stamp
    with token_user(world.babinsa) as (again, _session):
        assert again.auth_stamp == stamp
        assert scope._assigned_villages(again) == assigned


def test_the_cache_keeps_at_most_max_users(world, token_user, monkeypatch):
    monkeypatch.setattr(auth_cache, "MAX_USERS", 2)
    auth_cache.clear()
    for user in (world.kodim, world.koramil, world.babinsa):
        with token_user(user):
            pass
    assert auth_cache.size() == 2
    assert auth_cache._get((world.kodim.id, world.kodim.auth_stamp)) is None  # the least recently used
