"""POST/GET /api/v1/elections: shapes, 201/403/422, scoping."""
from datetime import date

import pytest
import time_machine

from tests.plugins.world import KEBAK, KEMIRI, LALUNG, SRAGEN_VILLAGE, wib

BODY = {"kind": "pilkades", "name": "Pilkades Serentak Karanganyar 2026", "voting_on": "2026-12-20",
        "scope": {"villages": [KEMIRI, KEBAK]}}


def test_create_answers_201_with_the_election(client, area, api_token):
    response = client.post("/api/v1/elections", json=BODY, headers=api_token(area.kodim))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert set(body) == {"id", "kind", "name", "voting_on", "window_start", "window_end", "stages"}
    assert body["kind"] == "pilkades" and body["voting_on"] == "2026-12-20"
    assert (body["window_start"], body["window_end"]) == ("2026-10-21", "2027-01-19")
    assert body["stages"][1] == {"name": "campaign", "starts_on": "2026-12-14", "ends_on": "2026-12-16"}
    assert [s["name"] for s in body["stages"]] == ["lead_up", "campaign", "quiet", "voting", "recap"]
    assert response.headers["Location"].endswith(f"/api/v1/elections/{body['id']}")


def test_create_with_overridden_stages(client, area, api_token):
    body = {**BODY, "stages": [{"name": "campaign", "starts_on": "2026-12-10", "ends_on": "2026-12-16"}]}
    response = client.post("/api/v1/elections", json=body, headers=api_token(area.admin))
    assert response.status_code == 201
    stages = {s["name"]: s for s in response.get_json()["stages"]}
    assert stages["campaign"]["starts_on"] == "2026-12-10"
    assert stages["lead_up"]["ends_on"] == "2026-12-09"


@pytest.mark.parametrize("stages", [
    [{"name": "quiet", "starts_on": "2026-12-15", "ends_on": "2026-12-19"}],            # overlaps the campaign
    [{"name": "campaign", "starts_on": "2026-12-14", "ends_on": "2026-12-21"}],         # past voting day
    [{"name": "recap", "starts_on": "2026-12-21", "ends_on": "2026-12-01"}],            # ends before it starts
])
def test_inconsistent_stages_answer_422_and_write_nothing(client, area, api_token, stages):
    headers = api_token(area.admin)
    response = client.post("/api/v1/elections", json={**BODY, "stages": stages}, headers=headers)
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["stages"]
    assert client.get("/api/v1/elections", headers=headers).get_json()["items"] == []


def test_kelurahan_are_refused_in_indonesian_by_default(client, area, api_token):
    body = {**BODY, "scope": {"villages": [KEMIRI, LALUNG]}}
    response = client.post("/api/v1/elections", json=body, headers=api_token(area.admin))
    assert response.status_code == 422
    assert response.get_json()["errors"]["scope"] == [
        "Kelurahan tidak menyelenggarakan Pilkades: 33.13.09.1001 Lalung"]


def test_a_body_that_is_not_json_answers_422(client, area, api_token):
    response = client.post("/api/v1/elections", data="kind=pilkades", headers=api_token(area.admin))
    assert response.status_code == 422 and "body" in response.get_json()["errors"]


@pytest.mark.parametrize("who, kind, scope, status", [
    ("koramil", "pilkades", {"villages": [KEMIRI]}, 403),
    ("babinsa", "pilkades", {"villages": [KEMIRI]}, 403),
    ("kodim", "pilkades", {"villages": [KEMIRI, SRAGEN_VILLAGE]}, 403),
    ("kodim", "pileg", {"national": True}, 403),
    ("kodim", "pilkada", {"regions": ["33"]}, 403),
    ("kodim", "pilkada", {"regions": ["33.13"]}, 201),
    ("sragen", "pilkades", {"villages": [SRAGEN_VILLAGE]}, 201),
    ("admin", "pileg", {"national": True}, 201),
    ("admin", "pilkades", {"villages": [SRAGEN_VILLAGE, KEMIRI]}, 201),
])
def test_who_may_create_where(client, area, api_token, who, kind, scope, status):
    response = client.post("/api/v1/elections", json={**BODY, "kind": kind, "scope": scope},
                           headers=api_token(getattr(area, who)))
    assert response.status_code == status, response.get_json()


def test_create_needs_a_token(client, area):
    assert client.post("/api/v1/elections", json=BODY).status_code == 401


def test_list_is_scoped_and_filters_active(client, area, api_token, make_election):
    pilkades = make_election("pilkades", date(2026, 12, 20), scope={"villages": [KEMIRI]})
    old = make_election("pilpres", date(2024, 2, 14))
    sragen = make_election("pilkada", date(2026, 11, 27), scope={"regions": ["33.14"]})
    with time_machine.travel(wib(2026, 12, 1, 9), tick=False):
        def ids(user, query=""):
            response = client.get(f"/api/v1/elections{query}", headers=api_token(user))
            assert response.status_code == 200
            return [item["id"] for item in response.get_json()["items"]]

        assert ids(area.admin) == [pilkades.id, sragen.id, old.id]
        assert ids(area.kodim) == [pilkades.id, old.id]
        assert ids(area.kodim, "?active=true") == [pilkades.id]
        assert ids(area.kodim, "?active=false") == [old.id]
        assert ids(area.waru_babinsa) == [old.id]
        assert ids(area.sragen, "?active=true") == [sragen.id]
        bad = client.get("/api/v1/elections?active=maybe", headers=api_token(area.admin))
        assert bad.status_code == 422 and "active" in bad.get_json()["errors"]


def test_detail_of_an_election_outside_the_callers_villages_is_404(client, area, api_token, make_election):
    sragen = make_election("pilkada", date(2026, 11, 27), scope={"regions": ["33.14"]})
    assert client.get(f"/api/v1/elections/{sragen.id}", headers=api_token(area.kodim)).status_code == 404
    answer = client.get(f"/api/v1/elections/{sragen.id}", headers=api_token(area.sragen))
    assert answer.status_code == 200 and answer.get_json()["name"] == sragen.name


def test_openapi_describes_the_election_endpoints(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert {"get", "post"} <= set(document["paths"]["/elections"])
    assert set(document["components"]["schemas"]["Election"]["required"]) == {
        "id", "kind", "name", "voting_on", "window_start", "window_end", "stages"}
