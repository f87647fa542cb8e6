"""Rejecting a duplicate, confirming destructive actions and the triage queue's marks (issue 14), on the web.

"Tolak sebagai duplikat" picks the original among the tickets of the same
village (scoped), links the two (shown on both pages and in both
timelines) and copies nothing else; rejecting and closing ask to confirm
on a page of their own; the triage queue marks likely duplicates.
"""
import re

import pytest
from sqlalchemy import func, select

from tests.plugins.world import JATEN, KEBAK, KEMIRI
from tracker.extensions import db
from tracker.tickets.models import Ticket, TicketEvent
from tracker.tickets.services import (
    likely_duplicates, near_identical, normalise_title, transition,
)


def text(response):
    return response.get_data(as_text=True)


def snapshot():
    """Every ticket's (id, status, duplicate_of_id, version) and the number of events: what a refusal must not change."""
    db.session.expire_all()
    tickets = db.session.execute(
        select(Ticket.id, Ticket.status, Ticket.duplicate_of_id, Ticket.version).order_by(Ticket.id)).all()
    return tickets, db.session.scalar(select(func.count()).select_from(TicketEvent))


def kinds(ticket):
    return db.session.execute(
        select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)).scalars().all()


def forms_of(body):
    """The page's forms, each as its own HTML."""
    return re.findall(r"<form\b.*?</form>", body, re.S)


@pytest.fixture
def pair(world, make_ticket):
    """An original and a later report of the same problem, both in Kemiri."""
    original = make_ticket(world.babinsa, category="hoax", title="Pesan berantai soal bantuan")
    repeat = make_ticket(world.babinsa_same, category="hoax", title="Pesan berantai bantuan sosial")
    return original, repeat


# --- confirmation of rejecting and closing ------------------------------------------------------

def test_reject_sits_apart_from_escalate_and_asks_to_confirm(world, web, make_ticket):
    ticket = make_ticket(world.babinsa)
    client = web(world.koramil)
    body = text(client.get(f"/tickets/{ticket.id}"))
    [main] = [f for f in forms_of(body) if 'value="escalate"' in f]
    assert 'value="reject"' not in main, "Tolak is not a button beside Naikkan ke Kodim"
    danger = body[body.index('class="card danger-zone"'):]
    danger = danger[: danger.index("</section>")]
    assert 'value="reject"' in danger and f'action="/tickets/{ticket.id}/confirm"' in danger
    assert 'value="escalate"' not in danger

    asked = client.post(f"/tickets/{ticket.id}/confirm", data={"action": "reject", "reason": "laporan palsu",
                                                                "version": "1"})
    assert asked.status_code == 200
    page = text(asked)
    assert f"Tolak {ticket.ref}?" in page and "laporan palsu" in page
    assert 'name="confirm" value="1"' in page and f'action="/tickets/{ticket.id}/transition"' in page
    db.session.expire_all()
    assert ticket.status == "new" and kinds(ticket) == ["created"], "asking writes nothing"

    done = client.post(f"/tickets/{ticket.id}/transition", data={"action": "reject", "reason": "laporan palsu",
                                                                  "version": "1", "confirm": "1"})
    assert done.status_code == 302
    db.session.expire_all()
    assert ticket.status == "rejected" and kinds(ticket) == ["created", "status"]
    assert ticket.duplicate_of_id is None


@pytest.mark.parametrize("action,status,who,data", [
    ("reject", "new", "koramil", {"reason": "tidak benar"}),
    ("close", "resolved", "kodim", {}),
])
def test_a_destructive_action_posted_without_confirm_only_shows_the_confirmation(
        world, web, make_ticket, action, status, who, data):
    ticket = make_ticket(world.babinsa, status=status, level="kodim" if who == "kodim" else None)
    before = snapshot()
    response = web(world.users[who]).post(f"/tickets/{ticket.id}/transition",
                                          data={"action": action, "version": str(ticket.version), **data})
    assert response.status_code == 200
    assert 'name="confirm" value="1"' in text(response)
    assert snapshot() == before


