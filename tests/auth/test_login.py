"""Login and logout pages, the session they start and end."""
from datetime import datetime, timezone

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from config import DevelopmentConfig, ProductionConfig, TestingConfig
from tracker import create_app
from tracker.auth.models import User
from tracker.auth.services import deactivate_user
from tracker.timeutil import as_utc

PASSWORD = "waspada-demo"


@pytest.fixture
def babinsa(regions, make_unit, make_user):
    koramil = make_unit("koramil", "Koramil 03/Kebakkramat", regions=["33.13.14"])
    return make_user("babinsa", unit=koramil, villages=["33.13.14.2005"], username="babinsa.kemiri")


def _fresh(db, username):
    """The user row as another request would read it."""
    db.session.expire_all()
    return db.session.execute(select(User).where(User.username == username)).scalar_one()


def test_login_page_renders_a_form(client):
    response = client.get("/login")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'name="username"' in page and 'name="password"' in page


def test_right_password_logs_in_and_redirects_to_the_start_page(client, babinsa):
    response = client.post("/login", data={"username": "babinsa.kemiri", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/settings").status_code == 200


def test_login_follows_a_local_next_but_not_another_site(client, babinsa):
    response = client.post("/login?next=/admin/units", data={"username": "babinsa.kemiri", "password": PASSWORD})
    assert response.headers["Location"] == "/admin/units"
    client.post("/logout")
    response = client.post("/login?next=//evil.example/x", data={"username": "babinsa.kemiri", "password": PASSWORD})
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("username, password", [
    ("babinsa.kemiri", "wrong-password"),
    ("nobody", PASSWORD),
])
def test_wrong_credentials_answer_401_with_one_message_and_no_session(client, babinsa, username, password):
    response = client.post("/login", data={"username": username, "password": password})
    assert response.status_code == 401
    assert "Nama pengguna atau kata sandi salah." in response.get_data(as_text=True)
    assert client.get("/settings").status_code == 302


def test_empty_form_names_the_missing_fields(client):
    response = client.post("/login?lang=en", data={"username": "", "password": ""})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    # Under each field, and once more in the error summary on top of the form.
    assert body.count("This field is required.") == 4
    assert 'href="#username">Username: This field is required.' in body
    assert 'href="#password">Password: This field is required.' in body


def test_login_starts_a_new_session(client, babinsa):
    with client.session_transaction() as before:
        before["planted"] = "by someone else"
        before["lang"] = "en"
    client.post("/login", data={"username": "babinsa.kemiri", "password": PASSWORD})
    with client.session_transaction() as after:
        assert "planted" not in after
        assert after["lang"] == "en"
        assert after["_user_id"].startswith(f"{babinsa.id}:")


def test_logout_ends_the_session(client, babinsa):
    client.post("/login", data={"username": "babinsa.kemiri", "password": PASSWORD})
    response = client.post("/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    with client.session_transaction() as after:
        assert "_user_id" not in after
    assert client.get("/settings").status_code == 302


def test_logout_is_not_a_get(client, babinsa):
    client.post("/login", data={"username": "babinsa.kemiri", "password": PASSWORD})
    assert client.get("/logout").status_code == 405
    assert client.get("/settings").status_code == 200


def test_deactivation_ends_open_sessions(client, db, babinsa):
    client.post("/login", data={"username": "babinsa.kemiri", "password": PASSWORD})
    deactivate_user(_fresh(db, "babinsa.kemiri"))
    db.session.commit()
    assert client.get("/settings").status_code == 302
    response = client.post("/login", data={"username": "babinsa.kemiri", "password": PASSWORD})
    assert response.status_code == 401


def test_session_cookie_settings_per_configuration():
    for config in (ProductionConfig, DevelopmentConfig, TestingConfig):
        assert config.SESSION_COOKIE_HTTPONLY is True
        assert config.SESSION_COOKIE_SAMESITE == "Lax"
    assert ProductionConfig.SESSION_COOKIE_SECURE is True
    assert ProductionConfig.REMEMBER_COOKIE_SECURE is True
    assert DevelopmentConfig.SESSION_COOKIE_SECURE is False


def test_production_session_cookie_is_secure_httponly_and_lax(app, database_url, babinsa):
    production = create_app({
        "CONFIG_NAME": "production", "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "a-test-secret", "WTF_CSRF_ENABLED": False,
    })
    response = production.test_client().post(
        "/login", data={"username": "babinsa.kemiri", "password": PASSWORD}
    )
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=")
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert {"secure", "httponly", "samesite=lax"} <= flags


def test_development_session_cookie_is_not_marked_secure(app, database_url, babinsa):
    development = create_app({
        "CONFIG_NAME": "development", "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
    })
    response = development.test_client().post(
        "/login", data={"username": "babinsa.kemiri", "password": PASSWORD}
    )
    flags = {part.strip().lower() for part in response.headers["Set-Cookie"].split(";")}
    assert "httponly" in flags and "samesite=lax" in flags
    assert "secure" not in flags


def test_login_rehashes_a_password_made_with_other_argon2_parameters(app, client, db, babinsa):
    old = PasswordHasher(time_cost=2, memory_cost=2048, parallelism=2).hash(PASSWORD)
    babinsa.password_hash = old
    db.session.commit()

    client.post("/login", data={"username": "babinsa.kemiri", "password": "wrong-password"})
    assert _fresh(db, "babinsa.kemiri").password_hash == old, "a failed login must not rehash"

    client.post("/login", data={"username": "babinsa.kemiri", "password": PASSWORD})
    new = _fresh(db, "babinsa.kemiri").password_hash
    config = app.config
    assert new != old
    assert new.startswith(
        f"$argon2id$v=19$m={config['ARGON2_MEMORY_COST']},t={config['ARGON2_TIME_COST']},"
        f"p={config['ARGON2_PARALLELISM']}$"
    )
    assert PasswordHasher().verify(new, PASSWORD)


def test_hash_with_current_parameters_is_kept(client, db, babinsa):
    before = _fresh(db, "babinsa.kemiri").password_hash
    client.post("/login", data={"username": "babinsa.kemiri", "password": PASSWORD})
    assert _fresh(db, "babinsa.kemiri").password_hash == before


def test_passwords_are_stored_as_argon2id(babinsa):
    assert babinsa.password_hash.startswith("$argon2id$")
    assert PASSWORD not in babinsa.password_hash


def test_login_records_the_time(client, db, babinsa, time_machine):
    time_machine.move_to(datetime(2026, 3, 1, 2, 0, tzinfo=timezone.utc), tick=False)
    client.post("/login", data={"username": "babinsa.kemiri", "password": PASSWORD})
    assert as_utc(_fresh(db, "babinsa.kemiri").last_login_at) == datetime(2026, 3, 1, 2, 0, tzinfo=timezone.utc)
