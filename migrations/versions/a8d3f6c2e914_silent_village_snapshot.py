"""silent_village and silence_snapshot: the sweep's list of silent villages (issue 16)

Each sweep writes the villages it finds silent, so the dashboards and the
early-warning page read a few rows instead of testing 83,762 villages
(tracker/warnings/silence.py). Empty until the first sweep; readers apply
the rule themselves meanwhile.

Revision ID: a8d3f6c2e914
Revises: c4e7a1b9d2f6
Create Date: 2026-12-02 11:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = 'a8d3f6c2e914'
down_revision = 'c4e7a1b9d2f6'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'silent_village',
        sa.Column('village_code', sa.String(length=13), nullable=False),
        sa.Column('last_visit_on', sa.Date(), nullable=True),
        sa.Column('order_day', sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint('village_code'),
    )
    op.create_index('ix_silent_village_order', 'silent_village', ['order_day', 'village_code'])
    op.create_table(
        'silence_snapshot',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )


def downgrade():
    op.drop_table('silence_snapshot')
    op.drop_index('ix_silent_village_order', table_name='silent_village')
    op.drop_table('silent_village')
