"""search_tickets: every filter, scoped, and bad filter values named."""
from datetime import datetime, timezone

import pytest
import time_machine

from tests.plugins.world import JATEN, KEBAK, KEMIRI, WARU, raise_flag
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.tickets.services import search_tickets


def refs(user, **params):
    return [t.title for t in db.session.execute(search_tickets(user, params)).scalars()]


@pytest.fixture
def tickets(world, make_ticket):
    """Four tickets on different days and places (times in UTC; WIB is +7)."""
    made = {}
    for title, when, fields in (
        ("Sengketa BATAS sawah", datetime(2026, 3, 1, 2, 0), {"village_code": KEMIRI, "category": "land_dispute"}),
        ("Spanduk dirusak", datetime(2026, 3, 1, 17, 30), {"village_code": KEBAK, "category": "campaign_violation",
                                                           "description": "Warga melihat sengketa antartim"}),
        ("Diskon 100% sembako", datetime(2026, 3, 5, 4, 0), {"village_code": WARU, "category": "money_politics",
                                                              "severity": "critical"}),
        ("Banjir", datetime(2026, 3, 9, 4, 0), {"village_code": JATEN, "category": "disaster", "status": "resolved"}),
    ):
        reporter = world.koramil_other if fields["village_code"] == JATEN else world.koramil
        with time_machine.travel(when.replace(tzinfo=timezone.utc), tick=False):
            made[title] = make_ticket(reporter, title=title, **fields)
    return made


def test_newest_first(world, tickets):
    assert refs(world.kodim) == ["Banjir", "Diskon 100% sembako", "Spanduk dirusak", "Sengketa BATAS sawah"]


def test_text_search_is_case_insensitive_over_title_and_description(world, tickets):
    assert refs(world.kodim, q="sengketa") == ["Spanduk dirusak", "Sengketa BATAS sawah"]
    assert refs(world.kodim, q="batas SAWAH") == ["Sengketa BATAS sawah"]


def test_like_wildcards_in_the_query_are_literal(world, tickets):
    assert refs(world.kodim, q="100%") == ["Diskon 100% sembako"]
    assert refs(world.kodim, q="%") == ["Diskon 100% sembako"]
    assert refs(world.kodim, q="_") == []


def test_date_range_is_inclusive_in_wib(world, tickets):
    # 1 Mar 17:30 UTC is 2 Mar 00:30 WIB.
    assert refs(world.kodim, date_from="2026-03-01", date_to="2026-03-01") == ["Sengketa BATAS sawah"]
    assert refs(world.kodim, date_from="2026-03-02", date_to="2026-03-05") == ["Diskon 100% sembako", "Spanduk dirusak"]
    assert refs(world.kodim, date_from="2026-03-06") == ["Banjir"]


def test_status_severity_category_and_open(world, tickets):
    assert refs(world.kodim, status="resolved") == ["Banjir"]
    assert "Banjir" not in refs(world.kodim, status="open")
    assert refs(world.kodim, severity="critical") == ["Diskon 100% sembako"]
    assert refs(world.kodim, category="land_dispute") == ["Sengketa BATAS sawah"]


def test_kecamatan_and_village_filters(world, tickets):
    assert refs(world.kodim, district_code="33.13.11") == ["Banjir"]
    assert refs(world.kodim, district_code="331314") == ["Diskon 100% sembako", "Spanduk dirusak", "Sengketa BATAS sawah"]
    assert refs(world.kodim, village_code=KEBAK) == ["Spanduk dirusak"]


def test_flagged_filter_counts_only_active_flags(world, tickets):
    raise_flag(tickets["Spanduk dirusak"])
    raise_flag(tickets["Banjir"], cleared=True)
    assert refs(world.kodim, flagged="true") == ["Spanduk dirusak"]
    assert "Spanduk dirusak" not in refs(world.kodim, flagged="false")
    assert "Banjir" in refs(world.kodim, flagged="no")


def test_filters_stay_inside_scope(world, tickets):
    assert refs(world.koramil, district_code="33.13.11") == []
    assert refs(world.babinsa, q="sembako") == []
    assert refs(world.babinsa) == ["Spanduk dirusak", "Sengketa BATAS sawah"]


def test_overdue_filter(world, tickets):
    with time_machine.travel(datetime(2026, 3, 7, 0, 0, tzinfo=timezone.utc), tick=False):
        overdue = refs(world.kodim, overdue="true")
    assert overdue == ["Diskon 100% sembako"]


@pytest.mark.parametrize("field,value", [
    ("status", "done"), ("severity", "huge"), ("category", "weather"), ("level", "kodam"),
    ("village_code", "kemiri"), ("district_code", "33-13"), ("flagged", "maybe"), ("overdue", "2"),
    ("date_from", "2026-02-30"), ("date_to", "yesterday"), ("q", "x" * 201), ("q", "nul\x00"),
])
def test_bad_filter_value_is_named(world, field, value):
    with pytest.raises(ValidationError) as error:
        search_tickets(world.kodim, {field: value})
    assert list(error.value.errors) == [field]


def test_end_before_start_is_refused(world):
    with pytest.raises(ValidationError) as error:
        search_tickets(world.kodim, {"date_from": "2026-03-05", "date_to": "2026-03-01"})
    assert list(error.value.errors) == ["date_to"]
