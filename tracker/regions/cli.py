"""``flask regions import FILE``."""
import click
from flask.cli import AppGroup

from tracker.errors import ValidationError
from tracker.extensions import db
from tracker.regions.services import LEVEL_NAMES, import_regions

regions_cli = AppGroup("regions", help="Kemendagri region list.")


@regions_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_command(path):
    """Import a code,name CSV (comma or semicolon separated), all or nothing."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            text = handle.read()
    except UnicodeDecodeError:
        raise click.ClickException(f"{path} is not UTF-8 text") from None
    try:
        result = import_regions(text)
    except ValidationError as error:
        db.session.rollback()
        raise click.ClickException("; ".join(error.errors["file"])) from None
    db.session.commit()
    for level_name in LEVEL_NAMES.values():
        click.echo(
            f"{level_name}: {result.added[level_name]} added, {result.updated[level_name]} renamed"
        )
    click.echo(f"unchanged: {result.unchanged}")
