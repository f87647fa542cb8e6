"""The visit form's problem entries: "Add another problem" lands on the new entry, and each
entry gets the ticket form's duplicate hints (issue 14)."""
import re

from sqlalchemy import func, select

from tests.plugins.world import KEBAK, KEMIRI, WARU
from tests.visits.forms import entry, visit_form
from tracker.extensions import db
from tracker.tickets.models import Ticket
from tracker.visits.models import Visit


def text(response):
    return response.get_data(as_text=True)


def block(body, entry_id):
    """The HTML of one problem entry (its fieldset)."""
    match = re.search(rf'<fieldset class="ticket-entry" id="{entry_id}" tabindex="-1">(.*?)</fieldset>\s*(?=<fieldset class="ticket-entry"|{{%|<button)',
                      body, re.S)
    assert match, f"no entry {entry_id}"
    return match.group(1)


# --- Add another problem lands on the new entry -------------------------------------------------

def test_each_entry_has_its_id_and_the_add_button_posts_to_the_next_one(world, web):
    body = text(web(world.babinsa).get("/visits/new"))
    assert '<fieldset class="ticket-entry" id="tickets-0" tabindex="-1">' in body
    assert 'formaction="/visits/new#tickets-1"' in body
    assert "autofocus" not in body


def test_adding_a_problem_lands_on_the_new_entry_and_saves_nothing(world, web):
    response = web(world.babinsa).post("/visits/new", data=visit_form(add_ticket="1", **entry(0)))
    assert response.status_code == 200
    body = text(response)
    # The new entry is the page's fragment (the button posted to #tickets-1), focusable to land on.
    assert '<fieldset class="ticket-entry" id="tickets-1" tabindex="-1">' in body
    # The next add lands on the entry after it.
    assert 'formaction="/visits/new#tickets-2"' in body
    # Adding checks nothing: no error summary, no error.
    assert "data-error-summary" not in body and 'class="error"' not in body
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 0


def test_the_last_entry_has_no_add_button(world, web):
    from tracker.visits.services import MAX_TICKETS_PER_VISIT

    data = visit_form(add_ticket="1")
    for i in range(MAX_TICKETS_PER_VISIT):
        data.update(entry(i))
    body = text(web(world.babinsa).post("/visits/new", data=data))
    assert f'id="tickets-{MAX_TICKETS_PER_VISIT}"' not in body
    assert 'name="add_ticket"' not in body


# --- duplicate hints per problem ------------------------------------------------------------------

def test_an_exact_copy_of_an_open_ticket_gets_a_hint_in_its_entry(world, web, make_ticket):
    ticket = make_ticket(world.babinsa, category="hoax", title="Pesan berantai soal calon")
    response = web(world.babinsa).post("/visits/new", data=visit_form(
        check="1", **entry(0, category="crime", title="Maling"),
        **entry(1, category="hoax", title="Pesan berantai soal calon")))
    assert response.status_code == 200
    body = text(response)
    assert ticket.ref not in block(body, "tickets-0")
    second = block(body, "tickets-1")
    assert ticket.ref in second and f'href="/tickets/{ticket.id}"' in second
    # In a visit the hint links the ticket; it offers no button that would drop the visit.
    assert "formaction" not in second
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 1


def test_adding_a_problem_keeps_the_hints_of_the_entries_above(world, web, make_ticket):
    ticket = make_ticket(world.babinsa, category="hoax")
    body = text(web(world.babinsa).post("/visits/new", data=visit_form(add_ticket="1", **entry(0, category="hoax"))))
    assert ticket.ref in block(body, "tickets-0")


def test_hints_follow_the_village_and_exclude_closed_tickets(world, web, make_ticket):
    kebak = make_ticket(world.babinsa, village_code=KEBAK, category="hoax")
    make_ticket(world.babinsa, category="hoax", status="resolved", title="Sudah selesai")
    body = text(web(world.babinsa).post("/visits/new", data=visit_form(check="1", **entry(0, category="hoax"))))
    assert kebak.ref not in body and "Sudah selesai" not in body


def test_the_hint_fragment_is_scoped(world, web, make_ticket):
    ticket = make_ticket(world.babinsa, category="hoax")
    url = f"/visits/similar?village_code={KEMIRI}&category=hoax"
    mine = text(web(world.babinsa).get(url))
    assert ticket.ref in mine and "formaction" not in mine
    assert ticket.ref not in text(web(world.babinsa_waru).get(url))


def test_the_hint_fragment_answers_any_input_without_error(world, web):
    client = web(world.babinsa)
    for query in ("", "village_code=x&category=hoax", f"village_code={KEMIRI}&category=weather",
                  f"village_code={WARU}&category=", "village_code=%F0%9F%92%A5&category=hoax"):
        response = client.get(f"/visits/similar?{query}")
        assert response.status_code == 200 and "<li>" not in text(response)


def test_the_hint_fragment_needs_a_login(client):
    assert client.get(f"/visits/similar?village_code={KEMIRI}&category=hoax").status_code == 302
