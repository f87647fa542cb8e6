"""outbox: digest day per user

Digests are looked up by recipient and local day (the previous digest of a
user); rows written before this revision get their day back from their key
``digest:<user>:<YYYY-MM-DD>``.

Revision ID: a9db28c7eb2a
Revises: b4e0c536fc9b
Create Date: 2026-11-28 01:24:27.471115

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a9db28c7eb2a'
down_revision = 'b4e0c536fc9b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('digest_on', sa.Date(), nullable=True))
        batch_op.drop_index(batch_op.f('ix_outbox_message_user_id'))
        batch_op.create_index('ix_outbox_user_digest_on', ['user_id', 'digest_on'], unique=False)

    day = "substr(key, length(key) - 9, 10)"
    if op.get_bind().dialect.name == "postgresql":
        day = f"CAST({day} AS DATE)"
    op.execute(f"UPDATE outbox_message SET digest_on = {day} WHERE key LIKE 'digest:%'")


def downgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_user_digest_on')
        batch_op.create_index(batch_op.f('ix_outbox_message_user_id'), ['user_id'], unique=False)
        batch_op.drop_column('digest_on')

