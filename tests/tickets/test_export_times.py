"""The CSV export writes times in the village's zone without a zone look-up per value."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from tracker.tickets.export import local_stamper


@pytest.mark.parametrize("tz", ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "Europe/Amsterdam"])
def test_local_stamper_writes_the_zone_time_as_a_zone_look_up_would(tz):
    stamp = local_stamper(tz)
    assert stamp(None) == ""
    for month in (1, 3, 7, 10, 12):  # both sides of a daylight-saving change where there is one
        aware = datetime(2026, month, 28, 23, 59, 30, tzinfo=timezone.utc)
        expected = aware.astimezone(ZoneInfo(tz)).isoformat(timespec="minutes")
        assert stamp(aware) == expected
        assert stamp(aware.replace(tzinfo=None)) == expected, "naive values are UTC (SQLite)"
