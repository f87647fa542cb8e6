"""The visits and tickets endpoints: shapes and status codes of the contract."""
import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from tests.api.factories import NOW
from tests.plugins.world import GEDONG, JATEN, KEMIRI, WARU
from tracker.tickets.models import Ticket, TicketEvent

TICKET_KEYS = {"id", "ref", "village_code", "village_name", "category", "severity", "status", "level", "title",
               "description", "occurred_on", "reported_at", "due_at", "reporter", "sensitive", "flagged", "version",
               "attachments", "duplicate_of", "latitude", "longitude", "accuracy_m"}
EVENT_KEYS = {"kind", "actor", "at", "from", "to", "reason"}
TODAY = date(2026, 3, 10)  # NOW in WIB

GOOD_TICKET = {"village_code": KEMIRI, "category": "money_politics", "severity": "high",
               "title": "Bagi-bagi sembako", "description": "Dilaporkan warga RT 02."}


def _ticket_row(db, ticket_id):
    db.session.expire_all()
    return db.session.get(Ticket, ticket_id)


# --- visits -----------------------------------------------------------------

def test_posting_a_visit_answers_201_with_the_visit(world, table_counts):
    response = world.post("babinsa", "/api/v1/visits", {
        "village_code": KEMIRI, "visited_on": "2026-03-09", "met_with": "Sekretaris Desa", "notes": "Aman."})
    assert response.status_code == 201
    body = response.get_json()
    assert body == {"id": body["id"], "village_code": KEMIRI, "visited_on": "2026-03-09",
                    "met_with": "Sekretaris Desa", "notes": "Aman.", "babinsa": "babinsa.kemiri",
                    "created_at": "2026-03-10T02:00:00+00:00",
                    "latitude": None, "longitude": None, "accuracy_m": None}
    assert table_counts()["Visit"] == 1


@pytest.mark.parametrize("who,village", [("babinsa", WARU), ("koramil", JATEN), ("kodim", GEDONG)])
def test_a_visit_outside_the_callers_area_answers_403(world, table_counts, who, village):
    response = world.post(who, "/api/v1/visits", {"village_code": village, "visited_on": "2026-03-09"})
    assert response.status_code == 403
    assert set(response.get_json()) == {"error"}
    assert table_counts()["Visit"] == 0


