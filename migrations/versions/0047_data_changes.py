"""Data changes: the keys each committed transaction wrote under a logged data version (the
participation engine reads again only the members a roster write changed)

Revision ID: 0047_data_changes
Revises: 0046_data_versions
Create Date: 2026-12-02 19:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0047_data_changes"
down_revision = "0046_data_versions"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "data_changes",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("version", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("keys", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("name", "version", name=op.f("pk_data_changes")),
    )


def downgrade():
    op.drop_table("data_changes")
