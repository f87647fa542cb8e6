"""Scratch databases for the backup tests: whole databases of their own, really committed.

On the SQLite run they are files in the test's folder; on the PostgreSQL
run (TEST_DATABASE_URL) databases on the same server, dropped afterwards.
"""
import os

import pytest
from sqlalchemy.engine import make_url


def _postgres_base():
    url = os.environ.get("TEST_DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql")):
        return make_url(url.replace("postgres://", "postgresql://", 1))
    return None


def _server(base):
    return base.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)


@pytest.fixture
def engine_name():
    """The engine of this run: "postgresql" under a PostgreSQL TEST_DATABASE_URL, else "sqlite"."""
    return "postgresql" if _postgres_base() else "sqlite"


@pytest.fixture(scope="module")
def new_database(tmp_path_factory):
    """Function: new_database(name) -> the URL of a new, empty database of this run's engine.

    Module-scoped, so a module may build one populated database for its tests; names are unique per module.
    """
    base = _postgres_base()
    folder = tmp_path_factory.mktemp("databases")
    created = []

    def make(name):
        if base is None:
            return f"sqlite:///{folder / (name + '.sqlite3')}"
        import psycopg

        database = f"{base.database}_{name}_{os.getpid()}"
        with psycopg.connect(_server(base), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{database}"')
        created.append(database)
        return base.set(drivername="postgresql+psycopg", database=database).render_as_string(hide_password=False)

    yield make
    if created:
        import psycopg

        with psycopg.connect(_server(base), autocommit=True) as connection:
            for database in created:
                connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
