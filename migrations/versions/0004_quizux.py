"""attempt items remember which answering page saved them; attempts remember their mistakes are booked

Revision ID: 0003_quizux
Revises: 0003_sessions
Create Date: 2026-12-01 09:40:00

Two phones (or tabs) on one attempt each count their own saves; the stored answer keeps the id of
the page that wrote it, so a late resend from that page loses while a change from another page wins.
A contest attempt's wrong answers go into the member's 错题本 once, when its review rules allow.
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_quizux'
down_revision = "0003_sessions"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('quiz_attempt_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('response_page', sa.String(length=16), nullable=True))
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mistakes_booked', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_column('mistakes_booked')
    with op.batch_alter_table('quiz_attempt_items', schema=None) as batch_op:
        batch_op.drop_column('response_page')
