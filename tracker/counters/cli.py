"""``flask counters check`` and ``flask counters rebuild``."""
import sys

import click
from flask.cli import AppGroup

from tracker.counters import tally
from tracker.extensions import db

counters_cli = AppGroup("counters", help="Ticket counters: compare them with a full recount, or rebuild them.")


def _describe(table, key):
    if table == "ticket_tally":
        village, _district, _regency, status, severity, category, level = key
        where = f"village={village}" if village else "nation"
        return f"{table} {where} status={status} severity={severity} category={category} level={level}"
    if table == "village_open":
        return f"{table} village={key[0]} (low, medium, high, critical, flagged)"
    day, event, severity = key
    return f"{table} day={day} event={event} severity={severity}"


@counters_cli.command("check")
def check_command():
    """Compare every counter with a full recount; exit 1 and name each drifted cell if any differs."""
    found = tally.drift(db.session)
    db.session.rollback()
    if not found:
        click.echo("counters match a full recount")
        return
    for table, key, have, want in found:
        click.echo(f"{_describe(table, key)}: stored {have}, recounted {want}")
    click.echo(f"{len(found)} counter cells drifted; `flask counters rebuild` recounts them", err=True)
    sys.exit(1)


@counters_cli.command("rebuild")
def rebuild_command():
    """Recount every counter from the tickets and flags (one transaction)."""
    rows = tally.rebuild(db.session)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # Every counter row was deleted and written again: the next counter updates (the sweep's)
        # would wade through the dead rows until autovacuum passes (minutes; one sweep took 354 s).
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE ticket_tally, ticket_day_tally, village_open")
    click.echo(f"counters rebuilt: {rows} rows")
