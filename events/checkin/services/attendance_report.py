"""Attendance of one event (考勤), computed at query time from the invitee snapshot − check-ins − leave −
exemptions: nothing stores "absent". Counts per unit and branch use the snapshot's columns (where the
member was when the window opened), never the live roster. Every function runs a fixed number of
statements whatever the size of the event (set-based SQL, grouped in the database).

Status of one invitee, in this order: 不计入应到 (an exemption) · 出席 / 迟到 (a check-in; late after
late_at; a check-in wins over approved leave) · 公出 / 请假 (an approved leave of that kind) · 缺席.
出勤率 = (出席 + 迟到 + 公出) ÷ (应到 − 不计入). For 党员大会 the quorum counts only full members
(中共党员): present (出席 + 迟到) over expected (应到 − 不计入); more than half may vote.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from app.accounts.models import User
from app.extensions import db
from app.units.models import PartyGroup, Unit
from events.checkin.models import (
    ATTENDANCE_LABELS,
    CheckinEvent,
    CheckinExemption,
    CheckinInvitee,
    CheckinLeave,
    CheckinRecord,
)

FULL_MEMBER = "中共党员"
COUNTED_STATUSES = ("present", "late", "leave", "official", "absent", "exempt")


def rate_formula() -> str:
    """The attendance-rate formula shown beside every rate."""
    return _("出勤率 = (出席 + 迟到 + 公出) ÷ (应到 − 不计入)")


def quorum_formula() -> str:
    """The 党员大会 quorum formula shown beside the quorum."""
    return _("到会率 = 到会正式党员 (出席 + 迟到) ÷ 应到正式党员 (应到 − 不计入)；预备党员不计")


def status_expression(event: CheckinEvent, record, exemption, leave):
    """The SQL CASE giving an invitee's status from the outer-joined check-in, exemption and leave rows."""
    return sa.case(
        (exemption.id.is_not(None), sa.literal("exempt")),
        (record.id.is_not(None),
         sa.case((record.checked_at > event.late_at, sa.literal("late")), else_=sa.literal("present"))),
        (sa.and_(leave.status == "approved", leave.kind == "official"), sa.literal("official")),
        (sa.and_(leave.status == "approved", leave.kind == "leave"), sa.literal("leave")),
        else_=sa.literal("absent"),
    )


def campaign_statuses(campaign_id: int, *, now: datetime):
    """A subquery of every invitee's status at each event of the campaign that has started and was not
    cancelled: (user_id, unit_id, branch_id, event_id, status, checked_at, starts_at), one row per
    invitation, by the same CASE as the event reports (the event's own late_at)."""
    record, exemption, leave = aliased(CheckinRecord), aliased(CheckinExemption), aliased(CheckinLeave)
    status = status_expression(CheckinEvent, record, exemption, leave).label("status")
    return (
        sa.select(CheckinInvitee.user_id, CheckinInvitee.unit_id, CheckinInvitee.branch_id,
                  CheckinInvitee.event_id, status, record.checked_at, CheckinEvent.starts_at)
        .select_from(CheckinInvitee)
        .join(CheckinEvent, CheckinEvent.id == CheckinInvitee.event_id)
        .outerjoin(record, sa.and_(record.event_id == CheckinInvitee.event_id,
                                   record.user_id == CheckinInvitee.user_id, record.kind == "check_in"))
        .outerjoin(exemption, sa.and_(exemption.event_id == CheckinInvitee.event_id,
                                      exemption.user_id == CheckinInvitee.user_id))
        .outerjoin(leave, sa.and_(leave.event_id == CheckinInvitee.event_id, leave.user_id == CheckinInvitee.user_id))
        .where(CheckinEvent.campaign_id == campaign_id, CheckinEvent.cancelled_at.is_(None),
               CheckinEvent.starts_at <= now)
        .subquery()
    )


def _joined(event: CheckinEvent, unit_id: int | None, *columns_of):
    """SELECT over the event's invitees outer-joined with their check-in, exemption and leave; `columns_of`
    gets (status, record, exemption, leave) and returns the columns to select."""
    record, exemption, leave = aliased(CheckinRecord), aliased(CheckinExemption), aliased(CheckinLeave)
    status = status_expression(event, record, exemption, leave).label("status")
    columns = [column for build in columns_of for column in build(status, record, exemption, leave)]
    query = (
        sa.select(*columns).select_from(CheckinInvitee)
        .outerjoin(record, sa.and_(record.event_id == CheckinInvitee.event_id,
                                   record.user_id == CheckinInvitee.user_id, record.kind == "check_in"))
        .outerjoin(exemption, sa.and_(exemption.event_id == CheckinInvitee.event_id,
                                      exemption.user_id == CheckinInvitee.user_id))
        .outerjoin(leave, sa.and_(leave.event_id == CheckinInvitee.event_id, leave.user_id == CheckinInvitee.user_id))
        .where(CheckinInvitee.event_id == event.id)
    )
    if unit_id is not None:
        query = query.where(CheckinInvitee.unit_id == unit_id)
    return query, status


