"""The database under the suite: one per pytest-xdist worker, and a rolled-back transaction per test.

Schema: created once per worker (``create_all``: tests only) on a SQLite file
of the worker's temporary folder, or on PostgreSQL in a database derived from
``TEST_DATABASE_URL`` (``<name>_gw0``, ``<name>_gw1``... created on demand and
dropped at the end; a run without workers uses ``TEST_DATABASE_URL`` itself).

Isolation: each test gets a fresh app whose sessions share one connection
holding an outer transaction; every session joins it through a SAVEPOINT
(``join_transaction_mode="create_savepoint"``), so a service's ``commit()``
releases a savepoint and its ``rollback()`` goes back to one, and the outer
transaction is rolled back after the test. Nothing is committed, so nothing
needs deleting.

Tests whose data must really be committed carry ``@pytest.mark.real_commits``:
those whose work runs on another connection (threads, child processes, a
second app or engine, a live server). They commit as production does, and
every table is emptied after them.
"""
import os
import re
from contextlib import contextmanager

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSession
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import scoped_session, sessionmaker

from tracker import create_app
from tracker.extensions import db as _db


def _worker():
    """The pytest-xdist worker id (gw0, gw1...), or None outside a distributed run."""
    return os.environ.get("PYTEST_XDIST_WORKER")


def _server_url(url):
    """The maintenance database of ``url``'s PostgreSQL server, for CREATE/DROP DATABASE."""
    return url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """This worker's database: a SQLite file of its own, or its own PostgreSQL database."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        # tmp_path_factory is per worker under xdist, so is the file.
        yield "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")
        return
    worker = _worker()
    if worker is None or not url.startswith(("postgres://", "postgresql")):
        yield url
        return
    import psycopg

    base = make_url(url.replace("postgres://", "postgresql://", 1))
    name = f"{base.database}_{worker}"
    with psycopg.connect(_server_url(base), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_server_url(base), autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def _schema(database_url):
    app = create_app({"CONFIG_NAME": "testing", "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        _db.drop_all()
        _db.create_all()
    yield
    with app.app_context():
        _db.drop_all()
        _db.engine.dispose()


class FreshGlobalsClient(FlaskClient):
    """A test client whose every request starts with an empty ``g``.

    The fixtures keep an app context pushed (so tests and requests share
    the database session), and Flask reuses a pushed app context for
    requests. Without this, ``g`` would carry Flask-Login's cached user
    and Flask-Babel's cached locale from one request to the next, which
    never happens in production, where each request has its own context.
    """

    def open(self, *args, **kwargs):
        _clear_globals()
        try:
            return super().open(*args, **kwargs)
        finally:
            _clear_globals()


def _clear_globals():
    if has_app_context():
        for name in list(vars(g)):
            delattr(g, name)


def empty_all_tables():
    """Delete every row (PostgreSQL: TRUNCATE, restarting the id sequences) and commit."""
    tables = list(reversed(_db.metadata.sorted_tables))
    if _db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        _db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            _db.session.execute(table.delete())
    _db.session.commit()


class ConnectionSession(FlaskSession):
    """Flask-SQLAlchemy's session on the test's connection.

    Its own ``get_bind`` picks the app's engine, which would open a second
    connection outside the test's transaction.
    """

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return bind if bind is not None else self.bind


def _sqlite_driver_transactions(dbapi_connection, _record):
    # pysqlite opens and commits transactions on its own, which breaks
    # SAVEPOINTs; SQLAlchemy's documented recipe hands that back to it.
    dbapi_connection.isolation_level = None


def _sqlite_begin(connection):
    connection.exec_driver_sql("BEGIN")


@contextmanager
def _rolled_back(monkeypatch):
    """Bind ``db.session`` to one connection in an outer transaction; yields, then rolls it back."""
    engine = _db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_driver_transactions)
        event.listen(engine, "begin", _sqlite_begin)
    connection = engine.connect()
    connection.begin()
    factory = sessionmaker(class_=ConnectionSession, db=_db, bind=connection, query_cls=_db.Query,
                           join_transaction_mode="create_savepoint")
    monkeypatch.setattr(_db, "session", scoped_session(factory, _db.session.registry.scopefunc))
    try:
        yield
    finally:
        try:
            _db.session.remove()
        finally:
            # Closing the connection rolls the outer transaction back, even
            # when a failed test left a savepoint half rolled back.
            connection.close()
            engine.dispose()


@contextmanager
def _committed():
    """Let the test commit for real; empty every table after it."""
    try:
        yield
    finally:
        _db.session.rollback()
        _db.session.remove()
        empty_all_tables()
        _db.session.remove()


def _test_app(request, monkeypatch, tmp_path, database_url, **config):
    """A fresh app for one test, its context pushed, isolated as the test's markers say."""
    app = create_app({"CONFIG_NAME": "testing", "SQLALCHEMY_DATABASE_URI": database_url, **config})
    app.test_client_class = FreshGlobalsClient
    app.instance_path = str(tmp_path / "instance")
    os.makedirs(app.instance_path, exist_ok=True)
    isolation = _committed() if request.node.get_closest_marker("real_commits") else _rolled_back(monkeypatch)
    with app.app_context(), isolation:
        yield app


@pytest.fixture
def app(_schema, request, monkeypatch, tmp_path, database_url):
    """A fresh app, its context pushed; what the test writes is rolled back (see the module doc)."""
    yield from _test_app(request, monkeypatch, tmp_path, database_url, WTF_CSRF_ENABLED=False)


@pytest.fixture
def csrf_app(_schema, request, monkeypatch, tmp_path, database_url):
    """An app with CSRF protection on, as in production."""
    yield from _test_app(request, monkeypatch, tmp_path, database_url)


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def count_queries(app):
    """Context manager counting SQL statements sent to the database (savepoint bookkeeping aside)."""

    @contextmanager
    def counter():
        statements = []

        def before(conn, cursor, statement, *args):
            if not re.match(r"\s*(SAVEPOINT|RELEASE|ROLLBACK TO)", statement, re.I):
                statements.append(statement)

        engine = _db.engine
        event.listen(engine, "before_cursor_execute", before)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", before)

    return counter
