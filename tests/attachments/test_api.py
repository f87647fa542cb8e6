"""POST/GET /api/v1/tickets/<id>/attachments and GET /api/v1/attachments/<id>: the contract of issue 12."""
import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from tests.attachments import images
from tests.plugins.photos import upload
from tracker.attachments.models import Attachment, AttachmentBlob
from tracker.extensions import db

KEYS = {"id", "ticket_id", "content_type", "width", "height", "bytes", "created_at", "url", "thumbnail_url"}


def photo_count(ticket_id):
    return db.session.scalar(select(func.count()).select_from(Attachment).where(Attachment.ticket_id == ticket_id))


@pytest.fixture
def ticket(tickets):
    return tickets["plain"]


@pytest.fixture
def babinsa(world, bearer):
    return bearer(world.babinsa)


def test_a_photo_is_added_and_described(client, ticket, babinsa):
    response = upload(client, ticket.id, babinsa, images.jpeg((3000, 2000)), name="spanduk.jpg")

    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == KEYS
    assert body["ticket_id"] == ticket.id and body["content_type"] == "image/jpeg"
    assert (body["width"], body["height"]) == (1600, 1067)
    assert body["url"] == f"/api/v1/attachments/{body['id']}"
    assert body["thumbnail_url"] == f"/api/v1/attachments/{body['id']}?size=thumb"
    assert body["created_at"].endswith("+00:00")
    image = client.get(body["url"], headers=babinsa)
    assert image.status_code == 200 and image.mimetype == "image/jpeg"
    assert len(image.data) == body["bytes"]
    assert Image.open(io.BytesIO(image.data)).size == (1600, 1067)
    assert image.headers["Cache-Control"].startswith("private")
    thumbnail = client.get(body["thumbnail_url"], headers=babinsa)
    assert thumbnail.status_code == 200 and thumbnail.headers["Cache-Control"].startswith("private")
    assert Image.open(io.BytesIO(thumbnail.data)).size == (320, 213)


def test_the_list_gives_every_photo_of_the_ticket_oldest_first(client, ticket, tickets, babinsa, world, attach):
    first, second = attach(ticket, world.babinsa), attach(ticket, world.koramil)
    attach(tickets["sensitive"], world.babinsa)
    response = client.get(f"/api/v1/tickets/{ticket.id}/attachments", headers=babinsa)
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [item["id"] for item in items] == [first.id, second.id]
    assert all(set(item) == KEYS for item in items)


def test_the_stored_photo_has_no_exif_gps(client, ticket, babinsa):
    body = upload(client, ticket.id, babinsa, images.jpeg_with_gps(orientation=6)).get_json()
    for url in (body["url"], body["thumbnail_url"]):
        data = client.get(url, headers=babinsa).data
        assert images.metadata_in(data) == []
        assert dict(Image.open(io.BytesIO(data)).getexif()) == {}
    blob = db.session.get(AttachmentBlob, body["id"])
    assert images.metadata_in(blob.image) == [] and images.metadata_in(blob.thumbnail) == []


def test_the_timeline_records_who_added_each_photo(client, ticket, babinsa):
    body = upload(client, ticket.id, babinsa).get_json()
    events = client.get(f"/api/v1/tickets/{ticket.id}/events", headers=babinsa).get_json()["items"]
    added = [event for event in events if event["kind"] == "photo_added"]
    assert len(added) == 1
    assert added[0]["actor"] == "babinsa" and added[0]["to"] == str(body["id"]) and added[0]["at"]


@pytest.mark.parametrize("data, name", [
    (images.gif(), "kartu.gif"), (images.bmp(), "scan.bmp"), (images.HEIC_HEADER, "IMG_0001.HEIC"),
    (b"%PDF-1.7", "surat.pdf"),
])
def test_another_type_is_refused_naming_the_file(client, ticket, babinsa, data, name):
    response = upload(client, ticket.id, babinsa, data, name=name)
    assert response.status_code == 422
    assert response.get_json() == {"errors": {"file": [f"{name} bukan foto JPEG, PNG, atau WebP."]}}
    assert photo_count(ticket.id) == 0