def invitee_statuses(event: CheckinEvent):
    """SELECT (user_id, status) for every invitee of `event`."""
    query, _status = _joined(event, None, lambda status, *_: (CheckinInvitee.user_id, status))
    return query


def rate(part: int, whole: int) -> float | None:
    """part ÷ whole, None when nobody is counted."""
    return part / whole if whole > 0 else None


@dataclass
class Counts:
    """The figures of one row: 应到 counts every invitee, exemptions included (不计入 is shown apart)."""

    expected: int = 0
    present: int = 0
    late: int = 0
    leave: int = 0
    official: int = 0
    absent: int = 0
    exempt: int = 0

    def add(self, status: str, number: int) -> None:
        setattr(self, status, getattr(self, status) + number)
        self.expected += number

    def merge(self, other: Counts) -> None:
        for name in ("expected", *COUNTED_STATUSES):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def counted(self) -> int:
        """应到 − 不计入: the rate's denominator."""
        return self.expected - self.exempt

    @property
    def attended(self) -> int:
        """出席 + 迟到 + 公出: the rate's numerator."""
        return self.present + self.late + self.official

    @property
    def checked_in(self) -> int:
        return self.present + self.late

    @property
    def rate(self) -> float | None:
        return rate(self.attended, self.counted)


@dataclass
class Line:
    """One unit or one branch of a unit (branch_id None: the unit's members outside any branch)."""

    unit_id: int | None
    unit_name: str
    branch_id: int | None = None
    branch_name: str = ""
    counts: Counts = field(default_factory=Counts)


@dataclass
class UnitBlock:
    line: Line
    branches: list[Line] = field(default_factory=list)


@dataclass
class Quorum:
    """党员大会: full members present over full members expected; more than half may vote."""

    expected: int
    present: int

    @property
    def rate(self) -> float | None:
        return rate(self.present, self.expected)

    @property
    def reached(self) -> bool:
        return self.expected > 0 and self.present * 2 > self.expected

    @property
    def label(self) -> str:
        return _("可以表决") if self.reached else _("不足半数")


@dataclass
class Attendance:
    total: Counts
    units: list[UnitBlock]
    quorum: Quorum | None


def event_attendance(event: CheckinEvent, *, unit_id: int | None = None) -> Attendance:
    """Counts per unit and branch of the snapshot (one grouped statement), the total, and for 党员大会 the
    quorum of full members; `unit_id` restricts everything to one unit (a liaison's view)."""
    unit, branch = aliased(Unit), aliased(Unit)
    full = sa.case((CheckinInvitee.political_status == FULL_MEMBER, sa.true()), else_=sa.false()).label("full")
    query, status = _joined(event, unit_id, lambda status, *_: (
        CheckinInvitee.unit_id, unit.name.label("unit_name"), unit.sort_order.label("unit_order"),
        CheckinInvitee.branch_id, branch.name.label("branch_name"), branch.sort_order.label("branch_order"),
        status, full, sa.func.count().label("number")))
    query = (query.outerjoin(unit, unit.id == CheckinInvitee.unit_id)
             .outerjoin(branch, branch.id == CheckinInvitee.branch_id)
             .group_by(CheckinInvitee.unit_id, unit.name, unit.sort_order, CheckinInvitee.branch_id, branch.name,
                       branch.sort_order, status, full))
    rows = db.session.execute(query).all()
    total = Counts()
    blocks: dict[int | None, UnitBlock] = {}
    branch_lines: dict[tuple, Line] = {}
    quorum = Quorum(0, 0)
    for row in sorted(rows, key=lambda r: (r.unit_order or 0, r.unit_id or 0, r.branch_order or 0,
                                           r.branch_id or 0)):
        block = blocks.get(row.unit_id)
        if block is None:
            block = blocks[row.unit_id] = UnitBlock(Line(row.unit_id, row.unit_name or _("（单位已删除）")))
        key = (row.unit_id, row.branch_id)
        line = branch_lines.get(key)
        if line is None:
            name = row.branch_name or (_("未分支部") if row.branch_id is None else _("（支部已删除）"))
            line = branch_lines[key] = Line(row.unit_id, block.line.unit_name, row.branch_id, name)
            block.branches.append(line)
        line.counts.add(row.status, row.number)
        block.line.counts.add(row.status, row.number)
        total.add(row.status, row.number)
        if row.full and row.status != "exempt":
            quorum.expected += row.number
            if row.status in ("present", "late"):
                quorum.present += row.number
    for block in blocks.values():  # a unit without branches shows no branch rows
        if len(block.branches) == 1 and block.branches[0].branch_id is None:
            block.branches = []
    return Attendance(total, list(blocks.values()), quorum if event.event_type == "assembly" else None)


