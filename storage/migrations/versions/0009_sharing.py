"""sharing

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 17:40:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'shares',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=True),
        sa.Column('poster_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column('poster_name', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
        sa.Column('resource', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('quantity_number', sa.Float(), nullable=True),
        sa.Column('quantity_unit', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
        sa.Column('quantity_text', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('need_id', sa.Integer(), nullable=True),
        sa.Column('contact', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column('text', sa.Text(), nullable=True),
        sa.Column('message_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['group_id'], ['groups.id']),
        sa.ForeignKeyConstraint(['message_id'], ['messages.id']),
        sa.ForeignKeyConstraint(['need_id'], ['shares.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_shares_open', 'shares', ['group_id', 'kind', 'status', 'id'])
    op.create_index(op.f('ix_shares_poster_id'), 'shares', ['poster_id'])
    op.create_index(op.f('ix_shares_need_id'), 'shares', ['need_id'])
    op.create_table(
        'share_confirmations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('need_id', sa.Integer(), nullable=False),
        sa.Column('offer_id', sa.Integer(), nullable=True),
        sa.Column('provider_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
        sa.Column('provider_name', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column('quantity_number', sa.Float(), nullable=True),
        sa.Column('quantity_unit', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
        sa.Column('quantity_text', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column('confirmed_by', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column('time', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['need_id'], ['shares.id']),
        sa.ForeignKeyConstraint(['offer_id'], ['shares.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_share_confirmations_need_id'), 'share_confirmations', ['need_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_share_confirmations_need_id'), table_name='share_confirmations')
    op.drop_table('share_confirmations')
    op.drop_index(op.f('ix_shares_need_id'), table_name='shares')
    op.drop_index(op.f('ix_shares_poster_id'), table_name='shares')
    op.drop_index('ix_shares_open', table_name='shares')
    op.drop_table('shares')
