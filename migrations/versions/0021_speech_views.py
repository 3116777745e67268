"""Speech rounds: a live state version per view (big screen, audience) beside the full one

Revision ID: 0021_speech_views
Revises: 0020_exhibition
Create Date: 2026-12-01 15:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021_speech_views'
down_revision = "0020_exhibition"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('speech_rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('screen_version', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('audience_version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('speech_rounds', schema=None) as batch_op:
        batch_op.drop_column('audience_version')
        batch_op.drop_column('screen_version')
