"""The news feed (Kabar): what others did to the tickets a user is in, newest first, in his scope only."""
import re
from datetime import timedelta

import pytest
from flask import g

from tests.plugins.world import KEBAK, KEMIRI, WARU
from tracker.auth.services import assign_villages
from tracker.extensions import db
from tracker.news import services
from tracker.tickets.models import record_event
from tracker.tickets.services import add_comment, transition
from tracker.timeutil import utcnow


def feed(user, page=1, per_page=50):
    return services.feed_page(user, page, per_page).items


def lines(user):
    """(ticket ref, kind, to_value, reason) of the user's feed, in its order."""
    return [(item.ticket_ref, item.kind, item.to_value, item.reason) for item in feed(user)]


def page_text(response):
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


@pytest.fixture(autouse=True)
def _fresh_g(app):
    """The unread count is kept per request in ``g``; service-level tests ask again after each change."""
    yield
    g.pop("news_unread", None)


def test_others_status_changes_comments_and_escalation_are_news_newest_first(world, make_ticket):
    ticket = make_ticket(world.babinsa, title="Sengketa batas sawah")
    transition(world.koramil, ticket, "triage")
    add_comment(world.koramil, ticket, "Sudah dicek ke lokasi.")
    transition(world.koramil, ticket, "escalate", reason="Melibatkan dua desa.")
    transition(world.kodim, ticket, "resolve", reason="Dimediasi Dandim.")
    db.session.commit()

    assert lines(world.babinsa) == [
        (ticket.ref, "status", "resolved", "Dimediasi Dandim."),
        (ticket.ref, "escalated", "escalated", "Melibatkan dua desa."),
        (ticket.ref, "comment", None, "Sudah dicek ke lokasi."),
        (ticket.ref, "status", "triaged", ""),
    ]


def test_a_rejection_shows_with_its_reason_and_links_the_ticket(world, make_ticket, web):
    ticket = make_ticket(world.babinsa)
    transition(world.koramil, ticket, "reject", reason="Duplikat dari 0727-2026-000040.")
    db.session.commit()

    text = page_text(web(world.babinsa).get("/news/"))
    assert f"{world.koramil.display_name} menolaknya" in text
    assert "Alasan: Duplikat dari 0727-2026-000040." in text
    assert f'href="/tickets/{ticket.id}">{ticket.ref}</a>' in text


def test_his_own_actions_are_not_news(world, make_ticket):
    ticket = make_ticket(world.babinsa)
    add_comment(world.babinsa, ticket, "Warga sudah ditemui lagi.")
    transition(world.babinsa, ticket, "start")
    transition(world.babinsa, ticket, "resolve", reason="Sudah damai.")
    db.session.commit()

    assert lines(world.babinsa) == []
    assert services.unread_count(world.babinsa) == 0


def test_a_ticket_he_commented_on_brings_the_news_after_his_comment(world, make_ticket):
    ticket = make_ticket(world.babinsa_same, village_code=KEMIRI)
    add_comment(world.koramil, ticket, "Sebelum dia ikut.")
    add_comment(world.babinsa, ticket, "Saya juga mendengar hal ini.")
    add_comment(world.koramil, ticket, "Terima kasih, akan ditindaklanjuti.")
    db.session.commit()

    assert lines(world.babinsa) == [(ticket.ref, "comment", None, "Terima kasih, akan ditindaklanjuti.")]
    # The reporter hears both the Koramil's comments and the other Babinsa's.
    assert [item.reason for item in feed(world.babinsa_same)] == [
        "Terima kasih, akan ditindaklanjuti.", "Saya juga mendengar hal ini.", "Sebelum dia ikut."]


def test_tickets_he_is_not_in_bring_no_news(world, make_ticket):
    ticket = make_ticket(world.babinsa_same, village_code=KEMIRI)
    transition(world.koramil, ticket, "triage")
    add_comment(world.koramil, ticket, "Untuk Babinsa lain.")
    db.session.commit()

    assert lines(world.babinsa) == []


def test_a_ticket_that_left_his_area_drops_out_of_feed_and_count(world, make_ticket):
    kebak = make_ticket(world.babinsa, village_code=KEBAK, title="Di Kebak")
    kemiri = make_ticket(world.babinsa, village_code=KEMIRI, title="Di Kemiri")
    add_comment(world.koramil, kebak, "Kabar Kebak.")
    add_comment(world.koramil, kemiri, "Kabar Kemiri.")
    db.session.commit()
    assert {item.ticket_ref for item in feed(world.babinsa)} == {kebak.ref, kemiri.ref}
    assert services.unread_count(world.babinsa) == 2
    g.pop("news_unread")

    assign_villages(world.babinsa, [KEMIRI])  # Kebak goes to another Babinsa
    db.session.commit()

    assert lines(world.babinsa) == [(kemiri.ref, "comment", None, "Kabar Kemiri.")]
    assert services.unread_count(world.babinsa) == 1


def test_system_moves_are_news_and_named_as_the_system(world, make_ticket, web):
    ticket = make_ticket(world.babinsa, severity="critical")
    record_event(ticket, None, "escalated", from_value="new", to_value="escalated", reason="Lewat tenggat.")
    db.session.commit()

    assert lines(world.babinsa) == [(ticket.ref, "escalated", "escalated", "Lewat tenggat.")]
    assert "sistem menaikkannya ke Kodim" in page_text(web(world.babinsa).get("/news/"))


def test_newest_first_is_by_time_of_the_event_not_by_insertion(world, make_ticket):
    first = make_ticket(world.babinsa, title="Pertama")
    second = make_ticket(world.babinsa, title="Kedua", village_code=KEBAK)
    now = utcnow()
    record_event(first, world.koramil, "comment", reason="tiga", at=now + timedelta(minutes=3))
    record_event(second, world.koramil, "comment", reason="satu", at=now + timedelta(minutes=1))
    record_event(second, world.koramil, "comment", reason="lima", at=now + timedelta(minutes=5))
    db.session.commit()

    assert [item.reason for item in feed(world.babinsa)] == ["lima", "tiga", "satu"]


def test_the_feed_is_paginated(world, make_ticket, web):
    ticket = make_ticket(world.babinsa)
    for n in range(services.PER_PAGE + 3):
        add_comment(world.koramil, ticket, f"Komentar nomor {n}.")
    db.session.commit()

    client = web(world.babinsa)
    first = page_text(client.get("/news/"))
    second = page_text(client.get("/news/?page=2"))
    assert first.count('class="card news-item') == services.PER_PAGE
    assert "Komentar nomor 22." in first and "Komentar nomor 2." not in first
    assert second.count('class="card news-item') == 3
    assert "Komentar nomor 0." in second
    assert 'href="/news/?page=2"' in first and 'href="/news/?page=1"' in second
    assert "Tidak ada kabar lagi." in page_text(client.get("/news/?page=99"))


def test_the_feed_speaks_english_when_chosen(world, make_ticket, web):
    ticket = make_ticket(world.babinsa)
    add_comment(world.koramil, ticket, "Sudah dicek.")
    db.session.commit()
    client = web(world.babinsa)
    client.post("/lang/en")
    text = page_text(client.get("/news/"))
    assert re.search(r"<h1>News</h1>", text) and "commented" in text


def test_news_needs_a_login(client):
    response = client.get("/news/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
