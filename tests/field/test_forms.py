"""The create forms as the phone's outbox posts them (issue 12, notes in tracker/static/outbox.js):
Tiket baru, Kunjungan baru, the comment and the add-photo form make their record once per client_key,
carry photos and a position, and answer ``Accept: application/json`` in the field protocol's JSON
(201 body, 422 errors by form field, 403/404/409 error, 401 when the session has ended); a browser
still gets its redirect or its page."""
import io
import re
from datetime import datetime, timezone

import pytest
import time_machine
from sqlalchemy import func, select

from tests.attachments import images
from tests.plugins.world import KEMIRI, WARU
from tracker.attachments.models import Attachment
from tracker.extensions import db
from tracker.idempotency.models import IdempotencyKey
from tracker.tickets.models import Ticket, TicketEvent
from tracker.visits.models import Visit

JSON = {"Accept": "application/json"}
KEY = "7f3c9a10-2b4d-4e6f-8a1b-3c5d7e9f0a12"
OTHER_KEY = "0a9f8e7d-6c5b-4a39-8271-605f4e3d2c1b"
# As *Gunakan lokasi saya* fills them; every phone form posts the three, empty when he did not tap it.
HERE = {"latitude": "-7.558341", "longitude": "110.910227", "accuracy_m": "14"}
NO_POSITION = {"latitude": "", "longitude": "", "accuracy_m": ""}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(datetime(2026, 3, 10, 2, 0, tzinfo=timezone.utc), tick=False):
        yield


def count(model):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def text(response):
    return response.get_data(as_text=True)


def files(*items):
    """Multipart file parts: (content, filename) pairs."""
    return [(io.BytesIO(content), name) for content, name in items]


def ticket_form(key=KEY, **overrides):
    data = {"village_code": KEMIRI, "category": "hoax", "severity": "medium", "title": "Hoaks bansos dicoret",
            "description": "Pesan berantai di grup WA.", "occurred_on": "", "parties": "", "visit_id": "",
            "client_key": key, **NO_POSITION}
    data.update(overrides)
    return data


def visit_form(key=KEY, **extra):
    data = {"village_code": KEMIRI, "visited_on": "2026-03-09", "met_with": "Ketua RW 03", "notes": "",
            "client_key": key, **NO_POSITION}
    data.update(extra)
    return data


def problem(index, **fields):
    base = {"category": "hoax", "severity": "medium", "title": f"Masalah {index}", "description": "", "parties": ""}
    base.update(fields)
    return {f"tickets-{index}-{name}": value for name, value in base.items()}


def post(client, url, data, json=True):
    return client.post(url, data=data, headers=JSON if json else {}, content_type="multipart/form-data")


# --- Tiket baru ----------------------------------------------------------------------------------

def test_a_ticket_sent_as_json_answers_201_with_the_protocol_body_and_flashes_nothing(world, web):
    client = web(world.babinsa)
    response = post(client, "/tickets/new", ticket_form())
    assert response.status_code == 201 and response.mimetype == "application/json"
    ticket = db.session.execute(select(Ticket)).scalar_one()
    assert response.get_json() == {"ok": True, "kind": "ticket", "id": ticket.id, "ref": ticket.ref,
                                   "url": f"/tickets/{ticket.id}"}
    assert (ticket.latitude, ticket.longitude, ticket.accuracy_m) == (None, None, None), "empty fields are none"
    page = text(client.get(f"/tickets/{ticket.id}"))
    assert "flash-success" not in page, "the phone says Terkirim itself"
    assert "data-clear-drafts" not in page, "a draft he types meanwhile is his"


def test_the_same_client_key_twice_files_one_ticket(world, web):
    client = web(world.babinsa)
    first = post(client, "/tickets/new", ticket_form())
    again = post(client, "/tickets/new", ticket_form())
    assert again.status_code == 201 and again.get_json() == first.get_json()
    plain = post(client, "/tickets/new", ticket_form(), json=False)
    assert plain.status_code == 302 and plain.headers["Location"].endswith(first.get_json()["url"])
    assert count(Ticket) == 1 and count(IdempotencyKey) == 1


def test_a_double_tap_without_javascript_files_one_ticket_and_says_so(world, web):
    client = web(world.babinsa)
    first = post(client, "/tickets/new", ticket_form(), json=False)
    again = post(client, "/tickets/new", ticket_form(), json=False)
    assert first.status_code == again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]
    ticket = db.session.execute(select(Ticket)).scalar_one()
    assert f"Tiket {ticket.ref} tercatat." in text(client.get(again.headers["Location"]))


