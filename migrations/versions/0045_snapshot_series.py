"""Participation snapshots: the total's trend point beside the figures (the daily trend reads it alone)

Revision ID: 0045_snapshot_series
Revises: 0044_speech_judge_draft
Create Date: 2026-12-01 19:00:00

"""
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0045_snapshot_series'
down_revision = "0044_speech_judge_draft"
branch_labels = None
depends_on = None

snapshots = sa.table("participation_snapshots", sa.column("id", sa.Integer), sa.column("figures", sa.JSON),
                     sa.column("series", sa.JSON))


def _percent(rate):
    # The rule of app/participation/figures.py Rate.percent, frozen here as of this revision.
    if rate is None or not rate[1]:
        return None
    return str((Decimal(rate[0]) * 100 / Decimal(rate[1])).quantize(Decimal("0.1"), ROUND_HALF_UP))


def upgrade():
    with op.batch_alter_table('participation_snapshots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('series', sa.JSON(), nullable=True))
    connection = op.get_bind()
    for snapshot_id, figures in connection.execute(sa.select(snapshots.c.id, snapshots.c.figures)).all():
        total = (figures or {}).get("total")
        if not total:
            continue
        point = {"coverage": _percent(total["coverage"]), "any_one": _percent(total["any_one"])}
        point.update({key: _percent(value) for key, value in total["figures"].items()})
        connection.execute(sa.update(snapshots).where(snapshots.c.id == snapshot_id).values(series=point))


def downgrade():
    with op.batch_alter_table('participation_snapshots', schema=None) as batch_op:
        batch_op.drop_column('series')
