"""Idempotency-Key on POST /api/v1/tickets, /visits and /tickets/<id>/comments (issue 12): a replay
answers the first answer and creates nothing; another body under the key is 409 and changes nothing;
keys are per user; a bad key is 422 naming the header.

The same for POST /tickets/<id>/attachments is in tests/idempotency/test_api.py.
"""
import pytest

from tests.plugins.world import KEMIRI, WARU

KEY = "5d1e7a2c-0f3b-4c8e-9a61-7b2d4e6f8a90"
VISIT = {"village_code": KEMIRI, "visited_on": "2026-03-09", "met_with": "Kepala Dusun"}
TICKET = {"village_code": KEMIRI, "category": "hoax", "severity": "medium", "title": "Hoaks bansos"}
COMMENT = {"body": "Sudah dicek ke lapangan."}


@pytest.fixture
def ticket_id(world):
    return world.open_ticket("babinsa", village_code=KEMIRI, title="Spanduk dirobek")


@pytest.fixture
def endpoints(ticket_id):
    """{name: (url, body, another body, the table that grows when it creates something)}."""
    return {
        "visit": ("/api/v1/visits", VISIT, {**VISIT, "notes": "Aman."}, "Visit"),
        "ticket": ("/api/v1/tickets", TICKET, {**TICKET, "title": "Hoaks lain"}, "Ticket"),
        "comment": (f"/api/v1/tickets/{ticket_id}/comments", COMMENT, {"body": "Komentar lain."}, "TicketEvent"),
    }


def send(world, who, url, body, key=KEY):
    headers = {**world.headers(who), **({"Idempotency-Key": key} if key is not None else {})}
    return world.client.post(url, json=body, headers=headers)


@pytest.mark.parametrize("name", ["visit", "ticket", "comment"])
def test_the_same_key_and_body_answer_the_first_answer_and_create_nothing(world, endpoints, table_counts, name):
    url, body, _other, _table = endpoints[name]
    first = send(world, "babinsa", url, body)
    counts = table_counts()
    again = send(world, "babinsa", url, body)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.get_data() == first.get_data(), "byte for byte"
    assert table_counts() == counts


def test_a_replayed_ticket_keeps_its_location_header(world):
    first = send(world, "babinsa", "/api/v1/tickets", TICKET)
    again = send(world, "babinsa", "/api/v1/tickets", TICKET)
    assert again.headers["Location"] == first.headers["Location"] == f"/api/v1/tickets/{first.get_json()['id']}"


@pytest.mark.parametrize("name", ["visit", "ticket", "comment"])
def test_the_same_key_with_another_body_is_409_and_changes_nothing(world, endpoints, table_counts, name):
    url, body, other_body, _table = endpoints[name]
    first = send(world, "babinsa", url, body)
    counts = table_counts()
    other = send(world, "babinsa", url, other_body)
    assert other.status_code == 409 and set(other.get_json()) == {"error"}
    assert table_counts() == counts
    assert send(world, "babinsa", url, body).get_json() == first.get_json(), "the first answer is still kept"


def test_the_same_key_on_another_endpoint_is_409(world, endpoints, table_counts):
    assert send(world, "babinsa", "/api/v1/visits", VISIT).status_code == 201
    counts = table_counts()
    assert send(world, "babinsa", "/api/v1/tickets", TICKET).status_code == 409
    assert table_counts() == counts


@pytest.mark.parametrize("name", ["visit", "ticket", "comment"])
def test_another_users_same_key_is_independent(world, endpoints, table_counts, name):
    url, body, _other, table = endpoints[name]
    before = table_counts()[table]
    mine = send(world, "babinsa", url, body)
    theirs = send(world, "babinsa_same_village", url, body)
    assert mine.status_code == theirs.status_code == 201
    assert table_counts()[table] == before + 2
    if name != "comment":  # a comment answers its event, which has no id
        assert mine.get_json()["id"] != theirs.get_json()["id"]


@pytest.mark.parametrize("name", ["visit", "ticket", "comment"])
@pytest.mark.parametrize("key", ["", "x" * 101, "kunci-é"])
def test_a_bad_key_is_422_naming_the_header_and_creates_nothing(world, endpoints, table_counts, name, key):
    url, body, _other, _table = endpoints[name]
    counts = table_counts()
    response = send(world, "babinsa", url, body, key=key)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["Idempotency-Key"]
    assert table_counts() == counts


@pytest.mark.parametrize("name", ["visit", "ticket", "comment"])
def test_without_a_key_each_request_creates(world, endpoints, table_counts, name):
    url, body, _other, table = endpoints[name]
    before = table_counts()[table]
    assert send(world, "babinsa", url, body, key=None).status_code == 201
    assert send(world, "babinsa", url, body, key=None).status_code == 201
    assert table_counts()[table] == before + 2


def test_a_refused_request_does_not_use_up_its_key(world, table_counts):
    refused = send(world, "babinsa", "/api/v1/tickets", {**TICKET, "village_code": WARU})
    assert refused.status_code == 403
    assert send(world, "babinsa", "/api/v1/tickets", {**TICKET, "title": ""}).status_code == 422
    assert send(world, "babinsa", "/api/v1/tickets", TICKET).status_code == 201
    assert table_counts()["Ticket"] == 1


def test_a_comment_on_a_ticket_the_caller_cannot_see_is_404_and_keeps_no_key(world, ticket_id, table_counts):
    sensitive = world.open_ticket("babinsa", village_code=KEMIRI, title="Informan", sensitive=True)
    url = f"/api/v1/tickets/{sensitive}/comments"
    assert send(world, "babinsa_same_village", url, COMMENT).status_code == 404
    # The same key is free for a request the caller may make.
    assert send(world, "babinsa_same_village", f"/api/v1/tickets/{ticket_id}/comments", COMMENT).status_code == 201


@pytest.mark.parametrize("path, method", [
    ("/visits", "post"), ("/tickets", "post"), ("/tickets/{ticket_id}/comments", "post"),
])
def test_the_openapi_document_describes_the_header_and_the_409(client, path, method):
    operation = client.get("/api/v1/openapi.json").get_json()["paths"][path][method]
    assert [p["name"] for p in operation["parameters"] if p["in"] == "header"] == ["Idempotency-Key"]
    assert "409" in operation["responses"]
