"""Failed logins lock an (account, address) pair and an address trying many accounts, counted in the
database; an unknown user, a wrong password and a locked account get one answer, in comparable time."""
import logging
from datetime import datetime, timedelta, timezone

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from tracker import create_app
from tracker.auth.models import LoginFailure, User

PASSWORD = "waspada-demo"
START = datetime(2026, 3, 1, 2, 0, tzinfo=timezone.utc)
HERE, ELSEWHERE = "10.0.0.1", "10.0.0.2"


@pytest.fixture
def babinsa(regions, make_unit, make_user):
    koramil = make_unit("koramil", "Koramil 03/Kebakkramat", regions=["33.13.14"])
    return make_user("babinsa", unit=koramil, villages=["33.13.14.2005"], username="babinsa.kemiri")


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(START, tick=False)
    return time_machine


def _post(client, password, username="babinsa.kemiri", address=HERE):
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def _token(client, password, username="babinsa.kemiri", address=HERE):
    return client.post("/api/v1/auth/tokens", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def _row(db):
    db.session.expire_all()
    return db.session.execute(select(User).where(User.username == "babinsa.kemiri")).scalar_one()


def _lock_the_pair(client, app):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert _post(client, "wrong").status_code == 401


def test_the_limits_and_duration(app):
    assert app.config["LOGIN_MAX_FAILURES"] == 5
    assert app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] == 50
    assert app.config["LOGIN_LOCKOUT_MINUTES"] == 15


def test_each_failure_is_counted_in_the_user_row(client, db, babinsa, clock):
    for expected, address in ((1, HERE), (2, ELSEWHERE), (3, HERE)):
        assert _post(client, "wrong", address=address).status_code == 401
        assert _row(db).failed_logins == expected


def test_a_success_resets_the_count(client, db, babinsa, clock):
    for _ in range(4):
        _post(client, "wrong")
    assert _post(client, PASSWORD).status_code == 302
    assert _row(db).failed_logins == 0
    client.post("/logout")
    for _ in range(4):
        _post(client, "wrong")
    assert _post(client, PASSWORD).status_code == 302, "the pair's count started over too"


def test_the_fifth_failure_locks_the_pair_for_fifteen_minutes_even_with_the_right_password(
        app, client, db, babinsa, clock):
    for _ in range(4):
        _post(client, "wrong")
    [pair] = db.session.execute(select(LoginFailure).where(LoginFailure.user_id == babinsa.id)).scalars()
    assert pair.locked_until is None
    _post(client, "wrong")
    db.session.expire_all()
    assert pair.locked_until.replace(tzinfo=timezone.utc) == START + timedelta(minutes=15)

    clock.move_to(START + timedelta(minutes=14, seconds=59), tick=False)
    assert _post(client, PASSWORD).status_code == 401
    assert client.get("/settings").status_code == 302

    clock.move_to(START + timedelta(minutes=15, seconds=1), tick=False)
    assert _post(client, PASSWORD).status_code == 302
    assert client.get("/settings").status_code == 200


def test_a_locked_pair_leaves_the_account_open_from_another_address(app, client, babinsa, clock):
    _lock_the_pair(client, app)
    assert _post(client, PASSWORD).status_code == 401
    assert _post(client, PASSWORD, address=ELSEWHERE).status_code == 302
    assert _token(client, PASSWORD, address=ELSEWHERE).status_code == 201
    assert _token(client, PASSWORD).status_code == 401


def test_an_address_trying_many_accounts_is_locked(app, client, babinsa, make_user, clock):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    make_user("admin", username="op")
    for n in range(limit - 1):
        # A known account among unknown ones, each tried no more than the pair's limit.
        username = "op" if n % 10 == 0 else f"guess{n}"
        assert _post(client, "wrong", username=username).status_code == 401
    assert _post(client, PASSWORD).status_code == 302, "one below the limit: still open"
    client.post("/logout")
    assert _post(client, "wrong", username="guess-last").status_code == 401
    assert _post(client, PASSWORD).status_code == 401, "the address is locked for every account"
    assert _token(client, PASSWORD).status_code == 401
    assert _post(client, PASSWORD, address=ELSEWHERE).status_code == 302
    clock.move_to(START + timedelta(minutes=app.config["LOGIN_LOCKOUT_MINUTES"], seconds=1), tick=False)
    assert _token(client, PASSWORD).status_code == 201


def test_a_count_starts_over_after_the_lockout_time_without_failure(app, client, babinsa, clock):
    for _ in range(4):
        _post(client, "wrong")
    clock.move_to(START + timedelta(minutes=15), tick=False)
    for _ in range(4):
        _post(client, "wrong")
    assert _post(client, PASSWORD).status_code == 302


