"""Fixtures for digests: a real SMTP server on loopback and outbox rows."""
import socket

import pytest
from aiosmtpd.controller import Controller

from tests.digests.factories import T0
from tests.plugins.world import recorded
from tracker.extensions import db


def free_port():
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Recorder:
    """An aiosmtpd handler that stores what it accepts and can answer with scripted errors.

    ``rcpt_answers`` / ``data_answers`` are consumed one per RCPT / DATA
    command; when empty the server accepts. ``delay`` slows DATA down so
    two relays can overlap; ``during_data``, a plain function, runs in a
    worker thread while the DATA command waits for it (what a slow server
    lets others do meanwhile).
    """

    def __init__(self):
        self.messages = []
        self.rcpt_answers = []
        self.data_answers = []
        self.delay = 0.0
        self.during_data = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_answers:
            return self.rcpt_answers.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            import asyncio

            await asyncio.sleep(self.delay)
        if self.during_data:
            import asyncio

            await asyncio.get_running_loop().run_in_executor(None, self.during_data)
        if self.data_answers:
            return self.data_answers.pop(0)
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


class SmtpServer:
    """Start/stop control over one loopback SMTP server on a fixed free port."""

    def __init__(self, port):
        self.port = port
        self.handler = Recorder()
        self.controller = None

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self):
        return self.handler.messages


@pytest.fixture
def smtp(app):
    """A running SMTP server on a free loopback port, with the app pointed at it."""
    server = SmtpServer(free_port())
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_TIMEOUT=5,
                      MAIL_USE_TLS=False, MAIL_USE_SSL=False, MAIL_USERNAME=None)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_down(app):
    """The app pointed at a loopback port where no server runs (yet): call ``.start()`` to bring it up."""
    server = SmtpServer(free_port())
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_TIMEOUT=5,
                      MAIL_USE_TLS=False, MAIL_USE_SSL=False, MAIL_USERNAME=None)
    yield server
    server.stop()


@pytest.fixture
def queue(app):
    """Factory: queue(key, to=...) writes one pending outbox row and commits."""
    from tracker.digests.outbox import queue_message

    def make(key, to="danramil@waspada.example", now=T0):
        queue_message(key=key, to_address=to, subject=f"Subject {key}", body_text=f"Text {key}",
                      body_html=f"<p>HTML {key}</p>", now=now)
        db.session.commit()

    return make


@pytest.fixture
def world(regions, make_unit, make_user):
    """Kodim 0727 with two Koramil, their commanders (digests on) and Babinsa.

    Kebakkramat (33.13.14): Kemiri 2005, Waru 2007. Jaten (33.13.11): 2003.
    """

    def build():
        kodim = make_unit("kodim", "Kodim 0727/Karanganyar", regions=["33.13"], number="0727")
        kebak = make_unit("koramil", "Koramil 03/Kebakkramat", regions=["33.13.14"], parent=kodim, number="03")
        jaten = make_unit("koramil", "Koramil 01/Jaten", regions=["33.13.11"], parent=kodim, number="01")
        return {
            "dandim": make_user("kodim", kodim, username="dandim", email="dandim@waspada.example", digest=True),
            "danramil": make_user("koramil", kebak, username="danramil", email="danramil@waspada.example",
                                  digest=True),
            "danramil_jaten": make_user("koramil", jaten, username="danramil_jaten",
                                        email="jaten@waspada.example", digest=True),
            "kemiri": make_user("babinsa", kebak, villages=["33.13.14.2005"], username="kemiri"),
            "waru": make_user("babinsa", kebak, villages=["33.13.14.2007"], username="waru"),
            "jaten": make_user("babinsa", jaten, villages=["33.13.11.2003"], username="jaten"),
        }

    return recorded("digests", build)


@pytest.fixture
def make_ticket(app):
    """Factory: make_ticket(actor, village, at=..., severity=..., sensitive=...) through the ticket service."""
    import time_machine

    from tracker.tickets.services import create_ticket

    counter = {"n": 0}

    def make(actor, village, at, severity="medium", category="social_conflict", title=None, sensitive=False):
        counter["n"] += 1
        with time_machine.travel(at, tick=False):
            ticket = create_ticket(actor, village_code=village, category=category, severity=severity,
                                   title=title or f"Problem number {counter['n']}", sensitive=sensitive)
            db.session.commit()
        return ticket

    return make


@pytest.fixture
def election(app):
    """Factory: a Pilkada over Kabupaten Karanganyar voting on the given day (default stages)."""
    from tracker.elections.services import create_election

    def make(voting_on, name="Pilkada Karanganyar 2026", kind="pilkada"):
        created = create_election(None, kind=kind, name=name, voting_on=voting_on.isoformat(),
                                  scope={"regions": ["33.13"]})
        db.session.commit()
        return created

    return make


@pytest.fixture
def flag(app):
    """Factory: an active flag on a ticket (as the sweep would raise it)."""
    from tracker.warnings.models import Flag

    def make(ticket, election, at, stage="campaign"):
        row = Flag(ticket_id=ticket.id, election_id=election.id, stage=stage, reason="test", raised_at=at)
        db.session.add(row)
        db.session.commit()
        return row

    return make
