"""The per-process user and area cache (tracker/auth/cache.py) is never stale.

Each test first lets the API (bearer token) or a web page (session cookie)
answer once, so the user and his area codes are cached; then changes the
user or his area and asserts that the very next request sees the change.
Changes are made directly on the rows where the services would also sign the
user out (assign_villages, update_user end his sessions and revoke his
tokens): otherwise a 401 would hide whether the cache was stale. Requests run
in their own app context and database session, as in production.
"""
import pytest
from sqlalchemy import delete, insert, select, update

from tests.plugins.world import JATEN, KEBAK, KEMIRI, SRAGEN_VILLAGE, WARU, UserClient, new_ticket
from tracker.auth import cache as auth_cache
from tracker.auth.models import BabinsaVillage, User
from tracker.auth.passwords import hash_password
from tracker.auth.services import deactivate_user, issue_token, set_password
from tracker.extensions import db
from tracker.units.models import Unit, UnitRegion

KEBAKKRAMAT, JATEN_DISTRICT = "33.13.14", "33.13.11"


@pytest.fixture
def tickets(world):
    """One ticket per village, each titled after it, reported by someone who sees it."""
    made = {
        KEMIRI: new_ticket(world.babinsa, village_code=KEMIRI, title="Tiket Kemiri"),
        KEBAK: new_ticket(world.babinsa, village_code=KEBAK, title="Tiket Kebak"),
        WARU: new_ticket(world.babinsa_waru, village_code=WARU, title="Tiket Waru"),
        JATEN: new_ticket(world.koramil_other, village_code=JATEN, title="Tiket Jaten"),
        SRAGEN_VILLAGE: new_ticket(world.kodim_other, village_code=SRAGEN_VILLAGE, title="Tiket Sragen"),
    }
    return {code: ticket.title for code, ticket in made.items()}


class Api:
    """A bearer-token client of one user, each request in a fresh app context."""

    def __init__(self, app, user):
        token, _row = issue_token(user)
        db.session.commit()
        self.client = UserClient(app, app.response_class)
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, url="/api/v1/tickets?per_page=100"):
        return self.client.get(url, headers=self.headers)

    def titles(self):
        response = self.get()
        assert response.status_code == 200, response.get_data(as_text=True)
        return {item["title"] for item in response.get_json()["items"]}


@pytest.fixture
def api(app):
    return lambda user: Api(app, user)


