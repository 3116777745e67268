"""Exhibition awards: judges' copies of images

Revision ID: 0041_exhibition_awards
Revises: 0040_exhibition_rounds
Create Date: 2026-12-01 15:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0041_exhibition_awards'
down_revision = "0040_exhibition_rounds"  # merged h-exh-rounds; the lead re-chains
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('exhibition_work_images', schema=None) as batch_op:
        batch_op.add_column(sa.Column('judge_file', sa.String(length=80), nullable=True))


def downgrade():
    with op.batch_alter_table('exhibition_work_images', schema=None) as batch_op:
        batch_op.drop_column('judge_file')
