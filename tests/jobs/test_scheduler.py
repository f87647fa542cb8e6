"""The scheduler: its jobs, their settings, catching up after a stall, and failures that do not stop it."""
import time
from datetime import datetime, timedelta, timezone

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select

from tests.jobs import probes
from tracker import scheduler as scheduler_module
from tracker.jobs.models import JobRun
from tracker.jobs.runner import slot_for
from tracker.scheduler import JobSpec, build_scheduler, job_specs, run_scheduled
from tracker.timeutil import utcnow


# The scheduler runs its jobs in its own threads, each with its own connection.
pytestmark = pytest.mark.real_commits


def test_the_scheduler_runs_sweep_digests_and_outbox(app):
    app.config["SWEEP_INTERVAL_MINUTES"] = 10
    specs = {s.name: s for s in job_specs(app)}
    assert specs["sweep"] == JobSpec("sweep", "tracker.warnings.jobs:sweep_job", 10)
    assert specs["digests"].target == "tracker.digests.jobs:run_digests" and specs["digests"].minutes == 15
    assert specs["outbox"].target == "tracker.digests.jobs:relay_outbox" and specs["outbox"].minutes == 1
    # Monthly: the retention of personal data (tracker.retention), not watched by /healthz/jobs.
    assert specs["retention"] == JobSpec("retention", "tracker.retention.jobs:retention_job", 30 * 24 * 60,
                                         is_watched=False)

    scheduler = build_scheduler(app, BackgroundScheduler)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {"sweep", "digests", "outbox", "retention",
                         "sweep-startup", "digests-startup", "outbox-startup", "retention-startup"}
    for name, spec in specs.items():
        job = jobs[name]
        assert job.coalesce is True and job.max_instances == 1
        assert job.misfire_grace_time == spec.minutes * 60
        assert job.trigger.interval == timedelta(minutes=spec.minutes)
        # Aligned fire times: every process computes the same ticks.
        assert job.trigger.start_date.isoformat() == "2000-01-01T00:00:00+00:00"
        # One catch-up run at start for a slot missed while the scheduler was down.
        assert abs(jobs[f"{name}-startup"].trigger.run_date - utcnow()) < timedelta(minutes=1)


def test_creating_the_app_starts_no_scheduler(app):
    import threading

    assert not any("APScheduler" in thread.name for thread in threading.enumerate())


def test_a_tick_claims_the_current_slot(app, db):
    probes.CALLS.clear()
    spec = JobSpec("probe", "tests.jobs.probes:count_run", 15)
    assert run_scheduled(app, spec) == "done"
    assert run_scheduled(app, spec) == "skipped"      # same slot, e.g. a second process
    assert len(probes.CALLS) == 1


def test_a_job_that_cannot_be_imported_is_recorded_as_failed(app, db):
    assert run_scheduled(app, JobSpec("ghost", "tracker.nowhere.jobs:run", 15)) == "failed"
    run = db.session.execute(select(JobRun).where(JobRun.job == "ghost")).scalar_one()
    assert run.status == "failed" and "ModuleNotFoundError" in run.error


@pytest.fixture
def probe_scheduler(app, monkeypatch):
    """A background scheduler running only the counting probe every 15 minutes."""
    monkeypatch.setattr(scheduler_module, "job_specs",
                        lambda _app: (JobSpec("probe", "tests.jobs.probes:count_run", 15),))
    probes.CALLS.clear()
    scheduler = build_scheduler(app, BackgroundScheduler)
    yield scheduler
    if scheduler.running:
        scheduler.shutdown(wait=True)


def wait_for(predicate, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_the_startup_run_claims_the_current_slot_once(app, db, probe_scheduler):
    probe_scheduler.start()
    assert wait_for(lambda: len(probes.CALLS) >= 1)
    time.sleep(1.0)
    assert len(probes.CALLS) == 1
    assert probe_scheduler.get_job("probe-startup") is None


def test_after_a_stall_missed_ticks_run_once(app, db, probe_scheduler):
    # The process slept through three ticks: the scheduler owes three runs.
    # Started a moment before a real quarter-hour, the tick at that quarter
    # would be a second, rightful run: start after it instead.
    now = utcnow()
    to_next_tick = (15 - now.minute % 15) * 60 - now.second - now.microsecond / 1e6
    if to_next_tick < 5:
        time.sleep(to_next_tick + 0.5)
    current_slot = datetime.strptime(slot_for(utcnow(), 15), "%Y-%m-%dT%H:%MZ").replace(tzinfo=timezone.utc)
    probe_scheduler.remove_job("probe-startup")
    probe_scheduler.modify_job("probe", next_run_time=current_slot - timedelta(minutes=30))
    probe_scheduler.start()
    assert wait_for(lambda: len(probes.CALLS) >= 1)
    time.sleep(1.0)
    assert len(probes.CALLS) == 1
    runs = db.session.execute(select(JobRun).where(JobRun.job == "probe")).scalars().all()
    assert [r.status for r in runs] == ["done"]
    next_tick = probe_scheduler.get_job("probe").next_run_time
    assert next_tick > utcnow() and next_tick.minute % 15 == 0 and next_tick.second == 0


def test_the_scheduler_command_respects_the_switch(app):
    app.config["WASPADA_SCHEDULER"] = False
    result = app.test_cli_runner().invoke(args=["scheduler"])
    assert result.exit_code == 0
    assert "WASPADA_SCHEDULER is off" in result.output
