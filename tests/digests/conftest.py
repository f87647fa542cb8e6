"""Fixtures for digests: a real SMTP server on loopback and outbox rows."""
import socket
from datetime import datetime, timezone

import pytest
from aiosmtpd.controller import Controller

from tracker.extensions import db

T0 = datetime(2026, 11, 27, 0, 0, tzinfo=timezone.utc)


def free_port():
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Recorder:
    """An aiosmtpd handler that stores what it accepts and can answer with scripted errors.

    ``rcpt_answers`` / ``data_answers`` are consumed one per RCPT / DATA
    command; when empty the server accepts. ``delay`` slows DATA down so
    two relays can overlap.
    """

    def __init__(self):
        self.messages = []
        self.rcpt_answers = []
        self.data_answers = []
        self.delay = 0.0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_answers:
            return self.rcpt_answers.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            import asyncio

            await asyncio.sleep(self.delay)
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
