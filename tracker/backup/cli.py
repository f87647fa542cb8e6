"""``flask backup create PATH`` and ``flask backup restore PATH``."""
import click
from flask.cli import AppGroup

from tracker.backup.services import BackupError, create_backup, database_url, describe, restore_backup

backup_cli = AppGroup("backup", help="Back up the database to a file, or restore one into an empty database.")


@backup_cli.command("create")
@click.argument("path", type=click.Path(dir_okay=False))
def create_command(path):
    """Write a backup of the database to PATH (SQLite: online backup; PostgreSQL: pg_dump custom format).

    Safe while the app and the scheduler run. An existing file at PATH is
    replaced only once the new backup is complete.
    """
    try:
        kind, size = create_backup(path)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"backup of {describe(database_url())} written to {path} ({kind}, {size:,} bytes)")


@backup_cli.command("restore")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--no-upgrade", is_flag=True, help="Do not run `flask db upgrade` after the restore")
def restore_command(path, no_upgrade):
    """Restore the backup at PATH into the configured database, which must be empty; then upgrade its schema."""
    try:
        restore_backup(path)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"restored {path} into {describe(database_url())}")
    if no_upgrade:
        click.echo("schema not upgraded: run `flask --app tracker db upgrade` before starting the app")
        return
    from flask_migrate import upgrade

    click.echo("upgrading the schema (flask db upgrade)")
    upgrade()
