"""``flask digest send`` and ``flask outbox relay``."""
import click
from flask.cli import AppGroup

from tracker.auth.services import find_user
from tracker.digests.outbox import format_counts, relay
from tracker.digests.services import decide_for_date, is_recipient
from tracker.extensions import db
from tracker.timeutil import utcnow

digest_cli = AppGroup("digest", help="Daily digest emails.")
outbox_cli = AppGroup("outbox", help="The email outbox.")


@digest_cli.command("send")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Local date YYYY-MM-DD (default: each recipient's today)")
@click.option("--user", "username", help="Only this username")
@click.option("--dry-run", is_flag=True, help="Print the digests instead of queueing them")
def send_command(day, username, dry_run):
    """Decide the digests for a date into the outbox; prints how many were queued.

    Recipients who already have that date's digest are skipped; content is
    as of now. The scheduler's catch-up cut-off does not apply here.
    """
    if username:
        user = find_user(username)
        if user is None:
            raise click.ClickException(f"user: no user {username!r}")
        if not is_recipient(user):
            raise click.ClickException(
                f"user: {username} gets no digest (needs role koramil, kodim or babinsa, a unit, "
                "an email address and digests switched on)"
            )
    decisions = decide_for_date(utcnow(), day=day.date() if day else None, username=username,
                                dry_run=dry_run)
    if dry_run:
        for decision in decisions:
            note = " (empty: would be skipped)" if decision.is_skipped else ""
            click.echo(f"{decision.user.username} <{decision.user.email}> {decision.day}: "
                       f"{decision.subject}{note}")
        click.echo(f"dry run: would queue {sum(not d.is_skipped for d in decisions)} digests")
        db.session.rollback()
        return
    db.session.commit()
    skipped = sum(d.is_skipped for d in decisions)
    click.echo(f"queued {len(decisions) - skipped} digests" + (f", skipped {skipped} empty" if skipped else ""))


@outbox_cli.command("relay")
def relay_command():
    """Send what is pending in the outbox once; prints ``sent N, retrying M, failed K``."""
    counts = relay(utcnow())
    db.session.commit()
    click.echo(format_counts(counts))
