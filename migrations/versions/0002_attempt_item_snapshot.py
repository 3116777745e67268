"""attempt items keep the question as shown and as marked

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 02:30:00

Each attempt item copies the question's stem and options when the attempt starts, and its answer
and explanation when it is marked, so editing a question later changes no paper already given.
Existing items are filled from their questions as they are now (the best record there is).
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('quiz_attempt_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stem', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('options', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('answer', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('explanation', sa.Text(), nullable=True))

    items = sa.table('quiz_attempt_items', sa.column('question_id', sa.Integer), sa.column('stem', sa.Text),
                     sa.column('options', sa.JSON), sa.column('answer', sa.JSON),
                     sa.column('explanation', sa.Text))
    questions = sa.table('questions', sa.column('id', sa.Integer), sa.column('stem', sa.Text),
                         sa.column('options', sa.JSON), sa.column('answer', sa.JSON),
                         sa.column('explanation', sa.Text))

    def copied(column):
        return sa.select(questions.c[column]).where(questions.c.id == items.c.question_id).scalar_subquery()

    op.execute(items.update().values(stem=copied('stem'), options=copied('options'), answer=copied('answer'),
                                     explanation=sa.func.coalesce(copied('explanation'), '')))


def downgrade():
    with op.batch_alter_table('quiz_attempt_items', schema=None) as batch_op:
        batch_op.drop_column('explanation')
        batch_op.drop_column('answer')
        batch_op.drop_column('options')
        batch_op.drop_column('stem')
