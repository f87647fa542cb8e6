"""The outbox relay against a real SMTP server on loopback."""
import email
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.digests.factories import T0
from tracker.digests import outbox
from tracker.digests.mail import message_id
from tracker.digests.models import OutboxMessage
from tracker.extensions import db


def _row(key):
    db.session.expire_all()
    return db.session.execute(select(OutboxMessage).where(OutboxMessage.key == key)).scalar_one()


def _relay(now):
    counts = outbox.relay(now)
    db.session.commit()
    return counts


def test_relay_sends_a_pending_message_as_text_and_html_with_a_stable_message_id(app, smtp, queue):
    queue("digest:1:2026-11-27")

    assert _relay(T0) == {"sent": 1, "retrying": 0, "failed": 0}

    assert len(smtp.messages) == 1
    envelope = smtp.messages[0]
    assert envelope.rcpt_tos == ["danramil@waspada.example"]
    parsed = email.message_from_bytes(envelope.original_content)
    assert parsed["Subject"] == "Subject digest:1:2026-11-27"
    assert parsed["Message-ID"] == message_id("digest:1:2026-11-27", "waspada@localhost")
    assert parsed.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in parsed.get_payload()] == ["text/plain", "text/html"]
    row = _row("digest:1:2026-11-27")
    assert (row.status, row.attempts) == ("sent", 1)
    assert row.sent_at is not None


def test_message_id_is_derived_from_the_key_alone():
    first = message_id("digest:7:2026-11-27", "waspada@example.org")
    assert first == message_id("digest:7:2026-11-27", "waspada@example.org")
    assert first != message_id("digest:7:2026-11-28", "waspada@example.org")
    assert first.startswith("<digest.7.2026-11-27.") and first.endswith("@example.org>")


def test_a_sent_message_is_not_sent_again(app, smtp, queue):
    queue("digest:1:2026-11-27")
    _relay(T0)

    assert _relay(T0 + timedelta(hours=1)) == {"sent": 0, "retrying": 0, "failed": 0}
    assert len(smtp.messages) == 1


def test_451_then_250_delivers_exactly_one_message_after_a_retry(app, smtp, queue):
    smtp.handler.data_answers = ["451 4.3.0 Try again later"]
    queue("digest:1:2026-11-27")

    assert _relay(T0) == {"sent": 0, "retrying": 1, "failed": 0}
    row = _row("digest:1:2026-11-27")
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.last_error.startswith("451")
    assert smtp.messages == []

    # Not due again before its backoff has passed.
    assert _relay(T0 + timedelta(seconds=30)) == {"sent": 0, "retrying": 0, "failed": 0}
    assert _relay(T0 + timedelta(seconds=61)) == {"sent": 1, "retrying": 0, "failed": 0}
    assert len(smtp.messages) == 1
    assert _row("digest:1:2026-11-27").status == "sent"


def test_550_marks_the_message_failed_with_the_answer_and_never_retries(app, smtp, queue):
    smtp.handler.rcpt_answers = ["550 5.1.1 No such user here"]
    queue("digest:1:2026-11-27")

    assert _relay(T0) == {"sent": 0, "retrying": 0, "failed": 1}
    row = _row("digest:1:2026-11-27")
    assert row.status == "failed"
    assert row.last_error == "550 5.1.1 No such user here"

    assert _relay(T0 + timedelta(days=1)) == {"sent": 0, "retrying": 0, "failed": 0}
    assert smtp.messages == []


def test_a_bad_address_fails_at_once_without_bothering_the_server(app, smtp, queue):
    queue("digest:1:2026-11-27", to="not-an-address")

    assert _relay(T0) == {"sent": 0, "retrying": 0, "failed": 1}
    assert "invalid address" in _row("digest:1:2026-11-27").last_error
    assert smtp.messages == []


def test_a_server_that_is_down_leaves_the_message_pending_and_it_goes_out_when_back(app, smtp_down, queue):
    queue("digest:1:2026-11-27")
    queue("digest:2:2026-11-27", to="dandim@waspada.example")

    assert _relay(T0) == {"sent": 0, "retrying": 2, "failed": 0}
    row = _row("digest:1:2026-11-27")
    assert row.status == "pending" and row.attempts == 1 and row.last_error

    smtp_down.start()
    # Still waiting for its backoff: nothing is sent early.
    assert _relay(T0 + timedelta(seconds=10)) == {"sent": 0, "retrying": 0, "failed": 0}
    assert _relay(T0 + timedelta(minutes=2)) == {"sent": 2, "retrying": 0, "failed": 0}
    assert sorted(e.rcpt_tos[0] for e in smtp_down.messages) == [
        "dandim@waspada.example", "danramil@waspada.example",
    ]


