"""Fixtures for the early-warning tests: an area with users, elections and tickets.

Shared by tests/elections and tests/jobs (they import these fixtures).
"""
import itertools
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import insert

from tracker.extensions import db as _db

WIB = ZoneInfo("Asia/Jakarta")
KEMIRI, KEBAK, WARU = "33.13.14.2005", "33.13.14.2006", "33.13.14.2007"
JATEN = "33.13.11.2003"
LALUNG = "33.13.09.1001"  # a kelurahan
SRAGEN_VILLAGE = "33.14.01.2001"
PAPUA_VILLAGE = "94.01.01.2001"

# A second kabupaten and a village in WIT, beside Karanganyar.
EXTRA_REGIONS = """code,name
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


@pytest.fixture
def area(regions, make_unit, make_user):
    """Kodim 0727 (33.13) with Koramil Kebakkramat and Jaten, Kodim Sragen, and their users."""
    from tracker.regions.services import import_regions

    import_regions(EXTRA_REGIONS)
    _db.session.commit()
    kodim = make_unit("kodim", "Kodim 0727/Karanganyar", regions=["33.13"], number="0727")
    kebakkramat = make_unit("koramil", "Koramil 03/Kebakkramat", regions=["33.13.14"], parent=kodim, number="03")
    jaten = make_unit("koramil", "Koramil Jaten", regions=["33.13.11"], parent=kodim)
    sragen = make_unit("kodim", "Kodim 0725/Sragen", regions=["33.14"], number="0725")
    return SimpleNamespace(
        kodim_unit=kodim, koramil_unit=kebakkramat,
        admin=make_user("admin", username="admin"),
        kodim=make_user("kodim", unit=kodim, username="dandim"),
        koramil=make_user("koramil", unit=kebakkramat, username="danramil"),
        jaten=make_user("koramil", unit=jaten, username="danramil.jaten"),
        sragen=make_user("kodim", unit=sragen, username="dandim.sragen"),
        babinsa=make_user("babinsa", unit=kebakkramat, villages=[KEMIRI], username="babinsa.kemiri"),
        waru_babinsa=make_user("babinsa", unit=kebakkramat, villages=[WARU], username="babinsa.waru"),
    )


@pytest.fixture
def make_election(area):
    """Factory: make_election(kind, voting_on, scope=..., name=..., stages=None), committed."""
    from tracker.elections.services import create_election

    def make(kind, voting_on, scope=None, name=None, stages=None, actor=None):
        if scope is None:
            scope = {"villages": [KEMIRI, KEBAK]} if kind == "pilkades" else {"national": True}
        election = create_election(actor or area.admin, kind=kind, name=name or f"{kind} {voting_on}",
                                   voting_on=voting_on, scope=scope, stages=stages)
        _db.session.commit()
        return election

    return make


@pytest.fixture
def make_ticket(area):
    """Factory: make_ticket(at, village=KEMIRI, severity="low", ...): filed through the service at ``at``."""
    from tracker.tickets.services import create_ticket

    def make(at, village=KEMIRI, severity="low", reporter=None, sensitive=False, title="Jalan rusak"):
        with time_machine.travel(at, tick=False):
            ticket = create_ticket(reporter or area.koramil, village_code=village, category="other",
                                   severity=severity, title=title, sensitive=sensitive)
            _db.session.commit()
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
        _db.session.execute(insert(Ticket), rows)
        _db.session.commit()

    return make


@pytest.fixture
def run_sweep(app):
    """Run one sweep as of a moment and commit, as the CLI does; returns the SweepResult."""
    from tracker.warnings.services import sweep

    def run(at):
        result = sweep(at.astimezone(timezone.utc))
        _db.session.commit()
        return result

    return run


@pytest.fixture
def api_token(area):
    """Function: a bearer header for a user."""
    from tracker.auth.services import issue_token

    def headers(user):
        token, _row = issue_token(user)
        _db.session.commit()
        return {"Authorization": f"Bearer {token}"}

    return headers


@pytest.fixture
def english(app):
    """Messages in English for the test's duration (the default language is Indonesian)."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield
