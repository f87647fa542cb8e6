"""ticket counters: ticket_tally and ticket_day_tally, filled from the existing tickets (issue 16)

ticket_tally counts tickets (and those with an active flag) per village and
(status, severity, category, level), plus the nation's sums under an empty
village code; ticket_day_tally counts the country's tickets per WIB day
reported and per WIB day resolved (while resolved or closed), by severity.
The application keeps both exact from here on (tracker.counters); this
migration fills them with the same recount as `flask counters rebuild`.

Revision ID: a4c8e2f61b37
Revises: b7d41e9a2c55
Create Date: 2026-12-02 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = 'a4c8e2f61b37'
down_revision = 'b7d41e9a2c55'
branch_labels = None
depends_on = None

CELL = "village_code, district_code, regency_code, status, severity, category, level"
KINDS = "status, severity, category, level"
FLAGGED = ("SUM(CASE WHEN EXISTS (SELECT 1 FROM flag WHERE flag.ticket_id = ticket.id "
           "AND flag.cleared_at IS NULL) THEN 1 ELSE 0 END)")


def _wib_day(column):
    # WIB is UTC+7 all year; timestamps are stored in UTC.
    if op.get_bind().dialect.name == "postgresql":
        return f"CAST(timezone('Asia/Jakarta', {column}) AS DATE)"
    return f"date({column}, '+7 hours')"


def upgrade():
    op.create_table('ticket_tally',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('village_code', sa.String(length=13), nullable=False),
    sa.Column('district_code', sa.String(length=8), nullable=False),
    sa.Column('regency_code', sa.String(length=5), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('category', sa.String(length=24), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('tickets', sa.Integer(), nullable=False),
    sa.Column('flagged', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_tally')),
    sa.UniqueConstraint('village_code', 'status', 'severity', 'category', 'level',
                        name=op.f('uq_ticket_tally_village_code_status_severity_category_level'))
    )
    op.create_index('ix_ticket_tally_district', 'ticket_tally', ['district_code', 'status'], unique=False)
    op.create_index('ix_ticket_tally_regency', 'ticket_tally', ['regency_code', 'status'], unique=False)
    op.create_table('ticket_day_tally',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('event', sa.String(length=8), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('tickets', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_day_tally')),
    sa.UniqueConstraint('day', 'event', 'severity', name=op.f('uq_ticket_day_tally_day_event_severity'))
    )
    columns = f"{CELL}, tickets, flagged"
    op.execute(f"INSERT INTO ticket_tally ({columns}) SELECT {CELL}, COUNT(*), {FLAGGED} FROM ticket GROUP BY {CELL}")
    op.execute(f"INSERT INTO ticket_tally ({columns}) SELECT '', '', '', {KINDS}, COUNT(*), {FLAGGED} "
               f"FROM ticket GROUP BY {KINDS}")
    reported, resolved = _wib_day("reported_at"), _wib_day("resolved_at")
    op.execute(f"INSERT INTO ticket_day_tally (day, event, severity, tickets) "
               f"SELECT {reported}, 'new', severity, COUNT(*) FROM ticket GROUP BY {reported}, severity")
    op.execute(f"INSERT INTO ticket_day_tally (day, event, severity, tickets) "
               f"SELECT {resolved}, 'resolved', severity, COUNT(*) FROM ticket "
               f"WHERE status IN ('resolved', 'closed') AND resolved_at IS NOT NULL "
               f"GROUP BY {resolved}, severity")


def downgrade():
    op.drop_table('ticket_day_tally')
    op.drop_index('ix_ticket_tally_regency', table_name='ticket_tally')
    op.drop_index('ix_ticket_tally_district', table_name='ticket_tally')
    op.drop_table('ticket_tally')
