"""``flask backup create`` and ``flask backup restore``: a populated database round-trips, row for row.

Each test works on whole databases of its own (tests/backup/conftest.py),
through the commands as an operator runs them (Flask's CLI runner), on
this run's engine: SQLite files, or PostgreSQL databases under a
PostgreSQL TEST_DATABASE_URL (pg_dump/pg_restore).
"""
import sqlite3

import pytest
from flask_migrate import stamp
from sqlalchemy import create_engine, inspect, select, text

from tracker import create_app
from tracker.extensions import db


def app_on(url, **config):
    return create_app({"CONFIG_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url, **config})


def run(app, *args):
    """``flask <args>`` against the app; returns the result (exit code, and its output and errors)."""
    return app.test_cli_runner().invoke(args=list(args))


def populate(url):
    """The demo, a photo and a comment in three scripts, in a schema stamped at the migrations' head."""
    from tests.attachments import images
    from tracker.attachments.services import Upload, add_photos
    from tracker.demo import seed_demo
    from tracker.tickets.models import Ticket
    from tracker.tickets.services import add_comment

    app = app_on(url)
    with app.app_context():
        db.create_all()
        stamp()
        users = {user.username: user for user in seed_demo()}
        ticket = db.session.execute(select(Ticket).order_by(Ticket.id)).scalars().first()
        add_photos(users["babinsa.kemiri"], ticket, [Upload("foto.jpg", images.jpeg())])
        add_comment(users["babinsa.kemiri"], ticket, "Warga: Pak Sútarno — «patok» dipindah; ✓ sudah dicek")
        db.session.commit()
        db.engine.dispose()
    return app


def every_row(url):
    """{table: [rows sorted]} for every table of the database, alembic_version included."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            names = sorted(inspect(connection).get_table_names())
            return {name: sorted(tuple(row) for row in connection.execute(text(f'SELECT * FROM "{name}"')))
                    for name in names}
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def populated(new_database):
    """The URL of a populated database (the demo, a photo, a comment); the tests only read it."""
    return populate(new_database("backup_source")).config["SQLALCHEMY_DATABASE_URI"]


@pytest.fixture(scope="module")
def backup(populated, tmp_path_factory):
    """A backup of ``populated`` made by ``flask backup create``."""
    path = tmp_path_factory.mktemp("backup") / "waspada.backup"
    created = run(app_on(populated), "backup", "create", str(path))
    assert created.exit_code == 0, created.output
    return path


def test_create_says_where_the_backup_went_and_its_kind(tmp_path, populated, engine_name):
    path = tmp_path / "again.backup"
    created = run(app_on(populated), "backup", "create", str(path))
    assert created.exit_code == 0, created.output
    assert f"written to {path} ({engine_name}, " in created.output
    assert path.stat().st_size > 0


def test_a_restored_backup_holds_every_row_of_every_table(populated, backup, new_database):
    source_url = populated
    target_url = new_database("backup_target")
    restored = run(app_on(target_url), "backup", "restore", str(backup))
    assert restored.exit_code == 0, restored.output
    assert "upgrading the schema" in restored.output

    before, after = every_row(source_url), every_row(target_url)
    assert list(after) == list(before)
    for table in ("ticket", "ticket_event", "attachment", "user_account", "region", "flag", "visit",
                  "alembic_version"):
        assert before[table], f"the demo left {table} empty: the round trip would prove nothing there"
    for table in before:
        assert after[table] == before[table], f"{table} differs after the restore"


def test_a_restored_database_goes_on_numbering_after_the_restored_rows(backup, new_database):
    from tracker.auth.services import find_user
    from tracker.tickets.models import Ticket
    from tracker.tickets.services import create_ticket

    target = app_on(new_database("numbering_target"))
    assert run(target, "backup", "restore", str(backup)).exit_code == 0

    with target.app_context():
        highest = db.session.execute(select(db.func.max(Ticket.id))).scalar()
        ticket = create_ticket(find_user("babinsa.kemiri"), village_code="33.13.14.2005", category="other",
                               severity="low", title="Setelah pemulihan")
        db.session.commit()
        assert ticket.id == highest + 1
        db.engine.dispose()


def test_restore_refuses_a_database_that_has_tables_and_changes_nothing(backup, new_database):
    target_url = new_database("refuse_target")
    target = app_on(target_url)
    with target.app_context():
        db.create_all()
        db.engine.dispose()
    before = every_row(target_url)

    refused = run(target, "backup", "restore", str(backup))

    assert refused.exit_code == 1
    assert "is not empty" in refused.output and "a restore goes into an empty database only" in refused.output
    assert every_row(target_url) == before


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path, new_database):
    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup")
    target_url = new_database("junk_target")

    refused = run(app_on(target_url), "backup", "restore", str(junk))

    assert refused.exit_code == 1
    assert "is not a Waspada backup" in refused.output
    assert every_row(target_url) == {}


def test_restore_names_a_missing_backup_file(tmp_path, new_database):
    refused = run(app_on(new_database("missing_target")), "backup", "restore", str(tmp_path / "nowhere.backup"))
    assert refused.exit_code == 1
    assert "no such backup file" in refused.output


def test_restore_refuses_a_backup_of_the_other_engine(tmp_path, new_database, engine_name):
    other = tmp_path / "other.backup"
    if engine_name == "sqlite":
        other.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 64)
        expected = "is a PostgreSQL backup; the configured database is SQLite"
    else:
        sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
        expected = "is a SQLite backup; the configured database is PostgreSQL"

    refused = run(app_on(new_database("other_target")), "backup", "restore", str(other))

    assert refused.exit_code == 1
    assert expected in refused.output


def test_create_names_a_missing_folder_and_writes_nothing(tmp_path, populated):
    refused = run(app_on(populated), "backup", "create", str(tmp_path / "absent" / "waspada.backup"))
    assert refused.exit_code == 1
    assert "no such folder for the backup" in refused.output
    assert not (tmp_path / "absent").exists()


def test_pg_dump_missing_is_named_with_how_to_install_it(tmp_path, populated, engine_name):
    if engine_name != "postgresql":
        pytest.skip("pg_dump backs up PostgreSQL only (this run is on SQLite)")
    empty_folder = tmp_path / "bin"
    empty_folder.mkdir()
    app = app_on(populated, PG_BIN_DIR=str(empty_folder))

    refused = run(app, "backup", "create", str(tmp_path / "waspada.backup"))

    assert refused.exit_code == 1
    assert "pg_dump was not found in PG_BIN_DIR" in refused.output
    assert "install the PostgreSQL client tools" in refused.output
    assert not (tmp_path / "waspada.backup").exists()


def test_a_sqlite_backup_during_an_open_write_holds_the_committed_rows_only(tmp_path, populated, engine_name):
    if engine_name != "sqlite":
        pytest.skip("the online backup API is SQLite's (this run is on PostgreSQL)")
    source_url = populated
    source = app_on(source_url)
    path = source_url.removeprefix("sqlite:///")
    committed = every_row(source_url)["ticket"]
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE ticket SET title = 'uncommitted'")
    try:
        created = run(source, "backup", "create", str(tmp_path / "online.backup"))
    finally:
        writer.execute("ROLLBACK")
        writer.close()

    assert created.exit_code == 0, created.output
    assert every_row(f"sqlite:///{tmp_path / 'online.backup'}")["ticket"] == committed


def test_an_in_memory_database_is_refused_with_a_message(tmp_path, engine_name):
    if engine_name != "sqlite":
        pytest.skip("SQLite only")
    refused = run(app_on("sqlite://"), "backup", "create", str(tmp_path / "memory.backup"))
    assert refused.exit_code == 1
    assert "the database is in memory" in refused.output
