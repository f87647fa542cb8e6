"""Visits: the service, the visit form with its tickets (all or nothing), my villages, visit pages."""
from datetime import date, datetime, timezone

import pytest
import time_machine
from sqlalchemy import func, select

from tests.plugins.world import JATEN, KEBAK, KEMIRI, WARU
from tests.visits.forms import entry, visit_form
from tracker.errors import Forbidden, ValidationError
from tracker.extensions import db
from tracker.tickets.models import Ticket, TicketEvent
from tracker.visits.models import Visit
from tracker.visits.services import last_visits, record_visit, record_visit_with_tickets

TODAY = datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc)  # 2 Mar 2026 10:00 WIB


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def text(response):
    return response.get_data(as_text=True)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(TODAY, tick=False):
        yield


# --- service ------------------------------------------------------------------------------

def test_record_visit(world):
    visit = record_visit(world.babinsa, village_code=KEMIRI, visited_on="2026-03-02",
                         met_with="Sekretaris Desa", notes="<b>aman</b>")
    db.session.commit()
    assert (visit.babinsa_id, visit.visited_on, visit.notes) == (world.babinsa.id, date(2026, 3, 2), "<b>aman</b>")


@pytest.mark.parametrize("field,value", [
    ("village_code", ""), ("village_code", "99.99.99.9999"), ("visited_on", ""), ("visited_on", "2026-03-03"),
    ("visited_on", "2-3-2026"), ("met_with", "x" * 201), ("notes", "x" * 10_001), ("notes", 5),
])
def test_bad_visit_field_is_named_and_nothing_written(world, field, value):
    fields = {"village_code": KEMIRI, "visited_on": "2026-03-01", field: value}
    with pytest.raises(ValidationError) as error:
        record_visit(world.babinsa, **fields)
    assert list(error.value.errors) == [field]
    db.session.rollback()
    assert count(Visit) == 0


def test_visit_outside_ones_villages_is_forbidden(world):
    with pytest.raises(Forbidden):
        record_visit(world.babinsa, village_code=WARU, visited_on="2026-03-01")


def test_visit_with_tickets_links_them(world):
    visit, tickets = record_visit_with_tickets(
        world.babinsa, village_code=KEMIRI, visited_on="2026-03-02",
        tickets=[{"category": "hoax", "severity": "high", "title": "Pesan berantai"},
                 {"category": "land_dispute", "severity": "low", "title": "Patok"}])
    db.session.commit()
    assert [t.visit_id for t in tickets] == [visit.id, visit.id]
    assert [t.village_code for t in tickets] == [KEMIRI, KEMIRI]


def test_visit_with_a_bad_ticket_writes_nothing_and_names_every_error(world):
    with pytest.raises(ValidationError) as error:
        record_visit_with_tickets(
            world.babinsa, village_code=KEMIRI, visited_on="2026-03-09",
            tickets=[{"category": "hoax", "severity": "high", "title": "baik"},
                     {"category": "weather", "severity": "high", "title": ""}])
    assert set(error.value.errors) == {"visited_on", "tickets-1-category", "tickets-1-title"}
    db.session.rollback()
    assert (count(Visit), count(Ticket), count(TicketEvent)) == (0, 0, 0)


def test_last_visits_is_per_village_and_can_be_narrowed(world):
    for village, day in ((KEMIRI, "2026-02-01"), (KEMIRI, "2026-02-20"), (KEBAK, "2026-01-05")):
        record_visit(world.babinsa, village_code=village, visited_on=day)
    record_visit(world.babinsa_waru, village_code=WARU, visited_on="2026-02-25")
    db.session.commit()
    assert last_visits(world.babinsa) == {KEMIRI: date(2026, 2, 20), KEBAK: date(2026, 1, 5)}
    assert last_visits(world.koramil, [KEBAK, WARU]) == {KEBAK: date(2026, 1, 5), WARU: date(2026, 2, 25)}


# --- the visit form ----------------------------------------------------------------------------

def test_visit_form_prefills_village_and_today(world, web):
    body = text(web(world.babinsa).get(f"/visits/new?village_code={KEBAK}"))
    assert f'<option value="{KEBAK}" selected>' in body
    assert 'value="2026-03-02"' in body
    assert f'value="{WARU}"' not in body
    assert 'name="tickets-0-title"' in body


def test_visit_without_problems_records_only_the_visit(world, web):
    response = web(world.babinsa).post("/visits/new", data=visit_form(**entry(0, category="", title="")))
    assert response.status_code == 302
    visit = db.session.execute(select(Visit)).scalar_one()
    assert response.headers["Location"].endswith(f"/visits/{visit.id}")
    assert count(Ticket) == 0


