"""The common world of the tests: Kabupaten Karanganyar, Kodim 0727, its Koramil and users, and factories.

Fixtures: ``regions`` (Karanganyar), ``make_unit``, ``make_user``, ``login``;
the ticket tests' ``world`` (``make_ticket``, ``web`` clients); the
early-warning ``area`` (``make_election``, ``make_ticket_at``,
``bulk_tickets``, ``run_sweep``, ``api_token``, ``english``); ``demo``.
The village codes and helpers below are imported by the tests that name them.

A world is built through the services the first time a worker needs it and
its rows are recorded (``recorded``); later tests get the same rows inserted
directly inside their transaction, which costs a few statements instead of
the services' validation, password hashing and one flush per object.
"""
import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import func, insert, inspect, select, text

from tracker.extensions import db

DEMO_PASSWORD = "waspada-demo"
WIB = ZoneInfo("Asia/Jakarta")

KEMIRI = "33.13.14.2005"   # Kebakkramat
KEBAK = "33.13.14.2006"    # Kebakkramat
WARU = "33.13.14.2007"     # Kebakkramat
JATEN = "33.13.11.2003"    # Jaten, another kecamatan of Karanganyar
LALUNG = "33.13.09.1001"   # a kelurahan of Karanganyar
SRAGEN_VILLAGE = "33.14.01.2001"  # Kabupaten Sragen, outside Kodim 0727
GEDONG = "33.12.01.2001"   # Kabupaten Wonogiri, outside Kodim 0727
PAPUA_VILLAGE = "94.01.01.2001"   # in WIT

# Only the handful of regions the ticket tests need, so their world is small.
TICKET_REGIONS = """code,name
33,Jawa Tengah
33.13,Kabupaten Karanganyar
33.13.14,Kebakkramat
33.13.14.2005,Kemiri
33.13.14.2006,Kebak
33.13.14.2007,Waru
33.13.11,Jaten
33.13.11.2003,Jaten
33.14,Kabupaten Sragen
33.14.01,Kalijambe
33.14.01.2001,Banaran
"""

# Beside Karanganyar, for the early-warning area: a second kabupaten and a village in WIT.
SRAGEN_AND_PAPUA = """code,name
33.14,Kabupaten Sragen
33.14.01,Kalijambe
33.14.01.2001,Banaran
94,Papua
94.01,Kabupaten Merauke
94.01.01,Merauke
94.01.01.2001,Nasem
"""


def wib(*args):
    """An aware datetime in WIB (the tests speak Karanganyar's local time)."""
    return datetime(*args, tzinfo=WIB)


@dataclass
class Recording:
    """The rows a world's first build wrote, and where its named objects are among them."""

    counts_before: dict   # row count of each written table before the build
    rows: list            # (table, [row]) in dependency order
    objects: dict         # name -> (model class, primary key)


_RECORDINGS = {}


def recorded(key, build):
    """``build()`` (a dict name -> ORM object), made through the services once per worker.

    The first call runs ``build`` and records the rows it wrote; later calls
    insert those rows and load the named objects, provided the tables they
    go into hold what they held the first time (otherwise ``build`` runs).
    Either way the rows are committed, as the services' callers commit.
    """
    recording = _RECORDINGS.get(key)
    if recording is not None and _row_counts(recording.counts_before) == recording.counts_before:
        return _replay(recording)
    tables = db.metadata.sorted_tables
    keys_before = {table: set(_primary_keys(table)) for table in tables}
    built = build()
    db.session.flush()
    rows = []
    for table in tables:
        written = [dict(row._mapping) for row in db.session.execute(select(table).order_by(*table.primary_key))
                   if _primary_key(table, row) not in keys_before[table]]
        if written:
            rows.append((table, written))
    _RECORDINGS[key] = Recording(
        counts_before={table.name: len(keys_before[table]) for table, _ in rows},
        rows=rows,
        objects={name: (type(obj), inspect(obj).identity) for name, obj in built.items()},
    )
    db.session.commit()
    return built


def _primary_key(table, row):
    return tuple(row._mapping[column.key] for column in table.primary_key)


def _primary_keys(table):
    return [tuple(row) for row in db.session.execute(select(*table.primary_key))]


def _row_counts(names):
    if not names:
        return {}
    counts = db.session.execute(select(*(
        select(func.count()).select_from(text(f'"{name}"')).scalar_subquery() for name in names))).one()
    return dict(zip(names, counts))


