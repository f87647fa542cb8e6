"""The API list's fast JSON path (serializers.ticket_row_json over the list's rows) answers exactly
what the ticket's own answer (ticket_json over the ORM object) says, field for field."""
from datetime import date

from tests.plugins.world import KEBAK, KEMIRI, WARU, UserClient, new_ticket, raise_flag
from tracker.api.serializers import iso_time
from tracker.auth.services import issue_token
from tracker.extensions import db


def test_every_list_item_equals_the_tickets_own_answer(app, world):
    plain = new_ticket(world.babinsa, village_code=KEMIRI, title="Tanpa lokasi")
    located = new_ticket(world.babinsa, village_code=KEBAK, title="Dengan lokasi", latitude=-7.5, longitude=110.9,
                         accuracy_m=12.5, occurred_on=date(2026, 3, 1))
    flagged = new_ticket(world.babinsa_waru, village_code=WARU, title="Bertanda", sensitive=True)
    raise_flag(flagged)
    token, _row = issue_token(world.kodim)
    db.session.commit()
    client = UserClient(app, app.response_class)
    headers = {"Authorization": f"Bearer {token}"}
    items = client.get("/api/v1/tickets?per_page=100", headers=headers).get_json()["items"]
    assert {item["id"] for item in items} == {plain.id, located.id, flagged.id}
    for item in items:
        assert item == client.get(f"/api/v1/tickets/{item['id']}", headers=headers).get_json()
    by_id = {item["id"]: item for item in items}
    assert by_id[flagged.id]["flagged"] is True and by_id[plain.id]["flagged"] is False
    assert by_id[located.id]["latitude"] == -7.5 and by_id[plain.id]["latitude"] is None
    assert by_id[located.id]["occurred_on"] == "2026-03-01"
    assert by_id[plain.id]["reported_at"].endswith("+00:00")


def test_iso_time_gives_utc_with_its_offset_for_naive_and_aware_values():
    from datetime import datetime, timedelta, timezone

    assert iso_time(datetime(2026, 3, 1, 7, 30, 15, 999)) == "2026-03-01T07:30:15+00:00"
    wib = timezone(timedelta(hours=7))
    assert iso_time(datetime(2026, 3, 1, 14, 30, 15, tzinfo=wib)) == "2026-03-01T07:30:15+00:00"
    assert iso_time(None) is None
