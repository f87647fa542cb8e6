"""Photos in the ticket tests' world: a plain and a sensitive ticket in Kemiri, bearer tokens, uploads.

Shared by the attachments, field and idempotency tests.
"""
import io

import pytest

from tests.attachments import images
from tracker.extensions import db


@pytest.fixture
def tickets(world, make_ticket):
    """Two tickets the Kemiri Babinsa filed: ``plain`` and ``sensitive`` (need-to-know)."""
    return {
        "plain": make_ticket(world.babinsa, title="Spanduk provokatif di balai desa"),
        "sensitive": make_ticket(world.babinsa, title="Informan melapor", category="identity_politics",
                                 sensitive=True),
    }


@pytest.fixture
def bearer(app):
    """Function: Authorization headers with a fresh API token for a user."""
    from tracker.auth.services import issue_token

    def headers(user, **extra):
        token, _row = issue_token(user)
        db.session.commit()
        return {"Authorization": f"Bearer {token}", **extra}

    return headers


@pytest.fixture
def attach(app):
    """Function: attach(ticket, user, data=None, name="foto.jpg") adds a photo through the service."""
    from tracker.attachments.services import Upload, add_photos

    def add(ticket, user, data=None, name="foto.jpg"):
        [attachment] = add_photos(user, ticket, [Upload(name, data or images.jpeg())])
        db.session.commit()
        return attachment

    return add


def upload(client, ticket_id, headers, data=None, name="foto.jpg", field="file"):
    """POST one file to the API's attachments of a ticket, as multipart/form-data."""
    files = data if isinstance(data, list) else [(data or images.jpeg(), name)]
    body = {field: [(io.BytesIO(content), filename) for content, filename in files]}
    return client.post(f"/api/v1/tickets/{ticket_id}/attachments", data=body, headers=headers,
                       content_type="multipart/form-data")
