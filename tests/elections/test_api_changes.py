"""PATCH and DELETE /api/v1/elections/<id>: 200/204, 403/404/422, flags cleared, lists forget removed ones."""
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.plugins.world import KEBAK, KEMIRI, SRAGEN_VILLAGE, WARU, wib
from tracker.elections.models import Election
from tracker.tickets.models import TicketEvent
from tracker.warnings.models import Flag

PILKADES_DAY = date(2026, 12, 20)


def url(election):
    return f"/api/v1/elections/{election.id}"


def test_patch_moves_the_voting_day_and_answers_the_election(client, area, api_token, make_election):
    election = make_election("pilkades", PILKADES_DAY)
    response = client.patch(url(election), json={"voting_on": "2027-01-10"}, headers=api_token(area.kodim))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert set(body) == {"id", "kind", "name", "voting_on", "window_start", "window_end", "stages"}
    assert (body["voting_on"], body["window_start"], body["window_end"]) == ("2027-01-10", "2026-11-11", "2027-02-09")
    assert body["stages"][1] == {"name": "campaign", "starts_on": "2027-01-04", "ends_on": "2027-01-06"}
    assert client.get(url(election), headers=api_token(area.kodim)).get_json() == body


def test_patch_with_stages_and_scope(client, area, api_token, make_election):
    election = make_election("pilkades", PILKADES_DAY)
    response = client.patch(url(election), headers=api_token(area.admin), json={
        "name": "Pilkades Karanganyar (gelombang 2)", "scope": {"villages": [KEBAK, WARU]},
        "stages": [{"name": "campaign", "starts_on": "2026-12-10", "ends_on": "2026-12-16"}],
    })
    assert response.status_code == 200
    body = response.get_json()
    assert body["name"] == "Pilkades Karanganyar (gelombang 2)"
    assert {s["name"]: s["starts_on"] for s in body["stages"]}["campaign"] == "2026-12-10"
    assert [e.region_code for e in election.areas] == [KEBAK, WARU]


@pytest.mark.parametrize("body, field", [
    ({"name": ""}, "name"),
    ({"voting_on": "besok"}, "voting_on"),
    ({"stages": [{"name": "quiet", "starts_on": "2026-12-15", "ends_on": "2026-12-19"}]}, "stages"),
    ({"scope": {"villages": [KEMIRI, "33.13.09.1001"]}}, "scope"),
    ({"kind": "pileg"}, "kind"),
])
def test_patch_with_a_bad_field_answers_422_naming_it_and_changes_nothing(client, area, api_token, make_election,
                                                                         body, field):
    election = make_election("pilkades", PILKADES_DAY, name="Pilkades 2026")
    headers = api_token(area.admin)
    before = client.get(url(election), headers=headers).get_json()
    response = client.patch(url(election), json={"name": "Renamed", **body}, headers=headers)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert client.get(url(election), headers=headers).get_json() == before


def test_patch_messages_are_indonesian_by_default(client, area, api_token, make_election):
    election = make_election("pilkades", PILKADES_DAY)
    response = client.patch(url(election), json={"kind": "pilkada"}, headers=api_token(area.admin))
    assert response.get_json()["errors"]["kind"] == [
        "Jenis pemilihan tidak dapat diubah; hapus pemilihan ini dan buat yang baru."]


def test_a_body_that_is_not_json_answers_422(client, area, api_token, make_election):
    election = make_election("pilkades", PILKADES_DAY)
    response = client.patch(url(election), data="name=x", headers=api_token(area.admin))
    assert response.status_code == 422 and "body" in response.get_json()["errors"]


@pytest.mark.parametrize("who, kind, scope, status", [
    ("kodim", "pilkades", {"villages": [KEMIRI, KEBAK]}, 200),
    ("kodim", "pilpres", {"national": True}, 403),          # national: the administrator's
    ("kodim", "pilkada", {"regions": ["33.13", "33.14"]}, 403),
    ("kodim", "pilkada", {"regions": ["33.14"]}, 404),       # another Kodim's: not even visible
    ("sragen", "pilkades", {"villages": [KEMIRI]}, 404),
    ("koramil", "pilkades", {"villages": [KEMIRI]}, 403),
    ("babinsa", "pilkades", {"villages": [KEMIRI]}, 403),
    ("waru_babinsa", "pilkades", {"villages": [KEMIRI]}, 404),
    ("admin", "pilpres", {"national": True}, 200),
])
def test_who_may_patch_and_delete(client, db, area, api_token, make_election, who, kind, scope, status):
    election = make_election(kind, PILKADES_DAY if kind == "pilkades" else date(2029, 4, 17), scope=scope)
    headers = api_token(getattr(area, who))
    patched = client.patch(url(election), json={"name": "Renamed"}, headers=headers)
    assert patched.status_code == status, patched.get_json()
    deleted = client.delete(url(election), headers=headers)
    assert deleted.status_code == (204 if status == 200 else status)
    if status != 200:
        assert "error" in patched.get_json() and "error" in deleted.get_json()
        row = db.session.get(Election, election.id)
        assert (row.name, row.removed_at) == (election.name, None)


