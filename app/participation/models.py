"""Participation (issue 14). Core's tables come first: the membership history that attributes each
act of taking part to the unit of its time (member_periods), the per-campaign figure settings and the
daily snapshots. The input side's tables (exemptions, offline participation) follow at the end."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.common.clock import utcnow
from app.extensions import db


class MemberPeriod(db.Model):
    """One stretch of a member's roster state: unit, branch and active flag from valid_from (UTC) until
    valid_to (NULL: still open). Each user has at most one open period."""

    __tablename__ = "member_periods"
    __table_args__ = (
        sa.Index("uq_member_periods_open_user", "user_id", unique=True,
                 sqlite_where=sa.text("valid_to IS NULL"), postgresql_where=sa.text("valid_to IS NULL")),
        sa.Index("ix_member_periods_user_from", "user_id", "valid_from"),
        sa.Index("ix_member_periods_unit_from", "unit_id", "valid_from"),
        sa.CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id", ondelete="SET NULL"))
    branch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(sa.Boolean)
    valid_from: Mapped[datetime] = mapped_column(sa.DateTime)
    valid_to: Mapped[datetime | None] = mapped_column(sa.DateTime)

    def __repr__(self) -> str:
        return f"<MemberPeriod user={self.user_id} unit={self.unit_id} {self.valid_from}–{self.valid_to}>"


class ParticipationSetting(db.Model):
    """How one figure (a provider key) counts in one campaign: required for coverage, its target rate,
    its weight in the composite index, and whether it counts towards "took part in at least one"."""

    __tablename__ = "participation_settings"
    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "key", name="uq_participation_settings_campaign_key"),
        sa.CheckConstraint("target_rate IS NULL OR (target_rate >= 0 AND target_rate <= 100)",
                           name="target_rate_range"),
        sa.CheckConstraint("weight >= 0", name="weight_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(sa.String(64))
    required: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    target_rate: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 1))
    weight: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2), default=Decimal("1"))
    counts_for_coverage: Mapped[bool] = mapped_column(sa.Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))


class ParticipationSnapshot(db.Model):
    """The campaign's figures as they stood at the end of one day (Asia/Shanghai), as JSON."""

    __tablename__ = "participation_snapshots"
    __table_args__ = (sa.UniqueConstraint("campaign_id", "day", name="uq_participation_snapshots_campaign_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(sa.Date)
    as_of: Mapped[datetime] = mapped_column(sa.DateTime)
    taken_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    figures: Mapped[dict] = mapped_column(sa.JSON)


# ---- input side (helper stats-input): exemptions and offline participation below this line ----
