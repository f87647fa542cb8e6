"""``flask db upgrade`` builds the schema the models describe, on SQLite and PostgreSQL,
and revisions go down and up again on a populated database.

The commands run as an operator runs them: ``flask --app tracker db ...``
in a subprocess, configured by ``DATABASE_URL`` and ``WASPADA_INSTANCE``.
"""
import os
import shutil
import sqlite3
import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url

from tracker.extensions import db
from tracker import models  # noqa: F401  (every table in the metadata)
from tracker.tickets.search import include_name as search_index_excluded

# Each test runs `flask db` in subprocesses over whole databases.
pytestmark = pytest.mark.slow

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def flask(database_url, instance, *args):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "WASPADA_INSTANCE": str(instance),
        "WASPADA_CONFIG": "development",
        "WASPADA_SCHEDULER": "off",
    }
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "tracker", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def schema_differences(database_url):
    """What ``flask db migrate`` would generate: nothing, if the migrations match the models."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            # As env.py does: the SQLite search index's FTS5 tables are not in the models.
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_name": search_index_excluded})
            return compare_metadata(context, db.metadata)
    finally:
        engine.dispose()


def _describe(diffs):
    return "\n".join(f"  {diff!r}"[:300] for diff in diffs)


def row_counts(path):
    with sqlite3.connect(path) as connection:
        tables = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version'"
        )]
        return {table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'waspada.sqlite3'}"


def test_there_is_exactly_one_head(tmp_path, sqlite_url):
    heads = [line for line in flask(sqlite_url, tmp_path, "db", "heads").splitlines() if line.strip()]
    assert len(heads) == 1, heads


def test_upgrade_builds_the_models_schema_on_a_fresh_sqlite_file(tmp_path, sqlite_url):
    flask(sqlite_url, tmp_path, "db", "upgrade")
    diffs = schema_differences(sqlite_url)
    assert not diffs, f"the migrations and the models disagree on SQLite:\n{_describe(diffs)}"


@pytest.fixture
def scratch_postgres():
    """A fresh PostgreSQL database on TEST_DATABASE_URL's server, dropped afterwards."""
    base = os.environ.get("TEST_DATABASE_URL", "")
    if not base.startswith(("postgresql", "postgres:")):
        pytest.skip("TEST_DATABASE_URL is not a PostgreSQL URL")
    import psycopg

    url = make_url(base.replace("postgres://", "postgresql://", 1))
    name = f"{url.database}_migrations_{os.getpid()}"
    server = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_upgrade_builds_the_models_schema_on_a_fresh_postgresql_database(tmp_path, scratch_postgres):
    flask(scratch_postgres, tmp_path, "db", "upgrade")
    diffs = schema_differences(scratch_postgres)
    assert not diffs, f"the migrations and the models disagree on PostgreSQL:\n{_describe(diffs)}"
    flask(scratch_postgres, tmp_path, "db", "downgrade", "base")
    engine = create_engine(scratch_postgres)
    try:
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
    flask(scratch_postgres, tmp_path, "db", "upgrade")


@pytest.fixture(scope="module")
def populated(tmp_path_factory):
    """A database migrated by ``flask db upgrade`` with the demo loaded."""
    folder = tmp_path_factory.mktemp("populated")
    original = folder / "original.sqlite3"
    flask(f"sqlite:///{original}", folder, "db", "upgrade")
    flask(f"sqlite:///{original}", folder, "seed", "demo")
    with sqlite3.connect(original) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return original


@pytest.fixture
def populated_copy(tmp_path, populated):
    """A copy of the populated database, as an operator makes before trying a downgrade."""
    copy = tmp_path / "copy.sqlite3"
    shutil.copyfile(populated, copy)
    return copy


def test_downgrade_base_then_upgrade_works_on_a_populated_sqlite_copy(tmp_path, populated_copy):
    url = f"sqlite:///{populated_copy}"
    before = row_counts(populated_copy)
    assert before["user_account"] == 7 and before["region"] > 0
    flask(url, tmp_path, "db", "downgrade", "base")
    assert row_counts(populated_copy) == {}
    flask(url, tmp_path, "db", "upgrade")
    assert set(row_counts(populated_copy)) == set(before)
    assert not schema_differences(url)
    # The data can be loaded again into the rebuilt schema.
    flask(url, tmp_path, "seed", "demo")
    assert row_counts(populated_copy) == before


def test_the_latest_revision_goes_down_and_up_keeping_rows_of_tables_it_does_not_drop(tmp_path, populated_copy):
    url = f"sqlite:///{populated_copy}"
    before = row_counts(populated_copy)
    flask(url, tmp_path, "db", "downgrade")  # to the revision before the latest
    after_down = row_counts(populated_copy)
    kept = set(after_down) & set(before)
    assert {t: after_down[t] for t in kept} == {t: before[t] for t in kept}, "a downgrade lost rows"
    with sqlite3.connect(populated_copy) as connection:
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    flask(url, tmp_path, "db", "upgrade")
    after_up = row_counts(populated_copy)
    assert set(after_up) == set(before)
    assert {t: after_up[t] for t in kept} == {t: before[t] for t in kept}, "an upgrade lost rows"
    assert not schema_differences(url)
