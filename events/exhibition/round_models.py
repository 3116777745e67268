"""Judging rounds of an exhibition (初评 → 复评 → 终评): the rounds, their categories and judges, the
assignments made when a round opens, the judges' sheets (events/judging/sheets.py columns and
lifecycle) and the results frozen when a round closes.

Uniqueness lives in the database: one judge row per (round, user), one assignment and one sheet per
(round, work, judge), one result per (round, work), one round per position in an exhibition.
"""
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.common.clock import utcnow
from app.extensions import db
from events.exhibition.models import Exhibition, ExhibitionCategory, Work
from events.judging.sheets import SheetColumns, SheetVersionColumns

ROUND_METHODS = ("shortlist", "score", "criteria", "ranking")
SCORING_METHODS = ("score", "criteria")
ROUND_STATUSES = ("draft", "open", "closed")
# threshold: score (or yes votes for a shortlist) at least the value; top: the best N per category;
# none: the last round, nobody advances.
ADVANCE_KINDS = ("threshold", "top", "none")
MAX_RANKING_WORKS = 50

round_categories = sa.Table(
    "exhibition_round_categories", db.metadata,
    sa.Column("round_id", sa.ForeignKey("exhibition_rounds.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("category_id", sa.ForeignKey("exhibition_categories.id", ondelete="CASCADE"), primary_key=True),
)


class ExhibitionRound(db.Model):
    """One judging round: its method, quorum (judges per work), advancement rule, what judges see,
    and its status draft → open → closed (close_reason when closed with missing scores)."""

    __tablename__ = "exhibition_rounds"
    __table_args__ = (
        sa.UniqueConstraint("exhibition_id", "position", name="uq_exhibition_rounds_position"),
        sa.UniqueConstraint("exhibition_id", "name", name="uq_exhibition_rounds_name"),
        sa.CheckConstraint("method IN ('shortlist', 'score', 'criteria', 'ranking')", name="method_is_known"),
        sa.CheckConstraint("status IN ('draft', 'open', 'closed')", name="status_is_known"),
        sa.CheckConstraint("advance_kind IN ('threshold', 'top', 'none')", name="advance_kind_is_known"),
        sa.CheckConstraint("quorum BETWEEN 1 AND 50", name="quorum_range"),
        sa.CheckConstraint("position > 0", name="position_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exhibition_id: Mapped[int] = mapped_column(sa.ForeignKey("exhibitions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(sa.Integer)  # 1 初评, 2 复评, 3 终评 …
    name: Mapped[str] = mapped_column(sa.String(40))
    method: Mapped[str] = mapped_column(sa.String(10), default="score")
    step: Mapped[Decimal] = mapped_column(sa.Numeric(4, 2), default=Decimal("0.1"))  # the score method's step
    criteria: Mapped[list] = mapped_column(sa.JSON, default=list)  # the criteria method's sheet
    trim_from: Mapped[int] = mapped_column(sa.Integer, default=5)
    trim_each_end: Mapped[int] = mapped_column(sa.Integer, default=1)
    quorum: Mapped[int] = mapped_column(sa.Integer, default=3)
    advance_kind: Mapped[str] = mapped_column(sa.String(10), default="top")
    advance_value: Mapped[Decimal | None] = mapped_column(sa.Numeric(9, 3))
    shows_names: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    shows_description: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    allows_originals: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    status: Mapped[str] = mapped_column(sa.String(8), default="draft")
    opened_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    close_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    exhibition: Mapped[Exhibition] = relationship()
    categories: Mapped[list[ExhibitionCategory]] = relationship(secondary=round_categories,
                                                                order_by="ExhibitionCategory.position")
    judges: Mapped[list["ExhibitionRoundJudge"]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="ExhibitionRoundJudge.id")

    @property
    def is_scoring(self) -> bool:
        return self.method in SCORING_METHODS

    @property
    def category_ids(self) -> list[int]:
        return [category.id for category in self.categories]


class ExhibitionRoundJudge(db.Model):
    """A judge of a round. Removed mid-round: `removed_at` set, their submitted sheets still count and
    their unfinished works go to other judges."""

    __tablename__ = "exhibition_round_judges"
    __table_args__ = (sa.UniqueConstraint("round_id", "user_id", name="uq_exhibition_round_judges_round_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("exhibition_rounds.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    added_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)

    round: Mapped[ExhibitionRound] = relationship(back_populates="judges")
    user: Mapped[User] = relationship()

    @property
    def active(self) -> bool:
        return self.removed_at is None


class ExhibitionAssignment(db.Model):
    """A work given to a judge in a round (made when the round opens, or by a mid-round change)."""

    __tablename__ = "exhibition_assignments"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "work_id", "judge_id", name="uq_exhibition_assignments_round_work_judge"),
        sa.Index("ix_exhibition_assignments_round_judge", "round_id", "judge_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("exhibition_rounds.id", ondelete="CASCADE"))
    work_id: Mapped[int] = mapped_column(sa.ForeignKey("exhibition_works.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(sa.ForeignKey("exhibition_round_judges.id", ondelete="CASCADE"),
                                          index=True)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    work: Mapped[Work] = relationship()
    judge: Mapped[ExhibitionRoundJudge] = relationship()


class ExhibitionSheet(SheetColumns, db.Model):
    """A judge's submitted sheet for a work in a round (shortlist {"入选": 1|0}, score {"得分": …},
    criteria {criterion: …}, ranking {"名次": n}); locked once submitted."""

    __tablename__ = "exhibition_sheets"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "work_id", "judge_id", name="uq_exhibition_sheets_round_work_judge"),
        sa.CheckConstraint("source IN ('device', 'paper')", name="source_is_known"),
        sa.CheckConstraint("version > 0", name="version_positive"),
        sa.Index("ix_exhibition_sheets_round_judge", "round_id", "judge_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("exhibition_rounds.id", ondelete="CASCADE"))
    work_id: Mapped[int] = mapped_column(sa.ForeignKey("exhibition_works.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(sa.ForeignKey("exhibition_round_judges.id", ondelete="CASCADE"),
                                          index=True)

    judge: Mapped[ExhibitionRoundJudge] = relationship()
    versions: Mapped[list["ExhibitionSheetVersion"]] = relationship(
        back_populates="sheet", order_by="ExhibitionSheetVersion.version", cascade="all, delete-orphan")


class ExhibitionSheetVersion(SheetVersionColumns, db.Model):
    __tablename__ = "exhibition_sheet_versions"
    __table_args__ = (sa.UniqueConstraint("sheet_id", "version", name="uq_exhibition_sheet_versions_sheet_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(sa.ForeignKey("exhibition_sheets.id", ondelete="CASCADE"), index=True)

    sheet: Mapped[ExhibitionSheet] = relationship(back_populates="versions")


class ExhibitionRoundResult(db.Model):
    """A work's result in a round, frozen when the round closes: the exact value (trimmed mean, yes
    votes or mean rank position) as text, its rank in the category, whether it advances, and
    whether every assigned judge scored it (`final`)."""

    __tablename__ = "exhibition_round_results"
    __table_args__ = (sa.UniqueConstraint("round_id", "work_id", name="uq_exhibition_round_results_round_work"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("exhibition_rounds.id", ondelete="CASCADE"), index=True)
    work_id: Mapped[int] = mapped_column(sa.ForeignKey("exhibition_works.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("exhibition_categories.id", ondelete="CASCADE"))
    exact: Mapped[str | None] = mapped_column(sa.String(80))  # Decimal text, every digit kept
    display: Mapped[str] = mapped_column(sa.String(40), default="")
    rank: Mapped[int | None] = mapped_column(sa.Integer)
    advanced: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    final: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    sheets: Mapped[int] = mapped_column(sa.Integer, default=0)
    expected: Mapped[int] = mapped_column(sa.Integer, default=0)

    work: Mapped[Work] = relationship()

    @property
    def exact_value(self) -> Decimal | None:
        return None if self.exact is None else Decimal(self.exact)
