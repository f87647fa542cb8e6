"""Fixtures for the API tests: the world of tests/api/factories.py, its tickets, a fixed clock."""
from datetime import date

import pytest
import time_machine

from tests.api.factories import NOW, WONOGIRI_CSV, ApiWorld
from tests.plugins.world import GEDONG, JATEN, KEMIRI, WARU, recorded


@pytest.fixture
def world(app, db, client, regions, make_unit, make_user):
    """Two Kodim, three Koramil and one user per role (see tests/api/factories.py), without tickets."""

    def build():
        from tracker.regions.services import import_regions

        import_regions(WONOGIRI_CSV)
        db.session.commit()
        kodim = make_unit("kodim", "Kodim 0727/Karanganyar", regions=["33.13"], number="0727")
        kebakkramat = make_unit("koramil", "Koramil 03/Kebakkramat", regions=["33.13.14"], parent=kodim,
                                number="03")
        jaten = make_unit("koramil", "Koramil Jaten", regions=["33.13.11"], parent=kodim)
        wonogiri = make_unit("kodim", "Kodim 0728/Wonogiri", regions=["33.12"], number="0728")
        pracimantoro = make_unit("koramil", "Koramil Pracimantoro", regions=["33.12.01"], parent=wonogiri)
        return {
            "babinsa": make_user("babinsa", kebakkramat, villages=[KEMIRI], username="babinsa.kemiri"),
            "babinsa_same_village": make_user("babinsa", kebakkramat, villages=[KEMIRI, WARU],
                                              username="babinsa.kemiri2"),
            "babinsa_jaten": make_user("babinsa", jaten, villages=[JATEN], username="babinsa.jaten"),
            "babinsa_gedong": make_user("babinsa", pracimantoro, villages=[GEDONG], username="babinsa.gedong"),
            "koramil": make_user("koramil", kebakkramat, username="danramil.kebakkramat"),
            "koramil_jaten": make_user("koramil", jaten, username="danramil.jaten"),
            "kodim": make_user("kodim", kodim, username="dandim.karanganyar"),
            "kodim_wonogiri": make_user("kodim", wonogiri, username="dandim.wonogiri"),
            "admin": make_user("admin", None, username="operator"),
        }

    return ApiWorld(recorded("api", build), client)


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
