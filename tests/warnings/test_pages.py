"""Early-warning pages: hotspots and flags, silent villages, the ticket's flag panel."""
from datetime import date

import pytest
import time_machine

from tests.plugins.world import KEBAK, KEMIRI, WARU, wib


@pytest.fixture
def world(area, make_election, make_ticket_at, run_sweep):
    make_election("pilkades", date(2026, 12, 20), scope={"villages": [KEMIRI, KEBAK]}, name="Pilkades 2026")
    tickets = {
        "kemiri": make_ticket_at(wib(2026, 12, 1, 8), village=KEMIRI, severity="high", title="Baliho dirusak"),
        "waru": make_ticket_at(wib(2026, 12, 1, 8), village=WARU, severity="low", title="Lampu jalan mati"),
    }
    run_sweep(wib(2026, 12, 15, 9))
    return tickets


def page(client, url):
    with time_machine.travel(wib(2026, 12, 15, 10), tick=False):
        response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_warnings_page_lists_hotspots_and_active_flags(client, login, world):
    login("danramil")
    html = page(client, "/warnings")
    assert "Titik rawan" in html and "Kemiri" in html and "Waru" in html
    assert "Baliho dirusak" in html and "Pilkades 2026" in html
    assert "ke atas" in html                                 # campaign: severity medium or above
    assert "Lampu jalan mati" not in html                    # Waru holds no Pilkades: no flag


def test_the_warnings_page_is_scoped(client, login, world):
    login("danramil.jaten")
    html = page(client, "/warnings")
    assert "Baliho dirusak" not in html and "Kemiri" not in html


def test_the_silent_villages_page(client, login, world, area, db):
    from tracker.visits.services import record_visit

    with time_machine.travel(wib(2026, 12, 10, 9), tick=False):
        record_visit(area.babinsa, village_code=KEMIRI, visited_on=date(2026, 12, 10))
        db.session.commit()
    login("danramil")
    html = page(client, "/warnings/silent")
    assert "Kebak" in html and "belum pernah" in html
    assert "Kemiri" not in html


def test_the_ticket_flag_panel_names_election_stage_and_reason(app, world, area):
    from flask import render_template_string
    from flask_login import login_user

    with app.test_request_context("/"):
        login_user(area.koramil)
        html = render_template_string('{% include "warnings/_ticket_flags.html" %}', ticket=world["kemiri"])
    assert "Pilkades 2026" in html and "Kampanye" in html and "ke atas" in html
    assert "aktif" in html


def test_everyone_has_the_early_warning_menu_link(client, login, area):
    login("babinsa.kemiri")
    assert 'href="/warnings"' in client.get("/dashboard/").get_data(as_text=True)


def test_the_flags_list_filters_by_election(client, login, world, area, make_election, run_sweep):
    make_election("pilkada", date(2026, 12, 30), scope={"regions": ["33.13"]}, name="Pilkada Karanganyar")
    run_sweep(wib(2026, 12, 15, 9))
    from tracker.elections.models import Election
    from tracker.extensions import db

    pilkades = db.session.query(Election).filter_by(name="Pilkades 2026").one()
    pilkada = db.session.query(Election).filter_by(name="Pilkada Karanganyar").one()
    login("danramil")
    both = page(client, "/warnings")
    assert both.count("Baliho dirusak") == 2                # one flag per election
    html = page(client, f"/warnings?election={pilkades.id}")
    assert html.count("Baliho dirusak") == 1
    assert "Pilkades 2026" in html and "Pilkada Karanganyar" not in html
    assert "semua pemilihan" in html
    html = page(client, f"/warnings?election={pilkada.id}")
    assert html.count("Baliho dirusak") == 1 and "Pilkades 2026" not in html


def test_the_election_page_links_to_its_own_flags(client, login, world):
    from tracker.elections.models import Election
    from tracker.extensions import db

    election = db.session.query(Election).one()
    login("danramil")
    html = page(client, f"/elections/{election.id}")
    assert f'href="/warnings?election={election.id}"' in html


@pytest.mark.parametrize("value", ["abc", "-1", "0", "99999999999999999999", "999"])
def test_an_unknown_or_malformed_election_filter_filters_nothing(client, login, world, value):
    login("danramil")
    html = page(client, f"/warnings?election={value}")
    assert "Baliho dirusak" in html and "semua pemilihan" not in html


def test_an_election_outside_the_users_area_filters_nothing(client, login, world, make_election, area):
    sragen = make_election("pilkada", date(2026, 12, 30), scope={"regions": ["33.14"]}, name="Pilkada Sragen")
    login("danramil")
    html = page(client, f"/warnings?election={sragen.id}")
    assert "Pilkada Sragen" not in html and "Baliho dirusak" in html
