"""Reclassifying answers alike on the web and in the API: the service decides what changed.

The web form always sends both severity and category. It used to drop the
unchanged one itself, so a form with nothing changed answered 422 ("give a
new severity or category") where the API answered 200 with the ticket as
it was. Now both hand the values to the service as they are.
"""
import pytest
from sqlalchemy import func, select

from tracker.auth.services import issue_token
from tracker.extensions import db
from tracker.tickets.models import TicketEvent


def _events(ticket):
    return db.session.execute(
        select(func.count()).select_from(TicketEvent).where(TicketEvent.ticket_id == ticket.id)).scalar_one()


def _api_headers(user):
    token, _row = issue_token(user)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def unchanged(world, make_ticket):
    """A ticket and a reclassification naming its own severity and category."""
    ticket = make_ticket(world.babinsa, severity="medium", category="land_dispute")
    return ticket, {"severity": "medium", "category": "land_dispute", "reason": "dicek ulang", "version": 1}


def test_the_same_no_op_succeeds_on_the_web_and_in_the_api_and_changes_nothing(app, world, web, unchanged):
    ticket, change = unchanged
    page = web(world.koramil).post(f"/tickets/{ticket.id}/reclassify", data=change)
    api = app.test_client().patch(f"/api/v1/tickets/{ticket.id}", json=change, headers=_api_headers(world.kodim))

    assert page.status_code == 302 and page.headers["Location"].endswith(f"/tickets/{ticket.id}")
    assert api.status_code == 200
    db.session.expire_all()
    assert (ticket.severity, ticket.category, ticket.version) == ("medium", "land_dispute", 1)
    assert _events(ticket) == 1
    assert api.get_json()["version"] == 1


def test_the_web_says_that_nothing_changed(world, web, unchanged):
    ticket, change = unchanged
    client = web(world.koramil)
    client.post(f"/tickets/{ticket.id}/reclassify", data=change)
    body = client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert f"{ticket.ref} sudah memiliki tingkat keparahan dan kategori ini; tidak ada yang berubah." in body
    assert f"Klasifikasi {ticket.ref} diubah." not in body


def test_changing_one_of_the_two_records_only_that_one(world, web, make_ticket):
    ticket = make_ticket(world.babinsa, severity="medium", category="land_dispute")
    client = web(world.koramil)
    response = client.post(f"/tickets/{ticket.id}/reclassify",
                           data={"severity": "high", "category": "land_dispute", "reason": "memanas", "version": "1"})
    assert response.status_code == 302
    assert f"Klasifikasi {ticket.ref} diubah." in client.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    kinds = db.session.execute(
        select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)).scalars().all()
    assert kinds == ["created", "severity"]


@pytest.mark.parametrize("change,field", [
    ({"severity": "medium", "category": "land_dispute", "reason": ""}, "reason"),
    ({"severity": "extreme", "category": "land_dispute", "reason": "x"}, "severity"),
])
def test_a_refused_no_op_is_refused_alike(app, world, web, make_ticket, change, field):
    ticket = make_ticket(world.babinsa, severity="medium", category="land_dispute")
    page = web(world.koramil).post(f"/tickets/{ticket.id}/reclassify", data=change)
    api = app.test_client().patch(f"/api/v1/tickets/{ticket.id}", json=change, headers=_api_headers(world.kodim))
    assert page.status_code == api.status_code == 422
    assert list(api.get_json()["errors"]) == [field]


def test_a_stale_no_op_is_a_conflict_alike(app, world, web, make_ticket):
    ticket = make_ticket(world.babinsa, severity="medium", category="land_dispute")
    stale = {"severity": "medium", "category": "land_dispute", "reason": "x", "version": 7}
    page = web(world.koramil).post(f"/tickets/{ticket.id}/reclassify", data=stale)
    api = app.test_client().patch(f"/api/v1/tickets/{ticket.id}", json=stale, headers=_api_headers(world.kodim))
    assert page.status_code == api.status_code == 409
