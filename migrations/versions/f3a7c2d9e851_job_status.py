"""jobs: job_status, where each scheduled job stands (issue 15)

One row per job, written by the runner with each run: the last success and
failure, the last run's duration, and runs done and failed. The web reads
it for /healthz/jobs and /metrics (the scheduler is another process).

The upgrade seeds a row per scheduled job, watched from the moment it runs
(a fresh install's scheduler is late one period after it, if it never
ran), and fills what job_run already knows: the latest success and
failure, and the counts.

Revision ID: f3a7c2d9e851
Revises: c6c1daa0edc7
Create Date: 2026-12-02 08:10:00.000000

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


revision = 'f3a7c2d9e851'
down_revision = 'c6c1daa0edc7'
branch_labels = None
depends_on = None

SCHEDULED = ('sweep', 'digests', 'outbox')


def upgrade():
    job_status = op.create_table('job_status',
    sa.Column('job', sa.String(length=40), nullable=False),
    sa.Column('watched_since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_ok_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_duration', sa.Float(), nullable=True),
    sa.Column('runs_done', sa.Integer(), nullable=False),
    sa.Column('runs_failed', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('job', name=op.f('pk_job_status'))
    )
    job_run = sa.table('job_run', sa.column('job', sa.String), sa.column('status', sa.String),
                       sa.column('finished_at', sa.DateTime(timezone=True)))
    known = {}
    for job, status, last, count in op.get_bind().execute(
        sa.select(job_run.c.job, job_run.c.status, sa.func.max(job_run.c.finished_at), sa.func.count())
        .where(job_run.c.status.in_(('done', 'failed'))).group_by(job_run.c.job, job_run.c.status)
    ):
        known.setdefault(job, {})[status] = (last, count)
    now = datetime.now(timezone.utc)
    rows = []
    for job in sorted(set(SCHEDULED) | set(known)):
        done, failed = known.get(job, {}).get('done', (None, 0)), known.get(job, {}).get('failed', (None, 0))
        rows.append({'job': job, 'watched_since': now, 'last_ok_at': done[0], 'last_error_at': failed[0],
                     'last_duration': None, 'runs_done': done[1], 'runs_failed': failed[1]})
    op.bulk_insert(job_status, rows)


def downgrade():
    op.drop_table('job_status')
