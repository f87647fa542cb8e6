"""An API world: two kabupaten, their units, one user per role, a ticket per scope case.

Kodim 0727 covers Karanganyar (33.13); its Koramil Kebakkramat (33.13.14)
and Koramil Jaten (33.13.11) cover one kecamatan each. A second Kodim covers
Wonogiri (33.12), a kabupaten outside Kodim 0727's area.
"""
from datetime import date, datetime, timezone

import pytest
import time_machine

from tracker.auth.services import issue_token

KEMIRI = "33.13.14.2005"     # Kebakkramat
WARU = "33.13.14.2007"       # Kebakkramat, not assigned to the Kemiri Babinsa
JATEN = "33.13.11.2003"      # another kecamatan of the same kabupaten
GEDONG = "33.12.01.2001"     # another kabupaten

WONOGIRI_CSV = "code,name\n33.12,Kabupaten Wonogiri\n33.12.01,Pracimantoro\n33.12.01.2001,Gedong\n"


class ApiWorld:
    """Users by role name, tickets by scope case, and a bearer header for anyone."""

    def __init__(self, users, client):
        self.users = users
        self.tickets = {}
        self.client = client
        self._headers = {}

    def headers(self, who):
        """Authorization headers for a user name of the world (one token each)."""
        if who not in self._headers:
            from tracker.extensions import db

            token, _row = issue_token(self.users[who])
            db.session.commit()
            self._headers[who] = {"Authorization": f"Bearer {token}"}
        return self._headers[who]

    def get(self, who, url, **kwargs):
        return self.client.get(url, headers=self.headers(who), **kwargs)

    def post(self, who, url, body=None, **kwargs):
        return self.client.post(url, json=body, headers=self.headers(who), **kwargs)

    def patch(self, who, url, body=None, **kwargs):
        return self.client.patch(url, json=body, headers=self.headers(who), **kwargs)

    def open_ticket(self, who, **fields):
        """Create a ticket through the service, as ``who``; returns its id."""
        from tracker.extensions import db
        from tracker.tickets.services import create_ticket

        values = {"category": "hoax", "severity": "medium", "title": "A problem"}
        values.update(fields)
        ticket = create_ticket(self.users[who], **values)
        db.session.commit()
        return ticket.id


@pytest.fixture
def world(app, db, client, regions, make_unit, make_user):
    """The users and units above, without tickets."""
    from tracker.regions.services import import_regions

    import_regions(WONOGIRI_CSV)
    db.session.commit()
    kodim = make_unit("kodim", "Kodim 0727/Karanganyar", regions=["33.13"], number="0727")
    kebakkramat = make_unit("koramil", "Koramil 03/Kebakkramat", regions=["33.13.14"], parent=kodim, number="03")
    jaten = make_unit("koramil", "Koramil Jaten", regions=["33.13.11"], parent=kodim)
    wonogiri = make_unit("kodim", "Kodim 0728/Wonogiri", regions=["33.12"], number="0728")
    pracimantoro = make_unit("koramil", "Koramil Pracimantoro", regions=["33.12.01"], parent=wonogiri)
    users = {
        "babinsa": make_user("babinsa", kebakkramat, villages=[KEMIRI], username="babinsa.kemiri"),
        "babinsa_same_village": make_user("babinsa", kebakkramat, villages=[KEMIRI, WARU], username="babinsa.kemiri2"),
        "babinsa_jaten": make_user("babinsa", jaten, villages=[JATEN], username="babinsa.jaten"),
        "babinsa_gedong": make_user("babinsa", pracimantoro, villages=[GEDONG], username="babinsa.gedong"),
        "koramil": make_user("koramil", kebakkramat, username="danramil.kebakkramat"),
        "koramil_jaten": make_user("koramil", jaten, username="danramil.jaten"),
        "kodim": make_user("kodim", kodim, username="dandim.karanganyar"),
        "kodim_wonogiri": make_user("kodim", wonogiri, username="dandim.wonogiri"),
        "admin": make_user("admin", None, username="operator"),
    }
    return ApiWorld(users, client)


@pytest.fixture
def scoped_world(world):
    """The world with one ticket per scope case, each with a unique word and category.

    in_scope: Kemiri, by the Kemiri Babinsa. sensitive: Kemiri, sensitive, by
    the Kemiri Babinsa. other_kecamatan: Jaten. other_kabupaten: Gedong (Wonogiri).
    """
    world.tickets["in_scope"] = world.open_ticket(
        "babinsa", village_code=KEMIRI, category="hoax", title="Hoaks alpha di grup WA")
    world.tickets["sensitive"] = world.open_ticket(
        "babinsa", village_code=KEMIRI, category="identity_politics", title="Informan bravo", sensitive=True)
    world.tickets["other_kecamatan"] = world.open_ticket(
        "babinsa_jaten", village_code=JATEN, category="land_dispute", title="Sengketa charlie")
    world.tickets["other_kabupaten"] = world.open_ticket(
        "babinsa_gedong", village_code=GEDONG, category="crime", title="Pencurian delta")
    return world


NOW = datetime(2026, 3, 10, 2, 0, tzinfo=timezone.utc)  # 09:00 WIB


@pytest.fixture(autouse=True)
def clock():
    """Every API test runs at NOW (tick=False); ``clock.shift(...)`` moves time."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def flag_ticket(db):
    """Factory: give a ticket an active early-warning flag (as the sweep would)."""
    from tracker.elections.models import Election
    from tracker.warnings.models import Flag

    def flag(ticket_id):
        election = Election(kind="pilkades", name=f"Pilkades {ticket_id}", voting_on=date(2026, 4, 1),
                            scope_kind="regions", window_start=date(2026, 3, 1), window_end=date(2026, 5, 1))
        db.session.add(election)
        db.session.flush()
        db.session.add(Flag(ticket_id=ticket_id, election_id=election.id, stage="lead_up",
                            reason="unresolved in the lead-up", raised_at=NOW))
        db.session.commit()

    return flag


@pytest.fixture
def table_counts(db):
    """Callable: how many tickets, events, visits and counters exist now."""
    from sqlalchemy import func, select

    from tracker.tickets.models import Ticket, TicketCounter, TicketEvent
    from tracker.visits.models import Visit

    def counts():
        db.session.expire_all()
        return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
                for model in (Ticket, TicketEvent, Visit, TicketCounter)}

    return counts
