"""The job runner: one run per (job, slot), failures recorded and retried, two processes race once."""
import multiprocessing
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from tests.jobs import probes
from tests.plugins.world import KEMIRI, wib
from tracker.jobs.models import JobRun
from tracker.jobs.runner import run_job, slot_for
from tracker.warnings.models import Flag

# The runner's commits and rollbacks are what it is tested for; child processes race on them.
pytestmark = pytest.mark.real_commits

NOW = datetime(2026, 12, 1, 1, 7, 30, tzinfo=timezone.utc)


@pytest.mark.parametrize("moment, minutes, slot", [
    (NOW, 15, "2026-12-01T01:00Z"),
    (datetime(2026, 12, 1, 1, 15, tzinfo=timezone.utc), 15, "2026-12-01T01:15Z"),
    (NOW, 1, "2026-12-01T01:07Z"),
    (wib(2026, 12, 1, 8, 29), 15, "2026-12-01T01:15Z"),
    (NOW, 90, "2026-12-01T00:00Z"),
])
def test_slots_are_aligned_for_every_process(moment, minutes, slot):
    assert slot_for(moment, minutes) == slot


def runs(db):
    return db.session.execute(select(JobRun).order_by(JobRun.id)).scalars().all()


def test_a_slot_runs_once(db, app):
    probes.CALLS.clear()
    assert run_job("probe", probes.count_run, NOW, "2026-12-01T01:00Z") == "done"
    assert run_job("probe", probes.count_run, NOW, "2026-12-01T01:00Z") == "skipped"
    assert run_job("probe", probes.count_run, NOW, "2026-12-01T01:15Z") == "done"
    assert len(probes.CALLS) == 2
    assert [(r.slot, r.status, r.summary) for r in runs(db)] == [
        ("2026-12-01T01:00Z", "done", "call 1"), ("2026-12-01T01:15Z", "done", "call 2")]
    assert all(r.finished_at is not None for r in runs(db))


def test_a_failing_job_is_rolled_back_recorded_and_retried_at_the_next_slot(db, area, make_election, make_ticket_at,
                                                                         caplog):
    from tracker.warnings.services import sweep

    make_election("pilkades", date(2026, 12, 20), scope={"villages": [KEMIRI]})
    make_ticket_at(wib(2026, 12, 1, 8), severity="critical")

    def sweep_then_fail(now):
        sweep(now)
        raise RuntimeError("mail server on fire")

    moment = wib(2026, 12, 18, 9)
    assert run_job("sweep", sweep_then_fail, moment, "slot-1") == "failed"
    assert db.session.execute(select(func.count()).select_from(Flag)).scalar_one() == 0   # rolled back
    failed = runs(db)[0]
    assert failed.status == "failed"
    assert "Traceback" in failed.error and "RuntimeError: mail server on fire" in failed.error
    assert "mail server on fire" in caplog.text
    assert run_job("sweep", sweep_then_fail, moment, "slot-1") == "skipped"   # the failed slot stays taken

    from tracker.warnings.jobs import sweep_job

    assert run_job("sweep", sweep_job, moment, "slot-2") == "done"
    assert runs(db)[-1].summary == "raised 1, cleared 0, escalated 1, silent 1"
    assert db.session.execute(select(func.count()).select_from(Flag)).scalar_one() == 1


@pytest.mark.slow  # two child processes
def test_two_processes_run_one_slot_once(app, db, database_url, tmp_path):
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    path = str(tmp_path / "probe.log")
    children = [context.Process(target=probes.run_in_child,
                                args=(database_url, path, NOW, "2026-12-01T01:00Z", barrier, results))
                for _ in range(2)]
    for child in children:
        child.start()
    outcomes = sorted(results.get(timeout=120) for _ in children)
    for child in children:
        child.join(timeout=60)
        assert child.exitcode == 0
    assert outcomes == ["done", "skipped"]
    with open(path, encoding="utf-8") as handle:
        assert len(handle.readlines()) == 1
    db.session.expire_all()
    assert [(r.job, r.status, r.summary) for r in runs(db)] == [("probe", "done", "probed")]


@pytest.mark.slow  # two child processes, each a whole scheduler
def test_two_scheduler_processes_run_a_slot_once(app, db, database_url, tmp_path):
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(2), context.Queue()
    path = str(tmp_path / "probe.log")
    children = [context.Process(target=probes.run_scheduler_in_child, args=(database_url, path, NOW, barrier, results))
                for _ in range(2)]
    for child in children:
        child.start()
    outcomes = sorted(results.get(timeout=180) for _ in children)
    for child in children:
        child.join(timeout=60)
        assert child.exitcode == 0
    assert outcomes == ["done", "skipped"]
    with open(path, encoding="utf-8") as handle:
        assert len(handle.readlines()) == 1
    db.session.expire_all()
    assert [(r.job, r.slot, r.status) for r in runs(db)] == [("probe", "2026-12-01T01:00Z", "done")]
