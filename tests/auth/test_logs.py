"""No secret in any log line: a failed login logs no password and no typed unknown username, and a
failed insert (a new user's row) logs neither the password hash nor any other statement parameter."""
import logging

import pytest
from sqlalchemy.exc import IntegrityError

from tracker.auth.models import User
from tracker.auth.passwords import hash_password
from tracker.extensions import db as _db

SECRET = "Sup3r-secret-password"


@pytest.fixture
def all_logs(caplog):
    """Every logger's records, from DEBUG up."""
    caplog.set_level(logging.DEBUG)
    return caplog


def test_the_engine_hides_statement_parameters(app):
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["hide_parameters"] is True
    assert _db.engine.hide_parameters is True


def test_failed_logins_log_neither_the_password_nor_an_unknown_username_nor_a_hash(
        app, client, make_user, all_logs):
    user = make_user("admin", username="op", password=SECRET)
    for username, password in (("op", SECRET + "-wrong"), (SECRET, "anything"), ("op", "x")):
        assert client.post("/login", data={"username": username, "password": password}).status_code == 401
        assert client.post("/api/v1/auth/tokens", json={"username": username, "password": password}
                           ).status_code == 401
    failures = [r for r in all_logs.records if r.name == "tracker.auth"]
    assert len(failures) == 6, "each failure is logged"
    assert SECRET not in all_logs.text
    assert user.password_hash not in all_logs.text and "$argon2" not in all_logs.text
    assert not any(SECRET in repr(r.args) for r in all_logs.records)


def test_a_failed_insert_logs_no_hash_and_no_parameter(app, db, make_user, all_logs):
    make_user("admin", username="op")
    password_hash = hash_password(SECRET)
    db.session.add(User(username="op", full_name="Operator", role="admin", password_hash=password_hash))
    with pytest.raises(IntegrityError) as failure:
        db.session.flush()
    db.session.rollback()
    # What Flask logs for an error no view caught ("Exception on ..." with the traceback).
    with app.test_request_context("/admin/users/new", method="POST"):
        app.log_exception((failure.type, failure.value, failure.tb))
    assert "Exception on /admin/users/new" in all_logs.text
    assert "parameters hidden" in all_logs.text
    assert password_hash not in all_logs.text and "$argon2" not in all_logs.text
    assert password_hash not in str(failure.value)
