"""Five failed logins lock an account for 15 minutes, counted in the database."""
import logging
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from tracker import create_app
from tracker.auth.models import User

PASSWORD = "waspada-demo"
START = datetime(2026, 3, 1, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def babinsa(regions, make_unit, make_user):
    koramil = make_unit("koramil", "Koramil 03/Kebakkramat", regions=["33.13.14"])
    return make_user("babinsa", unit=koramil, villages=["33.13.14.2005"], username="babinsa.kemiri")


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


def _post(client, password):
    return client.post("/login", data={"username": "babinsa.kemiri", "password": password})


def _row(db):
    db.session.expire_all()
    return db.session.execute(select(User).where(User.username == "babinsa.kemiri")).scalar_one()


def test_the_limit_and_duration_are_five_and_fifteen_minutes(app):
    assert app.config["LOGIN_MAX_FAILURES"] == 5
    assert app.config["LOGIN_LOCKOUT_MINUTES"] == 15


def test_each_failure_is_counted_in_the_user_row(client, db, babinsa, clock):
    for expected in (1, 2, 3):
        assert _post(client, "wrong").status_code == 401
        assert _row(db).failed_logins == expected


def test_a_success_resets_the_count(client, db, babinsa, clock):
    for _ in range(4):
        _post(client, "wrong")
    assert _post(client, PASSWORD).status_code == 302
    assert _row(db).failed_logins == 0


def test_fifth_failure_locks_for_fifteen_minutes_even_with_the_right_password(client, db, babinsa, clock):
    for _ in range(4):
        _post(client, "wrong")
    assert _row(db).locked_until is None
    response = _post(client, "wrong")
    assert "Terlalu banyak percobaan masuk yang gagal" in response.get_data(as_text=True)
    locked_until = _row(db).locked_until.replace(tzinfo=timezone.utc)
    assert locked_until == START + timedelta(minutes=15)

    clock.move_to(START + timedelta(minutes=14, seconds=59), tick=False)
    response = _post(client, PASSWORD)
    assert response.status_code == 401
    assert "Terlalu banyak percobaan masuk yang gagal" in response.get_data(as_text=True)
    assert client.get("/settings").status_code == 302

    clock.move_to(START + timedelta(minutes=15, seconds=1), tick=False)
    assert _post(client, PASSWORD).status_code == 302
    assert client.get("/settings").status_code == 200


@pytest.mark.real_commits  # the second app has its own engine, as a second worker would
def test_lockout_holds_across_two_app_instances(app, database_url, client, db, babinsa, clock):
    """Like two gunicorn workers: nothing about the lockout lives in worker memory."""
    other = create_app({
        "CONFIG_NAME": "testing", "SQLALCHEMY_DATABASE_URI": database_url, "WTF_CSRF_ENABLED": False,
    })
    other_client = other.test_client()
    for _ in range(3):
        _post(client, "wrong")
    for _ in range(2):
        _post(other_client, "wrong")
    assert _post(client, PASSWORD).status_code == 401
    assert _post(other_client, PASSWORD).status_code == 401
    with other.app_context():
        db.engine.dispose()


def test_failures_are_logged_with_the_username_but_never_the_password(client, babinsa, clock, caplog):
    caplog.set_level(logging.INFO, logger="tracker.auth")
    secret = "Sup3r-secret-guess"
    for _ in range(5):
        _post(client, secret)
    client.post("/login", data={"username": "nobody", "password": secret})
    failures = [r for r in caplog.records if r.name == "tracker.auth"]
    assert len(failures) == 6
    assert all(r.levelno == logging.WARNING for r in failures)
    assert all("babinsa.kemiri" in r.getMessage() for r in failures[:5])
    assert "now locked" in failures[4].getMessage()
    assert "nobody" in failures[5].getMessage()
    assert secret not in caplog.text
    assert not any(secret in repr(r.args) for r in failures)


def test_an_unknown_username_locks_nothing_and_writes_nothing(client, db, babinsa, clock):
    for _ in range(6):
        client.post("/login", data={"username": "nobody", "password": "wrong"})
    row = _row(db)
    assert row.failed_logins == 0 and row.locked_until is None
    assert db.session.execute(select(User.id)).all() == [(babinsa.id,)]
