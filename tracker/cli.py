"""How every command reports refused input; the commands themselves live in each feature's cli.py."""
import click

from tracker.extensions import db


def fail_with(error):
    """Roll back and end the command with a ValidationError's messages, each after its field's name."""
    db.session.rollback()
    lines = [f"{field}: {msg}" for field, msgs in error.errors.items() for msg in msgs]
    raise click.ClickException("; ".join(lines))
