"""When digests are due: the daily job, time zones, catch-up, the CLI commands."""
import os
import threading
from datetime import date, datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import func, select

from tracker.digests.jobs import relay_outbox, run_digests
from tracker.digests.models import OutboxMessage
from tracker.extensions import db

# 27 Nov 2026 in Karanganyar (WIB, UTC+7).
WIB_0559 = datetime(2026, 11, 26, 22, 59, tzinfo=timezone.utc)
WIB_0600 = datetime(2026, 11, 26, 23, 0, tzinfo=timezone.utc)

PAPUA = """code,name
91,Papua
91.03,Kabupaten Jayapura
91.03.01,Sentani
91.03.01.2001,Sentani Kota
"""


def _keys():
    db.session.expire_all()
    return sorted(db.session.execute(select(OutboxMessage.key)).scalars())


def _count():
    return db.session.execute(select(func.count()).select_from(OutboxMessage)).scalar()


def _job(function, now):
    summary = function(now)
    db.session.commit()
    return summary


def test_nothing_is_due_before_the_digest_hour_in_the_units_time_zone(world):
    assert _job(run_digests, WIB_0559) == "queued 0 digests, skipped 0 empty"
    assert _count() == 0


def test_one_digest_per_recipient_and_day_even_when_the_job_runs_twice(world, smtp):
    assert _job(run_digests, WIB_0600) == "queued 3 digests, skipped 0 empty"
    assert _job(run_digests, WIB_0600 + timedelta(minutes=15)) == "queued 0 digests, skipped 0 empty"
    assert _job(relay_outbox, WIB_0600) == "sent 3, retrying 0, failed 0"
    assert _job(relay_outbox, WIB_0600 + timedelta(minutes=1)) == "sent 0, retrying 0, failed 0"

    ids = {u.id for u in (world["dandim"], world["danramil"], world["danramil_jaten"])}
    assert _keys() == sorted(f"digest:{i}:2026-11-27" for i in ids)
    assert sorted(e.rcpt_tos[0] for e in smtp.messages) == [
        "dandim@waspada.example", "danramil@waspada.example", "jaten@waspada.example",
    ]


@pytest.mark.real_commits  # two job threads, each on its own connection
def test_two_jobs_running_at_once_decide_each_digest_once(app, world):
    errors = []

    def run():
        try:
            with app.app_context():
                run_digests(WIB_0600)
                db.session.commit()
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert _count() == 3


def test_only_commanders_with_an_email_and_digests_on_get_one(world, make_user):
    world["danramil_jaten"].is_digest_enabled = False
    world["dandim"].email = None
    make_user("koramil", world["danramil"].unit, username="deactivated", email="x@waspada.example",
              digest=True).is_active_account = False
    make_user("admin", username="root", email="root@waspada.example", digest=True)
    db.session.commit()

    _job(run_digests, WIB_0600)

    assert _keys() == [f"digest:{world['danramil'].id}:2026-11-27"]


def test_a_wit_units_digest_is_due_at_0600_wit_not_0600_wib(world, make_unit, make_user):
    from tracker.regions.services import import_regions

    import_regions(PAPUA)
    db.session.commit()
    papua = make_unit("kodim", "Kodim 1701/Jayapura", regions=["91.03"], number="1701")
    dandim_papua = make_user("kodim", papua, username="dandim.jayapura", email="jayapura@waspada.example",
                             digest=True)
    wit_0600 = datetime(2026, 11, 26, 21, 0, tzinfo=timezone.utc)  # 04:00 WIB

    assert _job(run_digests, wit_0600 - timedelta(minutes=1)) == "queued 0 digests, skipped 0 empty"
    assert _job(run_digests, wit_0600) == "queued 1 digests, skipped 0 empty"
    assert _keys() == [f"digest:{dandim_papua.id}:2026-11-27"]

    # Karanganyar's commanders follow at 06:00 WIB, two hours later.
    assert _job(run_digests, WIB_0600) == "queued 3 digests, skipped 0 empty"


def test_after_downtime_todays_digest_goes_out_once_late(world):
    noon = WIB_0600 + timedelta(hours=6)

    assert _job(run_digests, noon) == "queued 3 digests, skipped 0 empty"
    assert _job(run_digests, noon + timedelta(minutes=15)) == "queued 0 digests, skipped 0 empty"
    assert {key.rsplit(":", 1)[1] for key in _keys()} == {"2026-11-27"}


def test_no_digest_is_sent_for_a_day_past_the_catch_up_cut_off(app, world):
    app.config["DIGEST_CATCHUP_HOURS"] = 4
    # Down from before 06:00 until 11:00 WIB: today's slot is 5 hours old.
    assert _job(run_digests, WIB_0600 + timedelta(hours=5)) == "queued 0 digests, skipped 0 empty"
    # Just after midnight the new day's slot has not come yet; yesterday's is never sent.
    assert _job(run_digests, WIB_0600 + timedelta(hours=18, minutes=30)) == "queued 0 digests, skipped 0 empty"
    assert _count() == 0
    assert _job(run_digests, WIB_0600 + timedelta(days=1)) == "queued 3 digests, skipped 0 empty"
    assert {key.rsplit(":", 1)[1] for key in _keys()} == {"2026-11-28"}


def test_digest_send_and_outbox_relay_leave_eml_files(app, world):
    runner = app.test_cli_runner()
    with time_machine.travel(WIB_0600 + timedelta(hours=2), tick=False):
        first = runner.invoke(args=["digest", "send"])
        again = runner.invoke(args=["digest", "send"])
        relayed = runner.invoke(args=["outbox", "relay"])

    assert first.exit_code == 0, first.output
    assert first.output.strip() == "queued 3 digests"
    assert again.output.strip() == "queued 0 digests"
    assert relayed.output.strip() == "sent 3, retrying 0, failed 0"
    files = sorted(os.listdir(os.path.join(app.instance_path, "outbox")))
    assert files == sorted(f"digest_{world[n].id}_2026-11-27.eml" for n in ("dandim", "danramil", "danramil_jaten"))


def test_digest_send_for_a_date_and_one_user(app, world):
    result = app.test_cli_runner().invoke(args=["digest", "send", "--date", "2026-11-20", "--user", "danramil"])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "queued 1 digests"
    assert _keys() == [f"digest:{world['danramil'].id}:2026-11-20"]
    row = db.session.execute(select(OutboxMessage)).scalar_one()
    assert row.digest_on == date(2026, 11, 20)
    assert "20 Nov 2026" in row.subject


def test_digest_send_dry_run_prints_the_digests_and_queues_nothing(app, world):
    result = app.test_cli_runner().invoke(args=["digest", "send", "--dry-run", "--date", "2026-11-27"])

    assert result.exit_code == 0, result.output
    assert "danramil <danramil@waspada.example> 2026-11-27: [Waspada] Koramil 03/Kebakkramat · 27 Nov 2026" in result.output
    assert result.output.strip().endswith("dry run: would queue 3 digests")
    assert _count() == 0


def test_digest_send_names_the_bad_option(app, world):
    runner = app.test_cli_runner()

    unknown = runner.invoke(args=["digest", "send", "--user", "nobody"])
    babinsa = runner.invoke(args=["digest", "send", "--user", "kemiri"])
    bad_date = runner.invoke(args=["digest", "send", "--date", "27-11-2026"])

    assert unknown.exit_code != 0 and "user: no user 'nobody'" in unknown.output
    assert babinsa.exit_code != 0 and "kemiri gets no digest" in babinsa.output
    assert bad_date.exit_code != 0 and "--date" in bad_date.output
    assert _count() == 0