def _replay(recording):
    for table, rows in recording.rows:
        db.session.execute(insert(table), rows)
    if db.session.get_bind().dialect.name == "postgresql":
        # The rows carry their ids; the sequences must move past them.
        for table, rows in recording.rows:
            columns = list(table.primary_key)
            if len(columns) == 1 and columns[0].autoincrement is not False and columns[0].type.python_type is int:
                db.session.execute(select(func.setval(func.pg_get_serial_sequence(table.name, columns[0].name),
                                                      max(row[columns[0].key] for row in rows))))
    db.session.commit()
    return {name: db.session.get(model, identity) for name, (model, identity) in recording.objects.items()}


@pytest.fixture
def regions(app):
    """Kabupaten Karanganyar's regions only."""
    from tracker.demo.foundation import karanganyar_csv
    from tracker.regions.services import import_regions

    def build():
        import_regions(karanganyar_csv())
        db.session.commit()
        return {}

    recorded("karanganyar", build)


def create_test_unit(kind, name, regions=(), parent=None, number=None):
    """A unit through the service, committed."""
    from tracker.units.services import create_unit

    unit = create_unit(kind=kind, name=name, number=number, parent=parent, region_codes=regions)
    db.session.commit()
    return unit


@pytest.fixture
def make_unit(app):
    """Factory: make_unit(kind, name, regions=[...], parent=None, number=None)."""
    return create_test_unit


@pytest.fixture
def make_user(app):
    """Factory: make_user(role, unit=None, villages=(), username=None, **fields)."""
    from tracker.auth.services import assign_villages, create_user

    counter = itertools.count(1)

    def make(role, unit=None, villages=(), username=None, password=DEMO_PASSWORD, **fields):
        n = next(counter)
        user = create_user(
            username=username or f"{role}{n}", full_name=fields.pop("full_name", f"{role} {n}"),
            role=role, password=password, unit=unit, **fields,
        )
        if villages:
            assign_villages(user, villages)
        db.session.commit()
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
def demo(app):
    """The whole demo data set, as ``seed demo`` loads it."""
    from tracker.demo import seed_demo

    users = seed_demo()
    db.session.commit()
    return {u.username: u for u in users}


# The ticket tests' world: two Kodim, three Koramil, one user per role and "other" ones.

@dataclass
class World:
    """Users by role name."""

    users: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.users[name]
        except KeyError:
            raise AttributeError(name) from None


def build_world(make_unit, make_user):
    """TICKET_REGIONS, Kodim 0727 (Koramil Kebakkramat and Jaten), Kodim Sragen, and their users."""
    from tracker.regions.services import import_regions

    import_regions(TICKET_REGIONS)
    db.session.commit()
    kodim = make_unit("kodim", "Kodim 0727/Karanganyar", regions=["33.13"], number="0727")
    kebakkramat = make_unit("koramil", "Koramil 03/Kebakkramat", regions=["33.13.14"], parent=kodim, number="03")
    jaten = make_unit("koramil", "Koramil Jaten", regions=["33.13.11"], parent=kodim)
    sragen = make_unit("kodim", "Kodim 0725/Sragen", regions=["33.14"], number="0725")
    return World(users={
        "babinsa": make_user("babinsa", unit=kebakkramat, villages=[KEMIRI, KEBAK], username="babinsa"),
        "babinsa_same": make_user("babinsa", unit=kebakkramat, villages=[KEMIRI], username="babinsa_same"),
        "babinsa_waru": make_user("babinsa", unit=kebakkramat, villages=[WARU], username="babinsa_waru"),
        "koramil": make_user("koramil", unit=kebakkramat, username="koramil"),
        "koramil_other": make_user("koramil", unit=jaten, username="koramil_other"),
        "kodim": make_user("kodim", unit=kodim, username="kodim"),
        "kodim_other": make_user("kodim", unit=sragen, username="kodim_other"),
        "admin": make_user("admin", username="admin"),
    })


@pytest.fixture
def world(make_unit, make_user):
    """The ticket tests' world (see ``build_world``): users by role name, ``world.babinsa``..."""
    return World(users=recorded("tickets", lambda: build_world(make_unit, make_user).users))