def page_titles(client, tickets):
    """The ticket titles (of ``tickets``) the user's ticket list shows."""
    response = client.get("/tickets/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return {title for title in tickets.values() if title in html}


def _stamp(user):
    return db.session.execute(select(User.auth_stamp).where(User.id == user.id)).scalar_one()


# Deactivation --------------------------------------------------------------

def test_a_deactivated_users_token_fails_on_the_next_request(world, tickets, api):
    client = api(world.kodim)
    assert client.get().status_code == 200
    deactivate_user(world.kodim)
    db.session.commit()
    assert client.get().status_code == 401


def test_a_deactivation_that_revokes_nothing_still_fails_the_next_request(world, tickets, api, web):
    """The account's being active is read with the token and the session every time, not cached."""
    client, page = api(world.kodim), web(world.kodim)
    assert client.get().status_code == 200 and page.get("/tickets/").status_code == 200
    world.kodim.is_active_account = False
    db.session.commit()
    assert client.get().status_code == 401
    assert page.get("/tickets/").status_code == 302  # to the login page


# A Babinsa's villages ------------------------------------------------------------

def test_a_village_added_to_a_babinsa_shows_in_his_next_api_request_and_page(world, tickets, api, web):
    babinsa = world.babinsa  # Kemiri and Kebak
    client, page = api(babinsa), web(babinsa)
    before = {tickets[KEMIRI], tickets[KEBAK]}
    assert client.titles() == before and page_titles(page, tickets) == before
    babinsa.villages.append(BabinsaVillage(village_code=WARU))
    db.session.commit()
    assert client.titles() == before | {tickets[WARU]}
    assert page_titles(page, tickets) == before | {tickets[WARU]}


def test_a_village_taken_from_a_babinsa_goes_from_his_next_api_request_and_page(world, tickets, api, web):
    babinsa = world.babinsa
    client, page = api(babinsa), web(babinsa)
    assert tickets[KEBAK] in client.titles() and tickets[KEBAK] in page_titles(page, tickets)
    db.session.delete(next(v for v in babinsa.villages if v.village_code == KEBAK))
    db.session.commit()
    assert client.titles() == {tickets[KEMIRI]}
    assert page_titles(page, tickets) == {tickets[KEMIRI]}


def test_villages_moved_by_set_based_statements_show_on_the_next_request(world, tickets, api):
    """INSERT and DELETE statements on babinsa_village (no ORM objects) renew the stamps too."""
    babinsa = world.babinsa
    client = api(babinsa)
    assert client.titles() == {tickets[KEMIRI], tickets[KEBAK]}
    db.session.execute(delete(BabinsaVillage).where(BabinsaVillage.user_id == babinsa.id))
    db.session.execute(insert(BabinsaVillage), [{"user_id": babinsa.id, "village_code": WARU}])
    db.session.commit()
    assert client.titles() == {tickets[WARU]}


def test_a_reassignment_through_the_service_signs_out_and_the_new_token_sees_the_new_villages(
        world, tickets, api, web):
    from tracker.auth.services import assign_villages

    babinsa = world.babinsa
    client, page = api(babinsa), web(babinsa)
    assert client.titles() == {tickets[KEMIRI], tickets[KEBAK]}
    assign_villages(babinsa, [WARU])
    db.session.commit()
    assert client.get().status_code == 401
    assert page.get("/tickets/").status_code == 302
    assert api(babinsa).titles() == {tickets[WARU]}
    assert page_titles(web(babinsa), tickets) == {tickets[WARU]}


# Role, unit and a unit's regions -------------------------------------------------

def test_a_unit_change_takes_effect_on_the_next_request(world, tickets, api, web):
    kodim = world.kodim  # Karanganyar
    client, page = api(kodim), web(kodim)
    assert tickets[SRAGEN_VILLAGE] not in client.titles()
    assert tickets[SRAGEN_VILLAGE] not in page_titles(page, tickets)
    kodim.unit_id = world.kodim_other.unit_id  # Kodim Sragen
    db.session.commit()
    assert client.titles() == {tickets[SRAGEN_VILLAGE]}
    assert page_titles(page, tickets) == {tickets[SRAGEN_VILLAGE]}


def test_a_role_change_takes_effect_on_the_next_request(world, tickets, api, web):
    kodim = world.kodim
    client, page = api(kodim), web(kodim)
    assert tickets[SRAGEN_VILLAGE] not in client.titles()
    kodim.role = "admin"
    db.session.commit()
    assert client.titles() == set(tickets.values())
    assert page_titles(page, tickets) == set(tickets.values())


def test_a_role_change_by_an_update_statement_takes_effect_on_the_next_request(world, tickets, api):
    client = api(world.kodim)
    assert tickets[SRAGEN_VILLAGE] not in client.titles()
    db.session.execute(update(User).where(User.id == world.kodim.id).values(role="admin"))
    db.session.commit()
    assert client.titles() == set(tickets.values())


def test_a_region_added_to_and_removed_from_a_unit_takes_effect_on_the_next_request(world, tickets, api, web):
    koramil = world.koramil  # Koramil Kebakkramat
    unit = db.session.get(Unit, koramil.unit_id)
    client, page = api(koramil), web(koramil)
    kebakkramat = {tickets[KEMIRI], tickets[KEBAK], tickets[WARU]}
    assert client.titles() == kebakkramat and page_titles(page, tickets) == kebakkramat
    unit.regions.append(UnitRegion(region_code=JATEN_DISTRICT))
    db.session.commit()
    assert client.titles() == kebakkramat | {tickets[JATEN]}
    assert page_titles(page, tickets) == kebakkramat | {tickets[JATEN]}
    unit.regions.remove(next(r for r in unit.regions if r.region_code == KEBAKKRAMAT))
    db.session.commit()
    assert client.titles() == {tickets[JATEN]}
    assert page_titles(page, tickets) == {tickets[JATEN]}


def test_a_units_regions_changed_by_statements_take_effect_on_the_next_request(world, tickets, api):
    koramil = world.koramil
    client = api(koramil)
    assert tickets[JATEN] not in client.titles()
    db.session.execute(insert(UnitRegion), [{"unit_id": koramil.unit_id, "region_code": JATEN_DISTRICT}])
    db.session.commit()
    assert tickets[JATEN] in client.titles()


# Password ------------------------------------------------------------------------

def test_a_password_change_ends_sessions_and_tokens_as_before(world, tickets, api, web):
    client, page = api(world.kodim), web(world.kodim)
    assert client.get().status_code == 200 and page.get("/tickets/").status_code == 200
    set_password(world.kodim, "a-new-password-2026")
    db.session.commit()
    assert client.get().status_code == 401
    assert page.get("/tickets/").status_code == 302


def test_a_password_hash_written_directly_renews_the_stamp(world):
    before = _stamp(world.kodim)
    world.kodim.password_hash = hash_password("another-password-1")
    db.session.commit()
    assert _stamp(world.kodim) != before


# Statements ------------------------------------------------------------------------

def _scope_read(statement):
    """True for the scope helper's read of a unit's region codes or a Babinsa's village codes."""
    head = " ".join(statement.split())
    return head.startswith(("SELECT unit_region.region_code FROM", "SELECT babinsa_village.village_code FROM"))


def test_an_api_list_request_costs_one_statement_fewer_once_the_user_is_cached(world, tickets, api, count_queries):
    """First request: token (with the user's row), area codes, total, page; later ones: no area statement."""
    client = api(world.kodim)
    auth_cache.clear()
    with count_queries() as first:
        assert client.get().status_code == 200
    with count_queries() as second:
        assert client.get().status_code == 200
    assert len(first) == 4, first
    assert len(second) == 3, second
    assert not [s for s in second if _scope_read(s)]
    assert len([s for s in second if "api_token" in s]) == 1


def test_a_babinsa_list_request_reads_no_village_statement_once_cached(world, tickets, api, count_queries):
    client = api(world.babinsa)
    client.get()
    with count_queries() as statements:
        assert client.get().status_code == 200
    assert not [s for s in statements if _scope_read(s)], statements


def test_a_web_page_reads_its_user_in_the_session_statement_and_its_area_from_the_cache(
        world, tickets, web, count_queries):
    page = web(world.kodim)
    page.get("/tickets/")
    with count_queries() as statements:
        assert page.get("/tickets/").status_code == 200
    assert not [s for s in statements if _scope_read(s)], statements
    session_reads = [s for s in statements if "FROM user_session" in s]
    assert len(session_reads) == 1 and "user_account.auth_stamp" in session_reads[0], statements
    # No statement of its own loads the user (by id) after the session's.
    assert not [s for s in statements if " ".join(s.split()).startswith("SELECT user_account.id")], statements
