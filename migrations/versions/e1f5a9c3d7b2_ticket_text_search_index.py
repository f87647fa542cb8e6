"""ticket text search index on SQLite: an FTS5 trigram table kept in step by triggers (issue 16)

SQLite only (PostgreSQL's text search uses the pg_trgm indexes of revision
c71d2e4f9a10; nothing happens there). ``ticket_fts`` indexes the title and
description of every ticket (external content: the text stays in ``ticket``),
filled from the existing rows; triggers on ticket inserts, updates and deletes
keep it in step. The statements are the ones tracker.tickets.search runs for
create_all, spelled out here so this revision does not change with the code.

Revision ID: e1f5a9c3d7b2
Revises: a4c8e2f61b37
Create Date: 2026-12-02 09:10:00.000000

"""
from alembic import op


revision = 'e1f5a9c3d7b2'
down_revision = 'a4c8e2f61b37'
branch_labels = None
depends_on = None

STATEMENTS = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS ticket_fts USING fts5("
    "title, description, content='ticket', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS ticket_fts_ai AFTER INSERT ON ticket BEGIN "
    "INSERT INTO ticket_fts(rowid, title, description) VALUES (new.id, new.title, new.description); END",
    "CREATE TRIGGER IF NOT EXISTS ticket_fts_ad AFTER DELETE ON ticket BEGIN "
    "INSERT INTO ticket_fts(ticket_fts, rowid, title, description) "
    "VALUES ('delete', old.id, old.title, old.description); END",
    "CREATE TRIGGER IF NOT EXISTS ticket_fts_au AFTER UPDATE OF id, title, description ON ticket BEGIN "
    "INSERT INTO ticket_fts(ticket_fts, rowid, title, description) "
    "VALUES ('delete', old.id, old.title, old.description); "
    "INSERT INTO ticket_fts(rowid, title, description) VALUES (new.id, new.title, new.description); END",
    # Index the tickets already there.
    "INSERT INTO ticket_fts(ticket_fts) VALUES ('rebuild')",
)


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in ("ticket_fts_ai", "ticket_fts_ad", "ticket_fts_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS ticket_fts")
