"""Positions and photo counts in the API (issue 12): tickets and visits take latitude, longitude and
accuracy_m (all three or none, inside Indonesia, at most 5 km uncertain) and answer them; a ticket's
JSON counts its photos, with no query per ticket in a list; a sensitive ticket's position is seen only
where the ticket is."""
import pytest

from tests.attachments import images
from tests.plugins.world import KEMIRI, WARU
from tracker.attachments.services import Upload, add_photos
from tracker.extensions import db
from tracker.tickets.models import Ticket
from tracker.visits.models import Visit

TICKET = {"village_code": KEMIRI, "category": "hoax", "severity": "medium", "title": "Hoaks bansos"}
VISIT = {"village_code": KEMIRI, "visited_on": "2026-03-09"}
# Kemiri, Kebakkramat (Karanganyar), as a phone reports it.
HERE = {"latitude": -7.5583412, "longitude": 110.9102266, "accuracy_m": 12.4}
STORED = {"latitude": -7.558341, "longitude": 110.910227, "accuracy_m": 12.4}
NOWHERE = {"latitude": None, "longitude": None, "accuracy_m": None}


def photos(ticket_id, n, user):
    ticket = db.session.get(Ticket, ticket_id)
    add_photos(user, ticket, [Upload(f"{i}.jpg", images.jpeg()) for i in range(n)])
    db.session.commit()


@pytest.mark.parametrize("url, body", [("/api/v1/tickets", TICKET), ("/api/v1/visits", VISIT)])
def test_a_position_is_stored_rounded_and_answered(world, url, body):
    response = world.post("babinsa", url, {**body, **HERE})
    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    assert {k: answer[k] for k in STORED} == STORED
    record = db.session.get(Ticket if "tickets" in url else Visit, answer["id"])
    assert (record.latitude, record.longitude, record.accuracy_m) == tuple(STORED.values())


@pytest.mark.parametrize("url, body", [("/api/v1/tickets", TICKET), ("/api/v1/visits", VISIT)])
def test_without_a_position_the_fields_are_null(world, url, body):
    answer = world.post("babinsa", url, body).get_json()
    assert {k: answer[k] for k in NOWHERE} == NOWHERE


@pytest.mark.parametrize("url, body", [("/api/v1/tickets", TICKET), ("/api/v1/visits", VISIT)])
@pytest.mark.parametrize("change, fields", [
    ({"latitude": 7.2}, {"latitude"}),                        # north of Weh
    ({"latitude": -11.5}, {"latitude"}),                      # south of Rote
    ({"longitude": 94.5}, {"longitude"}),                     # west of Sabang
    ({"longitude": 141.5}, {"longitude"}),                    # east of Merauke
    ({"accuracy_m": 5001}, {"accuracy_m"}),
    ({"accuracy_m": -1}, {"accuracy_m"}),
    ({"latitude": "utara"}, {"latitude"}),
    ({"longitude": True}, {"longitude"}),
    ({"accuracy_m": None}, {"accuracy_m"}),                   # two of the three
])
def test_a_bad_position_is_422_naming_the_field_and_writes_nothing(world, table_counts, url, body, change, fields):
    counts = table_counts()
    response = world.post("babinsa", url, {**body, **HERE, **change})
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == fields
    assert table_counts() == counts


def test_a_bad_position_is_named_with_every_other_bad_field(world):
    response = world.post("babinsa", "/api/v1/tickets", {**TICKET, **HERE, "title": "", "latitude": 12})
    assert set(response.get_json()["errors"]) == {"title", "latitude"}


def test_the_ticket_json_counts_its_photos(world):
    ticket_id = world.open_ticket("babinsa", village_code=KEMIRI)
    assert world.get("babinsa", f"/api/v1/tickets/{ticket_id}").get_json()["attachments"] == 0
    photos(ticket_id, 2, world.users["babinsa"])
    assert world.get("babinsa", f"/api/v1/tickets/{ticket_id}").get_json()["attachments"] == 2
    changed = world.post("kodim", f"/api/v1/tickets/{ticket_id}/transitions", {"action": "triage"})
    assert changed.get_json()["attachments"] == 2


def test_the_list_counts_each_tickets_photos_in_the_same_few_queries(db, world, count_queries):
    ids = [world.open_ticket("babinsa", village_code=KEMIRI, title=f"t{n}") for n in range(6)]
    for n, ticket_id in enumerate(ids[:3]):
        photos(ticket_id, n + 1, world.users["babinsa"])
    world.headers("kodim")
    db.session.expire_all()
    with count_queries() as statements:
        response = world.get("kodim", "/api/v1/tickets?per_page=100")
    assert {t["id"]: t["attachments"] for t in response.get_json()["items"]} == {
        ids[0]: 1, ids[1]: 2, ids[2]: 3, ids[3]: 0, ids[4]: 0, ids[5]: 0}
    # As without photos (test_tickets.py): the user, the area, the count, the page with its counts.
    assert len(statements) == 4, statements


def test_a_sensitive_tickets_position_is_seen_only_where_the_ticket_is(world):
    ticket_id = world.post("babinsa", "/api/v1/tickets", {**TICKET, **HERE, "sensitive": True}).get_json()["id"]
    assert world.get("koramil", f"/api/v1/tickets/{ticket_id}").get_json()["latitude"] == STORED["latitude"]
    assert world.get("babinsa_same_village", f"/api/v1/tickets/{ticket_id}").status_code == 404
    listed = world.get("babinsa_same_village", "/api/v1/tickets").get_json()["items"]
    assert ticket_id not in {t["id"] for t in listed}


def test_a_visit_outside_the_area_with_a_position_is_403(world, table_counts):
    counts = table_counts()
    assert world.post("babinsa", "/api/v1/visits", {**VISIT, **HERE, "village_code": WARU}).status_code == 403
    assert table_counts() == counts


def test_the_openapi_schemas_describe_the_position_and_the_count(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    for name in ("TicketInput", "VisitInput"):
        assert {"latitude", "longitude", "accuracy_m"} <= set(schemas[name]["properties"])
        assert schemas[name]["properties"]["latitude"]["minimum"] == -11.0
    for name in ("Ticket", "Visit"):
        assert {"latitude", "longitude", "accuracy_m"} <= set(schemas[name]["required"])
        assert schemas[name]["properties"]["accuracy_m"]["nullable"] is True
    assert schemas["Ticket"]["properties"]["attachments"]["type"] == "integer"
