"""Unread news: the count on the Babinsa's home and in the menu, marked read by opening the feed; query counts."""
import re

import pytest
from flask import g

from tests.plugins.world import KEBAK, KEMIRI
from tracker.extensions import db
from tracker.news import services
from tracker.tickets.services import add_comment, transition


def page_text(response):
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def home_count(text):
    """The unread count on the home page's News button (0 when it shows none)."""
    found = re.search(r'class="btn block news-link"[^>]*>Kabar(?: <span class="badge count" data-unread-news>(\d+) baru</span>)?</a>',
                      text)
    assert found, "no News button on the home page"
    return int(found.group(1) or 0)


def menu_count(text):
    """The unread count beside the menu's News link (0 when it shows none)."""
    found = re.search(r'<a href="/news/"[^>]*>Kabar(?: <span class="badge count" data-nav-badge="news.index">(\d+) baru</span>)?</a>',
                      text)
    assert found, "no News link in the menu"
    return int(found.group(1) or 0)


@pytest.fixture
def news(world, make_ticket):
    """Two of the Babinsa's tickets with three lines of news from the Koramil, one line of his own."""
    first = make_ticket(world.babinsa)
    second = make_ticket(world.babinsa, village_code=KEBAK)
    transition(world.koramil, first, "triage")
    add_comment(world.koramil, first, "Sudah dicek.")
    add_comment(world.babinsa, first, "Siap.")
    transition(world.koramil, second, "reject", reason="Bukan masalah keamanan.")
    db.session.commit()
    return first, second


def test_home_and_menu_count_unread_news_and_opening_the_feed_marks_it_read(world, news, web):
    first, _second = news
    client = web(world.babinsa)
    home = page_text(client.get("/dashboard/"))
    assert home_count(home) == 3 and menu_count(home) == 3
    assert menu_count(page_text(client.get("/tickets/"))) == 3

    feed = page_text(client.get("/news/"))
    assert feed.count('class="card news-item unread"') == 3
    assert menu_count(feed) == 0  # the menu drawn after opening says so already

    home = page_text(client.get("/dashboard/"))
    assert home_count(home) == 0 and menu_count(home) == 0
    assert page_text(client.get("/news/")).count('class="card news-item unread"') == 0

    add_comment(world.koramil, first, "Ada perkembangan baru.")
    db.session.commit()
    home = page_text(client.get("/dashboard/"))
    assert home_count(home) == 1 and menu_count(home) == 1
    feed = page_text(client.get("/news/"))
    assert feed.count('class="card news-item unread"') == 1
    assert re.search(r'news-item unread"[^>]*>.*?Ada perkembangan baru\.', feed, re.S)


def test_read_marks_are_per_user(world, make_ticket, web):
    ticket = make_ticket(world.babinsa_same)
    add_comment(world.babinsa, ticket, "Saya ikut memantau.")
    add_comment(world.koramil, ticket, "Baik.")
    db.session.commit()
    page_text(web(world.babinsa).get("/news/"))

    assert menu_count(page_text(web(world.babinsa_same).get("/dashboard/"))) == 2
    assert menu_count(page_text(web(world.babinsa).get("/dashboard/"))) == 0


def test_the_marker_never_moves_back(world, news):
    services.mark_read(world.babinsa, 10_000)
    services.mark_read(world.babinsa, 5)
    db.session.commit()
    from tracker.news.models import NewsReadMarker
    assert db.session.get(NewsReadMarker, world.babinsa.id).last_event_id == 10_000


@pytest.mark.parametrize("role", ["koramil", "kodim", "admin"])
def test_commanders_hear_back_too(world, make_ticket, web, role):
    ticket = make_ticket(world.babinsa)
    transition(world.koramil, ticket, "escalate", reason="Butuh Kodim.")
    add_comment(getattr(world, role), ticket, "Saya pantau.")
    transition(world.kodim, ticket, "resolve", reason="Selesai di Kodim.")
    db.session.commit()

    items = services.feed_page(getattr(world, role), 1).items
    expected = {"koramil": ["resolved"], "kodim": [], "admin": ["resolved"]}[role]
    assert [item.to_value for item in items] == expected


def test_a_feed_page_the_unread_count_and_marking_read_are_one_statement_each(world, news, count_queries):
    user = world.babinsa
    services.feed_page(user, 1)  # the scope helper reads his villages once per session
    with count_queries() as statements:
        page = services.feed_page(user, 1)
    assert len(statements) == 1 and len(page.items) == 3
    with count_queries() as statements:
        assert services.unread_count(user) == 3
        assert services.unread_count(user) == 3  # asked again in the same request: kept
    assert len(statements) == 1
    with count_queries() as statements:
        services.mark_read(user, page.newest_event_id)
    assert len(statements) == 1
    g.pop("news_unread")
    assert services.unread_count(user) == 0


def _fill(world, make_ticket, tickets, comments):
    for n in range(tickets):
        ticket = make_ticket(world.babinsa, village_code=KEBAK if n % 2 else KEMIRI,
                             title=f"Masalah {n}", commit=False)
        transition(world.koramil, ticket, "triage")
        for c in range(comments):
            add_comment(world.koramil, ticket, f"Komentar {n}.{c}")
    db.session.commit()


@pytest.mark.parametrize("path", ["/news/", "/dashboard/", "/news/waiting"])
def test_the_pages_send_as_many_statements_with_much_news_as_with_little(world, make_ticket, web, count_queries,
                                                                        path):
    client = web(world.babinsa)
    page_text(client.get(path))  # warm up: things loaded once per process

    def statements():
        with count_queries() as sent:
            page_text(client.get(path))
        return len(sent)

    _fill(world, make_ticket, tickets=1, comments=1)
    small = statements()
    _fill(world, make_ticket, tickets=12, comments=4)
    large = statements()
    print(f"{path}: {large} statements")
    assert small == large


def test_the_feed_page_sends_its_page_and_its_mark_only(world, news, web, count_queries):
    client = web(world.babinsa)
    with count_queries() as sent:
        page_text(client.get("/news/"))
    news_statements = [s for s in sent if "ticket_event" in s or "news_read_marker" in s]
    # The feed page (with its unread flags and newest id) and the marker's upsert; the menu's badge asks nothing.
    assert len(news_statements) == 2, news_statements


def test_past_ninety_nine_unread_lines_the_badges_say_99_plus_and_counting_stops_there(world, news, web,
                                                                                      monkeypatch, count_queries):
    first, _second = news
    monkeypatch.setattr(services, "UNREAD_SHOWN", 3)   # three lines already wait; one more passes the cap
    add_comment(world.koramil, first, "Satu lagi.")
    db.session.commit()
    assert services.unread_count(world.babinsa) == 4   # counted up to UNREAD_SHOWN + 1, not further
    g.pop("news_unread", None)
    add_comment(world.koramil, first, "Dan lagi.")
    db.session.commit()
    assert services.unread_count(world.babinsa) == 4

    monkeypatch.setattr(services, "UNREAD_SHOWN", 99)
    for number in range(97):
        add_comment(world.koramil, first, f"Catatan {number}.")
    db.session.commit()
    g.pop("news_unread", None)
    assert services.unread_count(world.babinsa) == 100
    home = page_text(web(world.babinsa).get("/dashboard/"))
    assert '<span class="badge count" data-unread-news>99+ baru</span>' in home
    assert '<span class="badge count" data-nav-badge="news.index">99+ baru</span>' in home
    assert '<span aria-hidden="true">99+</span>' in home
