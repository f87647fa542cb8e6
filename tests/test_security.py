"""Security headers on every response, and the input boundary for NUL and lone surrogates."""
import json

import pytest

from tracker import create_app
from tracker.security import CONTENT_SECURITY_POLICY

EXPECTED_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _sample_url(rule):
    """A concrete URL for a rule: ids 1, names 'x'."""
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name].__class__.__name__
        values[name] = 1 if "Integer" in converter else "x"
    url = rule.rule
    for name, value in values.items():
        url = url.replace(f"<{name}>", str(value))
        for prefix in ("int:", "string:", "path:"):
            url = url.replace(f"<{prefix}{name}>", str(value))
    return url


def _get_rules(app):
    return sorted(
        (rule for rule in app.url_map.iter_rules() if "GET" in rule.methods),
        key=lambda rule: rule.rule,
    )


def _assert_security_headers(response, where):
    for name, value in EXPECTED_HEADERS.items():
        assert response.headers.get(name) == value, f"{where}: {name}"
    csp = response.headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp, where
    assert "unsafe-inline" not in csp.split("script-src", 1)[-1].split(";")[0], where
    assert "geolocation=(self)" in response.headers.get("Permissions-Policy", ""), where


def test_every_get_route_answers_with_the_security_headers_logged_out(app, client):
    for rule in _get_rules(app):
        url = _sample_url(rule)
        _assert_security_headers(client.get(url), url)


def test_every_get_route_answers_with_the_security_headers_as_admin(app, client, make_user, login):
    make_user("admin", username="root")
    login("root")
    for rule in _get_rules(app):
        url = _sample_url(rule)
        _assert_security_headers(client.get(url), url)


def test_the_default_policy_allows_no_inline_script_or_style_and_no_framing():
    directives = dict(part.split(" ", 1) for part in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert directives["img-src"] == "'self' data: blob:"


def test_hsts_only_under_production(database_url):
    production = create_app({"CONFIG_NAME": "production", "SECRET_KEY": "x" * 32,
                             "SQLALCHEMY_DATABASE_URI": database_url})
    testing = create_app({"CONFIG_NAME": "testing", "SQLALCHEMY_DATABASE_URI": database_url})
    assert "max-age=" in production.test_client().get("/login").headers["Strict-Transport-Security"]
    assert "Strict-Transport-Security" not in testing.test_client().get("/login").headers


def test_a_nul_in_the_login_username_is_refused_under_the_field_and_logs_nobody_in(client, make_user):
    make_user("admin", username="admin")
    response = client.post("/login", data={"username": "admin\x00", "password": "waspada-demo"})
    assert response.status_code == 422
    assert 'id="username-error"' in response.get_data(as_text=True)
    assert client.get("/tickets/").status_code == 302  # still logged out


@pytest.mark.parametrize("url", ["/dashboard/village/%00", "/tickets/%00", "/x%00y"])
def test_a_nul_in_the_path_is_not_found(client, make_user, login, url):
    make_user("admin", username="root")
    login("root")
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("url", ["/admin/users?q=%00", "/digest?user=%00", "/tickets/?q=a%00b"])
def test_a_nul_in_the_query_string_is_refused(client, make_user, login, url):
    make_user("admin", username="root")
    login("root")
    response = client.get(url)
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)


def test_api_json_with_a_nul_or_a_lone_surrogate_answers_422_naming_the_field(client, make_user):
    make_user("admin", username="root")
    for body, field in (
        ('{"username": "root\\u0000", "password": "x"}', "username"),
        ('{"username": "root", "password": "\\ud800"}', "password"),
    ):
        response = client.post("/api/v1/auth/tokens", data=body, content_type="application/json")
        assert response.status_code == 422, body
        assert list(response.get_json()["errors"]) == [field]


