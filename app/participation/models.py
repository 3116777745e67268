"""Participation (issue 14). Core's tables come first: the membership history that attributes each
act of taking part to the unit of its time (member_periods), the per-campaign figure settings and the
daily snapshots. The input side's tables (exemptions, offline participation) follow at the end."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
    # The total's trend point ({"coverage": "71.4", "any_one": …, key: … or null}), so the daily trend
    # reads a few bytes per day instead of parsing every unit's figures (NULL: taken before 0045).
    series: Mapped[dict | None] = mapped_column(sa.JSON)


# ---- input side (helper stats-input): exemptions and offline participation below this line ----


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


INPUT_STATUSES = ("pending", "approved", "rejected")
INPUT_STATUS_LABELS = {"pending": _l("待审核"), "approved": _l("已通过"), "rejected": _l("未通过")}
EXEMPTION_KINDS = ("sick_leave", "posted_out", "mobile_member", "other")
EXEMPTION_KIND_LABELS = {"sick_leave": _l("长期病休"), "posted_out": _l("外派"), "mobile_member": _l("流动党员"),
                         "other": _l("其他")}
OFFLINE_SOURCES = ("written_quiz", "paper_sheet", "other")
OFFLINE_SOURCE_LABELS = {"written_quiz": _l("书面答题"), "paper_sheet": _l("纸质签到表"), "other": _l("其他")}
NOTE_MAX = 500


class ParticipationExemption(db.Model):
    """免计: a member left out of the denominator (长期病休, 外派, 流动党员 …) from starts_on to ends_on
    (open when NULL), for one campaign or every campaign (campaign_id NULL). A liaison enters it for a
    member of their unit, an organiser approves or rejects it; only approved ones count. The member
    stays on the roster, active."""

    __tablename__ = "participation_exemptions"
    __table_args__ = (
        sa.CheckConstraint(_in("kind", EXEMPTION_KINDS), name="kind_is_known"),
        sa.CheckConstraint(_in("status", INPUT_STATUSES), name="status_is_known"),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
        sa.Index("ix_participation_exemptions_status_starts_on", "status", "starts_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(16))
    reason: Mapped[str] = mapped_column(sa.String(NOTE_MAX), default="")
    starts_on: Mapped[date] = mapped_column(sa.Date)
    ends_on: Mapped[date | None] = mapped_column(sa.Date)
    status: Mapped[str] = mapped_column(sa.String(12), default="pending")
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    entered_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    decision_note: Mapped[str] = mapped_column(sa.String(NOTE_MAX), default="")

    user = relationship("User", foreign_keys=[user_id])
    campaign = relationship("Campaign")
    entered_by = relationship("User", foreign_keys=[entered_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    @property
    def kind_label(self) -> str:
        return str(EXEMPTION_KIND_LABELS.get(self.kind, self.kind))

    @property
    def status_label(self) -> str:
        return str(INPUT_STATUS_LABELS.get(self.status, self.status))


class OfflineParticipation(db.Model):
    """A member's offline part in one activity of a campaign (书面答题, 纸质签到表 …): entered by their
    unit's liaison with the unit they were in, counted once an organiser approves it. One record per
    (campaign, provider key, member). took_part_at is took_part_on at noon in Asia/Shanghai, in UTC."""

    __tablename__ = "offline_participations"
    __table_args__ = (
        sa.UniqueConstraint("campaign_id", "provider_key", "user_id",
                            name="uq_offline_participations_campaign_key_user"),
        sa.CheckConstraint(_in("source", OFFLINE_SOURCES), name="source_is_known"),
        sa.CheckConstraint(_in("status", INPUT_STATUSES), name="status_is_known"),
        sa.Index("ix_offline_participations_campaign_status", "campaign_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"))
    provider_key: Mapped[str] = mapped_column(sa.String(40))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id", ondelete="SET NULL"), index=True)
    took_part_on: Mapped[date] = mapped_column(sa.Date)
    took_part_at: Mapped[datetime] = mapped_column(sa.DateTime)
    source: Mapped[str] = mapped_column(sa.String(16))
    note: Mapped[str] = mapped_column(sa.String(NOTE_MAX), default="")
    status: Mapped[str] = mapped_column(sa.String(12), default="pending")
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    entered_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    decision_note: Mapped[str] = mapped_column(sa.String(NOTE_MAX), default="")

    user = relationship("User", foreign_keys=[user_id])
    unit = relationship("Unit")
    campaign = relationship("Campaign")
    entered_by = relationship("User", foreign_keys=[entered_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    @property
    def source_label(self) -> str:
        return str(OFFLINE_SOURCE_LABELS.get(self.source, self.source))

    @property
    def status_label(self) -> str:
        return str(INPUT_STATUS_LABELS.get(self.status, self.status))
