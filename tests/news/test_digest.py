"""The Babinsa's news digest: his news since his previous digest, by email through the outbox, only with an email."""
import email
import email.policy
import socket
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from aiosmtpd.controller import Controller
from sqlalchemy import select

from tests.plugins.world import KEBAK
from tracker.auth.services import assign_villages
from tracker.digests import outbox
from tracker.digests.jobs import run_digests
from tracker.digests.models import OutboxMessage
from tracker.extensions import db
from tracker.tickets.services import add_comment, transition
from tracker.timeutil import utcnow


class Recorder:
    """An aiosmtpd handler keeping what it accepts."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(app):
    """A real SMTP server on a free loopback port, with the app pointed at it (the pattern of tests/digests)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT=5,
                      MAIL_USE_TLS=False, MAIL_USE_SSL=False, MAIL_USERNAME=None)
    controller.start()
    yield recorder
    controller.stop()


def rows():
    db.session.expire_all()
    return {row.user_id: row for row in db.session.execute(select(OutboxMessage)).scalars()}


def parts(envelope):
    parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    return parsed, parsed.get_body(("plain",)).get_content(), parsed.get_body(("html",)).get_content()


@pytest.fixture
def babinsa_with_email(world):
    user = world.babinsa
    user.email, user.is_digest_enabled = "babinsa@waspada.example", True
    other = world.babinsa_same
    other.email, other.is_digest_enabled = "", True  # switched on, but no email
    db.session.commit()
    return user


def test_a_babinsa_with_an_email_gets_his_news_and_one_without_gets_none(world, make_ticket, babinsa_with_email,
                                                                         smtp):
    # The next moment his unit's clock shows DIGEST_HOUR (06:00 WIB): the digests are due then.
    at = utcnow().replace(minute=5, second=0, microsecond=0) + timedelta(hours=4)
    while at.astimezone(ZoneInfo(world.babinsa.unit.timezone)).hour != 6:
        at += timedelta(hours=1)
    with time_machine.travel(at - timedelta(hours=3), tick=False):
        ticket = make_ticket(world.babinsa)
        other = make_ticket(world.babinsa_same)
        add_comment(world.babinsa, ticket, "Ini komentar saya sendiri.")
    with time_machine.travel(at - timedelta(hours=2), tick=False):
        transition(world.koramil, ticket, "reject", reason="Duplikat dari 0727-2026-000040.")
        add_comment(world.koramil, other, "Untuk Babinsa lain.")
        db.session.commit()
    run_digests(at)
    db.session.commit()

    written = rows()
    assert world.babinsa.id in written and world.babinsa_same.id not in written
    assert written[world.babinsa.id].status == "pending"
    assert outbox.relay(at) == {"sent": 1, "retrying": 0, "failed": 0}
    db.session.commit()

    assert len(smtp.messages) == 1
    envelope = smtp.messages[0]
    assert envelope.rcpt_tos == ["babinsa@waspada.example"]
    parsed, text, html = parts(envelope)
    assert parsed["Subject"].startswith("[Waspada] Kabar · ") and parsed["Subject"].endswith("1 baru")
    for body in (text, html):
        assert f"{world.koramil.display_name} menolaknya" in body
        assert "Alasan: Duplikat dari 0727-2026-000040." in body
        assert f"/tickets/{ticket.id}" in body
        assert "Ini komentar saya sendiri." not in body and "Untuk Babinsa lain." not in body


def test_the_next_digest_holds_only_what_came_after_the_previous_one(world, make_ticket, babinsa_with_email):
    from tracker.digests.services import decide_digest

    start = utcnow()
    with time_machine.travel(start, tick=False):
        ticket = make_ticket(world.babinsa)
        add_comment(world.koramil, ticket, "Kabar pertama.")
        db.session.commit()
    first_day = start.date()
    decide_digest(world.babinsa, first_day, start + timedelta(minutes=1))
    with time_machine.travel(start + timedelta(hours=2), tick=False):
        add_comment(world.koramil, ticket, "Kabar kedua.")
        db.session.commit()
    decide_digest(world.babinsa, first_day + timedelta(days=1), start + timedelta(days=1))
    db.session.commit()

    by_day = {row.digest_on: row for row in db.session.execute(select(OutboxMessage)).scalars()}
    assert "Kabar pertama." in by_day[first_day].body_text
    second = by_day[first_day + timedelta(days=1)].body_text
    assert "Kabar kedua." in second and "Kabar pertama." not in second


def test_a_day_without_news_is_recorded_as_skipped_not_mailed(world, make_ticket, babinsa_with_email):
    from tracker.digests.services import decide_digest

    decision = decide_digest(world.babinsa, utcnow().date(), utcnow())
    db.session.commit()
    assert decision.is_skipped
    assert rows()[world.babinsa.id].status == "skipped"


def test_news_of_a_ticket_out_of_his_area_is_not_mailed(world, make_ticket, babinsa_with_email):
    from tracker.digests.services import decide_digest

    start = utcnow()
    with time_machine.travel(start, tick=False):
        ticket = make_ticket(world.babinsa, village_code=KEBAK)
        add_comment(world.koramil, ticket, "Kabar dari Kebak.")
        assign_villages(world.babinsa, ["33.13.14.2005"])
        db.session.commit()
    decision = decide_digest(world.babinsa, start.date(), start + timedelta(minutes=1))
    db.session.commit()
    assert decision.is_skipped and "Kabar dari Kebak." not in rows()[world.babinsa.id].body_text


def test_the_news_digest_in_english(world, make_ticket, babinsa_with_email):
    from tracker.digests.services import decide_digest

    world.babinsa.locale = "en"
    start = utcnow()
    with time_machine.travel(start, tick=False):
        ticket = make_ticket(world.babinsa)
        transition(world.koramil, ticket, "escalate", reason="Needs the Kodim.")
        db.session.commit()
    decide_digest(world.babinsa, start.date(), start + timedelta(minutes=1))
    db.session.commit()
    row = rows()[world.babinsa.id]
    assert row.subject.startswith("[Waspada] News · ") and row.subject.endswith("1 new")
    assert f"{world.koramil.display_name} escalated it to the Kodim" in row.body_text
    assert "Reason: Needs the Kodim." in row.body_html
