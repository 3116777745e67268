"""Awards and the members' vote of an exhibition.

- Award tiers per category (一等奖 1, 二等奖 3, 三等奖 5, 优秀奖 everyone left …), in order; only the
  last tier may leave its count empty.
- Result versions (公示 → 更正 → 最终): the awards of every category frozen as published, with the
  shared columns and lifecycle of events/judging/versions.py.
- The members' vote (人气奖): one settings row per exhibition (window, daily limit, closed for good,
  counts shown), one vote per member per work (unique in the database), and a per-member per-day
  counter the daily limit is enforced on with one conditional UPDATE (race-safe on PostgreSQL).
"""
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.common.clock import utcnow
from app.extensions import db
from events.exhibition.models import Exhibition, ExhibitionCategory, Work
from events.judging.versions import STATUS_CHECK, ResultVersionColumns

MAX_TIERS = 6
MAX_DAILY_VOTES = 100


class ExhibitionAwardTier(db.Model):
    __tablename__ = "exhibition_award_tiers"
    __table_args__ = (
        sa.UniqueConstraint("category_id", "position", name="uq_exhibition_award_tiers_position"),
        sa.UniqueConstraint("category_id", "name", name="uq_exhibition_award_tiers_name"),
        sa.CheckConstraint("award_count IS NULL OR award_count >= 0", name="award_count_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("exhibition_categories.id", ondelete="CASCADE"),
                                             index=True)
    position: Mapped[int] = mapped_column(sa.Integer)
    name: Mapped[str] = mapped_column(sa.String(30))
    award_count: Mapped[int | None] = mapped_column(sa.Integer)  # None: everyone left (last tier only)

    category: Mapped[ExhibitionCategory] = relationship()


class ExhibitionResultVersion(ResultVersionColumns, db.Model):
    """A published version of the exhibition's awards; `standings` holds one row per ranked work of
    every category (see services/awards.py for its keys)."""

    __tablename__ = "exhibition_result_versions"
    __table_args__ = (
        sa.UniqueConstraint("exhibition_id", "version", name="uq_exhibition_result_versions_version"),
        sa.CheckConstraint(STATUS_CHECK, name="status_is_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exhibition_id: Mapped[int] = mapped_column(sa.ForeignKey("exhibitions.id", ondelete="CASCADE"), index=True)

    exhibition: Mapped[Exhibition] = relationship()


class ExhibitionVoting(db.Model):
    """The members' vote of an exhibition: open from opens_at to closes_at (or until closed early,
    for good), at most daily_limit votes per member per day; counts reach members only once
    counts_shown_at is set."""

    __tablename__ = "exhibition_votings"
    __table_args__ = (
        sa.CheckConstraint("closes_at > opens_at", name="closes_after_opening"),
        sa.CheckConstraint(f"daily_limit BETWEEN 1 AND {MAX_DAILY_VOTES}", name="daily_limit_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exhibition_id: Mapped[int] = mapped_column(sa.ForeignKey("exhibitions.id", ondelete="CASCADE"), unique=True)
    opens_at: Mapped[datetime] = mapped_column(sa.DateTime)  # UTC
    closes_at: Mapped[datetime] = mapped_column(sa.DateTime)  # UTC
    daily_limit: Mapped[int] = mapped_column(sa.Integer, default=3)
    closed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)  # closed early by the organiser
    counts_shown_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    exhibition: Mapped[Exhibition] = relationship()


class ExhibitionVote(db.Model):
    __tablename__ = "exhibition_votes"
    __table_args__ = (
        sa.UniqueConstraint("work_id", "voter_id", name="uq_exhibition_votes_work_voter"),
        sa.Index("ix_exhibition_votes_exhibition_voter", "exhibition_id", "voter_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    exhibition_id: Mapped[int] = mapped_column(sa.ForeignKey("exhibitions.id", ondelete="CASCADE"))
    work_id: Mapped[int] = mapped_column(sa.ForeignKey("exhibition_works.id", ondelete="CASCADE"), index=True)
    voter_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(sa.Date)  # Asia/Shanghai day the vote counts against
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    work: Mapped[Work] = relationship()


class ExhibitionVoteDay(db.Model):
    """How many votes a member has cast in an exhibition on a day (the daily limit's counter)."""

    __tablename__ = "exhibition_vote_days"
    __table_args__ = (sa.CheckConstraint("used >= 0", name="used_positive"),)

    exhibition_id: Mapped[int] = mapped_column(sa.ForeignKey("exhibitions.id", ondelete="CASCADE"),
                                               primary_key=True)
    voter_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    used: Mapped[int] = mapped_column(sa.Integer, default=0)
