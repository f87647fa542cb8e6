"""``flask jobs list`` and the ``--at`` moment parser the sweep and election commands share."""
from datetime import datetime

import click
from flask.cli import AppGroup

from tracker.jobs.runner import recent_runs
from tracker.timeutil import as_utc


def parse_moment(text):
    """An ISO 8601 moment with its offset (``2026-12-01T08:00:00+07:00`` or ``...Z``), in UTC."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise click.BadParameter("not an ISO 8601 moment, e.g. 2026-12-01T08:00:00+07:00", param_hint="--at") from None
    if moment.tzinfo is None:
        raise click.BadParameter("give the time zone offset, e.g. 2026-12-01T08:00:00+07:00", param_hint="--at")
    return as_utc(moment)


jobs_cli = AppGroup("jobs", help="Scheduler job runs.")


@jobs_cli.command("list")
@click.option("--job", help="Only this job (sweep, digests, outbox)")
@click.option("--limit", default=20, show_default=True)
def jobs_list_command(job, limit):
    """Show the latest job runs; a failure shows the last line of its traceback."""
    for run in recent_runs(limit=limit, job=job):
        started = as_utc(run.started_at).isoformat(timespec="seconds")
        detail = run.summary
        if run.status == "failed":
            lines = (run.error or "").strip().splitlines()
            detail = lines[-1] if lines else ""
        click.echo(f"{started}  {run.job:<8} {run.slot:<18} {run.status:<8} {detail}")
