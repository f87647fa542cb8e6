"""Running one slot of a job: claim it in the database, run it once, record it.

Jobs are plain functions ``job(now) -> str`` (a summary line) that only
flush. The runner wraps them: it claims the (job, slot) row — unique, so a
second scheduler process started by mistake finds the slot taken — and on
PostgreSQL also takes a transaction-level advisory lock on the job, runs
the job, and commits once. A failure is rolled back, logged with its
traceback and recorded as a failed run; the next slot tries again.

Each finished run also updates the job's ``job_status`` row (last success,
last failure, duration, counts) in the same transaction, which
/healthz/jobs and /metrics read from the web processes.
"""
import logging
import time
import traceback
import zlib
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, OperationalError

from tracker.database import is_postgres
from tracker.extensions import db
from tracker.jobs.models import JobRun, JobStatus
from tracker.timeutil import as_utc, utcnow

log = logging.getLogger("tracker.jobs")

# Slots are counted from a fixed origin so every process agrees on them.
SLOT_ORIGIN = datetime(2000, 1, 1, tzinfo=timezone.utc)
SUMMARY_MAX = 200


def slot_for(moment, minutes):
    """The slot holding ``moment`` for a job run every ``minutes``: its start, e.g. ``2026-12-01T01:15Z``."""
    step = timedelta(minutes=minutes)
    start = SLOT_ORIGIN + ((as_utc(moment) - SLOT_ORIGIN) // step) * step
    return start.strftime("%Y-%m-%dT%H:%MZ")


def _lock_key(job):
    return zlib.crc32(f"waspada.job.{job}".encode())


def _claim(job, slot):
    """Insert the run row (and on PostgreSQL take the job's lock); None when taken."""
    session = db.session
    try:
        if is_postgres(session):
            locked = session.execute(select(func.pg_try_advisory_xact_lock(_lock_key(job)))).scalar()
            if not locked:
                session.rollback()
                log.info("job %s slot %s: another process is running this job", job, slot)
                return None
        run = JobRun(job=job, slot=slot, status="running", started_at=utcnow(), summary="")
        session.add(run)
        session.flush()
        return run
    except IntegrityError:
        session.rollback()
        log.info("job %s slot %s: already claimed", job, slot)
    except OperationalError as error:
        # SQLite: another process held the write lock past the busy timeout;
        # or the database is unreachable. Either way the next slot tries again.
        session.rollback()
        log.warning("job %s slot %s: could not claim the slot: %s", job, slot, error.orig)
    return None


def record_status(job, outcome, finished_at, duration):
    """Count a finished run (``outcome`` "done" or "failed") in the job's ``job_status`` row; flushes.

    One ``INSERT … ON CONFLICT DO UPDATE``: the first run of a job creates
    its row (watched since that run), later runs update it.
    """
    dialect = postgresql if is_postgres(db.session) else sqlite
    is_done = outcome == "done"
    moment = "last_ok_at" if is_done else "last_error_at"
    count = "runs_done" if is_done else "runs_failed"
    values = {"job": job, "watched_since": finished_at, "last_duration": duration, "runs_done": 0,
              "runs_failed": 0}
    stmt = dialect.insert(JobStatus).values({**values, moment: finished_at, count: 1})
    columns = JobStatus.__table__.c
    db.session.execute(stmt.on_conflict_do_update(index_elements=["job"], set_={
        moment: finished_at, "last_duration": duration, count: columns[count] + 1,
    }))


def _record_failure(job, slot, error, duration):
    """Write the failed run in its own transaction (the job's work was rolled back)."""
    session = db.session
    try:
        finished = utcnow()
        session.add(JobRun(job=job, slot=slot, status="failed", started_at=finished,
                           finished_at=finished, summary="", error=error))
        session.flush()
        record_status(job, "failed", finished, duration)
        session.commit()
    except (IntegrityError, OperationalError):
        # Another process claimed the slot after our rollback; its run stands.
        session.rollback()


def run_job(job, function, now, slot):
    """Run one slot of a job exactly once across processes.

    Returns "done", "failed" or "skipped" (the slot was claimed elsewhere).
    The job's writes and the run row commit together.
    """
    run = _claim(job, slot)
    if run is None:
        return "skipped"
    started = time.perf_counter()
    try:
        summary = function(now)
        run.status = "done"
        run.summary = str(summary or "")[:SUMMARY_MAX]
        run.finished_at = utcnow()
        duration = time.perf_counter() - started
        record_status(job, "done", run.finished_at, duration)
        db.session.commit()
    except Exception:  # a job may fail in any way; the scheduler must keep running
        error = traceback.format_exc()
        duration = time.perf_counter() - started
        db.session.rollback()
        log.exception("job %s slot %s failed after %.2f s; it runs again at the next slot", job, slot, duration,
                      extra={"job": job, "slot": slot, "outcome": "failed", "duration_seconds": round(duration, 3)})
        _record_failure(job, slot, error, duration)
        return "failed"
    log.info("job %s slot %s done in %.2f s: %s", job, slot, duration, run.summary,
             extra={"job": job, "slot": slot, "outcome": "done", "duration_seconds": round(duration, 3),
                    "summary": run.summary})
    return "done"


def recent_runs(limit=50, job=None):
    """The latest job runs, newest first."""
    stmt = select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)
    if job:
        stmt = stmt.where(JobRun.job == job)
    return db.session.execute(stmt).scalars().all()
