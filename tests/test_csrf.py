"""CSRF protection on every form, with CSRF switched on as in production."""
import re

import pytest
from sqlalchemy import func, select

from tracker.auth.models import User
from tracker.auth.services import create_user
from tracker.extensions import db

PASSWORD = "waspada-demo"
EXPIRED = "Formulir sudah kedaluwarsa atau tidak dikirim dari situs ini."


@pytest.fixture
def admin(csrf_app):
    user = create_user(username="op", full_name="Operator", role="admin", password=PASSWORD)
    db.session.commit()
    return user


@pytest.fixture
def admin_client(csrf_app, admin, csrf_token_from):
    client = csrf_app.test_client()
    token = csrf_token_from(client.get("/login"))
    response = client.post("/login", data={"username": "op", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return client


def _users():
    return db.session.execute(select(func.count()).select_from(User)).scalar_one()


def test_csrf_is_on_outside_the_test_fixtures(csrf_app):
    assert csrf_app.config.get("WTF_CSRF_ENABLED", True) is True


def test_login_without_a_token_is_refused_and_counts_no_failure(csrf_app, admin):
    response = csrf_app.test_client().post("/login", data={"username": "op", "password": "wrong"})
    assert response.status_code == 400
    assert EXPIRED in response.get_data(as_text=True)
    db.session.refresh(admin)
    assert admin.failed_logins == 0


def test_login_with_a_forged_token_is_refused(csrf_app, admin):
    response = csrf_app.test_client().post(
        "/login", data={"username": "op", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert response.status_code == 400
    assert EXPIRED in response.get_data(as_text=True)


def test_login_with_the_page_token_works(admin_client):
    assert admin_client.get("/settings").status_code == 200


def test_creating_a_user_without_a_token_writes_nothing(admin_client):
    before = _users()
    response = admin_client.post("/admin/users/new", data={
        "username": "new.one", "full_name": "New One", "role": "admin", "unit_id": "0",
        "locale": "id", "password": "long-enough-password",
    })
    assert response.status_code == 400
    assert EXPIRED in response.get_data(as_text=True)
    assert _users() == before


def test_logout_without_a_token_keeps_the_session(admin_client):
    assert admin_client.post("/logout").status_code == 400
    assert admin_client.get("/settings").status_code == 200


def test_json_clients_get_the_message_as_json(admin_client):
    response = admin_client.post("/lang/en", headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["error"].startswith(EXPIRED)


def _dummy_url(rule):
    """A URL for a rule, with placeholder values for its variables."""
    values = {}
    for name, converter in rule._converters.items():
        kind = type(converter).__name__
        values[name] = 1 if kind in ("IntegerConverter", "FloatConverter") else "x"
    return rule.build(values, append_unknown=False)[1]


def test_every_form_post_outside_the_api_requires_a_token(csrf_app, admin_client):
    """Every POST route of every feature, as a logged-in admin, without a token."""
    checked = []
    for rule in csrf_app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint.startswith("api."):
            continue
        url = _dummy_url(rule)
        response = admin_client.post(url, data={"anything": "1"})
        assert response.status_code == 400, f"{rule.endpoint} ({url}) answered {response.status_code} without a CSRF token"
        checked.append(rule.endpoint)
    assert {"auth.login", "auth.logout", "admin.new_user", "main.set_language"} <= set(checked)


def test_every_rendered_form_carries_a_token(csrf_app, admin_client):
    for url in ("/login", "/settings", "/admin/users/new"):
        page = admin_client.get(url).get_data(as_text=True)
        for form in re.findall(r"<form[^>]*method=\"post\".*?</form>", page, re.S | re.I):
            assert 'name="csrf_token"' in form, f"a POST form on {url} has no CSRF token"