@pytest.mark.parametrize("body,field", [
    ({"village_code": KEMIRI}, "visited_on"),
    ({"village_code": KEMIRI, "visited_on": "2026-03-11"}, "visited_on"),
    ({"village_code": KEMIRI, "visited_on": "9 Maret"}, "visited_on"),
    ({"village_code": "99.99.99.9999", "visited_on": "2026-03-09"}, "village_code"),
    ({"village_code": KEMIRI, "visited_on": "2026-03-09", "met_with": 7}, "met_with"),
    ({"village_code": KEMIRI, "visited_on": "2026-03-09", "notes": "x" * 10_001}, "notes"),
])
def test_a_bad_visit_answers_422_naming_the_field(world, table_counts, body, field):
    response = world.post("babinsa", "/api/v1/visits", body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert table_counts()["Visit"] == 0


# --- creating tickets -----------------------------------------------------------

def test_posting_a_ticket_answers_201_with_the_ticket_json(app, world):
    response = world.post("babinsa", "/api/v1/tickets", {**GOOD_TICKET, "occurred_on": "2026-03-08",
                                                        "sensitive": True, "parties": "Tim sukses X"})
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == TICKET_KEYS
    assert re.fullmatch(r"0727-2026-\d{6}", body["ref"])
    assert response.headers["Location"] == f"/api/v1/tickets/{body['id']}"
    hours = app.config["DUE_HOURS"]["high"]
    assert body == {
        "id": body["id"], "ref": body["ref"], "village_code": KEMIRI, "village_name": "Kemiri",
        "category": "money_politics", "severity": "high", "status": "new", "level": "koramil",
        "title": "Bagi-bagi sembako", "description": "Dilaporkan warga RT 02.", "occurred_on": "2026-03-08",
        "reported_at": "2026-03-10T02:00:00+00:00",
        "due_at": (NOW + timedelta(hours=hours)).isoformat(), "reporter": "babinsa.kemiri",
        "sensitive": True, "flagged": False, "version": 1,
        "attachments": 0, "duplicate_of": None, "latitude": None, "longitude": None, "accuracy_m": None,
    }


def test_only_the_required_fields_are_needed(world):
    response = world.post("koramil", "/api/v1/tickets", {k: v for k, v in GOOD_TICKET.items() if k != "description"})
    assert response.status_code == 201
    assert response.get_json()["description"] == "" and response.get_json()["occurred_on"] is None


def test_a_ticket_can_name_the_visit_that_raised_it(db, world):
    visit = world.post("babinsa", "/api/v1/visits", {"village_code": KEMIRI, "visited_on": "2026-03-09"}).get_json()
    response = world.post("babinsa", "/api/v1/tickets", {**GOOD_TICKET, "visit_id": visit["id"]})
    assert response.status_code == 201
    assert _ticket_row(db, response.get_json()["id"]).visit_id == visit["id"]


def test_html_is_kept_as_typed(world):
    title = '<script>alert("x")</script> & <b>'
    body = world.post("babinsa", "/api/v1/tickets", {**GOOD_TICKET, "title": title}).get_json()
    assert body["title"] == title
    assert world.get("babinsa", f"/api/v1/tickets/{body['id']}").get_json()["title"] == title


@pytest.mark.parametrize("who,village", [
    ("babinsa", WARU),            # his kecamatan, not his village
    ("babinsa", JATEN),
    ("koramil", JATEN),           # another kecamatan
    ("kodim", GEDONG),            # another kabupaten
])
def test_filing_outside_the_callers_area_answers_403_and_writes_nothing(world, table_counts, who, village):
    before = table_counts()
    response = world.post(who, "/api/v1/tickets", {**GOOD_TICKET, "village_code": village})
    assert response.status_code == 403
    assert set(response.get_json()) == {"error"}
    assert table_counts() == before


@pytest.mark.parametrize("who", ["koramil", "kodim", "admin"])
def test_commanders_may_file_in_their_own_area(world, who):
    assert world.post(who, "/api/v1/tickets", GOOD_TICKET).status_code == 201


@pytest.mark.parametrize("change,field", [
    ({"title": 5}, "title"),
    ({"title": ""}, "title"),
    ({"title": "   "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"description": "x" * 10_001}, "description"),
    ({"description": ["a"]}, "description"),
    ({"sensitive": "yes"}, "sensitive"),
    ({"sensitive": 1}, "sensitive"),
    ({"category": "vote_counts"}, "category"),
    ({"category": None}, "category"),
    ({"severity": "extreme"}, "severity"),
    ({"severity": 3}, "severity"),
    ({"village_code": "33.13.14.9999"}, "village_code"),
    ({"village_code": "33.13.14"}, "village_code"),
    ({"village_code": 3313142005}, "village_code"),
    ({"occurred_on": "2026-03-11"}, "occurred_on"),
    ({"occurred_on": "10/03/2026"}, "occurred_on"),
    ({"occurred_on": 20260301}, "occurred_on"),
    ({"visit_id": "1"}, "visit_id"),
    ({"visit_id": 999}, "visit_id"),
    ({"visit_id": 2**80}, "visit_id"),
    ({"parties": "x" * 501}, "parties"),
    ({"title": "a\x00b"}, "title"),
])
def test_bad_input_answers_422_naming_the_field_and_writes_nothing(world, table_counts, change, field):
    before = table_counts()
    response = world.post("babinsa", "/api/v1/tickets", {**GOOD_TICKET, **change})
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]
    assert all(isinstance(m, str) for messages in response.get_json()["errors"].values() for m in messages)
    assert table_counts() == before


def test_every_bad_field_is_named_at_once(world):
    response = world.post("babinsa", "/api/v1/tickets", {"village_code": "nope", "title": 5, "severity": "x"})
    assert set(response.get_json()["errors"]) >= {"village_code", "title", "severity", "category"}


