"""GET /api/v1/hotspots and /api/v1/flags: shapes, ordering, filters, scoping."""
from datetime import date

import pytest
import time_machine

from tests.plugins.world import JATEN, KEBAK, KEMIRI, WARU, wib


@pytest.fixture
def flagged_world(area, make_election, make_ticket_at, run_sweep):
    """A Pilkades in Kemiri and Kebak, tickets there and in Waru and Jaten, swept in the campaign."""
    make_election("pilkades", date(2026, 12, 20), scope={"villages": [KEMIRI, KEBAK]})
    tickets = {
        "kemiri_critical": make_ticket_at(wib(2026, 12, 1, 8), village=KEMIRI, severity="critical"),
        "kemiri_low": make_ticket_at(wib(2026, 12, 14, 8), village=KEMIRI, severity="low"),
        "kebak_medium": make_ticket_at(wib(2026, 12, 10, 8), village=KEBAK, severity="medium"),
        "waru_high": make_ticket_at(wib(2026, 12, 10, 8), village=WARU, severity="high"),
        "jaten_low": make_ticket_at(wib(2026, 12, 10, 8), village=JATEN, severity="low", reporter=area.jaten),
        "kemiri_secret": make_ticket_at(wib(2026, 12, 10, 8), village=KEMIRI, severity="high",
                                     reporter=area.koramil, sensitive=True),
    }
    run_sweep(wib(2026, 12, 15, 9))
    return tickets


def get(client, headers, url):
    with time_machine.travel(wib(2026, 12, 15, 10), tick=False):
        response = client.get(url, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_hotspots_are_highest_first_with_the_documented_keys(client, area, api_token, flagged_world):
    items = get(client, api_token(area.kodim), "/api/v1/hotspots")["items"]
    # Waru's high ticket outweighs Kebak's medium one even with the campaign multiplier.
    assert [i["village_code"] for i in items] == [KEMIRI, WARU, KEBAK, JATEN]
    assert set(items[0]) == {"village_code", "village_name", "score", "open_tickets", "flagged_tickets"}
    assert items[0]["village_name"] == "Kemiri"
    assert (items[0]["open_tickets"], items[0]["flagged_tickets"]) == (3, 2)
    scores = [i["score"] for i in items]
    assert scores == sorted(scores, reverse=True)


def test_hotspot_score_follows_the_formula(client, area, api_token, flagged_world):
    # Kebak: one medium ticket (weight 2), 5 days and 1 hour old, in the campaign (x1.5).
    age = 5 + 1 / 24
    expected = round(2 * (1 + age / 30) * 1.5, 2)
    kebak = [i for i in get(client, api_token(area.kodim), "/api/v1/hotspots")["items"] if i["village_code"] == KEBAK]
    assert kebak[0]["score"] == pytest.approx(expected, abs=0.02)
    # Waru holds no Pilkades: no stage multiplier. One high ticket (4), same age.
    waru = [i for i in get(client, api_token(area.kodim), "/api/v1/hotspots")["items"] if i["village_code"] == WARU]
    assert waru[0]["score"] == pytest.approx(round(4 * (1 + age / 30), 2), abs=0.02)


def test_hotspots_are_scoped(client, area, api_token, flagged_world):
    assert [i["village_code"] for i in get(client, api_token(area.jaten), "/api/v1/hotspots")["items"]] == [JATEN]
    babinsa = get(client, api_token(area.babinsa), "/api/v1/hotspots")["items"]
    # The Kemiri Babinsa did not report the sensitive ticket: it is not counted for him.
    assert [(i["village_code"], i["open_tickets"]) for i in babinsa] == [(KEMIRI, 2)]
    assert get(client, api_token(area.sragen), "/api/v1/hotspots")["items"] == []


@pytest.mark.parametrize("limit, status", [("2", 200), ("0", 422), ("101", 422), ("x", 422)])
def test_hotspot_limit(client, area, api_token, flagged_world, limit, status):
    with time_machine.travel(wib(2026, 12, 15, 10), tick=False):
        response = client.get(f"/api/v1/hotspots?limit={limit}", headers=api_token(area.kodim))
    assert response.status_code == status
    if status == 200:
        assert len(response.get_json()["items"]) == 2
    else:
        assert "limit" in response.get_json()["errors"]


def test_flags_list_shape_and_filters(client, area, api_token, flagged_world):
    headers = api_token(area.kodim)
    body = get(client, headers, "/api/v1/flags?active=true")
    refs = {t.ref: name for name, t in flagged_world.items()}
    assert sorted(refs[i["ticket_ref"]] for i in body["items"]) == ["kebak_medium", "kemiri_critical", "kemiri_secret"]
    assert body["total"] == 3
    item = body["items"][0]
    assert set(item) == {"ticket_id", "ticket_ref", "election_id", "stage", "reason", "raised_at", "cleared_at"}
    assert item["stage"] == "campaign" and item["cleared_at"] is None
    assert item["raised_at"].startswith("2026-12-15T02:00:00")
    only_kebak = get(client, headers, "/api/v1/flags?village_code=3313142006")["items"]
    assert [refs[i["ticket_ref"]] for i in only_kebak] == ["kebak_medium"]
    assert get(client, headers, "/api/v1/flags?active=false")["items"] == []


def test_flags_are_scoped_and_need_to_know(client, area, api_token, flagged_world):
    refs = {t.ref: name for name, t in flagged_world.items()}
    babinsa = get(client, api_token(area.babinsa), "/api/v1/flags")["items"]
    assert sorted(refs[i["ticket_ref"]] for i in babinsa) == ["kemiri_critical"]
    assert get(client, api_token(area.jaten), "/api/v1/flags")["items"] == []


def test_flags_reject_a_bad_filter(client, area, api_token, flagged_world):
    response = client.get("/api/v1/flags?village_code=kemiri&active=perhaps", headers=api_token(area.kodim))
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"village_code", "active"}


def test_the_ticket_json_says_flagged_while_a_flag_is_active(client, area, api_token, flagged_world):
    headers = api_token(area.kodim)
    ticket = flagged_world["kebak_medium"]
    assert client.get(f"/api/v1/tickets/{ticket.id}", headers=headers).get_json()["flagged"] is True
    unflagged = flagged_world["waru_high"]
    assert client.get(f"/api/v1/tickets/{unflagged.id}", headers=headers).get_json()["flagged"] is False


@pytest.mark.parametrize("limit", [1, 2, 3, 4])
def test_a_limited_hotspot_list_is_the_top_of_the_full_ranking(area, flagged_world, limit):
    # hotspots works out the stage multiplier only for villages that can still reach the top
    # ``limit``; the rows must be those of scoring every village.
    from tracker.warnings.services import hotspots

    at = wib(2026, 12, 15, 10)
    for user in (area.kodim, area.admin):
        assert hotspots(user, limit=limit, at=at) == hotspots(user, limit=None, at=at)[:limit]
