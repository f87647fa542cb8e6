"""add_photos: checks every file before writing, names each refused one, and keeps the limit of three
even when two uploads for one ticket arrive at once."""
import threading

import pytest
from sqlalchemy import func, select

from tests.attachments import images
from tracker.attachments.models import Attachment, AttachmentBlob
from tracker.attachments.services import Upload, add_photos, display_name, photo_counts, read_uploads
from tracker.errors import ValidationError
from tracker.extensions import db


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_one_bad_file_among_good_ones_writes_nothing_and_names_each_bad_one(app, world, tickets):
    uploads = [Upload("baik.jpg", images.jpeg()), Upload("kartu.gif", images.gif()), Upload("bom.png", images.png_bomb())]
    with pytest.raises(ValidationError) as refused:
        add_photos(world.babinsa, tickets["plain"], uploads, field="photos")
    messages = refused.value.errors["photos"]
    assert len(messages) == 2 and "kartu.gif" in messages[0] and "bom.png" in messages[1]
    db.session.rollback()
    assert count(Attachment) == count(AttachmentBlob) == 0


def test_photos_are_stored_with_their_thumbnails_and_counted_per_ticket(app, world, tickets):
    added = add_photos(world.babinsa, tickets["plain"], [Upload("a.jpg", images.jpeg()), Upload("b.png", images.png())])
    db.session.commit()
    assert [a.uploader_id for a in added] == [world.babinsa.id] * 2
    assert all(a.storage == "database" and a.byte_size == len(db.session.get(AttachmentBlob, a.id).image)
               for a in added)
    assert photo_counts([tickets["plain"].id, tickets["sensitive"].id]) == {tickets["plain"].id: 2}
    assert photo_counts([]) == {}


def test_an_empty_file_input_is_no_upload(app):
    from werkzeug.datastructures import FileStorage
    import io

    parts = [FileStorage(io.BytesIO(b""), filename="", name="photos"),
             FileStorage(io.BytesIO(b"abc"), filename="x.jpg", name="photos")]
    assert read_uploads(parts) == [Upload("x.jpg", b"abc")]


def test_a_file_is_read_only_one_byte_past_the_limit(app):
    from werkzeug.datastructures import FileStorage
    import io

    app.config["ATTACHMENT_MAX_BYTES"] = 10
    [upload] = read_uploads([FileStorage(io.BytesIO(b"x" * 1000), filename="big.jpg")])
    assert len(upload.data) == 11


@pytest.mark.parametrize("name, shown", [
    ("IMG_2031.jpg", "IMG_2031.jpg"), ("C:\\Users\\budi\\foto.png", "foto.png"), ("../../etc/passwd", "passwd"),
    ("", "foto"), ("a\nb\x00c.jpg", "abc.jpg"), ("x" * 200 + ".jpg", "x" * 79 + "…"),
])
def test_file_names_are_shown_short_and_printable(app, name, shown):
    assert display_name(name) == shown


@pytest.mark.real_commits
def test_two_uploads_at_once_never_make_a_fourth_photo(app, world, tickets):
    from tracker.auth.models import User
    from tracker.tickets.models import Ticket

    ticket_id, user_id = tickets["plain"].id, world.babinsa.id
    add_photos(world.babinsa, tickets["plain"], [Upload("1.jpg", images.jpeg()), Upload("2.jpg", images.jpeg())])
    db.session.commit()
    barrier, outcomes = threading.Barrier(2), []

    def add_one(index):
        with app.app_context():
            try:
                user, ticket = db.session.get(User, user_id), db.session.get(Ticket, ticket_id)
                barrier.wait()
                add_photos(user, ticket, [Upload(f"{index}.jpg", images.jpeg((1200, 900)))])
                db.session.commit()
                outcomes.append("added")
            except ValidationError:
                db.session.rollback()
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=add_one, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["added", "refused"]
    db.session.expire_all()
    assert photo_counts([ticket_id]) == {ticket_id: 3}
