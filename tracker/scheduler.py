"""The scheduler process: APScheduler 3 runs every periodic job, in ONE process.

Started only by ``flask --app tracker scheduler`` (production runs it once
beside gunicorn; ``make run`` starts it beside the development server),
never by ``create_app``. Each tick runs ``tracker.jobs.runner.run_job``,
which claims the (job, slot) row in the database, so a second scheduler
started by mistake runs nothing twice.
"""
import importlib
import logging
import signal

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import current_app

from tracker.jobs.runner import SLOT_ORIGIN, run_job, slot_for
from tracker.jobs.specs import JobSpec, job_specs  # noqa: F401 (JobSpec re-exported beside job_specs)
from tracker.timeutil import utcnow

log = logging.getLogger("tracker.scheduler")


def resolve(target):
    """The function a ``module:function`` target names (imported when a slot runs)."""
    module_name, _sep, function_name = target.partition(":")
    return getattr(importlib.import_module(module_name), function_name)


def run_scheduled(app, spec):
    """One tick of a job: a fresh app context, the slot of the current time, one claimed run."""
    with app.app_context():
        now = utcnow()
        # Imported per run, so a job whose module fails to import is recorded
        # as a failed run instead of stopping the other jobs.
        return run_job(spec.name, lambda moment: resolve(spec.target)(moment), now, slot_for(now, spec.minutes))


def build_scheduler(app, scheduler_class=BlockingScheduler):
    """A scheduler with every job added, not started.

    Fire times are aligned on the slot origin so all processes agree on the
    slots; ``coalesce`` folds ticks missed while the process was stalled into
    one run, ``misfire_grace_time`` (one period) still runs a late tick, and
    every job runs once at start-up so a slot missed during downtime is
    caught up once (the claim makes that run a no-op if it already happened).
    """
    scheduler = scheduler_class(timezone="UTC")
    now = utcnow()
    for spec in job_specs(app):
        grace = spec.minutes * 60
        scheduler.add_job(
            run_scheduled, IntervalTrigger(minutes=spec.minutes, start_date=SLOT_ORIGIN, timezone="UTC"),
            args=(app, spec), id=spec.name, name=spec.name, coalesce=True, max_instances=1,
            misfire_grace_time=grace,
        )
        # A separate one-off run, so the periodic ticks stay on the slot boundaries.
        scheduler.add_job(
            run_scheduled, DateTrigger(run_date=now, timezone="UTC"), args=(app, spec),
            id=f"{spec.name}-startup", name=f"{spec.name} (catch-up at start)", misfire_grace_time=grace,
        )
    return scheduler


def _stop_on_sigterm(signum, frame):
    raise SystemExit(0)


@click.command("scheduler")
def scheduler_command():
    """Run the scheduler in the foreground: sweep, digests, outbox relay (one per deployment)."""
    app = current_app._get_current_object()
    if not app.config.get("WASPADA_SCHEDULER", True):
        click.echo("WASPADA_SCHEDULER is off; the scheduler does not start.")
        return
    # Logging is set up by create_app (tracker.ops.logs: LOG_FORMAT, LOG_LEVEL): each run's line says its counts.
    for spec in job_specs(app):
        try:
            resolve(spec.target)
        except (ImportError, AttributeError):
            log.exception("job %s: %s cannot be imported; its runs will fail until it can", spec.name, spec.target)
    scheduler = build_scheduler(app)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    log.info("scheduler started: %s", ", ".join(f"{s.name} every {s.minutes} min" for s in job_specs(app)))
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=True)
        log.info("scheduler stopped")
