"""The bench loader writes tickets around the ORM with the search triggers dropped:
the SQLite search index must still hold every ticket afterwards."""
import sqlite3

import pytest

from bench import cli
from tracker.tickets.search import FTS_TABLE, TRIGGERS

pytestmark = pytest.mark.slow


def test_a_generated_sqlite_set_has_its_search_index_filled_and_kept(tmp_path):
    from tracker.demo.foundation import karanganyar_csv

    regions = tmp_path / "karanganyar.csv"
    regions.write_text(karanganyar_csv(), encoding="utf-8")
    path = tmp_path / "bench.sqlite3"
    status = cli.main(["--quick", "--generate-only", "--tickets", "300", "--regions", str(regions),
                       "--database", f"sqlite:///{path}", "--output", str(tmp_path / "RESULTS.md"),
                       "--at", "2026-11-20T08:00:00+07:00"], log=lambda line: None)
    assert status == 0
    with sqlite3.connect(path) as connection:
        # FTS5 compares an external-content index with its table (raises when they differ).
        connection.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)")
        assert {row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'")} >= set(TRIGGERS)
        word = connection.execute("SELECT lower(substr(title, 1, 5)) FROM ticket LIMIT 1").fetchone()[0]
        like = connection.execute("SELECT count(*) FROM ticket WHERE lower(title) LIKE ? OR lower(description) LIKE ?",
                                  (f"%{word}%", f"%{word}%")).fetchone()[0]
        indexed = connection.execute(f"SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?",
                                     ('"' + word.replace('"', '""') + '"',)).fetchone()[0]
        assert like > 0 and indexed == like
