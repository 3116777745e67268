"""Score sheets (评分表) as stored, shared by the speech contest and the exhibition: the columns every
sheet and sheet version has, as declarative mixins each feature puts on its own tables (real foreign
keys to its own judges and subjects), and the stored form of a sheet's scores.

Lifecycle (the rules live in the functions that feature services call):
- a sheet exists only once a judge submits it (drafts stay on the judge's device); one per judge and
  subject, by a unique constraint on the feature's table;
- submitted means locked: re-sending the same scores answers with the stored sheet, different scores
  are refused until an organiser or chief judge unlocks it with a reason;
- every submitted state is kept as a version row (1, 2, …), so corrections are visible in full;
- `source` says how the scores arrived: from the judge's device, or entered by an organiser from the
  judge's paper sheet (代录), naming the paper as the source.
"""
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from app.common.clock import utcnow

SHEET_SOURCES = ("device", "paper")  # the judge's tablet or phone; 代录 from the paper sheet
SCORE_TYPE = sa.Numeric(9, 3)  # a criterion or a sheet total: up to 999999.999, steps of 0.01 or 0.1


def stored_scores(scores: Mapping[str, Decimal]) -> dict[str, str]:
    """Scores as stored in a sheet's JSON column: criterion name → the Decimal's exact string."""
    return {name: format(Decimal(value), "f") for name, value in scores.items()}


def loaded_scores(stored: Mapping[str, str] | None) -> dict[str, Decimal]:
    """A sheet's stored scores back as Decimals (never through float)."""
    return {name: Decimal(value) for name, value in (stored or {}).items()}


class SheetColumns:
    """What a submitted sheet holds, whatever it scores: the per-criterion scores, their total, who
    entered it from where, the version, and whether it is locked."""

    scores: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # stored_scores(): name → "12.5"
    total: Mapped[Decimal] = mapped_column(SCORE_TYPE)
    notes: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # criterion → note for a soft-range confirm
    version: Mapped[int] = mapped_column(sa.Integer, default=1)
    locked: Mapped[bool] = mapped_column(sa.Boolean, default=True, server_default=sa.true())
    source: Mapped[str] = mapped_column(sa.String(8), default="device")
    submitted_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    @declared_attr
    def entered_by_id(cls) -> Mapped[int | None]:
        return mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    @declared_attr
    def unlocked_by_id(cls) -> Mapped[int | None]:
        return mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    unlocked_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    unlock_reason: Mapped[str | None] = mapped_column(sa.String(200))

    @property
    def score_values(self) -> dict[str, Decimal]:
        return loaded_scores(self.scores)


class SheetVersionColumns:
    """One submitted state of a sheet, kept when it is replaced after an unlock (and for the first)."""

    version: Mapped[int] = mapped_column(sa.Integer)
    scores: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    total: Mapped[Decimal] = mapped_column(SCORE_TYPE)
    notes: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    source: Mapped[str] = mapped_column(sa.String(8), default="device")
    submitted_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    @declared_attr
    def entered_by_id(cls) -> Mapped[int | None]:
        return mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    # Why this version was replaced (the unlock reason), filled when the next version arrives.
    superseded_reason: Mapped[str | None] = mapped_column(sa.String(200))
