"""many processes on one store

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 17:45:00

Several bot processes may share one PostgreSQL: groups get unique keys (one group per room
id; one per name among groups bound to no room), so two processes seeing a group's first
messages at once create it once; `job_runs` records each scheduled job's run per due time,
claimed by the one process that runs it.

Existing rows that would break a new key are kept, and given a room id of their own that no
gateway issues ("dup:<id>:" + the old id): every look-up already took the oldest group of a
room id or a name (storage.groups orders by id), so no look-up changes.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def _dedupe() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, name, external_id FROM groups ORDER BY id")).all()
    seen_ext: set[str] = set()
    seen_name: set[str] = set()
    for gid, name, ext in rows:
        key_seen, key = (seen_ext, ext) if ext is not None else (seen_name, name)
        if key not in key_seen:
            key_seen.add(key)
            continue
        conn.execute(sa.text("UPDATE groups SET external_id = :e WHERE id = :i"),
                     {"e": f"dup:{gid}:{ext or ''}"[:128], "i": gid})


def upgrade() -> None:
    _dedupe()
    op.create_table('job_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('due', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('ran_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('job', 'due', name='uq_job_runs_job_due')
    )
    with op.batch_alter_table('groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_groups_external_id'))
        batch_op.create_index(batch_op.f('ix_groups_external_id'), ['external_id'], unique=True)
        batch_op.create_index('uq_groups_unbound_name', ['name'], unique=True,
                              postgresql_where=sa.text('external_id IS NULL'),
                              sqlite_where=sa.text('external_id IS NULL'))


def downgrade() -> None:
    with op.batch_alter_table('groups', schema=None) as batch_op:
        batch_op.drop_index('uq_groups_unbound_name')
        batch_op.drop_index(batch_op.f('ix_groups_external_id'))
        batch_op.create_index(batch_op.f('ix_groups_external_id'), ['external_id'], unique=False)
    op.drop_table('job_runs')
