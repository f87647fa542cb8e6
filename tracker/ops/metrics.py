"""Prometheus metrics: what each process counts as it works, and what the database says at scrape time.

Counted in the process (``prometheus_client`` metrics): HTTP requests by
endpoint and status with their latency, refused logins and lockouts (from
the auth feature's ``security_event`` signal), and database connections
checked out of the pool. Under gunicorn several workers serve /metrics in
turn, so with ``PROMETHEUS_MULTIPROC_DIR`` set (in the environment before
the process starts; an empty folder, writable, emptied at each start)
``prometheus_client`` keeps these values in files there and any worker's
scrape adds them up; unset, each process answers with its own values.

Read from the database at scrape time (``DatabaseCollector``): the jobs
(the scheduler is another process, so its runs are known only from the
``job_status`` rows it writes; a dead scheduler's last success stands
still), the outbox, active flags and tickets by status. Each is one
statement on an index: the outbox by its status index, the active flags by
the partial index of active flags, tickets from the nation's rows of the
counters kept with the data (``tracker.counters``, at most 840 rows).
"""
import logging
import os

from prometheus_client import (
    CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics, generate_latest, multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from sqlalchemy import case, event, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import Pool

from tracker.auth.signals import security_event
from tracker.counters.queries import national_cells
from tracker.digests.models import OutboxMessage
from tracker.extensions import db
from tracker.jobs.health import job_health
from tracker.tickets.models import STATUSES
from tracker.timeutil import as_utc, utcnow
from tracker.warnings.models import Flag

log = logging.getLogger("tracker.ops")

# No "_created" series: a scraper has no use for them, and multiprocess mode has none.
disable_created_metrics()
# The process's own metrics; never the default registry, so nothing else (and
# no second app in a test run) adds to them.
REGISTRY = CollectorRegistry(auto_describe=False)

HTTP_REQUESTS = Counter(
    "waspada_http_requests", "HTTP requests answered, by endpoint (the Flask endpoint, 'none' when no "
    "route matched) and status.", ["endpoint", "status"], registry=REGISTRY)
HTTP_DURATION = Histogram(
    "waspada_http_request_duration_seconds", "Time from the start of a request to its answer, by endpoint.",
    ["endpoint"], registry=REGISTRY)
LOGIN_FAILURES = Counter(
    "waspada_login_failures", "Refused logins (web and API) by reason: credentials (wrong username or "
    "password) or locked (refused while locked).", ["reason"], registry=REGISTRY)
LOGIN_LOCKOUTS = Counter(
    "waspada_login_lockouts", "Failed logins that locked an account's address (or an address).", registry=REGISTRY)
DB_POOL_IN_USE = Gauge(
    "waspada_db_pool_in_use", "Database connections checked out of the pool (summed over live processes).",
    registry=REGISTRY, multiprocess_mode="livesum")
for _reason in ("credentials", "locked"):
    LOGIN_FAILURES.labels(_reason)

# The outbox states a scrape counts: rows still to deliver, and those that failed.
# Sent and skipped rows grow without bound and are left out.
OUTBOX_STATES = ("pending", "retrying", "sending", "failed")


def multiprocess_dir():
    """The folder of the multiprocess mode, or None (single process)."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or os.environ.get("prometheus_multiproc_dir")


def observe_request(endpoint, status, seconds):
    """Count one answered request."""
    HTTP_REQUESTS.labels(endpoint, str(status)).inc()
    HTTP_DURATION.labels(endpoint).observe(seconds)


@event.listens_for(Pool, "checkout")
def _connection_checked_out(*_args):
    DB_POOL_IN_USE.inc()


@event.listens_for(Pool, "checkin")
def _connection_checked_in(*_args):
    DB_POOL_IN_USE.dec()


def _count_login_event(kind, **keywords):
    """security_event receiver: count refused logins and the locks they start."""
    if kind == "login.failed":
        LOGIN_FAILURES.labels("credentials").inc()
        if (keywords.get("detail") or {}).get("now_locked"):
            LOGIN_LOCKOUTS.inc()
    elif kind == "login.locked":
        LOGIN_FAILURES.labels("locked").inc()


security_event.connect(_count_login_event)


def _timestamp(moment):
    return as_utc(moment).timestamp()


class DatabaseCollector:
    """The gauges and counters read from the database when /metrics is scraped."""

    def collect(self):
        """Yield the database-derived metric families (``waspada_database_up`` 0 when it cannot be read)."""
        now = utcnow()
        up = GaugeMetricFamily("waspada_database_up", "1 when the scrape could read the database.")
        try:
            families = list(self._families(now))
        except SQLAlchemyError:
            log.exception("metrics: the database could not be read")
            db.session.rollback()
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _families(self, now):
        yield from self._jobs(now)
        yield from self._outbox(now)
        flags = GaugeMetricFamily("waspada_flags_active", "Active early-warning flags.")
        flags.add_metric([], db.session.execute(
            select(func.count()).select_from(Flag).where(Flag.cleared_at.is_(None))).scalar_one())
        yield flags
        tickets = GaugeMetricFamily("waspada_tickets", "Tickets by status.", labels=["status"])
        counts = dict.fromkeys(STATUSES, 0)
        for (status, *_kinds), (number, _flagged) in national_cells().items():
            counts[status] = counts.get(status, 0) + number
        for status, number in counts.items():
            tickets.add_metric([status], number)
        yield tickets

    def _jobs(self, now):
        last_success = GaugeMetricFamily(
            "waspada_job_last_success_timestamp_seconds", "When the job last finished a successful run "
            "(Unix time; absent until it has).", labels=["job"])
        duration = GaugeMetricFamily("waspada_job_duration_seconds", "How long the job's latest finished run "
                                     "took.", labels=["job"])
        runs = CounterMetricFamily("waspada_job_runs", "The job's finished runs by outcome (done, failed).",
                                   labels=["job", "outcome"])
        late = GaugeMetricFamily("waspada_job_late", "1 when /healthz/jobs names the job late: its last success "
                                 "is more than two periods old.", labels=["job"])
        for job in job_health(now):
            if job.last_ok_at is not None:
                last_success.add_metric([job.name], _timestamp(job.last_ok_at))
            if job.last_duration is not None:
                duration.add_metric([job.name], job.last_duration)
            runs.add_metric([job.name, "done"], job.runs_done)
            runs.add_metric([job.name, "failed"], job.runs_failed)
            late.add_metric([job.name], int(job.is_late))
        yield from (last_success, duration, runs, late)

    def _outbox(self, now):
        retrying = (OutboxMessage.status == "pending") & (OutboxMessage.attempts > 0)
        state = case((retrying, "retrying"), else_=OutboxMessage.status)
        rows = db.session.execute(
            select(state, func.count(), func.min(OutboxMessage.created_at))
            .where(OutboxMessage.status.in_(("pending", "sending", "failed"))).group_by(state)
        ).all()
        messages = GaugeMetricFamily("waspada_outbox_messages", "Outbox emails still to deliver (pending, retrying "
                                     "after a failed attempt, sending) and failed for good.", labels=["status"])
        counts = {name: count for name, count, _oldest in rows}
        for name in OUTBOX_STATES:
            messages.add_metric([name], counts.get(name, 0))
        undelivered = [as_utc(oldest) for name, _count, oldest in rows if name != "failed" and oldest is not None]
        oldest = GaugeMetricFamily("waspada_outbox_oldest_pending_seconds", "Age of the oldest email not yet "
                                   "delivered (pending, retrying or sending); 0 when there is none.")
        oldest.add_metric([], max((now - min(undelivered)).total_seconds(), 0) if undelivered else 0)
        yield messages
        yield oldest


class _ProcessMetrics:
    """This process's own metrics, for a registry built per scrape (single-process mode)."""

    def collect(self):
        return REGISTRY.collect()


def exposition():
    """The Prometheus text of every metric: the processes' (added up in multiprocess mode) and the database's."""
    registry = CollectorRegistry(auto_describe=False)
    if multiprocess_dir():
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ProcessMetrics())
    registry.register(DatabaseCollector())
    return generate_latest(registry)
