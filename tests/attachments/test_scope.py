"""A photo follows its ticket's scope exactly, sensitive tickets included: 404 outside it, on every path."""
import pytest
from sqlalchemy import func, select

from tests.attachments import images
from tests.plugins.photos import upload
from tracker.attachments.models import Attachment
from tracker.extensions import db

USERS = ("babinsa", "babinsa_same", "babinsa_waru", "koramil", "koramil_other", "kodim", "kodim_other", "admin")
# Who sees each ticket the Kemiri Babinsa filed: his own village's other Babinsa sees the plain one only.
SEES = {
    "plain": {"babinsa", "babinsa_same", "koramil", "kodim", "admin"},
    "sensitive": {"babinsa", "koramil", "kodim", "admin"},
}
MATRIX = [(user, kind) for kind in SEES for user in USERS]


def _photo_count(ticket_id):
    return db.session.scalar(select(func.count()).select_from(Attachment).where(Attachment.ticket_id == ticket_id))


@pytest.mark.parametrize("who, kind", MATRIX, ids=[f"{w}-{k}" for w, k in MATRIX])
def test_the_web_image_follows_the_tickets_scope(world, tickets, attach, web, who, kind):
    attachment = attach(tickets[kind], world.babinsa)
    client = web(world.users[who])
    for url in (f"/attachments/{attachment.id}", f"/attachments/{attachment.id}?size=thumb"):
        response = client.get(url)
        if who in SEES[kind]:
            assert response.status_code == 200, url
            assert response.mimetype == "image/jpeg"
            assert response.headers["Cache-Control"].startswith("private")
            assert images.jpeg_segments(response.data)
        else:
            assert response.status_code == 404, url
            assert response.mimetype == "text/html"


@pytest.mark.parametrize("who, kind", MATRIX, ids=[f"{w}-{k}" for w, k in MATRIX])
def test_the_api_photos_follow_the_tickets_scope(client, world, tickets, attach, bearer, who, kind):
    ticket = tickets[kind]
    attachment = attach(ticket, world.babinsa)
    headers = bearer(world.users[who])
    sees = who in SEES[kind]
    expected = 200 if sees else 404

    assert client.get(f"/api/v1/attachments/{attachment.id}", headers=headers).status_code == expected
    assert client.get(f"/api/v1/attachments/{attachment.id}?size=thumb", headers=headers).status_code == expected
    listing = client.get(f"/api/v1/tickets/{ticket.id}/attachments", headers=headers)
    assert listing.status_code == expected
    if sees:
        assert [item["id"] for item in listing.get_json()["items"]] == [attachment.id]

    # Whoever sees a ticket may comment on it, and so add a photo; nobody else learns it exists.
    added = upload(client, ticket.id, headers)
    assert added.status_code == (201 if sees else 404), added.get_json()
    assert _photo_count(ticket.id) == (2 if sees else 1)


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, world, tickets, attach):
    attachment = attach(tickets["plain"], world.babinsa)
    response = client.get(f"/attachments/{attachment.id}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_api_wants_a_bearer_token(client, world, tickets, attach):
    attachment = attach(tickets["plain"], world.babinsa)
    assert client.get(f"/api/v1/attachments/{attachment.id}").status_code == 401
    assert client.get(f"/api/v1/tickets/{tickets['plain'].id}/attachments").status_code == 401
    assert upload(client, tickets["plain"].id, {}).status_code == 401
    assert _photo_count(tickets["plain"].id) == 1


def test_an_unknown_photo_or_size_answers_404(world, tickets, attach, web):
    attachment = attach(tickets["plain"], world.babinsa)
    client = web(world.admin)
    assert client.get(f"/attachments/{attachment.id + 1000}").status_code == 404
    assert client.get(f"/attachments/{attachment.id}?size=original").status_code == 404
    assert client.get(f"/attachments/{attachment.id}?size=full").status_code == 200
