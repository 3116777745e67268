"""answers saved before the input boundary lose the characters no page can show

Revision ID: 0003_hostile
Revises: 0003_jobs
Create Date: 2026-12-01 10:00:00

Before the input boundary (app/common/inputs.py), a fill-in answer could be saved holding NUL, other
control characters or an unpaired surrogate, and the member's result page, the review and the
question analysis then failed for the whole quiz. This cleans the stored answers the way the
boundary now cleans new ones: controls dropped, surrogates become U+FFFD. Data only; no schema change.
"""
import re

import sqlalchemy as sa
from alembic import op

revision = '0003_hostile'
down_revision = "0003_jobs"
branch_labels = None
depends_on = None

# The same characters as app.common.text (copied: a migration must not change when the app does).
_HOSTILE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_TABLES = ('quiz_attempt_items', 'quiz_practice_answers')
BATCH = 2000


def _clean(value):
    if isinstance(value, str):
        return _HOSTILE.sub(lambda match: "\ufffd" if "\ud800" <= match.group() <= "\udfff" else "", value)
    if isinstance(value, list):
        return [_clean(item) for item in value]
    return value


def clean_stored_answers(connection) -> int:
    """Clean every stored response holding hostile text; returns how many were changed."""
    changed = 0
    for name in _TABLES:
        table = sa.table(name, sa.column('id', sa.Integer), sa.column('response', sa.JSON))
        last_id = 0
        while True:
            rows = connection.execute(sa.select(table.c.id, table.c.response).where(
                table.c.id > last_id, table.c.response.is_not(None)).order_by(table.c.id).limit(BATCH)).all()
            if not rows:
                break
            last_id = rows[-1].id
            for row in rows:
                cleaned = _clean(row.response)
                if cleaned != row.response:
                    connection.execute(table.update().where(table.c.id == row.id).values(response=cleaned))
                    changed += 1
    return changed


def upgrade():
    clean_stored_answers(op.get_bind())


def downgrade():
    pass  # the removed characters were never readable; there is nothing to put back