@pytest.mark.parametrize("kwargs", [
    {"data": "title=x", "content_type": "application/x-www-form-urlencoded"},
    {"data": "{not json", "content_type": "application/json"},
    {"data": "[1, 2]", "content_type": "application/json"},
    {"data": '"text"', "content_type": "application/json"},
    {"data": "", "content_type": "application/json"},
    {"data": b"\xff\xfe", "content_type": "application/json"},
    {"data": "[" * 100_000 + "]" * 100_000, "content_type": "application/json"},
])
def test_a_body_that_is_not_a_json_object_answers_422_naming_body(world, table_counts, kwargs):
    before = table_counts()
    response = world.client.post("/api/v1/tickets", headers=world.headers("babinsa"), **kwargs)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["body"]
    assert table_counts() == before


# --- reading one ticket ---------------------------------------------------------

def test_get_answers_the_ticket(world):
    ticket_id = world.open_ticket("babinsa", village_code=KEMIRI)
    response = world.get("koramil", f"/api/v1/tickets/{ticket_id}")
    assert response.status_code == 200
    assert set(response.get_json()) == TICKET_KEYS
    assert response.get_json()["id"] == ticket_id


@pytest.mark.parametrize("path", ["999999", str(2**70), "abc", "-1", "1.5", "0"])
def test_unknown_or_malformed_ids_answer_404(world, path):
    world.open_ticket("babinsa", village_code=KEMIRI)
    for suffix in ("", "/events"):
        response = world.get("admin", f"/api/v1/tickets/{path}{suffix}")
        assert response.status_code == 404
        assert set(response.get_json()) == {"error"}
    assert world.post("admin", f"/api/v1/tickets/{path}/transitions", {"action": "triage"}).status_code == 404
    assert world.post("admin", f"/api/v1/tickets/{path}/comments", {"body": "x"}).status_code == 404
    assert world.patch("admin", f"/api/v1/tickets/{path}", {"severity": "low", "reason": "x"}).status_code == 404


def test_writes_to_a_ticket_the_caller_cannot_see_answer_404_and_change_nothing(db, world, table_counts):
    ticket_id = world.open_ticket("babinsa", village_code=KEMIRI)
    sensitive_id = world.open_ticket("babinsa", village_code=KEMIRI, sensitive=True)
    before = table_counts()
    for who, target in (("koramil_jaten", ticket_id), ("babinsa_jaten", ticket_id),
                        ("kodim_wonogiri", ticket_id), ("babinsa_same_village", sensitive_id)):
        url = f"/api/v1/tickets/{target}"
        assert world.post(who, url + "/transitions", {"action": "triage"}).status_code == 404
        assert world.post(who, url + "/comments", {"body": "hello"}).status_code == 404
        assert world.patch(who, url, {"severity": "low", "reason": "x"}).status_code == 404
    assert table_counts() == before
    assert _ticket_row(db, ticket_id).status == "new"


# --- transitions ------------------------------------------------------------------

def test_the_life_cycle_through_the_api(world):
    ticket_id = world.open_ticket("babinsa", village_code=KEMIRI)
    url = f"/api/v1/tickets/{ticket_id}/transitions"
    steps = [
        ("koramil", {"action": "triage"}, "triaged", "koramil"),
        ("koramil", {"action": "escalate", "reason": "Butuh Kodim"}, "escalated", "kodim"),
        ("kodim", {"action": "start"}, "in_progress", "kodim"),
        ("kodim", {"action": "resolve", "reason": "Mediasi berhasil"}, "resolved", "kodim"),
        ("kodim", {"action": "close"}, "closed", "kodim"),
        ("kodim", {"action": "reopen", "reason": "Kambuh"}, "in_progress", "kodim"),
    ]
    for version, (who, body, status, level) in enumerate(steps, start=1):
        if level == "kodim" and who == "kodim":
            # The command chain (issue 13): at Kodim level the Koramil may no longer move it.
            refused = world.post("koramil", url, {**body, "version": version})
            assert refused.status_code in (403, 409), (body, refused.get_json())
        response = world.post(who, url, {**body, "version": version})
        assert response.status_code == 200, (body, response.get_json())
        answer = response.get_json()
        assert set(answer) == TICKET_KEYS
        assert (answer["status"], answer["level"], answer["version"]) == (status, level, version + 1)


