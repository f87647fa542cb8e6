"""A small world for ticket and visit tests: two Kodim, three Koramil, users in each.

Village codes are real Karanganyar and Sragen codes; only the handful
the tests need are imported, so each test sets up quickly.
"""
from dataclasses import dataclass, field

from tracker.extensions import db

KEMIRI = "33.13.14.2005"   # Kebakkramat: babinsa + babinsa_same
KEBAK = "33.13.14.2006"    # Kebakkramat: babinsa
WARU = "33.13.14.2007"     # Kebakkramat: babinsa_waru
JATEN = "33.13.11.2003"    # Jaten: koramil_other's area
SRAGEN_VILLAGE = "33.14.01.2001"  # Kodim Sragen: kodim_other's area

REGIONS_CSV = """code,name
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


@dataclass
class World:
    """Users by role name, and the region codes above."""

    users: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.users[name]
        except KeyError:
            raise AttributeError(name) from None


def build_world(make_unit, make_user):
    """Regions, units and one user per role (plus the 'other' ones)."""
    from tracker.regions.services import import_regions

    import_regions(REGIONS_CSV)
    db.session.commit()
    kodim = make_unit("kodim", "Kodim 0727/Karanganyar", regions=["33.13"], number="0727")
    kebakkramat = make_unit("koramil", "Koramil 03/Kebakkramat", regions=["33.13.14"], parent=kodim, number="03")
    jaten = make_unit("koramil", "Koramil Jaten", regions=["33.13.11"], parent=kodim)
    sragen = make_unit("kodim", "Kodim 0725/Sragen", regions=["33.14"], number="0725")
    world = World()
    world.users = {
        "babinsa": make_user("babinsa", unit=kebakkramat, villages=[KEMIRI, KEBAK], username="babinsa"),
        "babinsa_same": make_user("babinsa", unit=kebakkramat, villages=[KEMIRI], username="babinsa_same"),
        "babinsa_waru": make_user("babinsa", unit=kebakkramat, villages=[WARU], username="babinsa_waru"),
        "koramil": make_user("koramil", unit=kebakkramat, username="koramil"),
        "koramil_other": make_user("koramil", unit=jaten, username="koramil_other"),
        "kodim": make_user("kodim", unit=kodim, username="kodim"),
        "kodim_other": make_user("kodim", unit=sragen, username="kodim_other"),
        "admin": make_user("admin", username="admin"),
    }
    return world


def ticket_fields(**overrides):
    """Valid create_ticket keyword arguments, with overrides."""
    fields = {
        "village_code": KEMIRI, "category": "land_dispute", "severity": "medium",
        "title": "Sengketa batas sawah", "description": "Dua warga berselisih soal patok.",
    }
    fields.update(overrides)
    return fields


def make_ticket(reporter, *, status=None, level=None, commit=True, **overrides):
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


def module_world(database_url, password, *, keep_context=True):
    """Generator for a module-scoped fixture: an app with the world committed once.

    For large read-only or roll-back-per-test matrices, where building the
    world per test would dominate the run time. Tests in such a module must
    not use the function-scoped ``app`` fixture (its teardown empties the
    tables). Yields (app, world); tables are emptied at the end.

    With ``keep_context=False`` the app context is popped before the tests
    run, so every test-client request gets its own context (its own ``g``
    and session) as in production: needed when several users' clients
    share one app. ``setup(world)``-style work is then done by the caller
    inside ``app.app_context()``.
    """
    from tests.conftest import _empty_all_tables
    from tracker import create_app
    from tracker.auth.services import assign_villages, create_user
    from tracker.units.services import create_unit

    app = create_app({"CONFIG_NAME": "testing", "SQLALCHEMY_DATABASE_URI": database_url,
                      "WTF_CSRF_ENABLED": False})

    def make_unit(kind, name, regions=(), parent=None, number=None):
        return create_unit(kind=kind, name=name, number=number, parent=parent, region_codes=regions)

    def make_user(role, unit=None, villages=(), username=None):
        user = create_user(username=username, full_name=f"{role} {username}", role=role,
                           password=password, unit=unit)
        if villages:
            assign_villages(user, villages)
        return user

    context = app.app_context()
    context.push()
    try:
        world = build_world(make_unit, make_user)
        db.session.commit()
        if keep_context:
            yield app, world
        else:
            context.pop()
            context = None
            yield app, world
    finally:
        if context is None:
            context = app.app_context()
            context.push()
        db.session.rollback()
        _empty_all_tables()
        db.session.remove()
        context.pop()
