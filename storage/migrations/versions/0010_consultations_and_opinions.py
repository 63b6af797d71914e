"""consultations and opinions

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 17:40:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'consultations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column('text', sa.Text(), nullable=True),
        sa.Column('group_ids', sa.Text(), nullable=True),
        sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column('created_by_name', sqlmodel.sql.sqltypes.AutoString(length=128),
                  nullable=False),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('deadline', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('message_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('results_sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['message_id'], ['messages.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultations_status'), ['status'], unique=False)
    op.create_table(
        'opinions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('consultation_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('author_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column('author_name', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column('group_id', sa.Integer(), nullable=True),
        sa.Column('via', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column('text', sa.Text(), nullable=True),
        sa.Column('named', sa.Boolean(), nullable=False),
        sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column('owner', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('answered_by', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
        sa.Column('answered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('message_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id']),
        sa.ForeignKeyConstraint(['group_id'], ['groups.id']),
        sa.ForeignKeyConstraint(['message_id'], ['messages.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('consultation_id', 'seq', name='uq_opinions_seq'),
    )
    with op.batch_alter_table('opinions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opinions_consultation_id'), ['consultation_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_opinions_author_id'), ['author_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('opinions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opinions_author_id'))
        batch_op.drop_index(batch_op.f('ix_opinions_consultation_id'))
    op.drop_table('opinions')
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultations_status'))
    op.drop_table('consultations')