def ticket_fields(**overrides):
    """Valid create_ticket keyword arguments, with overrides."""
    fields = {
        "village_code": KEMIRI, "category": "land_dispute", "severity": "medium",
        "title": "Sengketa batas sawah", "description": "Dua warga berselisih soal patok.",
    }
    fields.update(overrides)
    return fields


def new_ticket(reporter, *, status=None, level=None, commit=True, **overrides):
    """Create a ticket through the service, then put it in a status directly."""
    from tracker.tickets.services import create_ticket

    ticket = create_ticket(reporter, **ticket_fields(**overrides))
    if status is not None:
        ticket.status = status
    if level is not None:
        ticket.level = level
    db.session.flush()
    if commit:
        db.session.commit()
    return ticket


@pytest.fixture
def make_ticket(world):
    """Factory: make_ticket(reporter, status=None, level=None, **create_ticket fields)."""
    return new_ticket


def raise_flag(ticket, *, cleared=False):
    """An early-warning flag on the ticket, as the sweep would leave it."""
    from datetime import date

    from tracker.elections.models import Election
    from tracker.timeutil import utcnow
    from tracker.warnings.models import Flag

    election = Election(kind="pilkades", name=f"Pilkades {ticket.ref}", voting_on=date(2026, 6, 1),
                        scope_kind="villages", window_start=date(2026, 1, 1), window_end=date(2026, 7, 1))
    db.session.add(election)
    db.session.flush()
    flag = Flag(ticket_id=ticket.id, election_id=election.id, stage="campaign", reason="test",
                raised_at=utcnow(), cleared_at=utcnow() if cleared else None)
    db.session.add(flag)
    db.session.commit()
    return flag


