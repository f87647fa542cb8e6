"""Fixtures: app, db, client, and factories for regions, units, users.

The schema is created once per session (create_all: tests only) on
``TEST_DATABASE_URL`` or a temporary SQLite file; every test starts from
empty tables.
"""
import glob
import os
import re

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import text

from tracker import create_app
from tracker.extensions import db as _db

DEMO_PASSWORD = "waspada-demo"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED_REGIONS = os.path.join(ROOT, "..", "shared", "data", "wilayah_kemendagri_2025.csv")


def _compile_catalogue(po_path):
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    mo_path = po_path[:-3] + ".mo"
    if os.path.exists(mo_path) and os.path.getmtime(mo_path) >= os.path.getmtime(po_path):
        return
    with open(po_path, "rb") as handle:
        catalog = read_po(handle)
    partial = f"{mo_path}.{os.getpid()}"
    with open(partial, "wb") as handle:
        write_mo(handle, catalog, use_fuzzy=True)  # as `pybabel compile -f` in the Makefile
    os.replace(partial, mo_path)


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogues():
    """Compile stale translation catalogues, so a bare ``pytest`` sees the current ones."""
    for pattern in ("tracker/translations/*/LC_MESSAGES/*.po", "tracker/*/translations/*/LC_MESSAGES/*.po"):
        for po_path in glob.glob(os.path.join(ROOT, pattern)):
            _compile_catalogue(po_path)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


@pytest.fixture(scope="session")
def _schema(database_url, tmp_path_factory):
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


def _empty_all_tables():
    tables = list(reversed(_db.metadata.sorted_tables))
    if _db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        _db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            _db.session.execute(table.delete())
    _db.session.commit()


@pytest.fixture
def app(_schema, database_url, tmp_path):
    """A fresh app on empty tables; config overrides via the ``app_config`` marker."""
    app = create_app({
        "CONFIG_NAME": "testing",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
    })
    app.test_client_class = FreshGlobalsClient
    app.instance_path = str(tmp_path / "instance")
    os.makedirs(app.instance_path, exist_ok=True)
    with app.app_context():
        yield app
        _db.session.rollback()
        _db.session.remove()
        _empty_all_tables()
        _db.session.remove()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def csrf_app(_schema, database_url, tmp_path):
    """An app with CSRF protection on, as in production."""
    app = create_app({"CONFIG_NAME": "testing", "SQLALCHEMY_DATABASE_URI": database_url})
    app.test_client_class = FreshGlobalsClient
    app.instance_path = str(tmp_path / "instance")
    os.makedirs(app.instance_path, exist_ok=True)
    with app.app_context():
        yield app
        _db.session.rollback()
        _db.session.remove()
        _empty_all_tables()
        _db.session.remove()


@pytest.fixture
def demo(app):
    """The whole demo data set, as ``seed demo`` loads it."""
    from tracker.demo import seed_demo

    users = seed_demo()
    _db.session.commit()
    return {u.username: u for u in users}


@pytest.fixture
def regions(app):
    """Kabupaten Karanganyar's regions only."""
    from tracker.demo.foundation import karanganyar_csv
    from tracker.regions.services import import_regions

    import_regions(karanganyar_csv())
    _db.session.commit()


@pytest.fixture
def make_unit(app):
    """Factory: make_unit(kind, name, regions=[...], parent=None)."""
    from tracker.units.services import create_unit

    def make(kind, name, regions=(), parent=None, number=None):
        unit = create_unit(kind=kind, name=name, number=number, parent=parent, region_codes=regions)
        _db.session.commit()
        return unit

    return make


@pytest.fixture
def make_user(app):
    """Factory: make_user(role, unit=None, villages=(), username=None, **fields)."""
    from tracker.auth.services import assign_villages, create_user

    counter = {"n": 0}

    def make(role, unit=None, villages=(), username=None, password=DEMO_PASSWORD, **fields):
        counter["n"] += 1
        user = create_user(
            username=username or f"{role}{counter['n']}", full_name=fields.pop("full_name", f"{role} {counter['n']}"),
            role=role, password=password, unit=unit, **fields,
        )
        if villages:
            assign_villages(user, villages)
        _db.session.commit()
        return user

    return make


@pytest.fixture
def login(client):
    """Log the test client in as a username (demo password by default)."""

    def do(username, password=DEMO_PASSWORD):
        response = client.post("/login", data={"username": username, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return do


@pytest.fixture
def count_queries(app):
    """Context manager counting SQL statements sent to the database."""
    from contextlib import contextmanager

    from sqlalchemy import event

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


@pytest.fixture
def csrf_token_from():
    """Function: the CSRF token of the first form in a rendered page."""

    def find(response):
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', response.get_data(as_text=True))
        assert match, "no csrf_token field in the page"
        return match.group(1)

    return find


@pytest.fixture
def shared_regions_csv():
    """The national region list (../shared/data, or WASPADA_REGIONS_CSV); skips when absent."""
    path = os.path.abspath(os.environ.get("WASPADA_REGIONS_CSV") or SHARED_REGIONS)
    if not os.path.exists(path):
        pytest.skip(f"the national region list is not present ({path})")
    return path
