"""Participation: membership history (member_periods), per-campaign figure settings, daily snapshots

Revision ID: 0030_participation
Revises: 0021_speech_views
Create Date: 2026-12-01 15:05:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0030_participation'
down_revision = "0021_speech_views"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('member_periods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('branch_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('valid_from', sa.DateTime(), nullable=False),
    sa.Column('valid_to', sa.DateTime(), nullable=True),
    sa.CheckConstraint('valid_to IS NULL OR valid_to >= valid_from', name=op.f('ck_member_periods_ends_after_start')),
    sa.ForeignKeyConstraint(['branch_id'], ['units.id'], name=op.f('fk_member_periods_branch_id_units'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_member_periods_unit_id_units'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_member_periods_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_periods'))
    )
    with op.batch_alter_table('member_periods', schema=None) as batch_op:
        batch_op.create_index('ix_member_periods_unit_from', ['unit_id', 'valid_from'], unique=False)
        batch_op.create_index('ix_member_periods_user_from', ['user_id', 'valid_from'], unique=False)
        batch_op.create_index('uq_member_periods_open_user', ['user_id'], unique=True,
                              sqlite_where=sa.text('valid_to IS NULL'), postgresql_where=sa.text('valid_to IS NULL'))

    op.create_table('participation_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('target_rate', sa.Numeric(precision=5, scale=1), nullable=True),
    sa.Column('weight', sa.Numeric(precision=6, scale=2), nullable=False),
    sa.Column('counts_for_coverage', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('target_rate IS NULL OR (target_rate >= 0 AND target_rate <= 100)', name=op.f('ck_participation_settings_target_rate_range')),
    sa.CheckConstraint('weight >= 0', name=op.f('ck_participation_settings_weight_not_negative')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_participation_settings_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_participation_settings_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participation_settings')),
    sa.UniqueConstraint('campaign_id', 'key', name='uq_participation_settings_campaign_key')
    )
    with op.batch_alter_table('participation_settings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participation_settings_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('participation_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('as_of', sa.DateTime(), nullable=False),
    sa.Column('taken_at', sa.DateTime(), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_participation_snapshots_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participation_snapshots')),
    sa.UniqueConstraint('campaign_id', 'day', name='uq_participation_snapshots_campaign_day')
    )
    with op.batch_alter_table('participation_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participation_snapshots_campaign_id'), ['campaign_id'], unique=False)

    # One open period per existing user, from when they joined the roster.
    op.execute("INSERT INTO member_periods (user_id, unit_id, branch_id, active, valid_from, valid_to) "
               "SELECT id, unit_id, branch_id, active, created_at, NULL FROM users")


def downgrade():
    with op.batch_alter_table('participation_snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participation_snapshots_campaign_id'))
    op.drop_table('participation_snapshots')
    with op.batch_alter_table('participation_settings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participation_settings_campaign_id'))
    op.drop_table('participation_settings')
    with op.batch_alter_table('member_periods', schema=None) as batch_op:
        batch_op.drop_index('uq_member_periods_open_user', sqlite_where=sa.text('valid_to IS NULL'),
                            postgresql_where=sa.text('valid_to IS NULL'))
        batch_op.drop_index('ix_member_periods_user_from')
        batch_op.drop_index('ix_member_periods_unit_from')
    op.drop_table('member_periods')
