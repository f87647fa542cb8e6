"""The database under the suite: one per pytest-xdist worker, and a rolled-back transaction per test.

Schema: created once per worker (``create_all``: tests only) on a SQLite file
of the worker's temporary folder, or on PostgreSQL in a database derived from
``TEST_DATABASE_URL`` (``<name>_gw0``, ``<name>_gw1``... created on demand and
dropped at the end; a run without workers uses ``TEST_DATABASE_URL`` itself).

Isolation: the test's sessions share one connection holding an outer
transaction; every session joins it through a SAVEPOINT
(``join_transaction_mode="create_savepoint"``), so a service's ``commit()``
releases a savepoint and its ``rollback()`` goes back to one, and the outer
transaction is rolled back after the test. Nothing is committed, so nothing
needs deleting. The app is the worker's (one per configuration), its config
restored after each test; ``@pytest.mark.own_app`` gives a test a fresh one.

Tests whose data must really be committed carry ``@pytest.mark.real_commits``:
those whose work runs on another connection (threads, child processes, a
second engine, a live server). They get a fresh app that commits as
production does, and every table is emptied after them.
"""
import copy
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


def _new_app(database_url, config, *, savepoints):
    """An app as the tests configure it; ``savepoints``: its SQLite connections can nest transactions."""
    app = create_app({"CONFIG_NAME": "testing", "SQLALCHEMY_DATABASE_URI": database_url, **config})
    app.test_client_class = FreshGlobalsClient
    with app.app_context():
        engine = _db.engine
    if savepoints and engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_driver_transactions)
        event.listen(engine, "begin", _sqlite_begin)
    return app


def _shape(app):
    """What a test could add to an app besides config: URL rules and request hooks."""
    hooks = (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs,
             app.url_value_preprocessors, app.template_context_processors)
    return (len(app.view_functions), sum(len(funcs) for hook in hooks for funcs in hook.values()))


class SharedApps:
    """One app per configuration for the worker's rolled-back tests, its config restored after each.

    Building an app costs more than most tests (Werkzeug compiles every URL
    rule); the tests change only its config, which is put back. A test that
    changes the app itself (adds a route: Flask refuses once the app has
    served a request) is marked ``own_app`` and gets a fresh one.
    """

    def __init__(self, database_url):
        self.database_url = database_url
        self.apps = {}
        self.shapes = {}

    def get(self, config):
        key = tuple(sorted(config.items()))
        if key not in self.apps:
            app = _new_app(self.database_url, config, savepoints=True)
            self.apps[key] = (app, copy.deepcopy(dict(app.config)))
            self.shapes[id(app)] = _shape(app)
        return self.apps[key]

    def close(self):
        for app, _config in self.apps.values():
            with app.app_context():
                _db.engine.dispose()


@pytest.fixture(scope="session")
def _shared_apps(_schema, database_url):
    apps = SharedApps(database_url)
    yield apps
    apps.close()


def _restart_sequences(connection):
    """Start every used id sequence at 1 again, as the TRUNCATE after a committing test does.

    A rollback does not give sequence numbers back on PostgreSQL, and tests
    name ids (``elections edit 1``); the tables are empty outside a test.
    """
    connection.exec_driver_sql(
        "SELECT setval((quote_ident(schemaname) || '.' || quote_ident(sequencename))::regclass, 1, false) "
        "FROM pg_sequences WHERE schemaname = current_schema() AND last_value IS NOT NULL")
    connection.commit()


@contextmanager
def _rolled_back(monkeypatch):
    """Bind ``db.session`` to one connection in an outer transaction; yields, then rolls it back."""
    if getattr(_db.session.session_factory, "class_", None) is ConnectionSession:
        # The test's other app fixture (``app`` beside ``csrf_app``) holds the
        # connection already; its sessions serve this app too.
        yield
        return
    connection = _db.engine.connect()
    if connection.dialect.name == "postgresql":
        _restart_sequences(connection)
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


def _test_app(request, monkeypatch, tmp_path, shared_apps, config):
    """The test's app, its context pushed, isolated as the test's markers say (see the module doc)."""
    committing = request.node.get_closest_marker("real_commits") is not None
    if committing or request.node.get_closest_marker("own_app"):
        app, pristine = _new_app(shared_apps.database_url, config, savepoints=not committing), None
    else:
        app, pristine = shared_apps.get(config)
    app.instance_path = str(tmp_path / "instance")
    os.makedirs(app.instance_path, exist_ok=True)
    try:
        with app.app_context(), _committed() if committing else _rolled_back(monkeypatch):
            yield app
    finally:
        if pristine is None:
            with app.app_context():
                _db.engine.dispose()
        else:
            app.config.clear()
            app.config.update(copy.deepcopy(pristine))
            if _shape(app) != shared_apps.shapes[id(app)]:
                pytest.fail(f"{request.node.nodeid} changed the worker's app (a route or a request hook): "
                            "mark it @pytest.mark.own_app", pytrace=False)


@pytest.fixture
def app(request, monkeypatch, tmp_path, _shared_apps):
    """The test's app, its context pushed; what the test writes is rolled back (see the module doc)."""
    yield from _test_app(request, monkeypatch, tmp_path, _shared_apps, {"WTF_CSRF_ENABLED": False})


@pytest.fixture
def csrf_app(request, monkeypatch, tmp_path, _shared_apps):
    """The test's app with CSRF protection on, as in production."""
    yield from _test_app(request, monkeypatch, tmp_path, _shared_apps, {})


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