def test_temporary_failures_back_off_exponentially_and_give_up_after_max_attempts(app, smtp_down, queue):
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    queue("digest:1:2026-11-27")
    now = T0
    waits = []
    for _ in range(2):
        assert _relay(now)["retrying"] == 1
        row = _row("digest:1:2026-11-27")
        waits.append((row.next_attempt_at.replace(tzinfo=None) - now.replace(tzinfo=None)).total_seconds())
        now = now + timedelta(seconds=waits[-1])
    assert waits == [60, 120]

    assert _relay(now) == {"sent": 0, "retrying": 0, "failed": 1}
    row = _row("digest:1:2026-11-27")
    assert row.status == "failed" and row.attempts == 3


@pytest.mark.real_commits  # two relay threads, each on its own connection
def test_two_relays_at_once_send_each_message_once(app, smtp, queue):
    smtp.handler.delay = 0.2
    for n in range(4):
        queue(f"digest:{n}:2026-11-27", to=f"user{n}@waspada.example")
    results, errors = [], []

    def run():
        try:
            with app.app_context():
                results.append(outbox.relay(T0))
                db.session.commit()
        except Exception as error:  # reported below; a crash must not pass silently
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sum(r["sent"] for r in results) == 4
    assert sorted(e.rcpt_tos[0] for e in smtp.messages) == [f"user{n}@waspada.example" for n in range(4)]


def test_a_claim_left_by_a_dead_relay_is_recovered_after_it_expires(app, smtp, queue):
    queue("digest:1:2026-11-27")
    row = _row("digest:1:2026-11-27")
    row.status, row.claimed_until = "sending", T0 + timedelta(minutes=15)
    db.session.commit()

    assert _relay(T0 + timedelta(minutes=5)) == {"sent": 0, "retrying": 0, "failed": 0}
    assert _relay(T0 + timedelta(minutes=16)) == {"sent": 1, "retrying": 0, "failed": 0}
    assert len(smtp.messages) == 1


def test_without_a_mail_server_messages_are_written_as_eml_files(app, queue):
    import os

    app.config["MAIL_SERVER"] = None
    queue("digest:1:2026-11-27")

    assert _relay(T0) == {"sent": 1, "retrying": 0, "failed": 0}
    folder = os.path.join(app.instance_path, "outbox")
    assert os.listdir(folder) == ["digest_1_2026-11-27.eml"]
    with open(os.path.join(folder, "digest_1_2026-11-27.eml"), "rb") as handle:
        parsed = email.message_from_bytes(handle.read())
    assert parsed["To"] == "danramil@waspada.example"
    assert parsed["Message-ID"] == message_id("digest:1:2026-11-27", "waspada@localhost")


def test_retry_now_sends_a_failed_message_again(app, smtp, queue):
    smtp.handler.rcpt_answers = ["550 5.1.1 No such user here"]
    queue("digest:1:2026-11-27")
    _relay(T0)

    outbox.retry_now(_row("digest:1:2026-11-27"), T0 + timedelta(hours=1))
    db.session.commit()
    assert _relay(T0 + timedelta(hours=1)) == {"sent": 1, "retrying": 0, "failed": 0}
    assert len(smtp.messages) == 1


def test_queueing_one_key_twice_writes_one_row(app):
    for _ in range(2):
        written = outbox.queue_message(key="digest:1:2026-11-27", to_address="a@b.example", subject="s",
                                       body_text="t", body_html="h", now=T0)
    db.session.commit()
    assert written is False
    assert db.session.execute(select(OutboxMessage)).scalars().all()[0].key == "digest:1:2026-11-27"
    assert len(db.session.execute(select(OutboxMessage)).scalars().all()) == 1


@pytest.mark.real_commits  # another connection looks at the database while SMTP talks
def test_no_transaction_is_open_while_the_relay_talks_smtp(app, smtp, queue):
    """A slow mail server must not hold the database: the claim is committed before
    SMTP starts, and another connection can write at once (SQLite: BEGIN IMMEDIATE
    with no busy wait; PostgreSQL: an update of the claimed row without waiting)."""
    from sqlalchemy import create_engine, text

    queue("digest:1:2026-11-27")
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    is_sqlite = url.startswith("sqlite")
    other = create_engine(url, connect_args={"timeout": 0} if is_sqlite else {})
    seen = []

    def look_while_smtp_waits():
        with other.connect() as conn:
            if is_sqlite:
                conn.exec_driver_sql("BEGIN IMMEDIATE")  # fails at once while a write is open
            else:
                conn.execute(text("SET lock_timeout = '2s'"))
            conn.execute(text("UPDATE outbox_message SET subject = subject WHERE key = :key"),
                          {"key": "digest:1:2026-11-27"})
            seen.append(conn.execute(text("SELECT status FROM outbox_message WHERE key = :key"),
                                     {"key": "digest:1:2026-11-27"}).scalar())
            conn.rollback()

    smtp.handler.during_data = look_while_smtp_waits
    try:
        assert _relay(T0) == {"sent": 1, "retrying": 0, "failed": 0}
    finally:
        other.dispose()
    assert seen == ["sending"], "the claim was not committed before SMTP, or the other connection had to wait"
    assert _row("digest:1:2026-11-27").status == "sent"
