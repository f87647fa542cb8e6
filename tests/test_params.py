"""Ids, pages and limits from requests: a number the database cannot hold never reaches it.

Issue 13 found 500s on huge ids and pages and on ``limit=²``; each answers
404 (an id naming no row), the empty page after the last (a web page) or
422 naming the argument (the API) instead.
"""
import pytest

from tracker.params import (
    API_MAX_PAGE, MAX_ID, WEB_MAX_PAGE, IntegerConverter, int_or_raw, is_row_id, row_id, whole_number,
)

HUGE = "99999999999999999999999"


@pytest.mark.parametrize("text,number", [
    ("0", 0), ("42", 42), (HUGE, int(HUGE)), ("\u00b2", None), ("-1", None), (" 1", None), ("1.5", None),
    ("", None), ("\u0663", None), (None, None), (7, None),
])
def test_only_ascii_digits_spell_a_whole_number(text, number):
    assert whole_number(text) == number


@pytest.mark.parametrize("value,expected", [
    (1, True), (MAX_ID, True), (MAX_ID + 1, False), (0, False), (-1, False), (True, False), ("1", False),
])
def test_a_row_id_is_a_positive_int_that_fits_an_id_column(value, expected):
    assert is_row_id(value) is expected


def test_row_id_reads_only_what_can_name_a_row():
    assert (row_id("12"), row_id(str(MAX_ID)), row_id(str(MAX_ID + 1)), row_id("0"), row_id("x")) == (
        12, MAX_ID, None, None, None)


def test_int_or_raw_leaves_what_is_not_a_number_for_the_service_to_name():
    assert (int_or_raw(" 3 "), int_or_raw(""), int_or_raw(None), int_or_raw("\u00b2"), int_or_raw("x")) == (
        3, None, None, "\u00b2", "x")


def test_every_int_in_a_url_rule_is_bounded_to_row_ids(app):
    """Werkzeug's own int converter would hand a view ids the database cannot hold."""
    ints = [converter for rule in app.url_map.iter_rules() for converter in rule._converters.values()
            if "int" in type(converter).__name__.lower()]
    assert ints and all(type(converter) is IntegerConverter for converter in ints)


def test_an_id_too_large_for_a_row_reaches_the_view_as_0(app):
    adapter = app.url_map.bind("localhost")
    assert adapter.match(f"/tickets/{MAX_ID}")[1] == {"ticket_id": MAX_ID}
    assert adapter.match(f"/tickets/{MAX_ID + 1}")[1] == {"ticket_id": 0}
    assert adapter.match(f"/tickets/{HUGE}")[1] == {"ticket_id": 0}


@pytest.fixture
def admin(client, make_user, login):
    make_user("admin", username="op")
    login("op")
    return client


@pytest.fixture
def token(client, make_user):
    make_user("admin", username="api-op")
    answer = client.post("/api/v1/auth/tokens", json={"username": "api-op", "password": "waspada-demo"})
    return {"Authorization": "Bearer " + answer.get_json()["token"]}


@pytest.mark.parametrize("method,url", [
    ("GET", f"/elections/{HUGE}"), ("GET", f"/elections/{HUGE}/edit"), ("POST", f"/elections/{HUGE}/edit"),
    ("GET", f"/elections/{HUGE}/remove"), ("POST", f"/elections/{HUGE}/remove"),
    ("GET", f"/admin/users/{HUGE}"), ("POST", f"/admin/users/{HUGE}"),
    ("GET", f"/admin/outbox/{HUGE}"), ("POST", f"/admin/outbox/{HUGE}/retry"),
    ("GET", f"/tickets/{HUGE}"), ("POST", f"/tickets/{HUGE}/comment"), ("GET", f"/visits/{HUGE}"),
    ("GET", f"/admin/users/{MAX_ID + 1}"), ("GET", "/admin/users/0"), ("GET", "/admin/outbox/0"),
])
def test_a_huge_or_zero_id_in_a_page_url_is_404(admin, method, url):
    assert admin.open(url, method=method, data={"name": "x"}).status_code == 404


@pytest.mark.parametrize("method,url", [
    ("GET", f"/api/v1/elections/{HUGE}"), ("PATCH", f"/api/v1/elections/{HUGE}"),
    ("DELETE", f"/api/v1/elections/{HUGE}"), ("GET", f"/api/v1/tickets/{HUGE}"),
    ("PATCH", f"/api/v1/tickets/{HUGE}"), ("GET", f"/api/v1/tickets/{MAX_ID + 1}/events"),
])
def test_a_huge_id_in_an_api_url_is_a_json_404(client, token, method, url):
    response = client.open(url, method=method, headers=token, json={"name": "x"})
    assert response.status_code == 404
    assert "error" in response.get_json()


@pytest.mark.parametrize("number", [MAX_ID, MAX_ID + 1, 2**32, 2**63 - 1, 2**63])
def test_ids_around_the_bound_answer_404_on_every_database(admin, client, token, number):
    """MAX_ID is looked up (and names no row here); one more never reaches PostgreSQL's INTEGER column."""
    assert admin.get(f"/admin/users/{number}").status_code == 404
    assert admin.get(f"/tickets/{number}").status_code == 404
    assert client.get(f"/api/v1/elections/{number}", headers=token).status_code == 404


@pytest.mark.parametrize("path", ["/warnings", "/elections", "/admin/users", "/admin/outbox", "/tickets/",
                                  "/tickets/overdue", "/visits/"])
@pytest.mark.parametrize("page", [HUGE, str(WEB_MAX_PAGE + 1), "-3", "\u00b2", "x"])
def test_a_web_list_answers_any_page_number(admin, path, page):
    assert admin.get(path, query_string={"page": page}).status_code == 200


@pytest.mark.parametrize("path", ["/api/v1/tickets", "/api/v1/villages", "/api/v1/elections", "/api/v1/flags"])
@pytest.mark.parametrize("query,field", [
    (f"page={HUGE}", "page"), (f"page={API_MAX_PAGE + 1}", "page"), ("page=%C2%B2", "page"),
    ("per_page=101", "per_page"), ("per_page=0", "per_page"),
])
def test_an_api_page_out_of_bounds_is_422_naming_it(client, token, path, query, field):
    response = client.get(f"{path}?{query}", headers=token)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == [field]


@pytest.mark.parametrize("limit", ["%C2%B2", "0", "101", HUGE, "-1", "x"])
def test_a_bad_hotspot_limit_is_422_naming_it(client, token, limit):
    response = client.get(f"/api/v1/hotspots?limit={limit}", headers=token)
    assert response.status_code == 422
    assert response.get_json() == {"errors": {"limit": ["Bilangan bulat dari 1 sampai 100."]}}


def test_a_good_hotspot_limit_is_taken(client, token):
    assert client.get("/api/v1/hotspots?limit=100", headers=token).status_code == 200


def test_an_api_cursor_naming_an_id_beyond_the_bound_is_422(client, token):
    response = client.get(f"/api/v1/tickets?after=1767225600000000.{MAX_ID + 1}", headers=token)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["after"]


def test_a_visit_id_beyond_the_bound_is_named_not_looked_up(client, token):
    response = client.post("/api/v1/tickets", headers=token, json={
        "village_code": "33.13.14.2005", "category": "hoax", "severity": "low", "title": "x", "visit_id": MAX_ID + 1})
    assert response.status_code == 422
    assert "visit_id" in response.get_json()["errors"]
