"""POST/DELETE /api/v1/auth/tokens: tokens, lockout, revocation, expiry; 401 everywhere without one."""
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from tests.api.factories import NOW
from tests.plugins.world import DEMO_PASSWORD
from tracker.auth.models import ApiToken, LoginFailure, User
from tracker.auth.services import deactivate_user

PUBLIC = {("POST", "/api/v1/auth/tokens"), ("GET", "/api/v1/openapi.json")}


def _token(client, username="babinsa.kemiri", password=DEMO_PASSWORD):
    return client.post("/api/v1/auth/tokens", json={"username": username, "password": password})


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def _protected_routes(app):
    """(method, concrete url) for every API route but the public ones; ids filled with 1."""
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        url = re.sub(r"<[^>]+>", "1", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if (method, rule.rule) not in PUBLIC:
                yield method, url


def test_good_credentials_give_201_with_a_token_and_its_utc_expiry(app, world):
    response = _token(world.client)
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"token", "expires_at"}
    expected = NOW + timedelta(hours=app.config["API_TOKEN_HOURS"])
    assert datetime.fromisoformat(body["expires_at"]) == expected
    assert body["expires_at"].endswith("+00:00")
    assert world.client.get("/api/v1/tickets", headers=_bearer(body["token"])).status_code == 200


def test_the_token_is_stored_only_as_a_digest(db, world):
    token = _token(world.client).get_json()["token"]
    stored = db.session.execute(select(ApiToken.token_hash)).scalars().all()
    assert stored and token not in stored


@pytest.mark.parametrize("username,password", [
    ("babinsa.kemiri", "wrong-password"),
    ("nobody", DEMO_PASSWORD),
])
def test_bad_credentials_answer_401_with_an_error_message(world, username, password):
    response = _token(world.client, username, password)
    assert response.status_code == 401
    assert set(response.get_json()) == {"error"}


@pytest.mark.parametrize("body,fields", [
    ({}, {"username", "password"}),
    ({"username": "babinsa.kemiri"}, {"password"}),
    ({"username": 5, "password": DEMO_PASSWORD}, {"username"}),
    ({"username": "babinsa.kemiri", "password": ["x"]}, {"password"}),
    ({"username": "babinsa\x00", "password": DEMO_PASSWORD}, {"username"}),
    ({"username": "babinsa.kemiri", "password": "\ud800"}, {"password"}),
])
def test_missing_or_mistyped_credentials_answer_422_naming_the_field(world, body, fields):
    response = world.client.post("/api/v1/auth/tokens", json=body)
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == fields


def test_a_non_json_body_answers_422(world):
    response = world.client.post("/api/v1/auth/tokens", data="username=babinsa.kemiri",
                                 content_type="application/x-www-form-urlencoded")
    assert response.status_code == 422
    assert "body" in response.get_json()["errors"]


def test_failed_api_logins_lock_the_account_from_that_address_like_the_login_page(app, db, world, clock):
    limit = app.config["LOGIN_MAX_FAILURES"]
    for _attempt in range(limit):
        assert _token(world.client, password="wrong-password").status_code == 401
    db.session.expire_all()
    user = db.session.execute(select(User).where(User.username == "babinsa.kemiri")).scalar_one()
    pair = db.session.get(LoginFailure, ("127.0.0.1", user.id))
    assert pair.locked_until is not None
    locked = _token(world.client)
    assert locked.status_code == 401
    assert locked.get_json() == _token(world.client, "nobody").get_json(), "a lock answers as a wrong password"
    # The same lock holds on the login page, from that address only.
    assert world.client.post("/login", data={"username": "babinsa.kemiri", "password": DEMO_PASSWORD}).status_code == 401
    assert world.client.post("/api/v1/auth/tokens", json={"username": "babinsa.kemiri", "password": DEMO_PASSWORD},
                             environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 201
    clock.shift(timedelta(minutes=app.config["LOGIN_LOCKOUT_MINUTES"], seconds=1))
    assert _token(world.client).status_code == 201


def test_failures_on_the_login_page_count_towards_the_api_lockout(app, world):
    for _attempt in range(app.config["LOGIN_MAX_FAILURES"]):
        world.client.post("/login", data={"username": "babinsa.kemiri", "password": "wrong-password"})
    assert _token(world.client).status_code == 401


def test_deleting_the_current_token_revokes_it_and_only_it(world):
    first = _token(world.client).get_json()["token"]
    second = _token(world.client).get_json()["token"]
    response = world.client.delete("/api/v1/auth/tokens/current", headers=_bearer(first))
    assert response.status_code == 204
    assert response.data == b""
    assert world.client.get("/api/v1/tickets", headers=_bearer(first)).status_code == 401
    assert world.client.delete("/api/v1/auth/tokens/current", headers=_bearer(first)).status_code == 401
    assert world.client.get("/api/v1/tickets", headers=_bearer(second)).status_code == 200


def test_a_token_stops_working_when_it_expires(app, world, clock):
    token = _token(world.client).get_json()["token"]
    clock.shift(timedelta(hours=app.config["API_TOKEN_HOURS"]) - timedelta(seconds=1))
    assert world.client.get("/api/v1/tickets", headers=_bearer(token)).status_code == 200
    clock.shift(timedelta(seconds=1))
    response = world.client.get("/api/v1/tickets", headers=_bearer(token))
    assert response.status_code == 401
    assert set(response.get_json()) == {"error"}


def test_a_deactivated_users_token_stops_working(db, world):
    token = _token(world.client).get_json()["token"]
    deactivate_user(world.users["babinsa"])
    db.session.commit()
    assert world.client.get("/api/v1/tickets", headers=_bearer(token)).status_code == 401


@pytest.mark.parametrize("header", [
    None, "Bearer", "Bearer not-a-real-token", "Basic YmFiaW5zYTp4", "bearer",
])
def test_every_protected_endpoint_answers_401_without_a_valid_token(app, world, header):
    headers = {"Authorization": header} if header else {}
    routes = list(_protected_routes(app))
    assert len(routes) >= 9
    for method, url in routes:
        response = world.client.open(url, method=method, headers=headers, json={})
        assert response.status_code == 401, (method, url)
        assert set(response.get_json()) == {"error"}, (method, url)


def test_the_openapi_document_needs_no_token(world):
    assert world.client.get("/api/v1/openapi.json").status_code == 200