def test_a_kodim_cannot_patch_its_election_into_another_area(client, area, api_token, make_election):
    election = make_election("pilkades", PILKADES_DAY, actor=area.kodim)
    response = client.patch(url(election), json={"scope": {"villages": [KEMIRI, SRAGEN_VILLAGE]}},
                            headers=api_token(area.kodim))
    assert response.status_code == 403 and SRAGEN_VILLAGE in response.get_json()["error"]


def test_patch_and_delete_need_a_token(client, area, make_election):
    election = make_election("pilkades", PILKADES_DAY)
    assert client.patch(url(election), json={"name": "x"}).status_code == 401
    assert client.delete(url(election)).status_code == 401


def test_delete_clears_flags_and_the_election_vanishes(client, db, area, api_token, make_election, make_ticket_at,
                                                       run_sweep):
    election = make_election("pilkades", PILKADES_DAY, name="Pilkades Karanganyar 2026")
    ticket = make_ticket_at(wib(2026, 12, 1, 8), severity="high")
    run_sweep(wib(2026, 12, 18, 9))
    headers = api_token(area.kodim)
    assert client.get("/api/v1/flags?active=true", headers=headers).get_json()["items"]

    response = client.delete(url(election), headers=headers)
    assert response.status_code == 204 and response.get_data() == b""
    assert client.get("/api/v1/flags?active=true", headers=headers).get_json()["items"] == []
    history = client.get("/api/v1/flags?active=false", headers=headers).get_json()["items"]
    assert [(f["election_id"], f["ticket_id"]) for f in history] == [(election.id, ticket.id)]
    timeline = client.get(f"/api/v1/tickets/{ticket.id}/events", headers=headers).get_json()["items"]
    assert timeline[-1]["kind"] == "flag_cleared"
    assert timeline[-1]["reason"] == "Pilkades Karanganyar 2026: pemilihan dihapus"
    assert client.get(url(election), headers=headers).status_code == 404
    assert client.get("/api/v1/elections", headers=headers).get_json()["items"] == []
    assert client.get("/api/v1/elections?active=true", headers=headers).get_json()["items"] == []
    assert client.delete(url(election), headers=headers).status_code == 404
    assert client.patch(url(election), json={"name": "x"}, headers=headers).status_code == 404
    assert db.session.execute(select(func.count()).select_from(Flag).where(Flag.cleared_at.is_(None))).scalar_one() == 0
    assert db.session.execute(select(func.count()).select_from(TicketEvent)
                              .where(TicketEvent.kind == "flag_cleared")).scalar_one() == 1


def test_openapi_describes_patch_and_delete(client):
    document = client.get("/api/v1/openapi.json").get_json()
    item = document["paths"]["/elections/{election_id}"]
    assert {"get", "patch", "delete"} <= set(item)
    assert set(item["patch"]["responses"]) == {"200", "401", "403", "404", "422"}
    assert set(item["delete"]["responses"]) == {"204", "401", "403", "404"}
    changes = document["components"]["schemas"]["ElectionChanges"]
    assert "required" not in changes
    assert set(changes["properties"]) == set(document["components"]["schemas"]["ElectionInput"]["properties"])


@pytest.mark.parametrize("who", ["koramil", "babinsa"])
def test_a_role_that_never_manages_elections_gets_403_before_its_body_is_read(client, area, api_token,
                                                                            make_election, who):
    election = make_election("pilkades", PILKADES_DAY)
    headers = api_token(getattr(area, who))
    for response in (client.patch(url(election), data="name=x", headers=headers),
                     client.post("/api/v1/elections", data="name=x", headers=headers)):
        assert response.status_code == 403, response.get_json()
        assert "error" in response.get_json()
