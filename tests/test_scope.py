"""The one scope helper: which villages (and tickets) each role may see."""
import itertools
from datetime import datetime, timezone

import pytest
from flask import jsonify
from flask_login import AnonymousUserMixin, current_user, login_required
from sqlalchemy import func, select

from tracker import scope
from tracker.auth.services import assign_villages, deactivate_user, update_user
from tracker.regions.models import Region
from tracker.regions.services import import_regions

KEBAKKRAMAT_VILLAGES = {f"33.13.14.{2000 + n}" for n in range(1, 11)}
JATEN_VILLAGES = {f"33.13.11.{2000 + n}" for n in range(1, 9)}
# A second kabupaten, outside Kodim 0727, so a Kodim's limit shows.
WONOGIRI = """code,name
33.12,Kabupaten Wonogiri
33.12.01,Pracimantoro
33.12.01.2001,Gambirmanis
33.12.01.2002,Sumberagung
"""


@pytest.fixture
def area(db, regions, make_unit, make_user):
    """Kodim 0727 with two Koramil, a Babinsa, and a neighbouring kabupaten."""
    import_regions(WONOGIRI)
    db.session.commit()
    kodim = make_unit("kodim", "Kodim 0727/Karanganyar", regions=["33.13"])
    kebakkramat = make_unit("koramil", "Koramil 03/Kebakkramat", regions=["33.13.14"], parent=kodim)
    jaten = make_unit("koramil", "Koramil Jaten", regions=["33.13.11"], parent=kodim)
    return {
        "kodim": kodim, "kebakkramat": kebakkramat, "jaten": jaten,
        "admin": make_user("admin", username="admin"),
        "dandim": make_user("kodim", unit=kodim, username="dandim"),
        "danramil": make_user("koramil", unit=kebakkramat, username="danramil"),
        "babinsa": make_user("babinsa", unit=kebakkramat, username="babinsa",
                             villages=["33.13.14.2005", "33.13.14.2006"]),
    }


def visible(db, user):
    return set(db.session.execute(scope.villages(user).with_only_columns(Region.code)).scalars())


def test_admin_sees_every_village(db, area):
    everything = set(db.session.execute(select(Region.code).where(Region.level == 4)).scalars())
    assert len(everything) == 177 + 2
    assert visible(db, area["admin"]) == everything


def test_kodim_sees_the_villages_of_its_kabupaten_only(db, area):
    seen = visible(db, area["dandim"])
    assert len(seen) == 177
    assert all(code.startswith("33.13.") for code in seen)


def test_koramil_sees_the_villages_of_its_kecamatan(db, area):
    assert visible(db, area["danramil"]) == KEBAKKRAMAT_VILLAGES


def test_koramil_covering_two_kecamatan_sees_both(db, area, make_unit, make_user):
    both = make_unit("koramil", "Koramil Gabungan", regions=["33.13.14", "33.13.11"], parent=area["kodim"])
    assert visible(db, make_user("koramil", unit=both)) == KEBAKKRAMAT_VILLAGES | JATEN_VILLAGES


def test_babinsa_sees_his_assigned_villages_only(db, area):
    assert visible(db, area["babinsa"]) == {"33.13.14.2005", "33.13.14.2006"}


def test_village_codes_is_a_subquery_for_other_tables(db, area):
    stmt = select(func.count()).select_from(Region).where(Region.code.in_(scope.village_codes(area["danramil"])))
    assert db.session.execute(stmt).scalar_one() == 10


def test_covered_codes_are_read_once_per_session_and_compared_as_values(area, count_queries):
    for name in ("babinsa", "dandim", "danramil"):
        area[name].unit_id  # load the rows the fixtures' commit expired
    with count_queries() as first:
        scope.village_codes(area["babinsa"])
        scope.villages(area["dandim"])
        condition = scope.ticket_condition(area["danramil"])
    assert len(first) == 3, "one look-up of the covered codes per user"
    assert "SELECT" not in str(condition), "the codes are values, not a subquery"
    with count_queries() as again:
        scope.village_codes(area["babinsa"])
        scope.villages(area["dandim"])
        scope.ticket_condition(area["danramil"])
    assert again == []


def test_a_write_in_the_session_forgets_the_cached_codes(db, area, count_queries):
    babinsa = area["babinsa"]
    assert visible(db, babinsa) == {"33.13.14.2005", "33.13.14.2006"}
    assign_villages(babinsa, ["33.13.14.2007"])
    db.session.flush()
    assert visible(db, babinsa) == {"33.13.14.2007"}
    db.session.rollback()
    assert visible(db, babinsa) == {"33.13.14.2005", "33.13.14.2006"}


def test_can_see_village(area):
    assert scope.can_see_village(area["babinsa"], "33.13.14.2005")
    assert not scope.can_see_village(area["babinsa"], "33.13.14.2007")
    assert scope.can_see_village(area["danramil"], "33.13.14.2007")
    assert not scope.can_see_village(area["danramil"], "33.13.11.2003")
    assert not scope.can_see_village(area["dandim"], "33.12.01.2001")
    assert not scope.can_see_village(area["admin"], "33.13.14"), "a kecamatan is not a village"


def test_deactivated_user_sees_nothing(db, area):
    for name in ("admin", "dandim", "danramil", "babinsa"):
        deactivate_user(area[name])
    db.session.commit()
    for name in ("admin", "dandim", "danramil", "babinsa"):
        assert visible(db, area[name]) == set(), name


