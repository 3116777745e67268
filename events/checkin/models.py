"""Meetings and QR check-in (三会一课 与扫码签到): events, who is invited, who came, who asked for leave.

Times are naive UTC like everywhere else. An event's invitees are snapshotted (checkin_invitees) the
first time anything needs them once the check-in window has opened; attendance is computed at query
time from invitees − check-ins − leave − exemptions, so nothing stores "absent".

Uniqueness that matters is in the database: one check-in per (event, member, kind), one leave
request and one exemption per (event, member), one snapshot row per (event, member).
"""
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.campaigns.models import Campaign  # noqa: F401  (the event's campaign, by name in relationship())
from app.common.clock import utcnow
from app.extensions import db
from app.units.models import PartyGroup, Unit

EVENT_TYPES = ("assembly", "committee", "group", "lecture", "report", "contest", "other")
EVENT_TYPE_LABELS = {
    "assembly": _l("党员大会"), "committee": _l("支委会"), "group": _l("党小组会"), "lecture": _l("党课"),
    "report": _l("专题报告会"), "contest": _l("比赛现场"), "other": _l("其他"),
}
# Who is invited. `statuses` (a list of 政治面貌) narrows every scope but "members"; committee_only
# narrows to members flagged 支委. Branch committee meeting = scope "branches" + committee_only.
INVITEE_SCOPES = ("everyone", "units", "branches", "groups", "members")
CHECKIN_KINDS = ("check_in", "sign_out")
CHECKIN_METHODS = ("venue_code", "static_code", "member_code", "manual", "paper")
LEAVE_KINDS = ("leave", "official")  # 请假 / 公出 (公出 counts as present)
LEAVE_STATUSES = ("pending", "approved", "rejected", "withdrawn")
FAILURE_REASONS = (
    "expired",       # the token's age is past rotation + grace (or the member code's lifetime)
    "invalid",       # forged, tampered, truncated, or signed for another purpose
    "revoked",       # a member code of an older version, or a static code after it was withdrawn
    "wrong_event",   # a valid code for another event than the one being staffed / completed
    "not_invited",   # the member is not in the invitee snapshot
    "not_open",      # before the window opens
    "closed",        # after the window closes (or the event has no sign-out window)
    "static_off",    # a static code while the organiser does not allow static codes
    "pending_lost",  # a pending check-in that expired or belongs to another browser
    "inactive",      # the member's account is deactivated / not a roster member
    "rate_limited",  # too many attempts for this member, session or address
)
FAILURE_LABELS = {
    "expired": _l("二维码已过期"), "invalid": _l("二维码无效或被改动"), "revoked": _l("二维码已作废"),
    "wrong_event": _l("其他活动的二维码"), "not_invited": _l("不在应到名单"), "not_open": _l("签到未开始"),
    "closed": _l("签到已结束"), "static_off": _l("不接受固定码"), "pending_lost": _l("登录超时或换了浏览器"),
    "inactive": _l("账号停用或不在名册"), "rate_limited": _l("尝试过于频繁"),
}
# Attendance statuses computed per invitee (services), in the order they are shown.
ATTENDANCE_STATUSES = ("present", "late", "leave", "official", "absent", "exempt")
ATTENDANCE_LABELS = {
    "present": _l("出席"), "late": _l("迟到"), "leave": _l("请假"), "official": _l("公出"),
    "absent": _l("缺席"), "exempt": _l("不计入应到"),
}


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