def test_a_babinsa_may_start_and_resolve_a_koramil_level_ticket(world):
    ticket_id = world.open_ticket("babinsa", village_code=KEMIRI)
    url = f"/api/v1/tickets/{ticket_id}/transitions"
    assert world.post("babinsa", url, {"action": "start"}).get_json()["status"] == "in_progress"
    assert world.post("babinsa", url, {"action": "resolve", "reason": "Selesai"}).get_json()["status"] == "resolved"


@pytest.mark.parametrize("who,action", [
    ("babinsa", "triage"), ("babinsa", "escalate"), ("babinsa", "reject"), ("babinsa", "close"),
])
def test_an_action_the_role_may_not_take_answers_403(db, world, who, action):
    ticket_id = world.open_ticket("babinsa", village_code=KEMIRI)
    response = world.post(who, f"/api/v1/tickets/{ticket_id}/transitions", {"action": action, "reason": "r"})
    assert response.status_code == 403
    assert set(response.get_json()) == {"error"}
    assert _ticket_row(db, ticket_id).status == "new"


def test_koramil_may_not_start_an_escalated_ticket(world):
    ticket_id = world.open_ticket("babinsa", village_code=KEMIRI)
    url = f"/api/v1/tickets/{ticket_id}/transitions"
    world.post("koramil", url, {"action": "escalate", "reason": "Butuh Kodim"})
    assert world.post("koramil", url, {"action": "start"}).status_code == 403
    assert world.post("babinsa", url, {"action": "resolve", "reason": "x"}).status_code == 403


@pytest.mark.parametrize("action", ["close", "reopen", "resolve"])
def test_an_action_not_allowed_from_the_status_answers_409_and_changes_nothing(db, world, table_counts, action):
    ticket_id = world.open_ticket("babinsa", village_code=KEMIRI)
    before = table_counts()
    response = world.post("kodim", f"/api/v1/tickets/{ticket_id}/transitions", {"action": action, "reason": "r"})
    assert response.status_code == 409
    assert set(response.get_json()) == {"error"}
    assert table_counts() == before
    assert _ticket_row(db, ticket_id).status == "new"


def test_a_stale_version_answers_409_and_changes_nothing(db, world, table_counts):
    ticket_id = world.open_ticket("babinsa", village_code=KEMIRI)
    url = f"/api/v1/tickets/{ticket_id}/transitions"
    assert world.post("koramil", url, {"action": "triage", "version": 1}).status_code == 200
    before = table_counts()
    response = world.post("kodim", url, {"action": "reject", "reason": "Duplikat", "version": 1})
    assert response.status_code == 409
    assert table_counts() == before
    assert _ticket_row(db, ticket_id).status == "triaged"


@pytest.mark.parametrize("body,field", [
    ({"action": "approve"}, "action"),
    ({}, "action"),
    ({"action": 3}, "action"),
    ({"action": "escalate"}, "reason"),
    ({"action": "reject", "reason": "   "}, "reason"),
    ({"action": "reject", "reason": 5}, "reason"),
    ({"action": "triage", "version": "1"}, "version"),
    ({"action": "triage", "version": True}, "version"),
])
def test_bad_transition_input_answers_422_and_changes_nothing(db, world, table_counts, body, field):
    ticket_id = world.open_ticket("babinsa", village_code=KEMIRI)
    before = table_counts()
    response = world.post("koramil", f"/api/v1/tickets/{ticket_id}/transitions", body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert table_counts() == before
    assert _ticket_row(db, ticket_id).version == 1


def test_two_clients_acting_on_one_copy_one_wins_the_other_gets_409(db, world):
    ticket_id = world.open_ticket("babinsa", village_code=KEMIRI)
    url = f"/api/v1/tickets/{ticket_id}/transitions"
    version = world.get("koramil", f"/api/v1/tickets/{ticket_id}").get_json()["version"]
    first = world.post("koramil", url, {"action": "triage", "version": version})
    second = world.post("kodim", url, {"action": "reject", "reason": "Duplikat", "version": version})
    assert (first.status_code, second.status_code) == (200, 409)
    kinds = [e.kind for e in db.session.execute(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id))
             .scalars()]
    assert kinds == ["created", "status"]


