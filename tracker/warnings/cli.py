"""``flask sweep``; also registers ``flask scheduler`` and ``flask jobs``."""
import click

from tracker.extensions import db
from tracker.jobs.cli import jobs_cli, parse_moment
from tracker.scheduler import scheduler_command
from tracker.timeutil import utcnow
from tracker.warnings.services import sweep


@click.command("sweep")
@click.option("--at", "at_text", help="Judge as of this ISO 8601 moment, e.g. 2026-12-01T08:00:00+07:00 (default: now)")
def sweep_command(at_text):
    """Run one early-warning pass and print what it changed (claims no scheduler slot)."""
    at = parse_moment(at_text) if at_text else utcnow()
    result = sweep(at)
    db.session.commit()
    click.echo(str(result))