def test_visit_form_files_several_tickets_in_one_submit(world, web):
    client = web(world.babinsa)
    response = client.post("/visits/new", data=visit_form(**entry(0), **entry(1, category="crime", severity="high"),
                                                          **entry(2, category="", title="")))
    assert response.status_code == 302
    visit = db.session.execute(select(Visit)).scalar_one()
    tickets = db.session.execute(select(Ticket).order_by(Ticket.id)).scalars().all()
    assert [(t.title, t.category, t.visit_id) for t in tickets] == [
        ("Masalah 0", "hoax", visit.id), ("Masalah 1", "crime", visit.id)]
    page = text(client.get(f"/visits/{visit.id}"))
    assert tickets[0].ref in page and tickets[1].ref in page
    assert f"/tickets/new?village_code={KEMIRI}&amp;visit_id={visit.id}" in page
    assert f'data-clear-drafts="waspada:draft:{world.babinsa.id}:visit"' in page


def test_add_another_problem_saves_nothing_and_adds_an_entry(world, web):
    response = web(world.babinsa).post("/visits/new", data=visit_form(add_ticket="1", **entry(0)))
    assert response.status_code == 200
    body = text(response)
    assert 'name="tickets-1-title"' in body and 'value="Masalah 0"' in body
    assert count(Visit) == 0


def test_visit_form_errors_are_422_under_the_right_entry_and_nothing_written(world, web):
    response = web(world.babinsa).post("/visits/new", data=visit_form(
        visited_on="2026-03-05", **entry(0, category="", title=""), **entry(1, title="x" * 201)))
    assert response.status_code == 422
    body = text(response)
    assert 'id="visited_on-error"' in body and 'id="tickets-1-title-error"' in body
    assert 'id="tickets-0-title-error"' not in body
    assert (count(Visit), count(Ticket)) == (0, 0)


def test_visit_form_outside_ones_villages_is_403(world, web):
    response = web(world.babinsa).post("/visits/new", data=visit_form(village_code=WARU, **entry(0)))
    assert response.status_code == 403
    assert (count(Visit), count(Ticket)) == (0, 0)


def test_visit_form_is_only_for_roles_that_file(world, web):
    assert web(world.admin).get("/visits/new").status_code == 200
    assert web(world.koramil).get("/visits/new").status_code == 200


# --- my villages, visit pages -----------------------------------------------------------------

def test_my_villages_lists_open_tickets_and_last_visit(world, web, make_ticket):
    make_ticket(world.babinsa, village_code=KEMIRI)
    make_ticket(world.babinsa, village_code=KEMIRI)
    make_ticket(world.babinsa, village_code=KEMIRI, status="resolved")
    record_visit(world.babinsa, village_code=KEMIRI, visited_on="2026-02-20")
    db.session.commit()
    body = text(web(world.babinsa).get("/visits/villages"))
    cards = {card.split("<small")[0].split(">")[-1].strip(): card
             for card in body.split('<li class="card village">')[1:]}
    assert sorted(cards) == ["Kebak", "Kemiri"]
    assert "2 tiket terbuka" in cards["Kemiri"] and "20 Feb 2026" in cards["Kemiri"]
    assert "(10 hari lalu)" in cards["Kemiri"]
    assert "0 tiket terbuka" in cards["Kebak"] and "belum pernah dikunjungi" in cards["Kebak"]


def test_koramil_sees_every_village_of_his_kecamatan(world, web):
    body = text(web(world.koramil).get("/visits/villages"))
    assert all(name in body for name in ("Kemiri", "Kebak", "Waru")) and "Jaten" not in body


def test_visit_pages_are_scoped(world, web):
    kemiri = record_visit(world.babinsa, village_code=KEMIRI, visited_on="2026-03-01", met_with="Kadus")
    waru = record_visit(world.babinsa_waru, village_code=WARU, visited_on="2026-03-01", met_with="Bhabinkamtibmas")
    jaten = record_visit(world.koramil_other, village_code=JATEN, visited_on="2026-03-01")
    db.session.commit()
    babinsa = web(world.babinsa)
    assert babinsa.get(f"/visits/{kemiri.id}").status_code == 200
    assert babinsa.get(f"/visits/{waru.id}").status_code == 404
    assert babinsa.get("/visits/99999999999999999999").status_code == 404
    listing = text(web(world.koramil).get("/visits/"))
    assert "Kadus" in listing and "Bhabinkamtibmas" in listing
    assert web(world.koramil).get(f"/visits/{jaten.id}").status_code == 404


def test_visit_page_hides_tickets_the_viewer_may_not_see(world, web):
    visit, (secret,) = record_visit_with_tickets(
        world.babinsa, village_code=KEMIRI, visited_on="2026-03-01",
        tickets=[{"category": "identity_politics", "severity": "high", "title": "Informan", "sensitive": True}])
    db.session.commit()
    assert secret.ref not in text(web(world.babinsa_same).get(f"/visits/{visit.id}"))
    assert secret.ref in text(web(world.koramil).get(f"/visits/{visit.id}"))