def test_messages_follow_the_requested_language(client, ticket, babinsa):
    response = client.post(f"/api/v1/tickets/{ticket.id}/attachments?lang=en", headers=babinsa,
                           data={"file": (io.BytesIO(images.gif()), "kartu.gif")}, content_type="multipart/form-data")
    assert response.get_json() == {"errors": {"file": ["kartu.gif is not a JPEG, PNG or WebP photo."]}}


def test_a_file_over_the_byte_limit_is_refused_naming_it(app, client, ticket, babinsa):
    app.config["ATTACHMENT_MAX_BYTES"] = 2 * 1024 * 1024
    big = images.encode(Image.effect_noise((1500, 1500), 80).convert("RGB"), "PNG")
    assert len(big) > 2 * 1024 * 1024
    response = upload(client, ticket.id, babinsa, big, name="besar.png")
    assert response.status_code == 422
    assert response.get_json() == {"errors": {"file": ["besar.png lebih besar dari 2 MB."]}}
    assert photo_count(ticket.id) == 0


def test_a_decompression_bomb_is_refused_naming_it(client, ticket, babinsa):
    response = upload(client, ticket.id, babinsa, images.png_bomb(), name="bom.png")
    assert response.status_code == 422
    assert response.get_json()["errors"]["file"] == ["bom.png memiliki terlalu banyak piksel (lebih dari 40 megapiksel)."]


def test_a_damaged_photo_is_refused_naming_it(client, ticket, babinsa):
    data = images.jpeg((800, 600))
    response = upload(client, ticket.id, babinsa, data[: len(data) // 2], name="rusak.jpg")
    assert response.status_code == 422
    assert response.get_json()["errors"]["file"] == ["rusak.jpg tidak dapat dibaca sebagai foto; mungkin berkasnya rusak."]


def test_a_ticket_holds_at_most_three_photos(client, ticket, babinsa, world, attach):
    for _ in range(3):
        attach(ticket, world.babinsa)
    response = upload(client, ticket.id, babinsa)
    assert response.status_code == 422
    assert response.get_json() == {"errors": {"file": ["Satu tiket paling banyak 3 foto; tiket ini sudah memiliki 3."]}}
    assert photo_count(ticket.id) == 3
    events = client.get(f"/api/v1/tickets/{ticket.id}/events", headers=babinsa).get_json()["items"]
    assert sum(event["kind"] == "photo_added" for event in events) == 3


def test_no_file_or_two_files_are_refused(client, ticket, babinsa):
    missing = client.post(f"/api/v1/tickets/{ticket.id}/attachments", headers=babinsa, data={},
                          content_type="multipart/form-data")
    assert missing.status_code == 422 and missing.get_json() == {"errors": {"file": ["Lampirkan foto."]}}
    two = upload(client, ticket.id, babinsa, [(images.jpeg(), "a.jpg"), (images.jpeg(), "b.jpg")])
    assert two.status_code == 422 and two.get_json() == {"errors": {"file": ["Kirim satu foto per permintaan."]}}
    assert photo_count(ticket.id) == 0


def test_a_body_over_the_request_limit_answers_413_in_json(app, client, ticket, babinsa):
    app.config["MAX_CONTENT_LENGTH"] = 20_000
    response = upload(client, ticket.id, babinsa, images.encode(Image.effect_noise((300, 300), 80), "PNG"))
    assert response.status_code == 413
    assert response.mimetype == "application/json" and set(response.get_json()) == {"error"}
    assert photo_count(ticket.id) == 0


def test_a_body_over_the_request_limit_answers_a_readable_page_on_the_web(app, world, web):
    app.config["MAX_CONTENT_LENGTH"] = 20_000
    response = web(world.babinsa).post("/tickets/new", data={"title": "x" * 30_000, "village_code": "33.13.14.2005"})
    assert response.status_code == 413
    assert response.mimetype == "text/html"
    assert "<html" in response.get_data(as_text=True)


def test_a_ticket_out_of_reach_answers_404(client, babinsa):
    assert upload(client, 999_999, babinsa).status_code == 404
    assert client.get("/api/v1/tickets/999999/attachments", headers=babinsa).status_code == 404
    assert client.get("/api/v1/attachments/999999", headers=babinsa).status_code == 404
