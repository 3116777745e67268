"""server-side login sessions; login throttle strikes

Revision ID: 0003_sessions
Revises: 0002
Create Date: 2026-12-01 09:40:00

Each sign-in gets a login_sessions row (the cookie carries a random token, the row its SHA-256), so
logout, a password change or reset and 退出所有设备 end sessions on the server. Throttle rows count
their locks (strikes) so that each lock lasts longer than the one before.
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_sessions'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'login_sessions',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=False),
        sa.Column('idle_seconds', sa.Integer(), nullable=False),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_login_sessions_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_sessions')),
    )
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_sessions_user_id'), ['user_id'], unique=False)
    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('strikes', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('login_throttles', schema=None) as batch_op:
        batch_op.drop_column('strikes')
    with op.batch_alter_table('login_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_sessions_user_id'))
    op.drop_table('login_sessions')
