"""Idempotency-Key on POST /api/v1/tickets/<id>/attachments: a replay creates nothing new."""
import pytest
from PIL import Image
from sqlalchemy import func, select

from tests.attachments import images
from tests.plugins.photos import upload
from tracker.attachments.models import Attachment
from tracker.extensions import db
from tracker.tickets.models import TicketEvent

KEY = "c0ffee00-1111-4222-8333-444455556666"


def counts():
    return (db.session.scalar(select(func.count()).select_from(Attachment)),
            db.session.scalar(select(func.count()).select_from(TicketEvent).where(TicketEvent.kind == "photo_added")))


@pytest.fixture
def ticket(tickets):
    return tickets["plain"]


def test_the_same_key_and_photo_answer_the_first_answer_and_add_nothing(client, world, ticket, bearer):
    headers = bearer(world.babinsa, **{"Idempotency-Key": KEY})
    # Over 500 KB: the server spools it to a temporary file, which the fingerprint reads and rewinds.
    photo = images.encode(Image.effect_noise((800, 800), 80).convert("RGB"), "PNG")
    assert len(photo) > 600_000
    first = upload(client, ticket.id, headers, photo, name="a.jpg")
    again = upload(client, ticket.id, headers, photo, name="sent-again.jpg")
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert counts() == (1, 1)


def test_the_same_key_with_another_photo_is_409_and_changes_nothing(client, world, ticket, bearer):
    headers = bearer(world.babinsa, **{"Idempotency-Key": KEY})
    assert upload(client, ticket.id, headers, images.jpeg((900, 600))).status_code == 201
    other = upload(client, ticket.id, headers, images.png())
    assert other.status_code == 409 and set(other.get_json()) == {"error"}
    assert counts() == (1, 1)


def test_the_same_key_on_another_ticket_is_409(client, world, tickets, bearer):
    headers = bearer(world.babinsa, **{"Idempotency-Key": KEY})
    photo = images.jpeg()
    assert upload(client, tickets["plain"].id, headers, photo).status_code == 201
    assert upload(client, tickets["sensitive"].id, headers, photo).status_code == 409
    assert counts() == (1, 1)


def test_another_users_same_key_is_independent(client, world, ticket, bearer):
    photo = images.jpeg()
    mine = upload(client, ticket.id, bearer(world.babinsa, **{"Idempotency-Key": KEY}), photo)
    theirs = upload(client, ticket.id, bearer(world.koramil, **{"Idempotency-Key": KEY}), photo)
    assert mine.status_code == theirs.status_code == 201
    assert mine.get_json()["id"] != theirs.get_json()["id"]
    assert counts() == (2, 2)


def test_a_refused_upload_does_not_use_up_its_key(client, world, ticket, bearer):
    headers = bearer(world.babinsa, **{"Idempotency-Key": KEY})
    assert upload(client, ticket.id, headers, images.gif(), name="a.gif").status_code == 422
    corrected = upload(client, ticket.id, headers, images.jpeg())
    assert corrected.status_code == 201
    assert counts() == (1, 1)


@pytest.mark.parametrize("key", ["", "x" * 101, "kunci-é"])
def test_a_bad_key_is_refused_naming_the_header(client, world, ticket, bearer, key):
    response = upload(client, ticket.id, bearer(world.babinsa, **{"Idempotency-Key": key}))
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["Idempotency-Key"]
    assert counts() == (0, 0)


def test_without_a_key_each_request_adds_a_photo(client, world, ticket, bearer):
    headers = bearer(world.babinsa)
    photo = images.jpeg()
    assert upload(client, ticket.id, headers, photo).status_code == 201
    assert upload(client, ticket.id, headers, photo).status_code == 201
    assert counts() == (2, 2)


def test_the_openapi_document_describes_the_header(client):
    operation = client.get("/api/v1/openapi.json").get_json()["paths"]["/tickets/{ticket_id}/attachments"]["post"]
    header = [p for p in operation["parameters"] if p["in"] == "header"]
    assert [p["name"] for p in header] == ["Idempotency-Key"]
    assert header[0]["schema"]["maxLength"] == 100 and "409" in operation["responses"]
