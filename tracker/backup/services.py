"""Backing up the database to one file and restoring it into an empty database.

SQLite: the online backup API (``sqlite3.Connection.backup``) copies a
consistent snapshot while the app keeps writing; the copy is checked and
left in rollback-journal mode, so it is one self-contained file.
PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore`` (the client
tools, found on PATH or in PG_BIN_DIR). The password travels in the
child's environment (PGPASSWORD), never on its command line.

A restore goes only into an empty database (no table at all), so it never
mixes two data sets; the caller then upgrades the schema (``flask db upgrade``).
"""
import os
import shutil
import sqlite3
import subprocess

from flask import current_app
from sqlalchemy.engine import make_url

from tracker.extensions import db

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"
# How much of pg_dump's or pg_restore's complaint an error message repeats.
TOOL_ERROR_LINES = 5


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says what to do."""


def database_url():
    """The configured database's URL (an SQLAlchemy URL object)."""
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def describe(url):
    """The URL for a message: the password hidden."""
    return url.render_as_string(hide_password=True)


def _engine_kind(url):
    name = url.get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"backups support SQLite and PostgreSQL databases, not {name}")
    return name


def backup_kind(path):
    """"sqlite" or "postgresql": what the backup file at ``path`` holds; BackupError otherwise."""
    if not os.path.isfile(path):
        raise BackupError(f"{path}: no such backup file")
    with open(path, "rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_CUSTOM_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is not a Waspada backup (neither an SQLite database nor a pg_dump custom-format file)")


def _partial_path(path):
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise BackupError(f"{folder}: no such folder for the backup")
    return os.path.join(folder, f".{os.path.basename(path)}.partial-{os.getpid()}")


def create_backup(path):
    """Write a backup of the configured database to ``path``; returns (kind, size in bytes).

    The file appears only once complete (written beside it, then renamed),
    so a failed or interrupted backup never leaves a truncated file under
    the name a restore would use.
    """
    url = database_url()
    kind = _engine_kind(url)
    partial = _partial_path(path)
    try:
        if kind == "sqlite":
            _sqlite_backup(_sqlite_file(url), partial)
        else:
            _pg_dump(url, partial)
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.remove(partial)
    return kind, os.path.getsize(path)


def restore_backup(path):
    """Restore the backup at ``path`` into the configured database, which must hold no table.

    Returns the kind of database restored. The schema is then as old as
    the backup: upgrade it (``flask db upgrade``) before serving.
    """
    url = database_url()
    kind = _engine_kind(url)
    found = backup_kind(path)
    if found != kind:
        raise BackupError(f"{path} is a {_NAMES[found]} backup; the configured database is {_NAMES[kind]}")
    # Nothing of ours may hold a connection to the database being replaced.
    db.engine.dispose()
    if kind == "sqlite":
        _sqlite_restore(path, _sqlite_file(url, must_exist=False))
    else:
        _pg_restore(url, path)
    db.engine.dispose()
    return kind


_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _refuse_non_empty(tables, url):
    if tables:
        raise BackupError(
            f"the database {describe(url)} is not empty ({tables} tables); a restore goes into an empty "
            "database only: create a new one (PostgreSQL: createdb) or point DATABASE_URL at a new SQLite file"
        )


# --- SQLite -------------------------------------------------------------------

def _sqlite_file(url, must_exist=True):
    path = url.database
    if not path or path == ":memory:" or url.query.get("mode") == "memory":
        raise BackupError("the database is in memory (sqlite://): there is no file to back up or restore into")
    if must_exist and not os.path.isfile(path):
        raise BackupError(f"{path}: no such SQLite database")
    return path


def _sqlite_backup(source_path, target_path):
    source = sqlite3.connect(source_path)
    target = sqlite3.connect(target_path)
    try:
        # One step copies a consistent snapshot; writers go on meanwhile (WAL).
        source.backup(target)
        # A self-contained file: no -wal beside it.
        target.execute("PRAGMA journal_mode=DELETE")
        result = target.execute("PRAGMA quick_check").fetchone()[0]
        if result != "ok":
            raise BackupError(f"the backup failed its integrity check: {result}")
    finally:
        target.close()
        source.close()


def _sqlite_restore(backup_path, target_path):
    folder = os.path.dirname(os.path.abspath(target_path))
    if not os.path.isdir(folder):
        raise BackupError(f"{folder}: no such folder for the SQLite database")
    target = sqlite3.connect(target_path)
    try:
        tables = target.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").fetchone()[0]
        _refuse_non_empty(tables, make_url(f"sqlite:///{target_path}"))
        source = sqlite3.connect(f"file:{backup_path}?mode=ro", uri=True)
        try:
            source.backup(target)
        finally:
            source.close()
        # The app's own setting (tracker.database sets it on every connection too).
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        target.close()


# --- PostgreSQL -----------------------------------------------------------------

def _tool(name):
    """The path of a PostgreSQL client tool, or BackupError saying how to get it."""
    folder = current_app.config.get("PG_BIN_DIR")
    found = shutil.which(name, path=folder) if folder else shutil.which(name)
    if not found:
        where = f"in PG_BIN_DIR ({folder})" if folder else "on PATH"
        raise BackupError(
            f"{name} was not found {where}: install the PostgreSQL client tools of the server's major version "
            "(Debian: apt-get install postgresql-client) or set PG_BIN_DIR to the folder holding them"
        )
    return found


def _pg_connection(url):
    """(conninfo without the password, environment with PGPASSWORD) for a client tool."""
    conninfo = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    return conninfo, env


def _run(command, env, what):
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
        detail = "\n".join(lines[-TOOL_ERROR_LINES:]) or f"exit status {result.returncode}"
        raise BackupError(f"{what} failed:\n{detail}")


def _pg_dump(url, target_path):
    conninfo, env = _pg_connection(url)
    _run([_tool("pg_dump"), "--format=custom", "--file", target_path, "--dbname", conninfo], env, "pg_dump")


def _pg_tables(url):
    import psycopg

    conninfo, env = _pg_connection(url)
    try:
        with psycopg.connect(conninfo, password=env.get("PGPASSWORD")) as connection:
            return connection.execute(
                "SELECT count(*) FROM information_schema.tables "
                "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')").fetchone()[0]
    except psycopg.OperationalError as error:
        raise BackupError(f"cannot connect to {describe(url)}: {str(error).strip()}") from None


def _pg_restore(url, backup_path):
    _refuse_non_empty(_pg_tables(url), url)
    conninfo, env = _pg_connection(url)
    # Owners and grants are the old host's; the restoring role owns everything here.
    _run([_tool("pg_restore"), "--exit-on-error", "--single-transaction", "--no-owner", "--no-acl",
          "--dbname", conninfo, backup_path], env, "pg_restore")
