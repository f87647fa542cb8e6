"""election: removed_at and removed_by_id (soft removal)

A removed election keeps its row, so the flags it raised and their
cleared history still name it; the calendar, the sweep, the dashboard and
the digests skip rows with removed_at set.

Revision ID: d5a8e3b1c0f7
Revises: c71d2e4f9a10
Create Date: 2026-11-30 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = 'd5a8e3b1c0f7'
down_revision = 'c71d2e4f9a10'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('election', schema=None) as batch_op:
        batch_op.add_column(sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('removed_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_election_removed_by_id_user_account'), 'user_account',
                                    ['removed_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('election', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_election_removed_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('removed_by_id')
        batch_op.drop_column('removed_at')
