"""Job runs: one row per job and slot, the claim that makes jobs run once."""
from datetime import datetime

from sqlalchemy import DateTime, Float, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.timeutil import utcnow


class JobRun(db.Model):
    """A scheduler slot claimed by one process."""

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    slot: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10), default="running")
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    summary: Mapped[str] = mapped_column(String(200), default="")
    error: Mapped[str | None] = mapped_column(Text)


class JobStatus(db.Model):
    """Where a job stands: its last success and failure, counted runs, and since when it is watched.

    One row per job, written by the runner in the same transaction as the
    run it describes, so the web (another process) reads it for
    /healthz/jobs and /metrics. ``watched_since`` is the reference for a job
    that never succeeded: when the migration creating this table ran (the
    install or upgrade), or else the first health check or run that found
    no row.
    """

    __tablename__ = "job_status"

    job: Mapped[str] = mapped_column(String(40), primary_key=True)
    watched_since: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_ok_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Seconds the latest finished run (done or failed) took.
    last_duration: Mapped[float | None] = mapped_column(Float)
    runs_done: Mapped[int] = mapped_column(Integer, default=0)
    runs_failed: Mapped[int] = mapped_column(Integer, default=0)
