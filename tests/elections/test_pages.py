"""Election pages: list, the create form with default stages, detail; roles and scope."""
from datetime import date

import time_machine

from tests.warnings.conftest import KEBAK, KEMIRI, LALUNG, wib

FORM = {"kind": "pilkades", "name": "Pilkades Serentak Karanganyar 2026", "voting_on": "2026-12-20",
        "scope_kind": "villages", "codes": f"{KEMIRI}\n{KEBAK}"}


def test_the_list_shows_the_elections_touching_the_user(client, login, area, make_election):
    make_election("pilkades", date(2026, 12, 20), name="Pilkades Karanganyar 2026")
    make_election("pilkada", date(2026, 11, 27), scope={"regions": ["33.14"]}, name="Pilkada Sragen")
    with time_machine.travel(wib(2026, 12, 15, 9), tick=False):
        login("dandim")
        page = client.get("/elections").get_data(as_text=True)
    assert "Pilkades Karanganyar 2026" in page and "Kampanye" in page
    assert "Pilkada Sragen" not in page
    assert 'href="/elections/new"' in page
    assert 'href="/elections"' in page   # in the menu


def test_the_form_shows_the_default_stages_and_fills_them_on_request(client, login, area):
    login("dandim")
    page = client.get("/elections/new").get_data(as_text=True)
    assert "H−60" in page and "H−6 … H−4" in page and "H+1 … H+30" in page
    preview = client.post("/elections/new", data={**FORM, "preview": "1"})
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert 'value="2026-10-21"' in html and 'value="2026-12-14"' in html and 'value="2027-01-19"' in html


def test_creating_an_election_from_the_form(client, login, area, db):
    from tracker.elections.models import Election

    login("dandim")
    response = client.post("/elections/new", data={**FORM, "campaign_starts_on": "2026-12-12"})
    assert response.status_code == 302
    election = db.session.query(Election).one()
    assert [s.starts_on for s in election.stages if s.name == "campaign"] == [date(2026, 12, 12)]
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Pilkades Serentak Karanganyar 2026" in detail and "Kemiri" in detail and "Kebak" in detail


def test_a_kelurahan_in_the_form_is_named_in_the_error(client, login, area, db):
    from tracker.elections.models import Election

    login("dandim")
    response = client.post("/elections/new", data={**FORM, "codes": f"{KEMIRI} {LALUNG}"})
    assert response.status_code == 422
    assert "Kelurahan tidak menyelenggarakan Pilkades: 33.13.09.1001 Lalung" in response.get_data(as_text=True)
    assert db.session.query(Election).count() == 0


def test_overlapping_stages_in_the_form_are_refused(client, login, area):
    login("dandim")
    response = client.post("/elections/new", data={**FORM, "quiet_starts_on": "2026-12-15"})
    assert response.status_code == 422
    assert "bertumpang tindih" in response.get_data(as_text=True)


def test_a_kodim_outside_its_area_gets_403(client, login, area):
    login("dandim")
    response = client.post("/elections/new", data={**FORM, "codes": "33.14.01.2001"})
    assert response.status_code == 403
    assert "33.14.01.2001" in response.get_data(as_text=True)


def test_koramil_may_read_but_not_create(client, login, area, make_election):
    election = make_election("pilkades", date(2026, 12, 20))
    login("danramil")
    assert client.get("/elections/new").status_code == 403
    assert client.get(f"/elections/{election.id}").status_code == 200


def test_an_election_outside_the_users_villages_is_404(client, login, area, make_election):
    sragen = make_election("pilkada", date(2026, 11, 27), scope={"regions": ["33.14"]})
    login("dandim")
    assert client.get(f"/elections/{sragen.id}").status_code == 404
