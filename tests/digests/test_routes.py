"""The "my digest" preview page and the admin's delivery log."""
from datetime import datetime, timedelta, timezone

import time_machine
from sqlalchemy import select

from tests.digests.factories import T0
from tracker.digests import outbox
from tracker.digests.models import OutboxMessage
from tracker.digests.services import decide_digest
from tracker.extensions import db

AT = datetime(2026, 11, 26, 23, 0, tzinfo=timezone.utc)


def test_a_koramil_user_previews_his_digest_for_a_date(client, login, world, make_ticket):
    ticket = make_ticket(world["kemiri"], "33.13.14.2005", AT - timedelta(hours=2), title="Baliho dirusak")
    with time_machine.travel(AT + timedelta(hours=1), tick=False):
        login("danramil")
        page = client.get("/digest?date=2026-11-27")

    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "[Waspada] Koramil 03/Kebakkramat · 27 Nov 2026 · 0 ditandai, 1 baru" in body
    assert ticket.ref in body
    assert "srcdoc=" in body
    assert db.session.execute(select(OutboxMessage)).first() is None  # a preview queues nothing


def test_a_decided_digest_previews_as_the_stored_copy(client, login, world):
    decide_digest(world["danramil"], AT.date() + timedelta(days=1), AT)
    row = db.session.execute(select(OutboxMessage)).scalar_one()
    row.subject = "[Waspada] stored subject"
    db.session.commit()
    login("danramil")

    body = client.get("/digest?date=2026-11-27").get_data(as_text=True)

    assert "[Waspada] stored subject" in body


def test_an_admin_previews_a_named_users_digest(client, login, world, make_user):
    make_user("admin", username="root")
    login("root")

    page = client.get("/digest?user=dandim&date=2026-11-27")
    assert page.status_code == 200
    assert "[Waspada] Kodim 0727/Karanganyar · 27 Nov 2026" in page.get_data(as_text=True)

    wrong = client.get("/digest?user=kemiri&date=2026-11-27")
    assert wrong.status_code == 422
    assert "kemiri bukan pengguna Koramil atau Kodim" in wrong.get_data(as_text=True)


def test_a_bad_date_is_named_in_the_answer(client, login, world):
    login("danramil")

    page = client.get("/digest?date=27-11-2026")

    assert page.status_code == 422
    assert "Tanggal harus berbentuk 2026-11-27." in page.get_data(as_text=True)


def test_a_babinsa_has_no_digest_page_and_only_admins_see_the_delivery_log(client, login, world):
    login("kemiri")
    assert client.get("/digest").status_code == 403
    assert client.get("/admin/outbox").status_code == 403


def test_the_delivery_log_shows_failures_with_the_answer_and_retry_now_requeues(
        app, client, login, world, make_user, smtp, queue):
    smtp.handler.rcpt_answers = ["550 5.1.1 No such user here"]
    queue("digest:1:2026-11-27", to="gone@waspada.example")
    queue("digest:2:2026-11-27", to="ok@waspada.example")
    outbox.relay(T0)
    db.session.commit()
    make_user("admin", username="root")
    login("root")

    log = client.get("/admin/outbox?status=failed").get_data(as_text=True)
    assert "gone@waspada.example" in log and "550 5.1.1 No such user here" in log
    assert "ok@waspada.example" not in log
    assert "Coba lagi sekarang" in log

    failed = db.session.execute(select(OutboxMessage).where(OutboxMessage.status == "failed")).scalar_one()
    answer = client.post(f"/admin/outbox/{failed.id}/retry", data={"status": "failed"})
    assert answer.status_code == 303
    db.session.expire_all()
    assert (failed.status, failed.attempts) == ("pending", 0)

    sent = db.session.execute(select(OutboxMessage).where(OutboxMessage.status == "sent")).scalar_one()
    assert client.post(f"/admin/outbox/{sent.id}/retry").status_code == 303
    db.session.expire_all()
    assert sent.status == "sent"


def test_the_delivery_log_shows_when_a_retrying_message_goes_next(client, login, make_user, smtp_down, queue):
    queue("digest:1:2026-11-27")
    outbox.relay(T0)
    db.session.commit()
    make_user("admin", username="root")
    login("root")

    log = client.get("/admin/outbox?status=retrying").get_data(as_text=True)

    assert "danramil@waspada.example" in log
    assert "ConnectionRefusedError" in log
    assert "27 Nov 2026 07:01" in log  # next attempt, 1 minute later, in WIB


def test_an_admin_reads_one_stored_email(client, login, make_user, queue):
    queue("digest:9:2026-11-27")
    make_user("admin", username="root")
    login("root")
    row = db.session.execute(select(OutboxMessage)).scalar_one()

    body = client.get(f"/admin/outbox/{row.id}").get_data(as_text=True)

    assert "Subject digest:9:2026-11-27" in body
    assert client.get("/admin/outbox/999999").status_code == 404
