"""Data versions: a number per named set of tables, raised by every committed write to them (the
participation figures a worker keeps are checked against it)

Revision ID: 0046_data_versions
Revises: 0045_snapshot_series
Create Date: 2026-12-02 02:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0046_data_versions"
down_revision = "0045_snapshot_series"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "data_versions",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_data_versions")),
    )


def downgrade():
    op.drop_table("data_versions")
