"""``flask units add | list``."""
import click
from flask.cli import AppGroup
from sqlalchemy import select

from tracker.auth.services import find_unit
from tracker.cli import fail_with
from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.units.models import UNIT_KINDS, Unit
from tracker.units.services import create_unit

units_cli = AppGroup("units", help="Command units.")


@units_cli.command("add")
@click.option("--kind", required=True, type=click.Choice(UNIT_KINDS))
@click.option("--name", required=True, help='e.g. "Kodim 0727/Karanganyar"')
@click.option("--number", help="e.g. 0727")
@click.option("--parent", "parent_ref", help="Parent unit name, number or id")
@click.option("--region", "regions", multiple=True, help="Kabupaten (Kodim) or kecamatan (Koramil) code; repeatable")
def add_command(kind, name, number, parent_ref, regions):
    """Add a unit under its parent, with the regions it covers."""
    try:
        parent = find_unit(parent_ref, field="parent")
    except ValidationError as error:
        fail_with(error)
    if parent_ref and parent is None:
        raise click.ClickException(f"parent: no unit {parent_ref!r}")
    try:
        unit = create_unit(kind=kind, name=name, number=number, parent=parent, region_codes=regions)
    except ValidationError as error:
        fail_with(error)
    db.session.commit()
    click.echo(f"created {unit.kind} {unit.name} (id {unit.id})")


@units_cli.command("list")
def list_command():
    """List units with the regions they cover."""
    for unit in db.session.execute(select(Unit).order_by(Unit.id)).scalars():
        click.echo(f"{unit.id:>5} {unit.kind:<8} {unit.name:<40} {' '.join(unit.region_codes)}")