def _locked_pair_answer(client, app, babinsa):
    _lock_the_pair(client, app)
    return _post(client, PASSWORD)


@pytest.mark.parametrize("case", ["unknown user", "wrong password", "locked account", "deactivated"])
def test_every_refusal_gets_the_same_status_and_page(app, client, db, babinsa, case, clock):
    reference = _post(client, PASSWORD, username="nobody", address="10.9.9.9")
    if case == "unknown user":
        response, typed = _post(client, "anything", username="someone.else"), "someone.else"
    elif case == "wrong password":
        response, typed = _post(client, "wrong"), "babinsa.kemiri"
    elif case == "locked account":
        response, typed = _locked_pair_answer(client, app, babinsa), "babinsa.kemiri"
    else:
        babinsa.is_active_account = False
        db.session.commit()
        response, typed = _post(client, PASSWORD), "babinsa.kemiri"
    assert response.status_code == reference.status_code == 401
    # The page shows back what was typed as the username; all else is the same.
    page = response.get_data(as_text=True).replace(typed, "TYPED")
    assert page == reference.get_data(as_text=True).replace("nobody", "TYPED")
    assert "Nama pengguna atau kata sandi salah." in page


@pytest.mark.parametrize("case", ["unknown user", "wrong password", "locked account"])
def test_every_api_refusal_gets_the_same_status_and_body(app, client, babinsa, case, clock):
    reference = _token(client, PASSWORD, username="nobody", address="10.9.9.9")
    if case == "unknown user":
        response = _token(client, PASSWORD, username="someone.else")
    elif case == "wrong password":
        response = _token(client, "wrong")
    else:
        _lock_the_pair(client, app)
        response = _token(client, PASSWORD)
    assert response.status_code == reference.status_code == 401
    assert response.get_json() == reference.get_json()
    assert set(reference.get_json()) == {"error"}


@pytest.fixture
def verified(monkeypatch):
    """The password hashes argon2 verified during the test, in order."""
    hashes = []
    original = PasswordHasher.verify

    def spy(self, password_hash, password):
        hashes.append(password_hash)
        return original(self, password_hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", spy)
    return hashes


def test_an_unknown_user_costs_one_hash_verification_like_a_known_one(app, client, db, babinsa, verified, clock):
    _post(client, "wrong")
    assert verified == [babinsa.password_hash]
    verified.clear()
    _post(client, "wrong", username="nobody")
    [dummy] = verified
    config = app.config
    assert dummy.startswith(f"$argon2id$v=19$m={config['ARGON2_MEMORY_COST']},t={config['ARGON2_TIME_COST']},"
                            f"p={config['ARGON2_PARALLELISM']}$"), "the dummy costs what a real hash costs"
    assert dummy != babinsa.password_hash


def test_a_locked_account_still_costs_one_hash_verification(app, client, babinsa, verified, clock):
    _lock_the_pair(client, app)
    verified.clear()
    assert _post(client, PASSWORD).status_code == 401
    assert verified == [babinsa.password_hash]


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


def test_failures_are_logged_with_a_known_username_but_never_the_password(client, babinsa, clock, caplog):
    caplog.set_level(logging.INFO, logger="tracker.auth")
    secret = "Sup3r-secret-guess"
    for _ in range(5):
        _post(client, secret)
    failures = [r for r in caplog.records if r.name == "tracker.auth"]
    assert len(failures) == 5
    assert all(r.levelno == logging.WARNING for r in failures)
    assert all("babinsa.kemiri" in r.getMessage() and HERE in r.getMessage() for r in failures)
    assert "now locked" in failures[4].getMessage()
    assert secret not in caplog.text
    assert not any(secret in repr(r.args) for r in failures)


def test_a_username_that_is_no_users_is_never_logged(client, babinsa, clock, caplog):
    """People type their password into the username field."""
    caplog.set_level(logging.INFO, logger="tracker.auth")
    typed = "Sup3r-secret-typed-as-username"
    client.post("/login", data={"username": typed, "password": "x"})
    client.post("/api/v1/auth/tokens", json={"username": typed, "password": "x"})
    failures = [r for r in caplog.records if r.name == "tracker.auth"]
    assert len(failures) == 2
    assert all("unknown username" in r.getMessage() for r in failures)
    assert typed not in caplog.text
    assert not any(typed in repr(r.args) for r in failures)


def test_an_unknown_username_locks_no_account_and_writes_no_user(client, db, babinsa, clock):
    for _ in range(6):
        client.post("/login", data={"username": "nobody", "password": "wrong"})
    assert _row(db).failed_logins == 0
    assert db.session.execute(select(User.id)).all() == [(babinsa.id,)]
    assert _post(client, PASSWORD).status_code == 302