# --- reclassifying ----------------------------------------------------------------

@pytest.mark.parametrize("who", ["koramil", "kodim", "admin"])
def test_commanders_change_severity_and_category_with_a_reason(app, world, who):
    ticket_id = world.open_ticket("babinsa", village_code=KEMIRI, severity="low", category="hoax")
    response = world.patch(who, f"/api/v1/tickets/{ticket_id}",
                           {"severity": "critical", "category": "social_conflict", "reason": "Massa berkumpul"})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["severity"], body["category"], body["version"]) == ("critical", "social_conflict", 2)
    assert body["due_at"] == (NOW + timedelta(hours=app.config["DUE_HOURS"]["critical"])).isoformat()
    events = world.get(who, f"/api/v1/tickets/{ticket_id}/events").get_json()["items"]
    assert [(e["kind"], e["from"], e["to"], e["reason"]) for e in events[1:]] == [
        ("severity", "low", "critical", "Massa berkumpul"),
        ("category", "hoax", "social_conflict", "Massa berkumpul"),
    ]


def test_a_babinsa_may_not_reclassify(db, world):
    ticket_id = world.open_ticket("babinsa", village_code=KEMIRI, severity="low")
    response = world.patch("babinsa", f"/api/v1/tickets/{ticket_id}", {"severity": "high", "reason": "x"})
    assert response.status_code == 403
    assert _ticket_row(db, ticket_id).severity == "low"


