"""village_open: a village's unresolved tickets by severity and its flagged ones (issue 16)

Kept in the transaction of every ticket or flag change, as ticket_tally is
(tracker/counters/tally.py); the national dashboard's areas and hotspots
read its rows instead of every unresolved ticket. Filled from the tickets
here.

Revision ID: b2e9c4d7a351
Revises: a8d3f6c2e914
Create Date: 2026-12-02 12:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = 'b2e9c4d7a351'
down_revision = 'a8d3f6c2e914'
branch_labels = None
depends_on = None

SEVERITIES = ('low', 'medium', 'high', 'critical')
UNRESOLVED = ('new', 'triaged', 'in_progress', 'escalated')


def upgrade():
    op.create_table(
        'village_open',
        sa.Column('village_code', sa.String(length=13), nullable=False),
        sa.Column('district_code', sa.String(length=8), nullable=False),
        sa.Column('regency_code', sa.String(length=5), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in (*SEVERITIES, 'flagged')],
        sa.PrimaryKeyConstraint('village_code'),
    )
    op.create_index('ix_village_open_district', 'village_open', ['district_code'])
    op.create_index('ix_village_open_regency', 'village_open', ['regency_code'])
    ticket = sa.table('ticket', *[sa.column(name) for name in (
        'id', 'village_code', 'district_code', 'regency_code', 'severity', 'status')])
    flag = sa.table('flag', sa.column('ticket_id'), sa.column('cleared_at'))
    flagged = sa.exists().where(flag.c.ticket_id == ticket.c.id, flag.c.cleared_at.is_(None))
    places = (ticket.c.village_code, ticket.c.district_code, ticket.c.regency_code)
    counts = [sa.func.sum(sa.case((ticket.c.severity == name, 1), else_=0)) for name in SEVERITIES]
    village_open = sa.table('village_open', *[sa.column(name) for name in (
        'village_code', 'district_code', 'regency_code', *SEVERITIES, 'flagged')])
    op.get_bind().execute(village_open.insert().from_select(
        list(village_open.c),
        sa.select(*places, *counts, sa.func.sum(sa.case((flagged, 1), else_=0)))
        .where(ticket.c.status.in_(UNRESOLVED)).group_by(*places),
    ))


def downgrade():
    op.drop_index('ix_village_open_regency', table_name='village_open')
    op.drop_index('ix_village_open_district', table_name='village_open')
    op.drop_table('village_open')
