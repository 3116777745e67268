"""Join the two exhibition heads (rounds 0040, awards 0041), both made on 0020_exhibition

Revision ID: 0042_exhibition_merge
Revises: 0040_exhibition_rounds, 0041_exhibition_awards
Create Date: 2026-12-01 16:24:00

The lead re-chains the exhibition migrations at merge; until then this empty merge keeps one head.
"""

revision = "0042_exhibition_merge"
down_revision = ("0040_exhibition_rounds", "0041_exhibition_awards")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