def test_closing_is_confirmed_on_its_own_page(world, web, make_ticket):
    ticket = make_ticket(world.babinsa, status="resolved", level="kodim")
    client = web(world.kodim)
    body = text(client.get(f"/tickets/{ticket.id}"))
    [main] = [f for f in forms_of(body) if 'value="reopen"' in f]
    assert 'value="close"' not in main
    version = str(ticket.version)
    asked = text(client.post(f"/tickets/{ticket.id}/confirm", data={"action": "close", "version": version}))
    assert f"Tutup {ticket.ref}?" in asked and "Ya, tutup" in asked
    assert client.post(f"/tickets/{ticket.id}/transition",
                       data={"action": "close", "version": version, "confirm": "1"}).status_code == 302
    db.session.expire_all()
    assert ticket.status == "closed"


def test_other_actions_need_no_confirmation(world, web, make_ticket):
    ticket = make_ticket(world.babinsa)
    response = web(world.koramil).post(f"/tickets/{ticket.id}/transition",
                                       data={"action": "escalate", "reason": "serius", "version": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert ticket.status == "escalated"


@pytest.mark.parametrize("data,status", [
    ({"action": "triage", "version": "1"}, 422),        # not a destructive action
    ({"action": "reject", "version": "1"}, 422),        # no reason
    ({"action": "close", "version": "1"}, 409),         # a new ticket cannot be closed
])
def test_the_confirm_step_checks_before_asking(world, web, make_ticket, data, status):
    ticket = make_ticket(world.babinsa)
    before = snapshot()
    response = web(world.koramil).post(f"/tickets/{ticket.id}/confirm", data=data)
    assert response.status_code == status
    assert 'name="confirm" value="1"' not in text(response)
    assert snapshot() == before


def test_a_role_that_may_not_reject_gets_403_at_the_confirm_step(world, web, make_ticket):
    ticket = make_ticket(world.babinsa)
    assert web(world.babinsa).post(f"/tickets/{ticket.id}/confirm",
                                   data={"action": "reject", "reason": "x", "version": "1"}).status_code == 403
    assert "danger-zone" not in text(web(world.babinsa).get(f"/tickets/{ticket.id}"))


# --- picking the original -------------------------------------------------------------------

def test_the_duplicate_page_lists_only_the_villages_other_tickets(world, web, make_ticket, pair):
    original, repeat = pair
    other_village = make_ticket(world.babinsa, village_code=KEBAK, category="hoax", title="Pesan berantai Kebak")
    other_kecamatan = make_ticket(world.koramil_other, village_code=JATEN, category="hoax", title="Pesan Jaten")
    rejected = make_ticket(world.babinsa, category="hoax", title="Pesan ditolak", status="rejected")
    response = web(world.koramil).get(f"/tickets/{repeat.id}/duplicate")
    assert response.status_code == 200
    body = text(response)
    picks = re.findall(r'name="duplicate_of" value="(\d+)"', body)
    assert picks == [str(original.id)]
    for absent in (other_village, other_kecamatan, rejected):
        assert absent.ref not in body


def test_the_duplicate_page_searches_by_reference_or_title(world, web, make_ticket, pair):
    original, repeat = pair
    other = make_ticket(world.babinsa, category="crime", title="Pencurian ternak")
    client = web(world.koramil)

    def picks(q):
        body = text(client.get(f"/tickets/{repeat.id}/duplicate", query_string={"q": q}))
        return re.findall(r'name="duplicate_of" value="(\d+)"', body)

    assert picks(original.ref) == [str(original.id)]
    assert picks(other.ref[-6:]) == [str(other.id)]
    assert picks("TERNAK") == [str(other.id)]
    assert picks("bantuan") == [str(original.id)]
    assert picks("tidak ada") == []
    # The same category comes first without a search.
    assert picks("") == [str(original.id), str(other.id)]


def test_a_bad_search_is_422_naming_q(world, web, pair):
    _original, repeat = pair
    response = web(world.koramil).get(f"/tickets/{repeat.id}/duplicate", query_string={"q": "x" * 201})
    assert response.status_code == 422 and 'id="q-error"' in text(response)


def test_the_duplicate_page_needs_a_role_that_may_reject_and_a_status_that_allows_it(world, web, make_ticket):
    ticket = make_ticket(world.babinsa)
    assert web(world.babinsa).get(f"/tickets/{ticket.id}/duplicate").status_code == 403
    done = make_ticket(world.babinsa, status="in_progress")
    assert web(world.koramil).get(f"/tickets/{done.id}/duplicate").status_code == 409
    hidden = make_ticket(world.koramil_other, village_code=JATEN)
    assert web(world.koramil).get(f"/tickets/{hidden.id}/duplicate").status_code == 404


def test_rejecting_as_a_duplicate_links_both_tickets_and_copies_nothing(world, web, pair):
    original, repeat = pair
    client = web(world.koramil)
    fields_before = (original.title, original.description, original.severity, original.category,
                     original.status, original.updated_at, original.version + 1)
    asked = client.post(f"/tickets/{repeat.id}/confirm",
                        data={"action": "reject", "version": "1", "duplicate_of": str(original.id), "reason": ""})
    assert asked.status_code == 200
    page = text(asked)
    assert "sebagai duplikat dari" in page and original.ref in page
    assert f'name="duplicate_of" value="{original.id}"' in page and 'name="confirm" value="1"' in page

    done = client.post(f"/tickets/{repeat.id}/transition", data={
        "action": "reject", "version": "1", "duplicate_of": str(original.id), "reason": "", "confirm": "1"})
    assert done.status_code == 302
    db.session.expire_all()
    assert (repeat.status, repeat.duplicate_of_id) == ("rejected", original.id)
    assert (original.title, original.description, original.severity, original.category,
            original.status, original.updated_at, original.version) == fields_before, \
        "nothing is copied to the original; only its version moves (its links changed)"
    assert kinds(repeat) == ["created", "status", "duplicate_of"]
    assert kinds(original) == ["created", "has_duplicate"]
    [(to_repeat,)] = db.session.execute(select(TicketEvent.to_value).where(
        TicketEvent.ticket_id == repeat.id, TicketEvent.kind == "duplicate_of")).all()
    [(to_original,)] = db.session.execute(select(TicketEvent.to_value).where(
        TicketEvent.ticket_id == original.id, TicketEvent.kind == "has_duplicate")).all()
    assert (to_repeat, to_original) == (original.ref, repeat.ref)

    flashed = text(client.get(done.headers["Location"]))
    assert f"ditolak sebagai duplikat dari {original.ref}" in flashed
    repeat_page = text(client.get(f"/tickets/{repeat.id}"))
    facts = repeat_page[repeat_page.index('<dl class="facts">'):repeat_page.index("</dl>")]
    assert "Duplikat dari" in facts and f'href="/tickets/{original.id}"' in facts
    assert "ditolak sebagai duplikat dari" in repeat_page[repeat_page.index('id="timeline"'):]
    original_page = text(client.get(f"/tickets/{original.id}"))
    facts = original_page[original_page.index('<dl class="facts">'):original_page.index("</dl>")]
    assert "Duplikat</dt>" in facts and f'href="/tickets/{repeat.id}">{repeat.ref}</a>' in facts
    assert "duplikat ditautkan" in original_page[original_page.index('id="timeline"'):]


def test_the_original_lists_every_duplicate(world, web, make_ticket, pair):
    original, repeat = pair
    third = make_ticket(world.babinsa, category="hoax", title="Pesan berantai lagi")
    for ticket in (repeat, third):
        transition(world.koramil, ticket, "reject", duplicate_of=original.id)
    db.session.commit()
    body = text(web(world.kodim).get(f"/tickets/{original.id}"))
    facts = body[body.index('<dl class="facts">'):body.index("</dl>")]
    assert re.search(rf">{repeat.ref}</a>, <a [^>]*>{third.ref}</a>", facts)


def test_a_sensitive_original_is_not_named_to_a_babinsa_who_may_not_see_it(world, web, make_ticket):
    original = make_ticket(world.babinsa, category="hoax", title="Informan", sensitive=True)
    repeat = make_ticket(world.babinsa_same, category="hoax", title="Informan juga")
    transition(world.koramil, repeat, "reject", duplicate_of=original.id)
    db.session.commit()
    body = text(web(world.babinsa_same).get(f"/tickets/{repeat.id}"))
    facts = body[body.index('<dl class="facts">'):body.index("</dl>")]
    assert "Duplikat dari" in facts and "tiket yang tidak dapat Anda lihat" in facts
    assert f'href="/tickets/{original.id}"' not in facts


def other_ticket(world, make_ticket, case, original, repeat):
    """The duplicate_of value of each refusal case and the message it must show."""
    if case == "itself":
        return str(repeat.id), "Tiket tidak dapat menjadi duplikat dirinya sendiri."
    if case == "other_village":
        kebak = make_ticket(world.babinsa, village_code=KEBAK, category="hoax", title="Pesan berantai")
        return str(kebak.id), f"{kebak.ref} ada di desa lain (Kebak): pilih tiket dari Kemiri."
    if case == "invisible":
        jaten = make_ticket(world.koramil_other, village_code=JATEN, category="hoax")
        return str(jaten.id), f"Tidak ada tiket #{jaten.id} yang dapat Anda lihat."
    if case == "missing":
        return "424242", "Tidak ada tiket #424242 yang dapat Anda lihat."
    if case == "missing_ref":
        return "0727-2026-999999", "Tidak ada tiket 0727-2026-999999 yang dapat Anda lihat."
    if case == "not_a_number":
        return "x" * 41, "Isi nomor atau nomor referensi tiket yang lain."
    if case == "a_duplicate":
        first = make_ticket(world.babinsa, category="hoax", title="Pertama")
        transition(world.koramil, original, "reject", duplicate_of=first.id)
        db.session.commit()
        return str(original.id), f"{original.ref} sendiri adalah duplikat: pilih tiket aslinya."
    if case == "an_original":
        later = make_ticket(world.babinsa, category="hoax", title="Susulan")
        transition(world.koramil, later, "reject", duplicate_of=repeat.id)
        db.session.commit()
        return str(original.id), "Tiket lain sudah menjadi duplikat tiket ini: tiket ini tetap menjadi aslinya."
    if case == "rejected":
        transition(world.koramil, original, "reject", reason="palsu")
        db.session.commit()
        return str(original.id), f"{original.ref} sudah ditolak: pilih tiket yang masih berlaku."
    raise AssertionError(case)


CASES = ["itself", "other_village", "invisible", "missing", "missing_ref", "not_a_number", "a_duplicate",
         "an_original", "rejected"]


@pytest.mark.parametrize("confirm", ["", "1"])
@pytest.mark.parametrize("case", CASES)
def test_a_refused_original_is_named_on_the_duplicate_page_and_writes_nothing(
        world, web, make_ticket, pair, case, confirm):
    original, repeat = pair
    value, message = other_ticket(world, make_ticket, case, original, repeat)
    db.session.refresh(repeat)
    before = snapshot()
    response = web(world.koramil).post(f"/tickets/{repeat.id}/transition", data={
        "action": "reject", "version": str(repeat.version), "duplicate_of": value, "reason": "", "confirm": confirm})
    assert response.status_code == 422
    body = text(response)
    error = body[body.index('id="duplicate_of-error"'):]
    assert message in error[: error.index("</div>")]
    assert f'action="/tickets/{repeat.id}/duplicate"' in body, "the duplicate page, to pick again"
    assert snapshot() == before


# --- the triage queue's marks --------------------------------------------------------------------

@pytest.mark.parametrize("first,second,same", [
    ("Spanduk caleg dirusak", "spanduk  CALEG dirusak!", True),
    ("Spanduk caleg dirusak", "Spanduk caleg di rusak", True),
    ("Spanduk caleg dirusak", "Spanduk caleg dirusk", True),
    ("Pembagian sembako oleh tim sukses", "Pembagian sembako oleh tim sukses A", True),
    ("Spanduk caleg dirusak", "Jalan desa rusak", False),
    ("Sengketa batas sawah", "Sengketa batas tanah makam", False),
    ("", "", False),
])
def test_near_identical_titles(first, second, same):
    assert near_identical(normalise_title(first), normalise_title(second)) is same


def queue_marks(body):
    """{ref of a row: [refs it is marked as a likely duplicate of]} on a queue page."""
    marks = {}
    for row in re.findall(r'<li class="ticket-row">.*?</li>', body, re.S):
        ref = re.search(r'class="ref" href="/tickets/\d+">([^<]+)</a>', row).group(1)
        if "likely-duplicate" in row:
            block = row[row.index('class="likely-duplicate"'):]
            marks[ref] = re.findall(r'class="ref" href="/tickets/\d+">([^<]+)</a>', block)
    return marks


def test_the_triage_queue_marks_likely_duplicates(world, web, make_ticket):
    first = make_ticket(world.babinsa, category="campaign_violation", title="Spanduk caleg dirusak")
    second = make_ticket(world.babinsa_same, category="campaign_violation", title="spanduk caleg di rusak!")
    started = make_ticket(world.babinsa, category="campaign_violation", title="Spanduk caleg dirusak",
                          status="in_progress")
    make_ticket(world.babinsa, category="campaign_violation", title="Spanduk caleg dirusak", status="resolved")
    make_ticket(world.babinsa, category="hoax", title="Spanduk caleg dirusak")                 # another category
    make_ticket(world.babinsa, village_code=KEBAK, category="campaign_violation",
                title="Spanduk caleg dirusak")                                                    # another village
    lone = make_ticket(world.babinsa, category="campaign_violation", title="Baliho dicoret")
    body = text(web(world.koramil).get("/tickets/triage"))
    marks = queue_marks(body)
    assert marks == {first.ref: [second.ref, started.ref], second.ref: [first.ref, started.ref]}
    assert lone.ref not in marks
    assert "kemungkinan duplikat" in body
    assert f'href="/tickets/{second.id}/duplicate?q={first.ref}"' in body


def test_marks_follow_the_scope(world, make_ticket):
    first = make_ticket(world.babinsa, category="hoax", title="Pesan berantai", sensitive=True)
    second = make_ticket(world.babinsa_same, category="hoax", title="Pesan berantai")
    assert likely_duplicates(world.koramil, [second]) == {second.id: [(first.id, first.ref)]}
    assert likely_duplicates(world.babinsa_same, [second]) == {}, "a sensitive ticket he may not see is not named"


def test_marking_duplicates_costs_the_same_queries_for_any_number_of_rows(world, web, make_ticket, count_queries):
    client = web(world.koramil)
    make_ticket(world.babinsa, category="hoax", title="Pesan berantai")
    make_ticket(world.babinsa, category="hoax", title="Pesan berantai")
    client.get("/tickets/triage")  # his user and area now cached per process, as for any later request
    with count_queries() as few:
        assert "likely-duplicate" in text(client.get("/tickets/triage"))
    for n in range(8):
        make_ticket(world.babinsa, category="hoax" if n % 2 else "crime", title=f"Pesan berantai {n % 3}",
                    village_code=KEBAK if n % 3 else KEMIRI)
    with count_queries() as many:
        client.get("/tickets/triage")
    assert len(many) == len(few)
