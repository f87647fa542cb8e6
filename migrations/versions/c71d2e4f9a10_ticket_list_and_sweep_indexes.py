"""ticket: ordered indexes with the id tie-breaker, open tickets, unit status counts, trigram search

The list pages walk (scope code, reported_at, id) in order and resume after
a cursor; the sweep finds unresolved tickets through a partial index; a
unit's counts by status and severity read an index alone; on
PostgreSQL, text search uses trigram indexes (pg_trgm) on the lower-cased
title and description (measured at 1,000,000 tickets, bench/RESULTS.md).

Revision ID: c71d2e4f9a10
Revises: a9db28c7eb2a
Create Date: 2026-11-29 23:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = 'c71d2e4f9a10'
down_revision = 'a9db28c7eb2a'
branch_labels = None
depends_on = None

OPEN = "status IN ('new', 'triaged', 'in_progress', 'escalated')"
STATUS = (
    ("ix_ticket_district_status", ["district_code", "status", "severity"]),
    ("ix_ticket_regency_status", ["regency_code", "status", "severity"]),
)
TRIGRAM = (("ix_ticket_title_trgm", "title"), ("ix_ticket_description_trgm", "description"))
ORDERED = (
    ("ix_ticket_district_reported", ["district_code", "reported_at"]),
    ("ix_ticket_regency_reported", ["regency_code", "reported_at"]),
    ("ix_ticket_reported_at", ["reported_at"]),
)


def upgrade():
    for name, columns in ORDERED:
        op.drop_index(name, table_name="ticket")
        op.create_index(name, "ticket", columns + ["id"], unique=False)
    op.create_index("ix_ticket_open_reported", "ticket", ["reported_at"], unique=False,
                    sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))
    for name, columns in STATUS:
        op.create_index(name, "ticket", columns, unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, column in TRIGRAM:
            op.create_index(name, "ticket", [sa.text(f"lower({column}) gin_trgm_ops")],
                            unique=False, postgresql_using="gin")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name, _column in TRIGRAM:
            op.drop_index(name, table_name="ticket")
    for name, _columns in STATUS:
        op.drop_index(name, table_name="ticket")
    op.drop_index("ix_ticket_open_reported", table_name="ticket")
    for name, columns in ORDERED:
        op.drop_index(name, table_name="ticket")
        op.create_index(name, "ticket", columns, unique=False)
