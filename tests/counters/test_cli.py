"""``flask counters check|rebuild`` and the migration that fills the counters, on a database with the demo loaded.

The commands run in subprocesses as an operator runs them: on a SQLite
file, and on a scratch PostgreSQL database when TEST_DATABASE_URL names one.
"""
import os
import subprocess
import sys

import psycopg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

pytestmark = pytest.mark.slow

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def flask(database_url, instance, *args):
    """(exit code, stdout + stderr) of ``flask --app tracker ARGS``."""
    env = {**os.environ, "DATABASE_URL": database_url, "WASPADA_INSTANCE": str(instance),
           "WASPADA_CONFIG": "development", "WASPADA_SCHEDULER": "off"}
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "tracker", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=300)
    return result.returncode, result.stdout + result.stderr


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'counters.sqlite3'}"
        return
    base = os.environ.get("TEST_DATABASE_URL", "")
    if not base.startswith(("postgresql", "postgres:")):
        pytest.skip("TEST_DATABASE_URL is not a PostgreSQL URL")
    url = make_url(base.replace("postgres://", "postgresql://", 1))
    name = f"{url.database}_counters_cli_{os.getpid()}"
    server = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(server, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def execute(database_url, statement):
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            return connection.execute(text(statement)).all() if statement.startswith("SELECT") else \
                connection.execute(text(statement))
    finally:
        engine.dispose()


def test_check_passes_on_kept_counters_names_a_drifted_cell_and_rebuild_repairs_it(database_url, tmp_path):
    assert flask(database_url, tmp_path, "db", "upgrade")[0] == 0
    assert flask(database_url, tmp_path, "seed", "demo")[0] == 0
    # The demo was filed through the services: the counters followed every change.
    code, output = flask(database_url, tmp_path, "counters", "check")
    assert (code, output.strip()) == (0, "counters match a full recount")
    (tickets,), = execute(database_url, "SELECT count(*) FROM ticket")
    (national,), = execute(database_url, "SELECT sum(tickets) FROM ticket_tally WHERE village_code = ''")
    assert tickets > 0 and national == tickets

    (village, status, severity, category, level, number), = execute(
        database_url, "SELECT village_code, status, severity, category, level, tickets FROM ticket_tally "
                      "WHERE village_code <> '' ORDER BY id LIMIT 1")
    execute(database_url, f"UPDATE ticket_tally SET tickets = tickets + 2 WHERE village_code = '{village}' "
                          f"AND status = '{status}' AND severity = '{severity}' AND category = '{category}' "
                          f"AND level = '{level}'")
    code, output = flask(database_url, tmp_path, "counters", "check")
    assert code == 1
    assert (f"ticket_tally village={village} status={status} severity={severity} category={category} "
            f"level={level}: stored ({number + 2}, ") in output
    assert "1 counter cells drifted" in output

    code, output = flask(database_url, tmp_path, "counters", "rebuild")
    assert code == 0 and "counters rebuilt" in output
    assert flask(database_url, tmp_path, "counters", "check")[0] == 0


def test_the_migration_fills_the_counters_as_a_full_recount_does(database_url, tmp_path):
    assert flask(database_url, tmp_path, "db", "upgrade")[0] == 0
    assert flask(database_url, tmp_path, "seed", "demo")[0] == 0
    assert flask(database_url, tmp_path, "db", "downgrade", "a4c8e2f61b37-1")[0] == 0
    assert flask(database_url, tmp_path, "db", "upgrade")[0] == 0
    assert execute(database_url, "SELECT count(*) FROM ticket_tally")[0][0] > 0
    code, output = flask(database_url, tmp_path, "counters", "check")
    assert (code, output.strip()) == (0, "counters match a full recount")
