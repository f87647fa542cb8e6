"""news: each user's read marker of his feed, and the timeline's index by actor

news_read_marker holds, per user, the id of the newest timeline line of
his news feed he has seen. ix_ticket_event_actor_ticket finds the tickets a
user wrote on (partial: the sweep's lines have no actor) (issue 14).

Revision ID: c6c1daa0edc7
Revises: 6258b4e0751f
Create Date: 2026-12-02 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = 'c6c1daa0edc7'
down_revision = '6258b4e0751f'
branch_labels = None
depends_on = None

PERSONAL = sa.text('actor_id IS NOT NULL')


def upgrade():
    op.create_table('news_read_marker',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('last_event_id', sa.Integer(), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_news_read_marker_user_id_user_account'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_news_read_marker'))
    )
    op.create_index('ix_ticket_event_actor_ticket', 'ticket_event', ['actor_id', 'ticket_id', 'id'], unique=False,
                    sqlite_where=PERSONAL, postgresql_where=PERSONAL)


def downgrade():
    op.drop_index('ix_ticket_event_actor_ticket', table_name='ticket_event')
    op.drop_table('news_read_marker')