class UserClient(FlaskClient):
    """A test client whose every request runs in its own app context.

    The ``app`` fixture keeps one app context pushed for the test, and a
    request would otherwise reuse it: its ``g`` (where Flask-Login caches the
    current user, so two clients would share a user) and its session (so
    the view would see the test's identity map). A fresh context per
    request behaves like production: one session per request.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


class Clients:
    """web(user): a new client logged in as the user; web.cached(user): one per user for the test."""

    def __init__(self, app):
        self.app, self.by_user = app, {}

    def __call__(self, user):
        client = UserClient(self.app, self.app.response_class, use_cookies=True)
        response = client.post("/login", data={"username": user.username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    def cached(self, user):
        if user.id not in self.by_user:
            self.by_user[user.id] = self(user)
        return self.by_user[user.id]


@pytest.fixture
def web(app):
    """Logged-in test clients: ``web(user)``, or ``web.cached(user)`` to reuse one (Hypothesis)."""
    return Clients(app)


def module_world(database_url, password, *, keep_context=True):
    """Generator for a module-scoped fixture: an app with the ticket tests' world committed once.

    For large read-only or roll-back-per-test matrices, where building the
    world per test would dominate the run time. Tests in such a module must
    not use the function-scoped ``app`` fixture. Yields (app, world); tables
    are emptied at the end.

    With ``keep_context=False`` the app context is popped before the tests
    run, so every test-client request gets its own context (its own ``g``
    and session) as in production: needed when several users' clients
    share one app. ``setup(world)``-style work is then done by the caller
    inside ``app.app_context()``.
    """
    from tests.plugins.database import empty_all_tables
    from tracker import create_app
    from tracker.auth.services import assign_villages, create_user

    app = create_app({"CONFIG_NAME": "testing", "SQLALCHEMY_DATABASE_URI": database_url,
                      "WTF_CSRF_ENABLED": False})

    def make_user(role, unit=None, villages=(), username=None):
        user = create_user(username=username, full_name=f"{role} {username}", role=role,
                           password=password, unit=unit)
        if villages:
            assign_villages(user, villages)
        return user

    context = app.app_context()
    context.push()
    try:
        world = build_world(create_test_unit, make_user)
        db.session.commit()
        if not keep_context:
            context.pop()
            context = None
        yield app, world
    finally:
        if context is None:
            context = app.app_context()
            context.push()
        db.session.rollback()
        empty_all_tables()
        db.session.remove()
        context.pop()


# The early-warning area: Karanganyar's regions with Sragen and a village in Papua.

@pytest.fixture
def area(regions, make_unit, make_user):
    """Kodim 0727 (33.13) with Koramil Kebakkramat and Jaten, Kodim Sragen, and their users."""

    def build():
        from tracker.regions.services import import_regions

        import_regions(SRAGEN_AND_PAPUA)
        db.session.commit()
        kodim = make_unit("kodim", "Kodim 0727/Karanganyar", regions=["33.13"], number="0727")
        kebakkramat = make_unit("koramil", "Koramil 03/Kebakkramat", regions=["33.13.14"], parent=kodim,
                                number="03")
        jaten = make_unit("koramil", "Koramil Jaten", regions=["33.13.11"], parent=kodim)
        sragen = make_unit("kodim", "Kodim 0725/Sragen", regions=["33.14"], number="0725")
        return dict(
            kodim_unit=kodim, koramil_unit=kebakkramat,
            admin=make_user("admin", username="admin"),
            kodim=make_user("kodim", unit=kodim, username="dandim"),
            koramil=make_user("koramil", unit=kebakkramat, username="danramil"),
            jaten=make_user("koramil", unit=jaten, username="danramil.jaten"),
            sragen=make_user("kodim", unit=sragen, username="dandim.sragen"),
            babinsa=make_user("babinsa", unit=kebakkramat, villages=[KEMIRI], username="babinsa.kemiri"),
            waru_babinsa=make_user("babinsa", unit=kebakkramat, villages=[WARU], username="babinsa.waru"),
        )

    return SimpleNamespace(**recorded("area", build))


@pytest.fixture
def make_election(area):
    """Factory: make_election(kind, voting_on, scope=..., name=..., stages=None), committed."""
    from tracker.elections.services import create_election

    def make(kind, voting_on, scope=None, name=None, stages=None, actor=None):
        if scope is None:
            scope = {"villages": [KEMIRI, KEBAK]} if kind == "pilkades" else {"national": True}
        election = create_election(actor or area.admin, kind=kind, name=name or f"{kind} {voting_on}",
                                   voting_on=voting_on, scope=scope, stages=stages)
        db.session.commit()
        return election

    return make


@pytest.fixture
def make_ticket_at(area):
    """Factory: make_ticket_at(at, village=KEMIRI, severity="low", ...): filed through the service at ``at``."""
    from tracker.tickets.services import create_ticket

    def make(at, village=KEMIRI, severity="low", reporter=None, sensitive=False, title="Jalan rusak"):
        with time_machine.travel(at, tick=False):
            ticket = create_ticket(reporter or area.koramil, village_code=village, category="other",
                                   severity=severity, title=title, sensitive=sensitive)
            db.session.commit()
        return ticket

    return make


@pytest.fixture
def bulk_tickets(area):
    """Factory: bulk_tickets(n, reported_at, villages=[...]): n ticket rows in one INSERT (for scale tests)."""
    from tracker.tickets.models import SEVERITIES, SEVERITY_RANK, Ticket

    counter = itertools.count(1)

    def make(n, reported_at, villages=(KEMIRI, KEBAK, WARU, JATEN)):
        rows = []
        for i in range(n):
            number = next(counter)
            village = villages[i % len(villages)]
            severity = SEVERITIES[i % len(SEVERITIES)]
            rows.append({
                "ref": f"BULK-{number:07d}", "village_code": village, "district_code": village[:8],
                "regency_code": village[:5], "reporter_id": area.koramil.id, "category": "other",
                "severity": severity, "severity_rank": SEVERITY_RANK[severity],
                "status": ("new", "triaged", "in_progress", "resolved")[(i // 4) % 4], "level": "koramil",
                "title": f"bulk {number}", "description": "", "parties": "", "is_sensitive": False,
                "reported_at": reported_at - timedelta(days=i % 40), "updated_at": reported_at,
                "due_at": reported_at + timedelta(hours=1), "version": 1,
            })
        db.session.execute(insert(Ticket), rows)
        db.session.commit()

    return make


@pytest.fixture
def run_sweep(app):
    """Run one sweep as of a moment and commit, as the CLI does; returns the SweepResult."""
    from tracker.warnings.services import sweep

    def run(at):
        result = sweep(at.astimezone(timezone.utc))
        db.session.commit()
        return result

    return run


@pytest.fixture
def api_token(area):
    """Function: a bearer header for a user."""
    from tracker.auth.services import issue_token

    def headers(user):
        token, _row = issue_token(user)
        db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    return headers


@pytest.fixture
def english(app):
    """Messages in English for the test's duration (the default language is Indonesian)."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield
