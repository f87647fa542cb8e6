"""ix_ticket_village_status covers severity, reported_at and id (issue 16)

The national dashboard scores the hotspots of a few candidate villages from
their unresolved tickets; with these columns in the index PostgreSQL reads
them without touching the table (it scanned every unresolved ticket's row,
about a second at 1,000,000 tickets).

Revision ID: d6a1f8b3c527
Revises: b2e9c4d7a351
Create Date: 2026-12-02 12:10:00.000000

"""
from alembic import op


revision = 'd6a1f8b3c527'
down_revision = 'b2e9c4d7a351'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_ticket_village_status', table_name='ticket')
    op.create_index('ix_ticket_village_status', 'ticket',
                    ['village_code', 'status', 'severity', 'reported_at', 'id'])


def downgrade():
    op.drop_index('ix_ticket_village_status', table_name='ticket')
    op.create_index('ix_ticket_village_status', 'ticket', ['village_code', 'status'])
