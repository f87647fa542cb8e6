"""``flask retention apply``: a dry run with counts by default, ``--apply`` to anonymise."""
import click
from flask import current_app
from flask.cli import AppGroup

from tracker.extensions import db
from tracker.jobs.cli import parse_moment
from tracker.retention.services import apply_retention, cutoff_for, pending
from tracker.timeutil import utcnow

retention_cli = AppGroup("retention", help="Retention of personal data (UU 27/2022).")


@retention_cli.command("apply")
@click.option("--apply", "write", is_flag=True,
              help="Anonymise for real (without it: a dry run that only counts)")
@click.option("--at", "at", help="As of this moment (ISO 8601 with offset; default now)")
def apply_command(write, at):
    """Anonymise the personal data of tickets closed or rejected more than RETENTION_CLOSED_DAYS ago.

    Empties the ticket's parties, the texts people wrote on its timeline and
    the met_with of its visit; keeps the ticket, its category, village,
    dates and timeline lines. Without --apply nothing is changed.
    """
    now = parse_moment(at) if at else utcnow()
    days = current_app.config["RETENTION_CLOSED_DAYS"]
    try:
        cutoff = cutoff_for(now)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    scope = f"closed or rejected before {cutoff:%Y-%m-%d} (RETENTION_CLOSED_DAYS={days})"
    if not write:
        counts = pending(now)
        click.echo(f"dry run, nothing changed: {counts.summary()} hold personal data and are {scope}; "
                   "run with --apply to anonymise them")
        return
    counts = apply_retention(now)
    db.session.commit()
    click.echo(f"anonymised {counts.summary()} {scope}")
