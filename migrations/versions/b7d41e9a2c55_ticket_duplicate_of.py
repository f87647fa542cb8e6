"""ticket.duplicate_of_id: a ticket rejected as a duplicate names its original (issue 14)

SQLite cannot add a foreign key with ALTER TABLE ... ADD CONSTRAINT, but
takes one declared on the added column; rebuilding the ticket table in
batch mode instead would risk its partial index. PostgreSQL adds the
column and its constraint in the usual way.

Revision ID: b7d41e9a2c55
Revises: f3a7c2d9e851
Create Date: 2026-12-02 08:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7d41e9a2c55'
down_revision = 'f3a7c2d9e851'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE ticket ADD COLUMN duplicate_of_id INTEGER '
                   'CONSTRAINT fk_ticket_duplicate_of_id_ticket REFERENCES ticket (id)')
    else:
        op.add_column('ticket', sa.Column('duplicate_of_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_ticket_duplicate_of_id_ticket'), 'ticket', 'ticket',
                              ['duplicate_of_id'], ['id'])
    op.create_index(op.f('ix_ticket_duplicate_of_id'), 'ticket', ['duplicate_of_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_ticket_duplicate_of_id'), table_name='ticket')
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite drops no column a foreign key is declared on: rebuild the table.
        with op.batch_alter_table('ticket', recreate='always') as batch_op:
            batch_op.drop_column('duplicate_of_id')
    else:
        op.drop_constraint(op.f('fk_ticket_duplicate_of_id_ticket'), 'ticket', type_='foreignkey')
        op.drop_column('ticket', 'duplicate_of_id')
