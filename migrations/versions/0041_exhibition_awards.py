"""Exhibition awards: judges' copies of images, award tiers, result versions, members' vote

Revision ID: 0041_exhibition_awards
Revises: 0040_exhibition_rounds
Create Date: 2026-12-01 15:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0041_exhibition_awards'
down_revision = "0040_exhibition_rounds"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('exhibition_work_images', schema=None) as batch_op:
        batch_op.add_column(sa.Column('judge_file', sa.String(length=80), nullable=True))
    op.create_table('exhibition_votings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exhibition_id', sa.Integer(), nullable=False),
    sa.Column('opens_at', sa.DateTime(), nullable=False),
    sa.Column('closes_at', sa.DateTime(), nullable=False),
    sa.Column('daily_limit', sa.Integer(), nullable=False),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('counts_shown_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('closes_at > opens_at', name=op.f('ck_exhibition_votings_closes_after_opening')),
    sa.CheckConstraint('daily_limit BETWEEN 1 AND 100', name=op.f('ck_exhibition_votings_daily_limit_range')),
    sa.ForeignKeyConstraint(['exhibition_id'], ['exhibitions.id'], name=op.f('fk_exhibition_votings_exhibition_id_exhibitions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exhibition_votings')),
    sa.UniqueConstraint('exhibition_id', name=op.f('uq_exhibition_votings_exhibition_id'))
    )
    op.create_table('exhibition_award_tiers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=30), nullable=False),
    sa.Column('award_count', sa.Integer(), nullable=True),
    sa.CheckConstraint('award_count IS NULL OR award_count >= 0', name=op.f('ck_exhibition_award_tiers_award_count_positive')),
    sa.ForeignKeyConstraint(['category_id'], ['exhibition_categories.id'], name=op.f('fk_exhibition_award_tiers_category_id_exhibition_categories'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exhibition_award_tiers')),
    sa.UniqueConstraint('category_id', 'name', name='uq_exhibition_award_tiers_name'),
    sa.UniqueConstraint('category_id', 'position', name='uq_exhibition_award_tiers_position')
    )
    with op.batch_alter_table('exhibition_award_tiers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exhibition_award_tiers_category_id'), ['category_id'], unique=False)

    op.create_table('exhibition_result_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exhibition_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=False),
    sa.Column('notice_until', sa.Date(), nullable=True),
    sa.Column('correction_note', sa.Text(), nullable=False),
    sa.Column('finalised_at', sa.DateTime(), nullable=True),
    sa.Column('standings', sa.JSON(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('finalised_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('published', 'final')", name=op.f('ck_exhibition_result_versions_status_is_known')),
    sa.ForeignKeyConstraint(['exhibition_id'], ['exhibitions.id'], name=op.f('fk_exhibition_result_versions_exhibition_id_exhibitions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['finalised_by_id'], ['users.id'], name=op.f('fk_exhibition_result_versions_finalised_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_exhibition_result_versions_published_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exhibition_result_versions')),
    sa.UniqueConstraint('exhibition_id', 'version', name='uq_exhibition_result_versions_version')
    )
    with op.batch_alter_table('exhibition_result_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exhibition_result_versions_exhibition_id'), ['exhibition_id'], unique=False)

    op.create_table('exhibition_vote_days',
    sa.Column('exhibition_id', sa.Integer(), nullable=False),
    sa.Column('voter_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('used', sa.Integer(), nullable=False),
    sa.CheckConstraint('used >= 0', name=op.f('ck_exhibition_vote_days_used_positive')),
    sa.ForeignKeyConstraint(['exhibition_id'], ['exhibitions.id'], name=op.f('fk_exhibition_vote_days_exhibition_id_exhibitions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['voter_id'], ['users.id'], name=op.f('fk_exhibition_vote_days_voter_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('exhibition_id', 'voter_id', 'day', name=op.f('pk_exhibition_vote_days'))
    )
    op.create_table('exhibition_votes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exhibition_id', sa.Integer(), nullable=False),
    sa.Column('work_id', sa.Integer(), nullable=False),
    sa.Column('voter_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['exhibition_id'], ['exhibitions.id'], name=op.f('fk_exhibition_votes_exhibition_id_exhibitions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['voter_id'], ['users.id'], name=op.f('fk_exhibition_votes_voter_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['work_id'], ['exhibition_works.id'], name=op.f('fk_exhibition_votes_work_id_exhibition_works'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exhibition_votes')),
    sa.UniqueConstraint('work_id', 'voter_id', name='uq_exhibition_votes_work_voter')
    )
    with op.batch_alter_table('exhibition_votes', schema=None) as batch_op:
        batch_op.create_index('ix_exhibition_votes_exhibition_voter', ['exhibition_id', 'voter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exhibition_votes_work_id'), ['work_id'], unique=False)


def downgrade():
    with op.batch_alter_table('exhibition_votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exhibition_votes_work_id'))
        batch_op.drop_index('ix_exhibition_votes_exhibition_voter')

    op.drop_table('exhibition_votes')
    op.drop_table('exhibition_vote_days')
    with op.batch_alter_table('exhibition_result_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exhibition_result_versions_exhibition_id'))

    op.drop_table('exhibition_result_versions')
    with op.batch_alter_table('exhibition_award_tiers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exhibition_award_tiers_category_id'))

    op.drop_table('exhibition_award_tiers')
    op.drop_table('exhibition_votings')
    with op.batch_alter_table('exhibition_work_images', schema=None) as batch_op:
        batch_op.drop_column('judge_file')
