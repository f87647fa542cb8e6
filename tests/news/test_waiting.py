""""Waiting for me" of a Babinsa: only the tickets whose next move is his; the home count and its list agree."""
import re

import pytest

from tests.plugins.world import KEBAK, KEMIRI, WARU
from tracker.extensions import db
from tracker.news import services
from tracker.tickets.services import add_comment, transition


def page_text(response):
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


@pytest.fixture
def tickets(world, make_ticket):
    """One ticket of the Babinsa per case, by name; the ones whose next move is his start with "his_"."""
    b, k = world.babinsa, world.koramil
    made = {name: make_ticket(b, title=name, village_code=KEBAK if n % 2 else KEMIRI, commit=False)
            for n, name in enumerate((
                "new", "his_triaged", "started_by_koramil", "his_started", "his_asked", "answered",
                "escalated", "his_asked_escalated", "his_reopened", "resolved", "rejected"))}
    transition(k, made["his_triaged"], "triage")
    transition(k, made["started_by_koramil"], "start")
    transition(b, made["his_started"], "start")
    add_comment(k, made["his_asked"], "Berapa warga yang terlibat?")
    add_comment(k, made["answered"], "Berapa warga yang terlibat?")
    add_comment(b, made["answered"], "Sekitar dua puluh.")
    transition(k, made["escalated"], "escalate", reason="Butuh Kodim.")
    transition(k, made["his_asked_escalated"], "escalate", reason="Butuh Kodim.")
    add_comment(world.kodim, made["his_asked_escalated"], "Siapa tokoh yang terlibat?")
    transition(b, made["his_reopened"], "start")
    transition(b, made["his_reopened"], "resolve", reason="Sudah damai.")
    transition(k, made["his_reopened"], "reopen", reason="Masih ada ketegangan.")
    transition(b, made["resolved"], "start")
    transition(b, made["resolved"], "resolve", reason="Sudah damai.")
    transition(k, made["rejected"], "reject", reason="Duplikat.")
    # Another Babinsa's triaged ticket in a village that is not his.
    transition(k, make_ticket(world.babinsa_waru, village_code=WARU, title="waru", commit=False), "triage")
    db.session.commit()
    return made


def waiting_titles(user):
    return {t.title for t in db.session.execute(services.waiting_tickets(user)).scalars()}


def test_only_what_waits_for_his_own_move_counts(world, tickets):
    expected = {name for name in tickets if name.startswith("his_")}
    assert waiting_titles(world.babinsa) == expected
    assert services.waiting_count(world.babinsa) == len(expected) == 5


def test_answering_or_starting_takes_a_ticket_off_his_list(world, tickets):
    add_comment(world.babinsa, tickets["his_asked"], "Sekitar tiga puluh.")
    transition(world.babinsa, tickets["his_triaged"], "start")  # still his: started by him
    transition(world.babinsa, tickets["his_started"], "resolve", reason="Beres.")
    db.session.commit()
    assert waiting_titles(world.babinsa) == {"his_triaged", "his_asked_escalated", "his_reopened"}


def test_the_home_count_and_its_list_agree(world, tickets, web):
    client = web(world.babinsa)
    home = page_text(client.get("/dashboard/"))
    found = re.search(r'<a class="stat stat-waiting" href="([^"]+)"><strong>(\d+)</strong>Menunggu tindakan saya</a>',
                      home)
    assert found, "no waiting link"
    assert found.group(1) == "/news/waiting" and int(found.group(2)) == 5
    listed = page_text(client.get("/news/waiting"))
    assert listed.count('<li class="ticket-row">') == 5
    for name in ("his_triaged", "his_started", "his_asked", "his_asked_escalated", "his_reopened"):
        assert f'<div class="ticket-title">{name}</div>' in listed
    for name in ("new", "started_by_koramil", "answered", "escalated", "resolved", "rejected", "waru"):
        assert f'<div class="ticket-title">{name}</div>' not in listed
    # Fewer than his open tickets: new ones wait for the Koramil, escalated ones for the Kodim.
    assert int(found.group(2)) < int(re.search(r'<strong>(\d+)</strong>Terbuka</a>', home).group(1))


@pytest.mark.parametrize("role", ["koramil", "kodim", "admin"])
def test_the_waiting_list_is_the_babinsas(world, web, role):
    assert web(getattr(world, role)).get("/news/waiting").status_code == 403