class CheckinEvent(db.Model):
    """A meeting or venue with a check-in window; optionally a sign-out (签退) window."""

    __tablename__ = "checkin_events"
    __table_args__ = (
        sa.CheckConstraint(_in("event_type", EVENT_TYPES), name="type_is_known"),
        sa.CheckConstraint(_in("invitee_scope", INVITEE_SCOPES), name="scope_is_known"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("opens_minutes_before >= 0 AND opens_minutes_before <= 1440", name="opens_in_range"),
        sa.CheckConstraint("closes_at >= late_at", name="closes_after_late"),
        sa.CheckConstraint(
            "(sign_out_opens_at IS NULL) = (sign_out_closes_at IS NULL)"
            " AND (sign_out_closes_at IS NULL OR sign_out_closes_at > sign_out_opens_at)",
            name="sign_out_window"),
        sa.CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        sa.CheckConstraint("rotation_seconds >= 10 AND rotation_seconds <= 600", name="rotation_in_range"),
        sa.CheckConstraint("leave_days_after >= 0 AND leave_days_after <= 60", name="leave_days_in_range"),
        sa.Index("ix_checkin_events_campaign_starts", "campaign_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(sa.ForeignKey("campaigns.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(sa.String(120))
    event_type: Mapped[str] = mapped_column(sa.String(16))
    place: Mapped[str] = mapped_column(sa.String(120), default="")
    # The unit or branch holding the meeting: its 三会一课 calendar counts it (None: campaign-wide).
    host_unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id", ondelete="SET NULL"), index=True)
    starts_at: Mapped[datetime] = mapped_column(sa.DateTime)
    ends_at: Mapped[datetime] = mapped_column(sa.DateTime)
    # Check-in window: opens `opens_minutes_before` the start, late after `late_at`, closes at `closes_at`.
    opens_minutes_before: Mapped[int] = mapped_column(sa.Integer, default=30, server_default="30")
    late_at: Mapped[datetime] = mapped_column(sa.DateTime)
    closes_at: Mapped[datetime] = mapped_column(sa.DateTime)
    sign_out_opens_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    sign_out_closes_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    invitee_scope: Mapped[str] = mapped_column(sa.String(16), default="everyone", server_default="everyone")
    invitee_statuses: Mapped[list] = mapped_column(sa.JSON, default=list)  # 政治面貌 values; [] = any
    committee_only: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    capacity: Mapped[int | None] = mapped_column(sa.Integer)
    allow_static_code: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    # Bumped to withdraw printed static codes (a poster photographed and shared).
    static_code_version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")
    rotation_seconds: Mapped[int] = mapped_column(sa.Integer, default=30, server_default="30")
    leave_days_after: Mapped[int] = mapped_column(sa.Integer, default=3, server_default="3")
    snapshot_taken_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    # A cancelled meeting stays listed but takes no check-ins and does not count as held (三会一课).
    cancelled_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, onupdate=utcnow)

    campaign = relationship("Campaign")
    host_unit = relationship("Unit", foreign_keys=[host_unit_id])
    target_units: Mapped[list["Unit"]] = relationship(secondary="checkin_event_units", order_by="Unit.id")
    target_groups: Mapped[list["PartyGroup"]] = relationship(secondary="checkin_event_groups",
                                                             order_by="PartyGroup.id")
    target_members = relationship("User", secondary="checkin_event_members", order_by="User.id")

    @property
    def type_label(self) -> str:
        return str(EVENT_TYPE_LABELS.get(self.event_type, self.event_type))

    def __repr__(self) -> str:
        return f"<CheckinEvent {self.id} {self.title}>"


# The chosen units or branches (scope "units" / "branches"; both are rows of `units`).
checkin_event_units = sa.Table(
    "checkin_event_units", db.metadata,
    sa.Column("event_id", sa.ForeignKey("checkin_events.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("unit_id", sa.ForeignKey("units.id", ondelete="CASCADE"), primary_key=True),
)
checkin_event_groups = sa.Table(
    "checkin_event_groups", db.metadata,
    sa.Column("event_id", sa.ForeignKey("checkin_events.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("party_group_id", sa.ForeignKey("party_groups.id", ondelete="CASCADE"), primary_key=True),
)
checkin_event_members = sa.Table(
    "checkin_event_members", db.metadata,
    sa.Column("event_id", sa.ForeignKey("checkin_events.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class CheckinInvitee(db.Model):
    """Who was expected (应到), as they were when the window opened: later moves do not rewrite it.
    source: 'rule' (the snapshot) or 'added' (an organiser's manual check-in of someone not invited)."""

    __tablename__ = "checkin_invitees"
    __table_args__ = (
        sa.CheckConstraint("source IN ('rule', 'added')", name="source_is_known"),
        sa.Index("ix_checkin_invitees_event_unit", "event_id", "unit_id", "branch_id"),
    )

    event_id: Mapped[int] = mapped_column(sa.ForeignKey("checkin_events.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id", ondelete="SET NULL"))
    branch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("units.id", ondelete="SET NULL"))
    party_group_id: Mapped[int | None] = mapped_column(sa.ForeignKey("party_groups.id", ondelete="SET NULL"))
    political_status: Mapped[str | None] = mapped_column(sa.String(16))
    is_branch_committee: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    source: Mapped[str] = mapped_column(sa.String(8), default="rule", server_default="rule")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    user = relationship("User")


class CheckinRecord(db.Model):
    """One check-in (or sign-out) of one member at one event. Annulment deletes the row (the audit log
    keeps what it was), so checking in again after an annulment is possible."""

    __tablename__ = "checkin_records"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "user_id", "kind", name="uq_checkin_records_event_user_kind"),
        sa.CheckConstraint(_in("kind", CHECKIN_KINDS), name="kind_is_known"),
        sa.CheckConstraint(_in("method", CHECKIN_METHODS), name="method_is_known"),
        sa.Index("ix_checkin_records_event_device", "event_id", "device_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("checkin_events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(8), default="check_in")
    method: Mapped[str] = mapped_column(sa.String(16))
    checked_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    # Staff who scanned the member code, checked in by hand, or entered the paper sheet.
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(sa.String(200), default="")  # the reason of a manual / paper entry
    # The browser that scanned (sha256 of a long-lived device cookie) and its address, for the flags.
    device_key: Mapped[str | None] = mapped_column(sa.String(64))
    address: Mapped[str | None] = mapped_column(sa.String(64))
    # Flag, don't block: this device already checked in another member for this event; the token was
    # in its last seconds and this device never loaded the event's page (a forwarded screenshot).
    flag_shared_device: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    flag_token_tail: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())

    user = relationship("User", foreign_keys=[user_id])
    recorded_by = relationship("User", foreign_keys=[recorded_by_id])

    @property
    def flagged(self) -> bool:
        return self.flag_shared_device or self.flag_token_tail


class CheckinPending(db.Model):
    """A venue or static code scanned by a browser not signed in: completed after login within the
    pending lifetime (default 5 minutes) even if the code rotated meanwhile. The id is the sha256 of
    a random token kept in the scanning browser's session, so the row cannot be claimed elsewhere."""

    __tablename__ = "checkin_pending"
    __table_args__ = (
        sa.CheckConstraint(_in("kind", CHECKIN_KINDS), name="kind_is_known"),
        sa.CheckConstraint("method IN ('venue_code', 'static_code')", name="method_is_code"),
    )

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("checkin_events.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(8), default="check_in")
    method: Mapped[str] = mapped_column(sa.String(16))
    token_issued_at: Mapped[datetime | None] = mapped_column(sa.DateTime)  # the scanned code's signing time
    flag_token_tail: Mapped[bool] = mapped_column(sa.Boolean, default=False, server_default=sa.false())
    device_key: Mapped[str | None] = mapped_column(sa.String(64))
    address: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime, index=True)
    completed_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))


class CheckinFailure(db.Model):
    """A refused scan or check-in, with its reason, for the organiser (no attendance is recorded)."""

    __tablename__ = "checkin_failures"
    __table_args__ = (
        sa.CheckConstraint(_in("reason", FAILURE_REASONS), name="reason_is_known"),
        sa.Index("ix_checkin_failures_event_created", "event_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("checkin_events.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(16))
    method: Mapped[str | None] = mapped_column(sa.String(16))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    device_key: Mapped[str | None] = mapped_column(sa.String(64))
    address: Mapped[str | None] = mapped_column(sa.String(64))
    detail: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id])


class CheckinLeave(db.Model):
    """A leave (请假) or official-business (公出) request: by the member or their liaison, before the
    event or up to leave_days_after it; decided by an organiser or the member's unit liaison."""

    __tablename__ = "checkin_leaves"
    __table_args__ = (
        sa.UniqueConstraint("event_id", "user_id", name="uq_checkin_leaves_event_id_user_id"),
        sa.CheckConstraint(_in("kind", LEAVE_KINDS), name="kind_is_known"),
        sa.CheckConstraint(_in("status", LEAVE_STATUSES), name="status_is_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("checkin_events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(8), default="leave")
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(16), default="pending")
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(sa.DateTime)
    decision_note: Mapped[str] = mapped_column(sa.String(200), default="")

    user = relationship("User", foreign_keys=[user_id])
    requested_by = relationship("User", foreign_keys=[requested_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])


class CheckinExemption(db.Model):
    """不计入应到: an approved exemption (long illness, secondment…) that takes a member out of 应到."""

    __tablename__ = "checkin_exemptions"
    __table_args__ = (sa.UniqueConstraint("event_id", "user_id", name="uq_checkin_exemptions_event_id_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("checkin_events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(200))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id])


class CheckinSteward(db.Model):
    """A scan-only steward for one event: any active account, assigned by an organiser. Stewards check
    members in from their member code; they cannot check in by hand, annul, or see the attendance."""

    __tablename__ = "checkin_stewards"

    event_id: Mapped[int] = mapped_column(sa.ForeignKey("checkin_events.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
                                         index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id])


class CheckinMemberCode(db.Model):
    """A member's personal code: tokens carry `version`; reissuing bumps it, so older codes are revoked.
    No row means version 1 (never reissued)."""

    __tablename__ = "checkin_member_codes"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(sa.Integer, default=1, server_default="1")
    reissued_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)


class CheckinThrottle(db.Model):
    """Check-in attempt counters shared by every worker: key 'member:<id>', 'session:<device key>' or
    'address:<ip>', counted in a fixed window (like login_throttles, without locks)."""

    __tablename__ = "checkin_throttles"

    key: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    hits: Mapped[int] = mapped_column(sa.Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)


class CheckinMinutes(db.Model):
    """The meeting record (会议记录) kept with the event; photos may follow in their own table."""

    __tablename__ = "checkin_minutes"

    event_id: Mapped[int] = mapped_column(sa.ForeignKey("checkin_events.id", ondelete="CASCADE"), primary_key=True)
    host: Mapped[str] = mapped_column(sa.String(64), default="")
    recorder: Mapped[str] = mapped_column(sa.String(64), default="")
    topics: Mapped[str] = mapped_column(sa.Text, default="")
    minutes: Mapped[str] = mapped_column(sa.Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow, onupdate=utcnow)


class CheckinPhoto(db.Model):
    """A photo kept with the meeting record: the file lives in a private folder under a random name."""

    __tablename__ = "checkin_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("checkin_events.id", ondelete="CASCADE"), index=True)
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    original_name: Mapped[str] = mapped_column(sa.String(200), default="")
    content_type: Mapped[str] = mapped_column(sa.String(32))
    size_bytes: Mapped[int] = mapped_column(sa.Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime, default=utcnow)