def test_nested_json_fields_are_named_by_their_path(client, make_user):
    make_user("admin", username="root")
    token = client.post("/api/v1/auth/tokens", json={"username": "root", "password": "waspada-demo"}).get_json()["token"]
    body = json.dumps({"kind": "pilkada", "name": "x", "voting_on": "2027-01-01",
                       "scope": {"regions": ["33", "\x00"]}})
    response = client.post("/api/v1/elections", data=body, content_type="application/json",
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["scope.regions.1"]


def test_an_api_query_with_a_nul_answers_422(client, make_user):
    make_user("admin", username="root")
    token = client.post("/api/v1/auth/tokens", json={"username": "root", "password": "waspada-demo"}).get_json()["token"]
    response = client.get("/api/v1/tickets?q=%00", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["q"]


def _admin_token(client, make_user):
    make_user("admin", username="root")
    return client.post("/api/v1/auth/tokens", json={"username": "root", "password": "waspada-demo"}).get_json()["token"]


@pytest.mark.parametrize("voting_on", ["9999-12-31", "0001-01-01", "1899-12-31", "2200-01-01"])
def test_an_election_day_outside_the_computable_years_is_refused_on_create_and_change(
        client, make_user, regions, voting_on):
    headers = {"Authorization": f"Bearer {_admin_token(client, make_user)}"}
    body = {"kind": "pilkada", "name": "Pilkada", "voting_on": voting_on, "scope": {"regions": ["33.13"]}}
    response = client.post("/api/v1/elections", json=body, headers=headers)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["voting_on"]
    created = client.post("/api/v1/elections", json={**body, "voting_on": "2027-11-25"}, headers=headers)
    assert created.status_code == 201
    election_id = created.get_json()["id"]
    response = client.patch(f"/api/v1/elections/{election_id}", json={"voting_on": voting_on}, headers=headers)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["voting_on"]
    assert client.get(f"/api/v1/elections/{election_id}", headers=headers).get_json()["voting_on"] == "2027-11-25"


def test_a_stage_from_year_1_to_9999_is_refused_naming_stages(client, make_user, regions):
    headers = {"Authorization": f"Bearer {_admin_token(client, make_user)}"}
    body = {"kind": "pilkada", "name": "Pilkada", "voting_on": "2027-11-25", "scope": {"regions": ["33.13"]},
            "stages": [{"name": "campaign", "starts_on": "0001-01-01", "ends_on": "9999-12-31"}]}
    response = client.post("/api/v1/elections", json=body, headers=headers)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["stages"]


def test_the_election_form_and_its_preview_refuse_year_9999(client, make_user, login, regions):
    make_user("admin", username="root")
    login("root")
    form = {"kind": "pilkada", "name": "Pilkada", "voting_on": "9999-12-31", "scope_kind": "regions",
            "codes": "33.13"}
    assert client.post("/elections/new", data={**form, "preview": "1"}).status_code < 500
    response = client.post("/elections/new", data=form)
    assert response.status_code == 422
    assert "2199" in response.get_data(as_text=True)


def test_a_json_body_posted_to_a_browser_form_is_an_empty_form_not_a_crash(client, make_user, login):
    make_user("admin", username="root")
    login("root")
    body = {"name": 5, "kind": [], "username": None, "voting_on": 10**30}
    for url in ("/elections/new", "/admin/users/new"):
        response = client.post(url, json=body)
        assert response.status_code == 422, url
        assert "This field is required." in response.get_data(as_text=True) or "wajib" in response.get_data(as_text=True)
    assert client.post("/settings", json=body).status_code < 500


def test_only_the_email_preview_allows_inline_style_and_never_script(client, make_user, login):
    make_user("admin", username="root")
    login("root")
    policy = client.get("/digest").headers["Content-Security-Policy"]
    directives = dict(part.split(" ", 1) for part in policy.split("; "))
    assert directives["style-src"] == "'self' 'unsafe-inline'"
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in client.get("/tickets/").headers["Content-Security-Policy"]


def test_a_multipart_part_whose_name_does_not_parse_is_not_a_crash(client):
    """Found by schemathesis: a part named by a bare newline has no key (None)."""
    body = b'--b0\r\nContent-Disposition: form-data; name="\n"\r\n\r\nnull\r\n--b0--\r\n'
    response = client.post("/api/v1/tickets/1/attachments", data=body,
                           headers={"Content-Type": "multipart/form-data; boundary=b0"})
    assert response.status_code == 401


def test_a_nul_in_a_new_users_name_is_refused_under_the_field_and_nothing_is_written(client, make_user, login):
    """Issue 13: on PostgreSQL this was a 500 that even broke the error page."""
    from sqlalchemy import func, select

    from tracker.auth.models import User
    from tracker.extensions import db

    make_user("admin", username="root")
    login("root")
    before = db.session.execute(select(func.count()).select_from(User)).scalar()
    response = client.post("/admin/users/new", data={
        "username": "baru", "full_name": "Nama\x00Baru", "role": "admin", "password": "panjang-sekali-123",
    })
    assert response.status_code == 422
    assert 'id="full_name-error"' in response.get_data(as_text=True)
    assert db.session.execute(select(func.count()).select_from(User)).scalar() == before
