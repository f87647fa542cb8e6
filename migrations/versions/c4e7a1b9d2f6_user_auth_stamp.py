"""user_account.auth_stamp: the key of the per-process user and area cache (issue 16)

Every request reads it with its token or session; any change of the user's
row, villages or unit's regions gives it a new random value
(tracker/auth/cache.py). Existing users get a random value each.

Revision ID: c4e7a1b9d2f6
Revises: e1f5a9c3d7b2
Create Date: 2026-12-02 09:10:00.000000

"""
import secrets

from alembic import op
import sqlalchemy as sa


revision = 'c4e7a1b9d2f6'
down_revision = 'e1f5a9c3d7b2'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('user_account', sa.Column('auth_stamp', sa.BigInteger(), server_default=sa.text('0'),
                                            nullable=False))
    bind = op.get_bind()
    users = sa.table('user_account', sa.column('id', sa.Integer), sa.column('auth_stamp', sa.BigInteger))
    ids = [row.id for row in bind.execute(sa.select(users.c.id))]
    if ids:
        bind.execute(users.update().where(users.c.id == sa.bindparam('user_id'))
                     .values(auth_stamp=sa.bindparam('stamp')),
                     [{'user_id': user_id, 'stamp': secrets.randbits(62)} for user_id in ids])


def downgrade():
    # A plain column: SQLite (3.35 and later) drops it in place too.
    op.drop_column('user_account', 'auth_stamp')
