"""Is the scheduler working? Each job's last success against its period.

A job is late when its last successful run is more than two of its
periods ago (one missed run is forgiven, two are not). A job that never
succeeded is late once one period has passed since it has been watched
(``JobStatus.watched_since``: the install or upgrade that created the
table, or the first check or run that found no row). The scheduler is
another process, so everything here is read from the database: the
``job_status`` rows the runner writes, and the ``job_run`` rows for the
sweep's outages during a night.
"""
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from tracker.database import is_postgres
from tracker.extensions import db
from tracker.jobs.models import JobRun, JobStatus
from tracker.jobs.runner import slot_for
from tracker.jobs.specs import job_specs
from tracker.timeutil import as_utc

# A job that succeeded before is late after this many periods without a success.
PERIODS_ALLOWED = 2


@dataclass(frozen=True)
class JobHealth:
    """One job's standing as of ``at``."""

    name: str                    # the public name: sweep, digests, relay
    job: str                     # the name its runs are recorded under
    period: timedelta
    at: datetime
    watched_since: datetime | None
    last_ok_at: datetime | None
    last_error_at: datetime | None
    last_duration: float | None = None
    runs_done: int = 0
    runs_failed: int = 0

    @property
    def late_since(self):
        """The moment the job last succeeded (or, never having succeeded, was first watched)."""
        return self.last_ok_at or self.watched_since

    @property
    def is_late(self):
        """More than two periods since the last success; one period when it never succeeded."""
        if self.late_since is None:
            return False   # not watched yet: nothing to measure from
        allowed = self.period * (PERIODS_ALLOWED if self.last_ok_at else 1)
        return self.at - self.late_since > allowed

    def as_json(self):
        """The job's entry in /healthz/jobs."""
        def moment(value):
            return value.isoformat().replace("+00:00", "Z") if value else None

        return {"last_ok": moment(self.last_ok_at), "last_error": moment(self.last_error_at),
                "late": self.is_late, "period_seconds": int(self.period.total_seconds())}


def _watch(jobs, now):
    """Give each of ``jobs`` without a row its row, watched from ``now`` (a concurrent check's row stands)."""
    dialect = postgresql if is_postgres(db.session) else sqlite
    db.session.execute(dialect.insert(JobStatus).on_conflict_do_nothing(index_elements=["job"]),
                       [{"job": job, "watched_since": now, "runs_done": 0, "runs_failed": 0} for job in jobs])


def job_health(now, *, watch=False):
    """Each scheduled job's JobHealth as of ``now``, in the scheduler's order (one query).

    ``watch=True`` (the health check) first gives a job that has no
    ``job_status`` row one, watched from ``now``, so a scheduler that never
    ran shows late one period later; the caller commits. Without it, a job
    with no row is not late (nothing says since when to wait for it).
    """
    specs = [spec for spec in job_specs(current_app) if spec.is_watched]
    rows = {row.job: row for row in db.session.execute(
        select(JobStatus).where(JobStatus.job.in_([spec.name for spec in specs]))).scalars()}
    missing = [spec.name for spec in specs if spec.name not in rows]
    if watch and missing:
        _watch(missing, now)
        rows.update((row.job, row) for row in db.session.execute(
            select(JobStatus).where(JobStatus.job.in_(missing))).scalars())
    health = []
    for spec in specs:
        row = rows.get(spec.name)
        health.append(JobHealth(
            name=spec.public_name, job=spec.name, period=timedelta(minutes=spec.minutes), at=now,
            watched_since=as_utc(row.watched_since) if row else None,
            last_ok_at=as_utc(row.last_ok_at) if row else None,
            last_error_at=as_utc(row.last_error_at) if row else None,
            last_duration=row.last_duration if row else None,
            runs_done=row.runs_done if row else 0, runs_failed=row.runs_failed if row else 0,
        ))
    return health


def sweep_health(now):
    """The sweep's JobHealth as of ``now`` (read only: the dashboards' banner)."""
    return next(h for h in job_health(now) if h.job == "sweep")


@dataclass(frozen=True)
class Outage:
    """A time the sweep did not run: from its last success to its next one (None: still not running).

    It was late (as /healthz/jobs says) from ``late_at`` on.
    """

    since: datetime
    until: datetime | None
    late_at: datetime

    def overlaps(self, start, end):
        """Was the sweep late at some moment between ``start`` and ``end``?"""
        return self.late_at < as_utc(end) and (self.until is None or self.until > as_utc(start))


def sweep_outages(start, end):
    """The sweep's outages that made it late at some moment between ``start`` and ``end``.

    Read from the successful sweep runs around that time (an indexed range
    of ``job_run`` by job and slot). An outage is a gap of more than two
    sweep periods between successes, or since the last success at ``end``.
    Nothing is reported for a database where the sweep was never run nor
    watched (no ``job_status`` row).
    """
    start, end = as_utc(start), as_utc(end)
    spec = next(s for s in job_specs(current_app) if s.name == "sweep")
    status = db.session.get(JobStatus, spec.name)
    if status is None:
        return []
    allowed = timedelta(minutes=spec.minutes) * PERIODS_ALLOWED
    done = (JobRun.job == spec.name) & (JobRun.status == "done")
    first_slot = slot_for(start - allowed, spec.minutes)
    before = db.session.execute(
        select(JobRun.finished_at).where(done, JobRun.slot < first_slot).order_by(JobRun.slot.desc()).limit(1)
    ).scalar()
    finishes = [as_utc(value) for value in db.session.execute(
        select(JobRun.finished_at).where(done, JobRun.slot >= first_slot, JobRun.slot <= slot_for(end, spec.minutes))
        .order_by(JobRun.slot)
    ).scalars() if as_utc(value) <= end]
    anchor = as_utc(before) if before is not None else as_utc(status.watched_since)
    outages = []
    previous = anchor
    for finished in finishes + [None]:
        if finished is not None and finished <= previous:
            continue
        outage = Outage(previous, finished, previous + allowed)
        if (finished or end) - previous > allowed and outage.overlaps(start, end):
            outages.append(outage)
        if finished is not None:
            previous = finished
    return outages
