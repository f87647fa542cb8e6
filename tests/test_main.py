"""/healthz, the start page, the language switch and the error pages."""
import pytest

from tracker import create_app
from tracker.extensions import db


def test_healthz_answers_ok_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize("url", [
    "sqlite:////nonexistent-waspada-dir/nowhere/waspada.sqlite3",
    "postgresql://nobody@127.0.0.1:1/unreachable",
])
def test_healthz_answers_503_when_the_database_is_unreachable(url, caplog):
    app = create_app({"CONFIG_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "error"}
    assert "database unreachable" in caplog.text
    with app.app_context():
        db.engine.dispose()


def test_start_page_sends_anonymous_users_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_language_switch_before_login_is_kept_in_the_session(client):
    response = client.post("/lang/en", data={"next": "/login"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert "Log in" in client.get("/login").get_data(as_text=True)
    client.post("/lang/id", data={"next": "/login"})
    assert "Masuk" in client.get("/login").get_data(as_text=True)


def test_language_switch_is_saved_on_the_user(client, db, make_user, login):
    user = make_user("admin", username="op")
    login("op")
    client.post("/lang/en", data={"next": "/settings"})
    db.session.refresh(user)
    assert user.locale == "en"
    assert "My settings" in client.get("/settings").get_data(as_text=True)


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/x", "javascript:alert(1)"])
def test_language_switch_never_redirects_off_site(client, target):
    response = client.post("/lang/en", data={"next": target})
    assert response.headers["Location"] == "/"


def test_unknown_language_changes_nothing(client):
    client.post("/lang/fr", data={"next": "/login"})
    assert "Masuk" in client.get("/login").get_data(as_text=True)


def test_not_found_renders_the_error_page_in_indonesian(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Tidak ditemukan." in response.get_data(as_text=True)


def test_errors_under_the_api_answer_json(client):
    response = client.get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
    assert response.is_json and "error" in response.get_json()


def test_settings_saves_email_language_and_digest(client, db, make_user, login):
    user = make_user("admin", username="op")
    login("op")
    response = client.post("/settings", data={"email": "op@example.org", "locale": "en", "is_digest_enabled": "y"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.email, user.locale, user.is_digest_enabled) == ("op@example.org", "en", True)


def test_settings_rejects_a_bad_email_naming_the_field_and_writes_nothing(client, db, make_user, login):
    user = make_user("admin", username="op", email="op@example.org")
    login("op")
    response = client.post("/settings", data={"email": "not-an-address", "locale": "id"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="email-error"' in page and "Alamat email tidak sah." in page
    db.session.refresh(user)
    assert user.email == "op@example.org"