@pytest.mark.parametrize("body,field", [
    ({"severity": "high"}, "reason"),
    ({"reason": "x"}, "severity"),
    ({"severity": "huge", "reason": "x"}, "severity"),
    ({"category": "votes", "reason": "x"}, "category"),
    ({"severity": "high", "reason": "x", "version": "one"}, "version"),
])
def test_bad_reclassification_answers_422_and_changes_nothing(db, world, table_counts, body, field):
    ticket_id = world.open_ticket("babinsa", village_code=KEMIRI, severity="low")
    before = table_counts()
    response = world.patch("koramil", f"/api/v1/tickets/{ticket_id}", body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert table_counts() == before
    assert _ticket_row(db, ticket_id).severity == "low"


def test_reclassifying_a_stale_copy_answers_409(db, world):
    ticket_id = world.open_ticket("babinsa", village_code=KEMIRI, severity="low")
    world.post("koramil", f"/api/v1/tickets/{ticket_id}/transitions", {"action": "triage"})
    response = world.patch("kodim", f"/api/v1/tickets/{ticket_id}", {"severity": "high", "reason": "x", "version": 1})
    assert response.status_code == 409
    assert _ticket_row(db, ticket_id).severity == "low"


# --- comments and events ------------------------------------------------------------

def test_a_comment_answers_201_with_its_event(world):
    ticket_id = world.open_ticket("babinsa", village_code=KEMIRI)
    response = world.post("babinsa_same_village", f"/api/v1/tickets/{ticket_id}/comments",
                          {"body": "Saya juga dengar <b>ini</b>."})
    assert response.status_code == 201
    assert response.get_json() == {"kind": "comment", "actor": "babinsa.kemiri2", "at": "2026-03-10T02:00:00+00:00",
                                   "from": None, "to": None, "reason": "Saya juga dengar <b>ini</b>."}


@pytest.mark.parametrize("body", [{}, {"body": ""}, {"body": 12}, {"body": "x" * 10_001}])
def test_a_bad_comment_answers_422_naming_body(world, table_counts, body):
    ticket_id = world.open_ticket("babinsa", village_code=KEMIRI)
    before = table_counts()
    response = world.post("babinsa", f"/api/v1/tickets/{ticket_id}/comments", body)
    assert response.status_code == 422
    assert "body" in response.get_json()["errors"]
    assert table_counts() == before


def test_events_are_listed_oldest_first_with_the_system_as_a_null_actor(db, world, clock):
    from tracker.tickets.services import record_event

    ticket_id = world.open_ticket("babinsa", village_code=KEMIRI)
    clock.shift(timedelta(minutes=5))
    world.post("koramil", f"/api/v1/tickets/{ticket_id}/transitions", {"action": "triage"})
    clock.shift(timedelta(minutes=5))
    record_event(db.session.get(Ticket, ticket_id), None, "flag_raised", reason="Pilkades lead-up")
    db.session.commit()
    clock.shift(timedelta(minutes=5))
    world.post("babinsa", f"/api/v1/tickets/{ticket_id}/comments", {"body": "Update"})
    response = world.get("babinsa", f"/api/v1/tickets/{ticket_id}/events")
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert all(set(item) == EVENT_KEYS for item in items)
    assert [(e["kind"], e["actor"], e["from"], e["to"], e["reason"]) for e in items] == [
        ("created", "babinsa.kemiri", None, "new", ""),
        ("status", "danramil.kebakkramat", "new", "triaged", ""),
        ("flag_raised", None, None, None, "Pilkades lead-up"),
        ("comment", "babinsa.kemiri", None, None, "Update"),
    ]
    times = [datetime.fromisoformat(e["at"]) for e in items]
    assert times == sorted(times) and times[0] == NOW


# --- the list -------------------------------------------------------------------------

def test_the_list_answers_items_total_page_per_page_newest_first(world, clock):
    ids = []
    for n in range(3):
        ids.append(world.open_ticket("babinsa", village_code=KEMIRI, title=f"Ticket {n}"))
        clock.shift(timedelta(minutes=1))
    body = world.get("babinsa", "/api/v1/tickets").get_json()
    assert set(body) == {"items", "total", "page", "per_page", "next"}
    assert (body["total"], body["page"], body["per_page"], body["next"]) == (3, 1, 25, None)
    assert [t["id"] for t in body["items"]] == ids[::-1]
    assert all(set(t) == TICKET_KEYS for t in body["items"])
    page2 = world.get("babinsa", "/api/v1/tickets?per_page=2&page=2").get_json()
    assert [t["id"] for t in page2["items"]] == [ids[0]] and page2["total"] == 3


def test_following_next_walks_every_ticket_once_newest_first(world, clock):
    ids = []
    for n in range(7):
        ids.append(world.open_ticket("babinsa", village_code=KEMIRI, title=f"Ticket {n}"))
        if n % 3 == 2:  # some tickets share their reported_at: the id breaks the tie
            clock.shift(timedelta(minutes=1))
    expected = sorted(ids, key=lambda i: (ids.index(i) // 3, i), reverse=True)
    seen, url = [], "/api/v1/tickets?per_page=3&count=false"
    for _ in range(5):
        body = world.get("kodim", url).get_json()
        assert body["total"] is None
        seen += [t["id"] for t in body["items"]]
        if body["next"] is None:
            break
        url = f"/api/v1/tickets?per_page=3&count=false&after={body['next']}"
    assert seen == expected


def test_the_cursor_keeps_the_filters_and_the_total(world, clock):
    for n in range(4):
        world.open_ticket("babinsa", village_code=KEMIRI, title=f"Ticket {n}", severity=("low", "high")[n % 2])
        clock.shift(timedelta(minutes=1))
    first = world.get("kodim", "/api/v1/tickets?severity=high&per_page=1").get_json()
    assert first["total"] == 2 and first["next"]
    second = world.get("kodim", f"/api/v1/tickets?severity=high&per_page=1&after={first['next']}").get_json()
    assert second["total"] == 2 and second["next"] is None
    assert [t["severity"] for t in first["items"] + second["items"]] == ["high", "high"]
    assert first["items"][0]["id"] != second["items"][0]["id"]


@pytest.mark.parametrize("query, field", [
    ("after=yesterday", "after"), ("after=12.x", "after"), ("after=1.0", "after"),
    ("after=99999999999999999999999.1", "after"), ("page=2&after=1.1", "after"), ("count=maybe", "count"),
])
def test_a_bad_cursor_or_count_answers_422_naming_it(world, query, field):
    response = world.get("kodim", f"/api/v1/tickets?{query}")
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_per_page_may_be_100_but_not_more(world):
    assert world.get("kodim", "/api/v1/tickets?per_page=100").status_code == 200
    response = world.get("kodim", "/api/v1/tickets?per_page=101")
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["per_page"]


def test_filters_narrow_the_list_and_its_total(world, flag_ticket):
    a = world.open_ticket("babinsa", village_code=KEMIRI, category="hoax", severity="low", title="Hoaks vaksin")
    b = world.open_ticket("babinsa_same_village", village_code=WARU, category="crime", severity="high",
                          title="Pencurian motor", description="Di dekat BALAI desa")
    c = world.open_ticket("babinsa_jaten", village_code=JATEN, category="crime", severity="high",
                          title="Perkelahian pemuda")
    world.post("kodim", f"/api/v1/tickets/{c}/transitions", {"action": "triage"})
    flag_ticket(b)

    def ids(query):
        body = world.get("kodim", f"/api/v1/tickets?{query}").get_json()
        assert body["total"] == len(body["items"])
        return {t["id"] for t in body["items"]}

    assert ids("") == {a, b, c}
    assert ids("status=new") == {a, b}
    assert ids("status=triaged") == {c}
    assert ids("status=open") == {a, b, c}
    assert ids("severity=high") == {b, c}
    assert ids("category=hoax") == {a}
    assert ids(f"village_code={WARU}") == {b}
    assert ids("village_code=3313142007") == {b}
    assert ids("district_code=33.13.11") == {c}
    assert ids("flagged=true") == {b}
    assert ids("flagged=false") == {a, c}
    assert ids("q=balai") == {b}
    assert ids("q=PENCURIAN") == {b}
    assert ids("q=%25") == set()
    assert ids("category=crime&severity=high&district_code=33.13.14") == {b}
    assert ids("date_from=2026-03-10&date_to=2026-03-10") == {a, b, c}
    assert ids("date_from=2026-03-11") == set()
    flagged_item = [t for t in world.get("kodim", "/api/v1/tickets").get_json()["items"] if t["id"] == b]
    assert flagged_item[0]["flagged"] is True
    assert world.get("kodim", f"/api/v1/tickets/{b}").get_json()["flagged"] is True


@pytest.mark.parametrize("query,field", [
    ("status=bogus", "status"), ("severity=9", "severity"), ("category=votes", "category"),
    ("village_code=kemiri", "village_code"), ("district_code=x", "district_code"), ("flagged=maybe", "flagged"),
    ("date_from=yesterday", "date_from"), ("date_from=0001-01-01", "date_from"), ("date_to=9999-12-31", "date_to"),
    ("date_from=2026-03-10&date_to=2026-03-09", "date_to"), ("q=" + "x" * 201, "q"), ("q=a%00b", "q"),
    ("page=-1", "page"),
])
def test_a_bad_filter_answers_422_naming_it(world, query, field):
    response = world.get("kodim", f"/api/v1/tickets?{query}")
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


@pytest.mark.parametrize("rows", [5, 50])
def test_the_list_runs_the_same_few_queries_for_5_and_50_tickets(db, world, count_queries, flag_ticket, rows):
    """Village, reporter and flag of every row come from the page's queries, never one per row."""
    reporters = ["babinsa", "babinsa_same_village"]
    ids = [world.open_ticket(reporters[n % 2], village_code=(KEMIRI, WARU)[n % 2] if n % 2 else KEMIRI)
           for n in range(rows)]
    flag_ticket(ids[0])
    world.headers("kodim")
    db.session.expire_all()  # as in a fresh request: nothing cached in the session
    with count_queries() as statements:
        response = world.get("kodim", "/api/v1/tickets?per_page=100")
    assert response.status_code == 200 and response.get_json()["total"] == rows
    # the token's user, the Kodim's kabupaten codes, count, and the page with
    # village, reporter and flag in the same statement.
    assert len(statements) == 4, statements
