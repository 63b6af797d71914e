"""wish wall

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 17:40:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('wish_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('topic', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('supply_date', sa.Date(), nullable=True),
    sa.Column('supply_text', sa.Text(), nullable=True),
    sa.Column('supplied_by', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
    sa.Column('supplied_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('wish_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wish_lines_created_at'), ['created_at'], unique=False)

    op.create_table('wishes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('line_id', sa.Integer(), nullable=False),
    sa.Column('wisher_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('wisher_name', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('via', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('told_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], ),
    sa.ForeignKeyConstraint(['line_id'], ['wish_lines.id'], ),
    sa.ForeignKeyConstraint(['message_id'], ['messages.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('wishes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_wishes_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_wishes_line_id'), ['line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_wishes_wisher_id'), ['wisher_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('wishes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wishes_wisher_id'))
        batch_op.drop_index(batch_op.f('ix_wishes_line_id'))
        batch_op.drop_index(batch_op.f('ix_wishes_created_at'))
    op.drop_table('wishes')
    with op.batch_alter_table('wish_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wish_lines_created_at'))
    op.drop_table('wish_lines')