def test_the_client_key_with_another_form_is_409_and_files_nothing(world, web):
    client = web(world.babinsa)
    post(client, "/tickets/new", ticket_form())
    other = post(client, "/tickets/new", ticket_form(title="Laporan lain"))
    assert other.status_code == 409 and set(other.get_json()) == {"error"}
    page = post(client, "/tickets/new", ticket_form(title="Laporan lain"), json=False)
    assert page.status_code == 409
    assert "Kunci ini sudah dipakai" in text(page) and 'value="Laporan lain"' in text(page)
    assert KEY not in text(page), "the form comes back with a fresh key"
    assert count(Ticket) == 1


def test_a_refused_ticket_answers_422_by_field_in_json_and_keeps_its_key_free(world, web):
    client = web(world.babinsa)
    refused = post(client, "/tickets/new", ticket_form(title="", **{**HERE, "latitude": "8.5"}))
    assert refused.status_code == 422
    assert set(refused.get_json()["errors"]) == {"title", "latitude"}
    assert (count(Ticket), count(IdempotencyKey)) == (0, 0)
    fixed = post(client, "/tickets/new", ticket_form(**HERE))
    assert fixed.status_code == 201


def test_a_text_the_form_refuses_is_422_in_json_too(world, web):
    refused = post(web(world.babinsa), "/tickets/new", ticket_form(title="nul\x00"))
    assert refused.status_code == 422 and list(refused.get_json()["errors"]) == ["title"]


@pytest.mark.parametrize("key", ["x" * 101, "kunci-é"])
def test_a_bad_client_key_is_422_naming_it(world, web, key):
    refused = post(web(world.babinsa), "/tickets/new", ticket_form(key=key))
    assert refused.status_code == 422 and list(refused.get_json()["errors"]) == ["client_key"]
    assert count(Ticket) == 0


def test_a_village_outside_his_area_is_403_in_json(world, web):
    refused = post(web(world.babinsa), "/tickets/new", ticket_form(village_code=WARU))
    assert refused.status_code == 403 and set(refused.get_json()) == {"error"}
    assert count(Ticket) == 0


def test_a_ticket_with_photos_and_a_position(world, web):
    client = web(world.babinsa)
    photos = files((images.jpeg_with_gps(), "IMG_1.jpg"), (images.png(), "layar.png"))
    response = post(client, "/tickets/new", ticket_form(**HERE, photos=photos))
    assert response.status_code == 201
    ticket = db.session.get(Ticket, response.get_json()["id"])
    assert (ticket.latitude, ticket.longitude, ticket.accuracy_m) == (-7.558341, 110.910227, 14.0)
    stored = db.session.execute(select(Attachment).where(Attachment.ticket_id == ticket.id)).scalars().all()
    assert len(stored) == 2
    kinds = db.session.execute(select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket.id)
                               .order_by(TicketEvent.id)).scalars().all()
    assert kinds == ["created", "photo_added", "photo_added"]

    page = text(client.get(f"/tickets/{ticket.id}"))
    for photo in stored:
        link = f'<a class="thumb" href="/attachments/{photo.id}"><img src="/attachments/{photo.id}?size=thumb"'
        assert page.count(link) == 2, "on the ticket and in its timeline"
    assert 'href="geo:-7.558341,110.910227?q=-7.558341,110.910227"' in page
    assert not re.search(r'(src|href)="(https?:)?//', page), "no map tiles, nothing fetched from elsewhere"


@pytest.mark.parametrize("uploads, message", [
    ([(images.jpeg(), f"{n}.jpg") for n in range(4)], "Paling banyak 3 foto per tiket."),
    ([(images.jpeg(), "baik.jpg"), (images.gif(), "kartu.gif")], "kartu.gif"),
])
def test_too_many_or_bad_photos_are_422_naming_the_photo_field_and_file_nothing(world, web, uploads, message):
    refused = post(web(world.babinsa), "/tickets/new", ticket_form(photos=files(*uploads)))
    assert refused.status_code == 422
    assert list(refused.get_json()["errors"]) == ["photos"] and message in refused.get_json()["errors"]["photos"][0]
    assert (count(Ticket), count(Attachment)) == (0, 0)


def test_a_position_outside_indonesia_is_422_on_the_page_too(world, web):
    page = post(web(world.babinsa), "/tickets/new", ticket_form(**{**HERE, "longitude": "150"}), json=False)
    assert page.status_code == 422
    assert "Di luar Indonesia: bujur harus antara 95 dan 141." in text(page)
    assert count(Ticket) == 0


# --- the session has ended ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/tickets/new", "/visits/new", "/tickets/1/comment", "/tickets/1/photos"])
def test_a_json_post_after_the_session_ended_is_401_never_a_redirect(client, world, path):
    response = client.post(path, data={"client_key": KEY}, headers=JSON)
    assert response.status_code == 401
    assert set(response.get_json()) == {"error", "login_url"} and response.get_json()["login_url"] == "/login"
    browser = client.post(path, data={"client_key": KEY})
    assert browser.status_code == 302 and "/login" in browser.headers["Location"]


