"""meetings and QR check-in (issue 12): party groups and the 支委 flag on the roster, check-in events,
invitee snapshots, check-ins, pending scans, failures, leave, exemptions, stewards, member codes,
throttles and meeting records and photos

Revision ID: 0010_checkin
Revises: 0003_hostile
Create Date: 2026-12-01 11:48:51

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010_checkin'
down_revision = "0007_speech"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('checkin_throttles',
    sa.Column('key', sa.String(length=128), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.Column('window_started_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_checkin_throttles'))
    )
    op.create_table('party_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('sort_order', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['units.id'], name=op.f('fk_party_groups_branch_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_party_groups')),
    sa.UniqueConstraint('branch_id', 'name', name='uq_party_groups_branch_id_name')
    )
    with op.batch_alter_table('party_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_party_groups_branch_id'), ['branch_id'], unique=False)

    op.create_table('checkin_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('event_type', sa.String(length=16), nullable=False),
    sa.Column('place', sa.String(length=120), nullable=False),
    sa.Column('host_unit_id', sa.Integer(), nullable=True),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('opens_minutes_before', sa.Integer(), server_default='30', nullable=False),
    sa.Column('late_at', sa.DateTime(), nullable=False),
    sa.Column('closes_at', sa.DateTime(), nullable=False),
    sa.Column('sign_out_opens_at', sa.DateTime(), nullable=True),
    sa.Column('sign_out_closes_at', sa.DateTime(), nullable=True),
    sa.Column('invitee_scope', sa.String(length=16), server_default='everyone', nullable=False),
    sa.Column('invitee_statuses', sa.JSON(), nullable=False),
    sa.Column('committee_only', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('allow_static_code', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('static_code_version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('rotation_seconds', sa.Integer(), server_default='30', nullable=False),
    sa.Column('leave_days_after', sa.Integer(), server_default='3', nullable=False),
    sa.Column('snapshot_taken_at', sa.DateTime(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("event_type IN ('assembly', 'committee', 'group', 'lecture', 'report', 'contest', 'other')", name=op.f('ck_checkin_events_type_is_known')),
    sa.CheckConstraint("invitee_scope IN ('everyone', 'units', 'branches', 'groups', 'members')", name=op.f('ck_checkin_events_scope_is_known')),
    sa.CheckConstraint('(sign_out_opens_at IS NULL) = (sign_out_closes_at IS NULL) AND (sign_out_closes_at IS NULL OR sign_out_closes_at > sign_out_opens_at)', name=op.f('ck_checkin_events_sign_out_window')),
    sa.CheckConstraint('capacity IS NULL OR capacity > 0', name=op.f('ck_checkin_events_capacity_positive')),
    sa.CheckConstraint('closes_at >= late_at', name=op.f('ck_checkin_events_closes_after_late')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_checkin_events_ends_after_start')),
    sa.CheckConstraint('leave_days_after >= 0 AND leave_days_after <= 60', name=op.f('ck_checkin_events_leave_days_in_range')),
    sa.CheckConstraint('opens_minutes_before >= 0 AND opens_minutes_before <= 1440', name=op.f('ck_checkin_events_opens_in_range')),
    sa.CheckConstraint('rotation_seconds >= 10 AND rotation_seconds <= 600', name=op.f('ck_checkin_events_rotation_in_range')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_checkin_events_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_checkin_events_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['host_unit_id'], ['units.id'], name=op.f('fk_checkin_events_host_unit_id_units'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin_events'))
    )
    with op.batch_alter_table('checkin_events', schema=None) as batch_op:
        batch_op.create_index('ix_checkin_events_campaign_starts', ['campaign_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkin_events_host_unit_id'), ['host_unit_id'], unique=False)

    op.create_table('checkin_member_codes',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('reissued_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_checkin_member_codes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_checkin_member_codes'))
    )
    op.create_table('checkin_event_groups',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('party_group_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['checkin_events.id'], name=op.f('fk_checkin_event_groups_event_id_checkin_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['party_group_id'], ['party_groups.id'], name=op.f('fk_checkin_event_groups_party_group_id_party_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'party_group_id', name=op.f('pk_checkin_event_groups'))
    )
    op.create_table('checkin_event_members',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['checkin_events.id'], name=op.f('fk_checkin_event_members_event_id_checkin_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_checkin_event_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'user_id', name=op.f('pk_checkin_event_members'))
    )
    op.create_table('checkin_event_units',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['checkin_events.id'], name=op.f('fk_checkin_event_units_event_id_checkin_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_checkin_event_units_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'unit_id', name=op.f('pk_checkin_event_units'))
    )
    op.create_table('checkin_exemptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_checkin_exemptions_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['checkin_events.id'], name=op.f('fk_checkin_exemptions_event_id_checkin_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_checkin_exemptions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin_exemptions')),
    sa.UniqueConstraint('event_id', 'user_id', name='uq_checkin_exemptions_event_id_user_id')
    )
    with op.batch_alter_table('checkin_exemptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkin_exemptions_user_id'), ['user_id'], unique=False)

    op.create_table('checkin_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('device_key', sa.String(length=64), nullable=True),
    sa.Column('address', sa.String(length=64), nullable=True),
    sa.Column('detail', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("reason IN ('expired', 'invalid', 'revoked', 'wrong_event', 'not_invited', 'not_open', 'closed', 'static_off', 'pending_lost', 'inactive', 'rate_limited')", name=op.f('ck_checkin_failures_reason_is_known')),
    sa.ForeignKeyConstraint(['event_id'], ['checkin_events.id'], name=op.f('fk_checkin_failures_event_id_checkin_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_checkin_failures_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_checkin_failures_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin_failures'))
    )
    with op.batch_alter_table('checkin_failures', schema=None) as batch_op:
        batch_op.create_index('ix_checkin_failures_event_created', ['event_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkin_failures_user_id'), ['user_id'], unique=False)

    op.create_table('checkin_invitees',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('branch_id', sa.Integer(), nullable=True),
    sa.Column('party_group_id', sa.Integer(), nullable=True),
    sa.Column('political_status', sa.String(length=16), nullable=True),
    sa.Column('is_branch_committee', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('source', sa.String(length=8), server_default='rule', nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("source IN ('rule', 'added')", name=op.f('ck_checkin_invitees_source_is_known')),
    sa.ForeignKeyConstraint(['branch_id'], ['units.id'], name=op.f('fk_checkin_invitees_branch_id_units'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['checkin_events.id'], name=op.f('fk_checkin_invitees_event_id_checkin_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['party_group_id'], ['party_groups.id'], name=op.f('fk_checkin_invitees_party_group_id_party_groups'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_checkin_invitees_unit_id_units'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_checkin_invitees_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'user_id', name=op.f('pk_checkin_invitees'))
    )
    with op.batch_alter_table('checkin_invitees', schema=None) as batch_op:
        batch_op.create_index('ix_checkin_invitees_event_unit', ['event_id', 'unit_id', 'branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkin_invitees_user_id'), ['user_id'], unique=False)

    op.create_table('checkin_leaves',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_note', sa.String(length=200), nullable=False),
    sa.CheckConstraint("kind IN ('leave', 'official')", name=op.f('ck_checkin_leaves_kind_is_known')),
    sa.CheckConstraint("status IN ('pending', 'approved', 'rejected', 'withdrawn')", name=op.f('ck_checkin_leaves_status_is_known')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_checkin_leaves_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['checkin_events.id'], name=op.f('fk_checkin_leaves_event_id_checkin_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_checkin_leaves_requested_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_checkin_leaves_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin_leaves')),
    sa.UniqueConstraint('event_id', 'user_id', name='uq_checkin_leaves_event_id_user_id')
    )
    with op.batch_alter_table('checkin_leaves', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkin_leaves_user_id'), ['user_id'], unique=False)

    op.create_table('checkin_minutes',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('host', sa.String(length=64), nullable=False),
    sa.Column('recorder', sa.String(length=64), nullable=False),
    sa.Column('topics', sa.Text(), nullable=False),
    sa.Column('minutes', sa.Text(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['checkin_events.id'], name=op.f('fk_checkin_minutes_event_id_checkin_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_checkin_minutes_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('event_id', name=op.f('pk_checkin_minutes'))
    )
    op.create_table('checkin_pending',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('token_issued_at', sa.DateTime(), nullable=True),
    sa.Column('flag_token_tail', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('device_key', sa.String(length=64), nullable=True),
    sa.Column('address', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('check_in', 'sign_out')", name=op.f('ck_checkin_pending_kind_is_known')),
    sa.CheckConstraint("method IN ('venue_code', 'static_code')", name=op.f('ck_checkin_pending_method_is_code')),
    sa.ForeignKeyConstraint(['event_id'], ['checkin_events.id'], name=op.f('fk_checkin_pending_event_id_checkin_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_checkin_pending_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin_pending'))
    )
    with op.batch_alter_table('checkin_pending', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkin_pending_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkin_pending_expires_at'), ['expires_at'], unique=False)

    op.create_table('checkin_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=64), nullable=False),
    sa.Column('original_name', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=32), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['checkin_events.id'], name=op.f('fk_checkin_photos_event_id_checkin_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_checkin_photos_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin_photos')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_checkin_photos_stored_name'))
    )
    with op.batch_alter_table('checkin_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkin_photos_event_id'), ['event_id'], unique=False)

    op.create_table('checkin_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('checked_at', sa.DateTime(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('device_key', sa.String(length=64), nullable=True),
    sa.Column('address', sa.String(length=64), nullable=True),
    sa.Column('flag_shared_device', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('flag_token_tail', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.CheckConstraint("kind IN ('check_in', 'sign_out')", name=op.f('ck_checkin_records_kind_is_known')),
    sa.CheckConstraint("method IN ('venue_code', 'static_code', 'member_code', 'manual', 'paper')", name=op.f('ck_checkin_records_method_is_known')),
    sa.ForeignKeyConstraint(['event_id'], ['checkin_events.id'], name=op.f('fk_checkin_records_event_id_checkin_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_checkin_records_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_checkin_records_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin_records')),
    sa.UniqueConstraint('event_id', 'user_id', 'kind', name='uq_checkin_records_event_user_kind')
    )
    with op.batch_alter_table('checkin_records', schema=None) as batch_op:
        batch_op.create_index('ix_checkin_records_event_device', ['event_id', 'device_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkin_records_user_id'), ['user_id'], unique=False)

    op.create_table('checkin_stewards',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_checkin_stewards_assigned_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['checkin_events.id'], name=op.f('fk_checkin_stewards_event_id_checkin_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_checkin_stewards_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'user_id', name=op.f('pk_checkin_stewards'))
    )
    with op.batch_alter_table('checkin_stewards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkin_stewards_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('party_group_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('is_branch_committee', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index(batch_op.f('ix_users_party_group_id'), ['party_group_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_users_party_group_id_party_groups'), 'party_groups', ['party_group_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_party_group_id_party_groups'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_users_party_group_id'))
        batch_op.drop_column('is_branch_committee')
        batch_op.drop_column('party_group_id')

    with op.batch_alter_table('checkin_stewards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkin_stewards_user_id'))

    op.drop_table('checkin_stewards')
    with op.batch_alter_table('checkin_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkin_records_user_id'))
        batch_op.drop_index('ix_checkin_records_event_device')

    op.drop_table('checkin_records')
    with op.batch_alter_table('checkin_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkin_photos_event_id'))

    op.drop_table('checkin_photos')
    with op.batch_alter_table('checkin_pending', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkin_pending_expires_at'))
        batch_op.drop_index(batch_op.f('ix_checkin_pending_event_id'))

    op.drop_table('checkin_pending')
    op.drop_table('checkin_minutes')
    with op.batch_alter_table('checkin_leaves', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkin_leaves_user_id'))

    op.drop_table('checkin_leaves')
    with op.batch_alter_table('checkin_invitees', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkin_invitees_user_id'))
        batch_op.drop_index('ix_checkin_invitees_event_unit')

    op.drop_table('checkin_invitees')
    with op.batch_alter_table('checkin_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkin_failures_user_id'))
        batch_op.drop_index('ix_checkin_failures_event_created')

    op.drop_table('checkin_failures')
    with op.batch_alter_table('checkin_exemptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkin_exemptions_user_id'))

    op.drop_table('checkin_exemptions')
    op.drop_table('checkin_event_units')
    op.drop_table('checkin_event_members')
    op.drop_table('checkin_event_groups')
    op.drop_table('checkin_member_codes')
    with op.batch_alter_table('checkin_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkin_events_host_unit_id'))
        batch_op.drop_index('ix_checkin_events_campaign_starts')

    op.drop_table('checkin_events')
    with op.batch_alter_table('party_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_party_groups_branch_id'))

    op.drop_table('party_groups')
    op.drop_table('checkin_throttles')
