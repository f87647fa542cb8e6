"""The daily digest job deletes idempotency keys past IDEMPOTENCY_KEEP_DAYS, once: a second run finds none."""
from datetime import datetime, timedelta, timezone

import time_machine
from sqlalchemy import select

from tracker.digests.jobs import run_digests
from tracker.extensions import db
from tracker.idempotency.models import IdempotencyKey
from tracker.idempotency.services import claim, fingerprint

# The job's slot time (noon WIB); what it decides about digests does not matter here, the keys do.
NOW = datetime(2026, 3, 10, 5, 0, tzinfo=timezone.utc)
PRINT = fingerprint("POST", "/tickets/new", fields=[("title", "Hoaks")])


def keys():
    db.session.expire_all()
    return set(db.session.execute(select(IdempotencyKey.key)).scalars())


def test_the_digest_job_purges_expired_keys_once_and_says_so(app, world):
    for age, key in ((timedelta(days=8), "old"), (timedelta(days=7, minutes=1), "just-old"),
                     (timedelta(days=6), "recent")):
        with time_machine.travel(NOW - age, tick=False):
            claim(world.babinsa, key, "tickets.new", PRINT).save(201, {"url": "/tickets/1"})
    db.session.commit()

    first = run_digests(NOW)
    db.session.commit()
    assert first.endswith(", purged 2 idempotency keys")
    assert keys() == {"recent"}

    again = run_digests(NOW)
    db.session.commit()
    assert "purged" not in again and again == first.removesuffix(", purged 2 idempotency keys")
    assert keys() == {"recent"}


def test_the_job_keeps_the_week_at_its_slot_time_not_the_wall_clock(app, world):
    with time_machine.travel(NOW - timedelta(days=6), tick=False):
        claim(world.babinsa, "six-days", "tickets.new", PRINT).save(201, {"url": "/tickets/1"})
    db.session.commit()
    # A slot caught up late (the scheduler was down): judged at the slot's time, the key is six days old.
    with time_machine.travel(NOW + timedelta(days=3), tick=False):
        run_digests(NOW)
    db.session.commit()
    assert keys() == {"six-days"}
