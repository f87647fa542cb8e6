"""Election pages: list, the create form with default stages, detail; roles and scope."""
from datetime import date

import time_machine

from tests.plugins.world import KEBAK, KEMIRI, LALUNG, wib

FORM = {"kind": "pilkades", "name": "Pilkades Serentak Karanganyar 2026", "voting_on": "2026-12-20",
        "villages": [KEMIRI, KEBAK]}


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
    response = client.post("/elections/new", data={**FORM, "villages": [KEMIRI, LALUNG]})
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
    response = client.post("/elections/new", data={**FORM, "villages": ["33.14.01.2001"]})
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


# --- edit and remove -----------------------------------------------------------------

def edit_form(election, **changes):
    """The edit form as the page fills it, with changes."""
    codes = [a.region_code for a in election.areas]
    data = {"name": election.name, "voting_on": election.voting_on.isoformat(),
            **({"villages": codes} if election.scope_kind == "villages" else
               {"scope_kind": election.scope_kind, "regions": codes})}
    for stage in election.stages:
        data[f"{stage.name}_starts_on"] = stage.starts_on.isoformat()
        data[f"{stage.name}_ends_on"] = stage.ends_on.isoformat()
    return {**data, **changes}


def test_the_detail_offers_change_and_remove_only_to_who_may(client, login, area, make_election):
    election = make_election("pilkades", date(2026, 12, 20))
    national = make_election("pilpres", date(2029, 4, 17))
    links = (f'href="/elections/{election.id}/edit"', f'href="/elections/{election.id}/remove"')
    login("dandim")
    page = client.get(f"/elections/{election.id}").get_data(as_text=True)
    assert all(link in page for link in links)
    page = client.get(f"/elections/{national.id}").get_data(as_text=True)
    assert "/edit" not in page and "/remove" not in page
    assert client.get(f"/elections/{national.id}/edit").status_code == 403
    assert client.post(f"/elections/{national.id}/remove").status_code == 403
    client.post("/logout")
    login("danramil")
    page = client.get(f"/elections/{election.id}").get_data(as_text=True)
    assert not any(link in page for link in links)
    assert client.get(f"/elections/{election.id}/edit").status_code == 403


def test_another_kodims_election_is_404_on_its_edit_and_remove_pages(client, login, area, make_election):
    sragen = make_election("pilkada", date(2026, 11, 27), scope={"regions": ["33.14"]})
    login("dandim")
    assert client.get(f"/elections/{sragen.id}/edit").status_code == 404
    assert client.post(f"/elections/{sragen.id}/remove").status_code == 404


def test_the_edit_form_is_filled_with_the_election(client, login, area, make_election):
    election = make_election("pilkades", date(2026, 12, 20), name="Pilkades Karanganyar 2026")
    login("dandim")
    page = client.get(f"/elections/{election.id}/edit").get_data(as_text=True)
    assert 'value="Pilkades Karanganyar 2026"' in page and 'value="2026-12-14"' in page
    assert KEMIRI in page and KEBAK in page and 'name="kind"' not in page


def test_moving_the_voting_day_in_the_form_moves_the_stages(client, login, area, db, make_election):
    from tracker.elections.models import Election

    election = make_election("pilkades", date(2026, 12, 20))
    login("dandim")
    response = client.post(f"/elections/{election.id}/edit", data=edit_form(election, voting_on="2027-01-10"))
    assert response.status_code == 302
    db.session.expire_all()
    election = db.session.get(Election, election.id)
    assert (election.voting_on, election.window_start) == (date(2027, 1, 10), date(2026, 11, 11))
    assert "Pemilihan" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_a_changed_stage_in_the_form_keeps_the_others(client, login, area, db, make_election):
    from tracker.elections.models import Election

    election = make_election("pilkades", date(2026, 12, 20),
                             stages=[{"name": "recap", "starts_on": "2026-12-21", "ends_on": "2027-01-31"}])
    login("dandim")
    response = client.post(f"/elections/{election.id}/edit",
                           data=edit_form(election, campaign_starts_on="2026-12-10", villages=[KEBAK]))
    assert response.status_code == 302
    db.session.expire_all()
    election = db.session.get(Election, election.id)
    stages = {s.name: (s.starts_on, s.ends_on) for s in election.stages}
    assert stages["campaign"][0] == date(2026, 12, 10) and stages["lead_up"][1] == date(2026, 12, 9)
    assert stages["recap"][1] == date(2027, 1, 31)
    assert [a.region_code for a in election.areas] == [KEBAK]


def test_a_bad_edit_is_refused_with_the_field_named_and_nothing_written(client, login, area, db, make_election):
    from tracker.elections.models import Election

    election = make_election("pilkades", date(2026, 12, 20), name="Pilkades 2026")
    login("dandim")
    response = client.post(f"/elections/{election.id}/edit",
                           data=edit_form(election, name="Renamed", villages=[KEMIRI, LALUNG]))
    assert response.status_code == 422
    assert "Kelurahan tidak menyelenggarakan Pilkades: 33.13.09.1001 Lalung" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Election, election.id).name == "Pilkades 2026"


def test_removing_asks_first_then_clears_flags(client, login, area, db, make_election, make_ticket_at, run_sweep):
    from tracker.elections.models import Election

    election = make_election("pilkades", date(2026, 12, 20), name="Pilkades Karanganyar 2026")
    make_ticket_at(wib(2026, 12, 1, 8), severity="high")
    run_sweep(wib(2026, 12, 18, 9))
    login("dandim")
    confirm = client.get(f"/elections/{election.id}/remove")
    assert confirm.status_code == 200
    page = confirm.get_data(as_text=True)
    assert "1 tanda aktif akan dicabut" in page and 'method="post"' in page
    assert db.session.get(Election, election.id).removed_at is None      # asking removes nothing
    response = client.post(f"/elections/{election.id}/remove")
    assert response.status_code == 302 and response.headers["Location"].endswith("/elections")
    listing = client.get("/elections").get_data(as_text=True)
    assert "Pilkades Karanganyar 2026 dihapus; 1 tanda aktif dicabut." in listing
    assert f'href="/elections/{election.id}"' not in listing
    assert client.get(f"/elections/{election.id}").status_code == 404
