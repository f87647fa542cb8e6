"""``flask seed demo``: the Karanganyar demo, into an empty database."""
import click
from flask import current_app
from flask.cli import AppGroup

from tracker.demo import seed_demo
from tracker.demo.foundation import DEMO_PASSWORD, is_empty
from tracker.extensions import db

seed_cli = AppGroup("seed", help="Demo data.")


@seed_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has data")
def seed_demo_command(if_empty):
    """Load the Karanganyar demo (development and testing configs only)."""
    if not current_app.config.get("ALLOW_DEMO_SEED"):
        raise click.ClickException(
            "seed demo runs only with the development or testing config (WASPADA_CONFIG)"
        )
    if not is_empty():
        if if_empty:
            click.echo("database already has data; demo not loaded")
            return
        raise click.ClickException("the database already has data; seed demo needs an empty one")
    users = seed_demo()
    db.session.commit()
    click.echo(f"demo loaded; every demo user has the password {DEMO_PASSWORD!r}:")
    for user in users:
        unit = user.unit.name if user.unit else "-"
        click.echo(f"  {user.username:<22} {user.role:<8} {unit}")
