"""``flask tickets list`` and ``flask tickets export``: the ticket list from a shell.

Both read as a named user, through the same scoped search as the web list,
so an operator sees exactly what that user would see.
"""
import sys

import click
from flask.cli import AppGroup

from tracker.auth.services import find_user
from tracker.cli import fail_with
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.tickets.export import export_csv
from tracker.tickets.services import FILTERS, search_tickets

tickets_cli = AppGroup("tickets", help="Tickets: list or export them as a named user.")
FILTER_HELP = "Filter as name=value, repeatable; names: " + ", ".join(FILTERS)


def _user(username):
    user = find_user(username)
    if user is None or not user.is_active:
        raise click.BadParameter(f"no active user {username!r}", param_hint="--as")
    return user


def _filters(pairs):
    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or name not in FILTERS:
            raise click.BadParameter(f"{pair!r}: use name=value with one of {', '.join(FILTERS)}",
                                     param_hint="--filter")
        params[name] = value
    return params


@tickets_cli.command("list")
@click.option("--as", "username", required=True, help="Read as this user (his scope applies)")
@click.option("--filter", "-f", "pairs", multiple=True, help=FILTER_HELP)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
def list_command(username, pairs, limit):
    """Print the newest tickets the user may see, one per line."""
    user = _user(username)
    try:
        stmt = search_tickets(user, _filters(pairs))
    except ValidationError as error:
        fail_with(error)
    for ticket in db.session.execute(stmt.limit(limit)).scalars():
        click.echo(f"{ticket.ref}  {ticket.status:<11} {ticket.severity:<8} {ticket.village_code}  {ticket.title}")


@tickets_cli.command("export")
@click.option("--as", "username", required=True, help="Read as this user (his scope applies)")
@click.option("--filter", "-f", "pairs", multiple=True, help=FILTER_HELP)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="File to write (default: stdout)")
def export_command(username, pairs, output):
    """Write the tickets the user may see as CSV, streamed in batches."""
    user = _user(username)
    try:
        chunks = export_csv(user, _filters(pairs))
    except ValidationError as error:
        fail_with(error)
    handle = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        for chunk in chunks:
            handle.write(chunk)
    finally:
        if output:
            handle.close()
