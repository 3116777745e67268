"""Speech judges: the draft a tablet reports holding (for the host console)

Revision ID: 0044_speech_judge_draft
Revises: 0041_exhibition_awards
Create Date: 2026-12-01 16:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0044_speech_judge_draft'
down_revision = "0041_exhibition_awards"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('speech_judges', schema=None) as batch_op:
        batch_op.add_column(sa.Column('draft_slot_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('draft_seen_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_speech_judges_draft_slot_id_speech_slots'), 'speech_slots',
                                    ['draft_slot_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('speech_judges', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_speech_judges_draft_slot_id_speech_slots'), type_='foreignkey')
        batch_op.drop_column('draft_seen_at')
        batch_op.drop_column('draft_slot_id')