# --- Kunjungan baru -----------------------------------------------------------------------------------

def test_a_visit_with_two_problems_and_their_photos_arrives_once(world, web):
    client = web(world.babinsa)
    data = visit_form(**HERE, **problem(0), **problem(1, category="land_dispute", title="Patok digeser"),
                      **{"problems-0-photos": files((images.jpeg(), "spanduk.jpg")),
                         "problems-1-photos": files((images.jpeg(), "patok1.jpg"), (images.png(), "patok2.png"))})
    response = post(client, "/visits/new", data)
    assert response.status_code == 201
    body = response.get_json()
    visit = db.session.execute(select(Visit)).scalar_one()
    filed = db.session.execute(select(Ticket).order_by(Ticket.id)).scalars().all()
    assert body == {"ok": True, "kind": "visit", "id": visit.id, "url": f"/visits/{visit.id}",
                    "tickets": [{"id": t.id, "ref": t.ref, "url": f"/tickets/{t.id}"} for t in filed]}
    assert [t.title for t in filed] == ["Masalah 0", "Patok digeser"]
    photo_count = {t.id: count_of(t) for t in filed}
    assert list(photo_count.values()) == [1, 2]
    position = (visit.latitude, visit.longitude, visit.accuracy_m)
    assert position == (-7.558341, 110.910227, 14.0)
    assert all((t.latitude, t.longitude, t.accuracy_m) == position for t in filed), "heard at the visit"

    again = post(client, "/visits/new", data | {
        "problems-0-photos": files((images.jpeg(), "spanduk.jpg")),
        "problems-1-photos": files((images.jpeg(), "patok1.jpg"), (images.png(), "patok2.png"))})
    assert again.status_code == 201 and again.get_json() == body
    assert (count(Visit), count(Ticket), count(Attachment)) == (1, 2, 3)
    assert 'href="geo:-7.558341,110.910227?q=-7.558341,110.910227"' in text(client.get(f"/visits/{visit.id}"))


def count_of(ticket):
    return db.session.scalar(select(func.count()).select_from(Attachment).where(Attachment.ticket_id == ticket.id))


def test_a_refused_problem_is_named_by_the_forms_own_fields(world, web):
    data = visit_form(**problem(0, category="", title=""), **problem(1, title=""),
                      **{"problems-1-photos": files((images.gif(), "kartu.gif"))})
    refused = post(web(world.babinsa), "/visits/new", data)
    assert refused.status_code == 422
    assert set(refused.get_json()["errors"]) == {"tickets-1-title", "problems-1-photos"}
    assert (count(Visit), count(Ticket), count(Attachment)) == (0, 0, 0)


def test_photos_on_an_empty_problem_are_not_dropped(world, web):
    data = visit_form(**problem(0, category="", title=""), **{"problems-0-photos": files((images.jpeg(), "a.jpg"))})
    refused = post(web(world.babinsa), "/visits/new", data)
    assert refused.status_code == 422
    assert {"tickets-0-category", "tickets-0-title"} <= set(refused.get_json()["errors"])


def test_a_bad_visit_position_is_named_once(world, web):
    refused = post(web(world.babinsa), "/visits/new", visit_form(**{**HERE, "accuracy_m": "9000"}, **problem(0)))
    assert refused.status_code == 422 and list(refused.get_json()["errors"]) == ["accuracy_m"]


def test_a_visit_sent_by_a_browser_redirects_and_flashes_as_before(world, web):
    client = web(world.babinsa)
    response = post(client, "/visits/new", visit_form(**problem(0)), json=False)
    assert response.status_code == 302
    ticket = db.session.execute(select(Ticket)).scalar_one()
    assert f"Kunjungan tercatat dengan 1 tiket: {ticket.ref}." in text(client.get(response.headers["Location"]))


# --- the comment -----------------------------------------------------------------------------------------

def test_a_comment_sent_twice_with_its_key_is_added_once(world, web, tickets):  # noqa: F811
    client = web(world.babinsa)
    url = f"/tickets/{tickets['plain'].id}/comment"
    first = post(client, url, {"body": "Situasi kondusif.", "client_key": KEY})
    again = post(client, url, {"body": "Situasi kondusif.", "client_key": KEY})
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json() == {"ok": True, "kind": "comment",
                                                    "url": f"/tickets/{tickets['plain'].id}"}
    assert count(TicketEvent) - 2 == 1, "two created events, one comment"
    other = post(client, url, {"body": "Lain.", "client_key": KEY}, json=False)
    assert other.status_code == 409 and "Kunci ini sudah dipakai" in text(other)


# --- the add-photo form ------------------------------------------------------------------------------------

