"""Job health: /healthz/jobs answers 503 naming a job once its last success is two periods old.

"Killing the scheduler" is running each job's tick once (the scheduler's own
``run_scheduled``) and then running nothing while the clock moves on.
"""
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import select

from tests.jobs import probes
from tracker.jobs.health import job_health, sweep_outages
from tracker.jobs.models import JobStatus
from tracker.jobs.runner import run_job, slot_for
from tracker.scheduler import job_specs, run_scheduled

T0 = datetime(2026, 12, 1, 1, 0, tzinfo=timezone.utc)
SWEEP_MINUTES = 2


@pytest.fixture
def short_sweep(app):
    """The sweep every two minutes (the digests stay every 15, the relay every minute)."""
    app.config["SWEEP_INTERVAL_MINUTES"] = SWEEP_MINUTES
    return app


def run_every_job(app):
    """One tick of each scheduled job, as the scheduler runs it; each must succeed."""
    for spec in job_specs(app):
        assert run_scheduled(app, spec) == "done", spec.name


def late_jobs(client):
    response = client.get("/healthz/jobs")
    body = response.get_json()
    return response.status_code, body


def test_all_jobs_just_run_answer_200_with_each_job(short_sweep, client, db):
    with time_machine.travel(T0, tick=False):
        run_every_job(short_sweep)
        status, body = late_jobs(client)
    assert status == 200
    assert body["status"] == "ok"
    assert set(body["jobs"]) == {"sweep", "digests", "relay"}
    assert body["jobs"]["sweep"] == {"last_ok": "2026-12-01T01:00:00Z", "last_error": None, "late": False,
                                     "period_seconds": 120}
    assert body["jobs"]["relay"]["last_ok"] == "2026-12-01T01:00:00Z"


def test_a_dead_scheduler_makes_the_sweep_late_within_two_sweep_periods(short_sweep, client, db):
    with time_machine.travel(T0, tick=False) as clock:
        run_every_job(short_sweep)
        # The relay (every minute) keeps running; the sweep's scheduler is dead.
        relay = next(s for s in job_specs(short_sweep) if s.public_name == "relay")
        clock.move_to(T0 + timedelta(minutes=SWEEP_MINUTES * 2))
        assert run_scheduled(short_sweep, relay) == "done"
        status, body = late_jobs(client)
        assert status == 200, body          # exactly two periods: not yet late
        clock.move_to(T0 + timedelta(minutes=SWEEP_MINUTES * 2, seconds=1))
        status, body = late_jobs(client)
    assert status == 503
    assert body["status"] == "late"
    assert body["late"] == ["sweep"]
    assert body["jobs"]["sweep"]["late"] is True
    assert body["jobs"]["sweep"]["last_ok"] == "2026-12-01T01:00:00Z"   # it stands still
    assert body["jobs"]["digests"]["late"] is False


def test_every_job_is_named_once_the_whole_scheduler_is_dead(short_sweep, client, db):
    with time_machine.travel(T0, tick=False) as clock:
        run_every_job(short_sweep)
        clock.move_to(T0 + timedelta(minutes=31))
        status, body = late_jobs(client)
    assert status == 503
    assert body["late"] == ["sweep", "digests", "relay"]


def test_a_failing_sweep_is_late_and_shows_its_last_error(short_sweep, client, db):
    with time_machine.travel(T0, tick=False) as clock:
        run_every_job(short_sweep)
        for minutes in (2, 4, 6):
            clock.move_to(T0 + timedelta(minutes=minutes))
            assert run_job("sweep", probes.fail, T0, slot_for(T0 + timedelta(minutes=minutes), 2)) == "failed"
        status, body = late_jobs(client)
    assert status == 503 and "sweep" in body["late"]
    assert body["jobs"]["sweep"]["last_error"] == "2026-12-01T01:06:00Z"
    assert body["jobs"]["sweep"]["last_ok"] == "2026-12-01T01:00:00Z"
    row = db.session.get(JobStatus, "sweep")
    assert (row.runs_done, row.runs_failed) == (1, 3)


def test_a_fresh_install_whose_scheduler_never_ran_is_late_after_one_period(short_sweep, client, db):
    with time_machine.travel(T0, tick=False) as clock:
        status, body = late_jobs(client)       # the first check starts watching
        assert status == 200, body
        assert body["jobs"]["sweep"] == {"last_ok": None, "last_error": None, "late": False, "period_seconds": 120}
        clock.move_to(T0 + timedelta(minutes=1, seconds=1))
        status, body = late_jobs(client)
        assert (status, body["late"]) == (503, ["relay"])
        clock.move_to(T0 + timedelta(minutes=SWEEP_MINUTES, seconds=1))
        status, body = late_jobs(client)
    assert body["late"] == ["sweep", "relay"]
    watched = db.session.execute(select(JobStatus.job, JobStatus.watched_since)).all()
    assert sorted(job for job, _ in watched) == ["digests", "outbox", "sweep"]


def test_reading_health_without_watching_writes_nothing(short_sweep, db):
    health = job_health(T0)
    assert [h.name for h in health] == ["sweep", "digests", "relay"]
    assert not any(h.is_late for h in health)
    assert db.session.execute(select(JobStatus)).first() is None


def test_healthz_stays_up_when_the_scheduler_is_dead(short_sweep, client, db):
    with time_machine.travel(T0, tick=False) as clock:
        run_every_job(short_sweep)
        clock.move_to(T0 + timedelta(hours=1))
        assert client.get("/healthz/jobs").status_code == 503
        assert client.get("/healthz").status_code == 200


def sweep_at(app, moment):
    spec = next(s for s in job_specs(app) if s.name == "sweep")
    with time_machine.travel(moment, tick=False):
        assert run_scheduled(app, spec) == "done"


def test_sweep_outages_names_a_gap_of_more_than_two_periods(short_sweep, db):
    for minute in (0, 2, 4, 30, 32):
        sweep_at(short_sweep, T0 + timedelta(minutes=minute))
    outages = sweep_outages(T0, T0 + timedelta(minutes=36))
    assert [(o.since, o.until) for o in outages] == [(T0 + timedelta(minutes=4), T0 + timedelta(minutes=30))]
    # Still down at the end: an open outage too.
    outages = sweep_outages(T0, T0 + timedelta(minutes=37))
    assert [(o.since, o.until) for o in outages] == [(T0 + timedelta(minutes=4), T0 + timedelta(minutes=30)),
                                                     (T0 + timedelta(minutes=32), None)]
    # A window after the gap closed sees nothing.
    assert sweep_outages(T0 + timedelta(minutes=31), T0 + timedelta(minutes=34)) == []


def test_sweep_outages_is_empty_where_the_sweep_was_never_run_nor_watched(short_sweep, db):
    assert sweep_outages(T0, T0 + timedelta(days=1)) == []