@dataclass
class Person:
    """One invitee as the lists show them."""

    user_id: int
    name: str
    staff_id: str
    mobile: str | None
    unit_id: int | None
    unit_name: str
    branch_name: str
    group_name: str
    political_status: str
    status: str
    checked_at: datetime | None
    method: str | None
    flagged: bool
    leave_kind: str | None
    leave_status: str | None
    leave_reason: str
    exemption_reason: str

    @property
    def status_label(self) -> str:
        return str(ATTENDANCE_LABELS.get(self.status, self.status))

    @property
    def reason(self) -> str:
        """Why the member is away (the leave's or exemption's reason), for 签到表 and lists."""
        if self.status == "exempt":
            return self.exemption_reason
        if self.status in ("leave", "official"):
            return self.leave_reason
        if self.status == "absent" and self.leave_status == "pending":
            return _("请假待审批：%(reason)s", reason=self.leave_reason)
        return ""


def people(event: CheckinEvent, *, unit_id: int | None = None, statuses: tuple[str, ...] | None = None) -> list[Person]:
    """Every invitee with status, check-in time and reasons, in unit, branch and name order (one statement);
    `statuses` keeps only those (("absent",) is the 未签到名单)."""
    unit, branch = aliased(Unit), aliased(Unit)
    query, status = _joined(event, unit_id, lambda status, record, exemption, leave: (
        User.id, User.name, User.staff_id, User.mobile, CheckinInvitee.unit_id,
        unit.name.label("unit_name"), branch.name.label("branch_name"), PartyGroup.name.label("group_name"),
        CheckinInvitee.political_status, status, record.checked_at, record.method,
        (record.flag_shared_device | record.flag_token_tail).label("flagged"),
        leave.kind.label("leave_kind"), leave.status.label("leave_status"), leave.reason.label("leave_reason"),
        exemption.reason.label("exemption_reason")))
    query = (query.join(User, User.id == CheckinInvitee.user_id)
             .outerjoin(unit, unit.id == CheckinInvitee.unit_id)
             .outerjoin(branch, branch.id == CheckinInvitee.branch_id)
             .outerjoin(PartyGroup, PartyGroup.id == CheckinInvitee.party_group_id)
             .order_by(unit.sort_order, CheckinInvitee.unit_id, branch.sort_order, CheckinInvitee.branch_id,
                       User.name, User.id))
    if statuses:
        query = query.where(status.in_(statuses))
    return [Person(user_id=row.id, name=row.name, staff_id=row.staff_id, mobile=row.mobile, unit_id=row.unit_id,
                   unit_name=row.unit_name or "", branch_name=row.branch_name or "", group_name=row.group_name or "",
                   political_status=row.political_status or "", status=row.status, checked_at=row.checked_at,
                   method=row.method, flagged=bool(row.flagged), leave_kind=row.leave_kind,
                   leave_status=row.leave_status, leave_reason=row.leave_reason or "",
                   exemption_reason=row.exemption_reason or "")
            for row in db.session.execute(query)]


def absentees(event: CheckinEvent, *, unit_id: int | None = None) -> list[Person]:
    """未签到名单: invitees with no check-in, no approved leave and no exemption (one statement)."""
    return people(event, unit_id=unit_id, statuses=("absent",))


def unit_has_invitees(event: CheckinEvent, unit_id: int) -> bool:
    """Whether the snapshot holds anyone of `unit_id` (a liaison sees the event's attendance then)."""
    return db.session.scalar(sa.select(sa.literal(True)).where(
        CheckinInvitee.event_id == event.id, CheckinInvitee.unit_id == unit_id).limit(1)) is True


@dataclass
class EventSummary:
    event: CheckinEvent
    expected: int
    checked_in: int


def summaries(events: list[CheckinEvent], *, unit_id: int | None = None) -> list[EventSummary]:
    """Invitees and check-ins of each event (of one unit when given), for the event lists: one statement."""
    if not events:
        return []
    record = aliased(CheckinRecord)
    query = (sa.select(CheckinInvitee.event_id, sa.func.count().label("expected"),
                       sa.func.count(record.id).label("checked_in"))
             .outerjoin(record, sa.and_(record.event_id == CheckinInvitee.event_id,
                                        record.user_id == CheckinInvitee.user_id, record.kind == "check_in"))
             .where(CheckinInvitee.event_id.in_([event.id for event in events]))
             .group_by(CheckinInvitee.event_id))
    if unit_id is not None:
        query = query.where(CheckinInvitee.unit_id == unit_id)
    figures = {row.event_id: row for row in db.session.execute(query)}
    return [EventSummary(event, getattr(figures.get(event.id), "expected", 0),
                         getattr(figures.get(event.id), "checked_in", 0)) for event in events]
