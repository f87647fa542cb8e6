"""The command chain (issue 13): a ticket at Kodim level is the Kodim's to move."""
import pytest

from tracker.errors import Conflict, Forbidden
from tracker.tickets.services import add_comment, allowed_actions, reclassify, transition

KODIM_OWNS = "sekarang ditangani Kodim"  # Indonesian, the default language
KODIM_OWNS_EN = "The Kodim owns this ticket now"


@pytest.mark.parametrize("role", ["koramil", "babinsa"])
def test_below_the_kodim_one_may_comment_on_a_kodim_level_ticket_but_not_move_it(world, make_ticket, role):
    ticket = make_ticket(world.babinsa, status="in_progress", level="kodim")
    user = world.users[role]

    add_comment(user, ticket, "Warga sudah ditemui lagi.")
    assert allowed_actions(user, ticket) == []
    with pytest.raises(Forbidden, match=KODIM_OWNS):
        transition(user, ticket, "resolve", reason="selesai")
    assert ticket.status == "in_progress"


def test_the_koramil_may_not_reclassify_a_kodim_level_ticket(world, make_ticket):
    ticket = make_ticket(world.babinsa, status="in_progress", level="kodim")
    with pytest.raises(Forbidden, match=KODIM_OWNS):
        reclassify(world.koramil, ticket, severity="critical", reason="memanas")
    assert ticket.severity == "medium"
    reclassify(world.kodim, ticket, severity="critical", reason="memanas")
    assert ticket.severity == "critical"


def test_a_kodim_level_ticket_in_progress_is_never_offered_escalation_and_it_is_refused(world, make_ticket):
    ticket = make_ticket(world.babinsa, status="in_progress", level="kodim")
    assert "escalate" not in allowed_actions(world.kodim, ticket)
    with pytest.raises(Conflict, match="sudah ditangani Kodim"):
        transition(world.kodim, ticket, "escalate", reason="lagi")
    assert (ticket.status, ticket.level) == ("in_progress", "kodim")


def test_the_api_answers_403_naming_the_kodim_and_the_page_offers_no_button(world, make_ticket, web, client):
    ticket = make_ticket(world.babinsa, status="in_progress", level="kodim")
    token = client.post("/api/v1/auth/tokens", json={"username": "koramil", "password": "waspada-demo"}).get_json()["token"]
    response = client.post(f"/api/v1/tickets/{ticket.id}/transitions?lang=en", json={"action": "resolve", "reason": "x"},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403
    assert KODIM_OWNS_EN in response.get_json()["error"]
    page = web(world.koramil).get(f"/tickets/{ticket.id}?lang=en").get_data(as_text=True)
    assert 'name="action"' not in page
    assert 'name="body"' in page  # the comment form stays
