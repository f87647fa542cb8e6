"""The "signal returns" storm (bench/storm.py) runs end to end on a tiny data set, so it cannot rot.

Three phones replay five tickets each with a photo against gunicorn, on
SQLite and, when ``TEST_DATABASE_URL`` names a PostgreSQL server, on a
database of its own there (the harness's fixtures). Timings are not
asserted (they belong in the benchmark); what the storm counts is: every
item arrives once with its photo, a replayed photo answers the first photo,
and the census of duplicated tickets agrees with what the replays answered
(none once POST /api/v1/tickets takes ``Idempotency-Key``).
"""
import importlib.util
import os

import pytest

from bench import storm
from tests.bench.test_harness import bench_database, tiny_regions  # noqa: F401 (fixtures)


def _storm(database, regions, output, *extra):
    return storm.run(storm.parse([
        "--database", database, "--regions", regions, "--background", "100", "--workers", "2",
        "--output", str(output), *extra,
    ]), log=lambda _line: None)


def test_a_tiny_storm_delivers_every_ticket_once_with_its_photo(bench_database, tiny_regions, tmp_path):
    output = tmp_path / "RESULTS.md"

    outcome = _storm(bench_database, tiny_regions, output,
                     "--phones", "3", "--tickets", "15", "--replay", "0.2", "--no-first-load")

    census = outcome.census
    assert (census.items, census.lost, census.items_without_photo, census.extra_photos) == (15, 0, 0, 0)
    answers = outcome.storm.by_status()
    assert set(status for _kind, status in answers) == {201}, answers
    assert answers[("ticket", 201)] == answers[("upload", 201)] == 15
    replays = [item for phone in outcome.storm.phones for item in phone.items if item.replay]
    assert len(replays) == 3
    assert all(item.replayed_attachment_id == item.attachment_id for item in replays)
    second_tickets = sum(1 for item in replays if item.replayed_ticket_id != item.ticket_id)
    assert census.duplicated == second_tickets
    if outcome.wired:
        assert second_tickets == 0
    text = output.read_text(encoding="utf-8")
    assert "## Signal returns (issue 12)" in text
    assert "| lost | 0 |" in text
    assert f"| duplicated | {census.duplicated} |" in text


def test_the_storm_photo_is_a_phone_sized_jpeg():
    from io import BytesIO

    from PIL import Image

    photo = storm.make_photo(7)

    with Image.open(BytesIO(photo)) as image:
        assert (image.format, image.size) == ("JPEG", storm.PHOTO_SIZE)
    assert abs(len(photo) - storm.PHOTO_BYTES) <= storm.PHOTO_BYTES * 0.1


def test_first_load_counts_the_new_ticket_page_and_its_service_worker(tiny_regions, tmp_path):
    missing = [what for what, present in (
        (storm.CHROMIUM, os.path.exists(storm.CHROMIUM)),
        ("the playwright package", importlib.util.find_spec("playwright") is not None)) if not present]
    if missing:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {', '.join(missing)} is missing")
        pytest.skip(f"{', '.join(missing)} is missing")
    output = tmp_path / "RESULTS.md"

    outcome = _storm(f"sqlite:///{tmp_path / 'storm.sqlite3'}", tiny_regions, output,
                     "--phones", "1", "--tickets", "1", "--replay", "0")

    assert outcome.first_load is not None
    requesters = {(record["path"].split("?")[0], record["by"]) for record in outcome.first_load}
    assert ("/tickets/new", "page") in requesters
    assert ("/static/app.css", "page") in requesters
    assert ("/sw.js", "service worker") in requesters
    assert all(record["status"] < 500 for record in outcome.first_load)
    assert "| first load of Tiket baru: page and service worker |" in output.read_text(encoding="utf-8")
