"""``flask users create | assign-villages | deactivate | set-password``."""
import sys

import click
from flask.cli import AppGroup

from tracker.auth.models import ROLES
from tracker.auth.services import (
    assign_villages, check_role_and_unit, create_user, deactivate_user, find_unit, find_user, set_password,
)
from tracker.cli import fail_with
from tracker.errors import ValidationError
from tracker.extensions import db

users_cli = AppGroup("users", help="User accounts.")


def _read_password(from_stdin):
    if from_stdin:
        password = sys.stdin.readline().rstrip("\n")
        if not password:
            raise click.ClickException("password: nothing was read from standard input")
        return password
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _get_user(username):
    user = find_user(username)
    if user is None:
        raise click.ClickException(f"username: no user {username!r}")
    return user


@users_cli.command("create")
@click.option("--username", required=True)
@click.option("--role", required=True, help=f"One of: {', '.join(ROLES)}")
@click.option("--unit", "unit_ref", help="Unit name, number or id (required except for admin)")
@click.option("--full-name", help="Defaults to the username")
@click.option("--rank")
@click.option("--nrp", help="Service number")
@click.option("--email")
@click.option("--locale", default="id", show_default=True)
@click.option("--digest/--no-digest", default=False, help="Send the morning digest")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input")
def create_command(username, role, unit_ref, full_name, rank, nrp, email, locale, digest, password_stdin):
    """Create a user (asks for the password unless --password-stdin)."""
    try:
        unit = find_unit(unit_ref)
    except ValidationError as error:
        fail_with(error)
    if unit_ref and unit is None:
        raise click.ClickException(f"unit: no unit named {unit_ref!r}")
    # Role and unit are checked before the password is asked for, so an
    # operator does not type it twice only to learn the unit is missing.
    problems = check_role_and_unit(role, unit)
    if problems:
        fail_with(ValidationError(problems))
    password = _read_password(password_stdin)
    try:
        user = create_user(
            username=username, full_name=full_name or username, role=role, password=password,
            unit=unit, rank=rank, nrp=nrp, email=email, locale=locale, digest=digest,
        )
    except ValidationError as error:
        fail_with(error)
    db.session.commit()
    click.echo(f"created {user.username} ({user.role}{', ' + unit.name if unit else ''})")


@users_cli.command("assign-villages")
@click.argument("username")
@click.argument("codes", nargs=-1, required=True)
@click.option("--add", is_flag=True, help="Add to the current villages instead of replacing them")
def assign_command(username, codes, add):
    """Assign villages (codes) to a Babinsa."""
    user = _get_user(username)
    try:
        assign_villages(user, codes, replace=not add)
    except ValidationError as error:
        fail_with(error)
    db.session.commit()
    click.echo(f"{user.username}: {', '.join(user.village_codes)}")


@users_cli.command("deactivate")
@click.argument("username")
def deactivate_command(username):
    """Deactivate a user: no login, sessions and tokens end."""
    user = _get_user(username)
    deactivate_user(user)
    db.session.commit()
    click.echo(f"deactivated {user.username}")


@users_cli.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True)
def set_password_command(username, password_stdin):
    """Set a user's password (ends his sessions)."""
    user = _get_user(username)
    try:
        set_password(user, _read_password(password_stdin))
    except ValidationError as error:
        fail_with(error)
    db.session.commit()
    click.echo(f"password set for {user.username}")
