"""``flask audit list``."""
import json

import click
from flask.cli import AppGroup
from sqlalchemy.orm import selectinload

from tracker.audit.models import AuditEvent
from tracker.audit.services import KINDS, event_filters, event_query
from tracker.cli import fail_with
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.timeutil import as_utc

audit_cli = AppGroup("audit", help="The audit log of security events.")


def _name(user):
    return user.username if user is not None else "-"


@audit_cli.command("list")
@click.option("--kind", help=f"One of: {', '.join(KINDS)}")
@click.option("--user", "username", help="Events made by or about this username")
@click.option("--since", help="From this day (YYYY-MM-DD, UTC), included")
@click.option("--until", help="To this day (YYYY-MM-DD, UTC), included")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 100_000),
              help="At most this many events, the newest first")
def list_command(kind, username, since, until, limit):
    """List audit events, the newest first: time (UTC), kind, actor, user, address, detail."""
    try:
        filters = event_filters(kind=kind, username=username, since_on=since, until_on=until)
    except ValidationError as error:
        fail_with(error)
    events = db.session.execute(
        event_query(**filters).options(selectinload(AuditEvent.actor), selectinload(AuditEvent.user)).limit(limit)
    ).scalars()
    for event in events:
        detail = json.dumps(event.detail, sort_keys=True, ensure_ascii=False) if event.detail else ""
        click.echo(f"{as_utc(event.at):%Y-%m-%dT%H:%M:%SZ} {event.kind} actor={_name(event.actor)} "
                   f"user={_name(event.user)} address={event.address or '-'} {detail}".rstrip())