USERS = ("babinsa", "babinsa_same", "babinsa_waru", "koramil", "koramil_other", "kodim", "kodim_other", "admin")
SEES = {
    "plain": {"babinsa", "babinsa_same", "koramil", "kodim", "admin"},
    "sensitive": {"babinsa", "koramil", "kodim", "admin"},
}
MATRIX = [(user, kind) for kind in SEES for user in USERS]


@pytest.mark.parametrize("who, kind", MATRIX, ids=[f"{w}-{k}" for w, k in MATRIX])
def test_whoever_may_comment_may_add_a_photo_and_nobody_else_learns_the_ticket_exists(world, web, tickets, who, kind):  # noqa: F811
    ticket = tickets[kind]
    client = web(world.users[who])
    url = f"/tickets/{ticket.id}/photos"
    added = post(client, url, {"photos": files((images.jpeg(), "a.jpg")), "client_key": KEY})
    comment = post(client, f"/tickets/{ticket.id}/comment", {"body": "Dicek.", "client_key": OTHER_KEY})
    if who in SEES[kind]:
        [photo] = db.session.execute(select(Attachment)).scalars().all()
        assert added.status_code == comment.status_code == 201
        assert added.get_json() == {"ok": True, "kind": "photo", "url": f"/tickets/{ticket.id}",
                                    "attachments": [photo.id]}
        assert photo.uploader_id == world.users[who].id
    else:
        assert added.status_code == comment.status_code == 404
        assert set(added.get_json()) == {"error"}
        assert count(Attachment) == 0
        assert f'action="{url}"' not in text(client.get(f"/tickets/{ticket.id}"))


def test_the_add_photo_form_is_offered_until_the_ticket_has_three(world, web, tickets):  # noqa: F811
    client = web(world.babinsa)
    ticket = tickets["plain"]
    url = f"/tickets/{ticket.id}/photos"
    page = text(client.get(f"/tickets/{ticket.id}"))
    form = re.search(rf'<form method="post" action="{url}"[^>]*>', page).group(0)
    assert 'enctype="multipart/form-data"' in form and 'data-outbox="photo"' in form
    assert f'data-outbox-label="Foto · {ticket.ref}"' in form
    assert re.search(r'name="client_key" value="[0-9a-f-]{36}"', page[page.index(form):])

    plain = post(client, url, {"photos": files((images.jpeg(), "1.jpg"), (images.jpeg(), "2.jpg"))}, json=False)
    assert plain.status_code == 302 and plain.headers["Location"].endswith(f"/tickets/{ticket.id}#photos")
    assert "Foto ditambahkan." in text(client.get(plain.headers["Location"]))
    two_more = post(client, url, {"photos": files((images.jpeg(), "3.jpg"), (images.jpeg(), "4.jpg"))})
    assert two_more.status_code == 422 and "sudah memiliki 2" in two_more.get_json()["errors"]["photos"][0]
    assert post(client, url, {"photos": files((images.jpeg(), "3.jpg"))}).status_code == 201
    assert count(Attachment) == 3
    assert f'action="{url}"' not in text(client.get(f"/tickets/{ticket.id}"))


def test_the_add_photo_form_without_a_photo_is_422_on_the_page(world, web, tickets):  # noqa: F811
    client = web(world.babinsa)
    page = post(client, f"/tickets/{tickets['plain'].id}/photos", {"client_key": KEY}, json=False)
    assert page.status_code == 422 and "Lampirkan foto." in text(page)


def test_photos_sent_twice_with_their_key_are_added_once(world, web, tickets):  # noqa: F811
    client = web(world.babinsa)
    url = f"/tickets/{tickets['plain'].id}/photos"
    first = post(client, url, {"photos": files((images.jpeg(), "a.jpg")), "client_key": KEY})
    again = post(client, url, {"photos": files((images.jpeg(), "a.jpg")), "client_key": KEY})
    assert again.get_json() == first.get_json() and count(Attachment) == 1
    other = post(client, url, {"photos": files((images.png(), "b.png")), "client_key": KEY})
    assert other.status_code == 409 and count(Attachment) == 1


# --- the CSV ---------------------------------------------------------------------------------------------

def test_the_csv_counts_photos_in_its_last_column_and_has_no_coordinates(world, web, tickets, attach):  # noqa: F811
    attach(tickets["plain"], world.babinsa)
    attach(tickets["plain"], world.babinsa)
    ticket = tickets["sensitive"]
    ticket.latitude, ticket.longitude, ticket.accuracy_m = -7.558341, 110.910227, 14.0
    db.session.commit()
    export = text(web(world.koramil).get("/tickets/export.csv"))
    header, *rows = export.splitlines()
    assert header.split(",")[-1] == "photos"
    assert {row.split(",")[0]: row.split(",")[-1] for row in rows} == {
        tickets["plain"].ref: "2", tickets["sensitive"].ref: "0"}
    assert not re.search(r"latitude|longitude|accuracy|110\.91|-7\.55|/attachments", export)
