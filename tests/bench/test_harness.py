"""The benchmark harness runs end to end on a tiny data set, so it cannot rot.

One kabupaten (the demo's Karanganyar) and 400 tickets, on SQLite and, when
``TEST_DATABASE_URL`` names a PostgreSQL server, on a database of its own
there. Figures are not asserted (timing belongs in the benchmark, not in
tests); the harness is: every hot path gets a row, none fails, and the
hand-written SQL agrees with the sweep.
"""
import os
import re
import uuid

import pytest

from bench import REPO, cli, report
from bench.figures import percentile


@pytest.fixture
def tiny_regions(tmp_path):
    from tracker.demo.foundation import karanganyar_csv

    path = tmp_path / "karanganyar.csv"
    path.write_text(karanganyar_csv(), encoding="utf-8")
    return str(path)


@pytest.fixture(params=["sqlite", "postgresql"])
def bench_database(request, tmp_path):
    """A database the bench may drop and fill: a SQLite file, or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bench.sqlite3'}"
        return
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("TEST_DATABASE_URL does not name a PostgreSQL server")
    import psycopg
    from sqlalchemy.engine import make_url

    server = make_url(url)
    name = f"waspada_bench_test_{uuid.uuid4().hex[:8]}"
    admin = server.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_quick_run_on_a_tiny_data_set_measures_every_path(bench_database, tiny_regions, tmp_path):
    output = tmp_path / "RESULTS.md"
    lines = []
    status = cli.main([
        "--quick", "--tickets", "400", "--regions", tiny_regions, "--database", bench_database,
        "--output", str(output), "--runs", "2", "--workers", "2", "--clients", "4",
        "--load-requests", "40", "--at", "2026-11-20T08:00:00+07:00",
        # The election-day load test has a test of its own (test_election_day.py).
        "--only", ",".join(path for path in cli.PATHS if path != "electionday"),
    ], log=lines.append)

    assert status == 0
    text = output.read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if re.match(r"\| \d \|", line)]
    assert {row.split("|")[1].strip() for row in rows} == {"1", "2", "3", "4", "5", "6", "7"}
    failed = [row for row in rows if "(ERROR)" in row]
    assert not failed, failed
    sweep_rows = [row for row in rows if row.startswith("| 1 | sweep · first pass")]
    if sweep_rows:
        assert "same flags as SQL" in sweep_rows[0]
    assert "ticket 400" in text


def test_a_run_replaces_only_its_own_block(tmp_path):
    path = tmp_path / "RESULTS.md"
    report.write(str(path), "sqlite:10", "<!-- bench:sqlite:10 -->\nold sqlite\n<!-- /bench -->\n")
    report.write(str(path), "postgresql:10", "<!-- bench:postgresql:10 -->\npg\n<!-- /bench -->\n")
    report.write(str(path), "sqlite:10", "<!-- bench:sqlite:10 -->\nnew sqlite\n<!-- /bench -->\n")

    text = path.read_text(encoding="utf-8")
    assert "new sqlite" in text and "old sqlite" not in text
    assert "pg" in text and text.count("<!-- /bench -->") == 2
    assert "## Findings" in text


def test_the_results_name_only_files_of_the_repository(tmp_path):
    """A new results file's header, and the committed one, point into the repository only."""
    path = tmp_path / "RESULTS.md"
    report.write(str(path), "sqlite:10", "<!-- bench:sqlite:10 -->\nx\n<!-- /bench -->\n")
    with open(os.path.join(REPO, "bench", "RESULTS.md"), encoding="utf-8") as handle:
        committed = handle.read()
    for text in (path.read_text(encoding="utf-8"), committed):
        assert REPO not in text
        named = re.findall(r"`([^`\s]+\.md)`", text)
        assert "README.md" in named
        for name in named:
            assert not os.path.isabs(name) and os.path.exists(os.path.join(REPO, name)), name


def test_p95_is_the_nearest_rank():
    assert percentile([5, 1, 4, 2, 3], 0.95) == 5
    assert percentile(list(range(1, 101)), 0.95) == 95