def test_anonymous_user_sees_nothing(db, area):
    assert visible(db, AnonymousUserMixin()) == set()
    assert visible(db, None) == set()


def test_commander_without_unit_sees_nothing(db, area):
    area["dandim"].unit = None
    db.session.commit()
    assert visible(db, area["dandim"]) == set()


def test_unknown_role_sees_nothing(db, area):
    area["danramil"].role = "visitor"
    assert visible(db, area["danramil"]) == set()


_REFS = itertools.count(1)


def _ticket(db, village, reporter, sensitive=False):
    from tracker.tickets.models import Ticket

    ticket = Ticket(
        ref=f"T-{next(_REFS)}", village_code=village,
        district_code=village[:8], regency_code=village[:5], reporter_id=reporter.id,
        category="other", severity="low", severity_rank=1, title="t", is_sensitive=sensitive,
        due_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
    )
    db.session.add(ticket)
    db.session.flush()
    return ticket.ref


def test_tickets_follow_the_village_scope_and_sensitive_ones_are_need_to_know(db, area, make_user):
    other = make_user("babinsa", unit=area["kebakkramat"], username="babinsa.waru", villages=["33.13.14.2005", "33.13.14.2007"])
    own = _ticket(db, "33.13.14.2005", area["babinsa"])
    own_sensitive = _ticket(db, "33.13.14.2005", area["babinsa"], sensitive=True)
    others_sensitive = _ticket(db, "33.13.14.2005", other, sensitive=True)
    elsewhere = _ticket(db, "33.13.14.2007", other)
    jaten = _ticket(db, "33.13.11.2003", area["admin"])
    db.session.commit()

    from tracker.tickets.models import Ticket

    def refs(user):
        return set(db.session.execute(scope.tickets(user).with_only_columns(Ticket.ref)).scalars())

    assert refs(area["babinsa"]) == {own, own_sensitive}
    assert refs(other) == {own, others_sensitive, elsewhere}
    assert refs(area["danramil"]) == {own, own_sensitive, others_sensitive, elsewhere}
    assert refs(area["dandim"]) == {own, own_sensitive, others_sensitive, elsewhere, jaten}
    assert refs(area["admin"]) == {own, own_sensitive, others_sensitive, elsewhere, jaten}


@pytest.fixture
def scope_page(app):
    """A page listing the current user's villages, read through the scope helper."""

    @app.route("/_test/scope")
    @login_required
    def _scope_page():
        return jsonify(sorted(visible(app.extensions["sqlalchemy"], current_user)))

    return "/_test/scope"


@pytest.mark.own_app  # scope_page adds a route to the app
def test_reassigned_babinsa_sees_his_new_villages_on_the_next_request(app, db, area, client, login, scope_page):
    login("babinsa")
    assert client.get(scope_page).get_json() == ["33.13.14.2005", "33.13.14.2006"]
    assign_villages(area["babinsa"], ["33.13.14.2009"])
    db.session.commit()
    assert client.get(scope_page).status_code == 302, "an area change ends his sessions (issue 13)"
    login("babinsa")
    assert client.get(scope_page).get_json() == ["33.13.14.2009"]


@pytest.mark.own_app  # scope_page adds a route to the app
def test_koramil_moved_to_another_unit_sees_its_kecamatan_on_the_next_request(app, db, area, client, login, scope_page):
    login("danramil")
    assert set(client.get(scope_page).get_json()) == KEBAKKRAMAT_VILLAGES
    update_user(area["danramil"], full_name="Danramil", role="koramil", unit=area["jaten"])
    db.session.commit()
    assert client.get(scope_page).status_code == 302, "a unit change ends his sessions (issue 13)"
    login("danramil")
    assert set(client.get(scope_page).get_json()) == JATEN_VILLAGES


@pytest.mark.own_app  # scope_page adds a route to the app
def test_babinsa_promoted_to_koramil_by_the_admin_page_sees_the_whole_kecamatan(app, db, area, login, scope_page):
    babinsa_client = app.test_client()
    babinsa_client.post("/login", data={"username": "babinsa", "password": "waspada-demo"})
    assert len(babinsa_client.get(scope_page).get_json()) == 2

    admin_client = app.test_client()
    admin_client.post("/login", data={"username": "admin", "password": "waspada-demo"})
    response = admin_client.post(f"/admin/users/{area['babinsa'].id}", data={
        "full_name": "Babinsa", "role": "koramil", "unit_id": area["jaten"].id,
        "locale": "id", "is_active": "y",
    })
    assert response.status_code == 302, response.get_data(as_text=True)
    assert babinsa_client.get(scope_page).status_code == 302, "a role change ends his sessions (issue 13)"
    babinsa_client.post("/login", data={"username": "babinsa", "password": "waspada-demo"})
    assert set(babinsa_client.get(scope_page).get_json()) == JATEN_VILLAGES


@pytest.mark.own_app  # scope_page adds a route to the app
def test_deactivated_user_loses_his_session_on_the_next_request(app, db, area, client, login, scope_page):
    login("babinsa")
    assert client.get(scope_page).status_code == 200
    deactivate_user(area["babinsa"])
    db.session.commit()
    assert client.get(scope_page).status_code == 302
