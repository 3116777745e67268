"""Attendance per member, computed at query time from the snapshot, check-ins, approved leave and
exemptions: nothing stores "absent".

    exempt (不计入应到)  an exemption exists
    present / late      a check-in exists (late after late_at); present wins over approved leave
    official (公出)      approved official-business leave (counts as present)
    leave (请假)         approved leave
    absent (缺席)        none of the above

出勤率 = (出席 + 迟到 + 公出) ÷ (应到 − 不计入)

The rule itself is one SQL CASE, attendance_report.status_expression; statuses() here reads it.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from app.extensions import db
from events.checkin.models import (
    ATTENDANCE_STATUSES,
    CheckinEvent,
    CheckinExemption,
    CheckinInvitee,
    CheckinRecord,
)
from events.checkin.services.windows import is_late

PRESENT_LIKE = ("present", "late", "official")


@dataclass(frozen=True)
class Counts:
    """Figures for one event (or one unit or branch of it)."""

    invited: int
    by_status: dict[str, int]

    @property
    def exempt(self) -> int:
        return self.by_status.get("exempt", 0)

    @property
    def expected(self) -> int:
        """应到 − 不计入."""
        return self.invited - self.exempt

    @property
    def attended(self) -> int:
        return sum(self.by_status.get(status, 0) for status in PRESENT_LIKE)

    @property
    def checked_in(self) -> int:
        return self.by_status.get("present", 0) + self.by_status.get("late", 0)

    @property
    def rate(self) -> Decimal | None:
        """出勤率 as a percentage with one decimal, None when nobody is expected."""
        if self.expected <= 0:
            return None
        return (Decimal(self.attended) * 100 / Decimal(self.expected)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def statuses(event: CheckinEvent) -> dict[int, str]:
    """Every invitee's status, by member id (one query; the rule is attendance_report.status_expression)."""
    from events.checkin.services.attendance_report import invitee_statuses

    return dict(db.session.execute(invitee_statuses(event)).all())


def counts(event: CheckinEvent) -> Counts:
    """The event's figures by status."""
    found = statuses(event)
    tally = Counter(found.values())
    return Counts(len(found), {status: tally.get(status, 0) for status in ATTENDANCE_STATUSES})


def live_counter(event: CheckinEvent) -> tuple[int, int]:
    """(checked in, expected) for the display, in two cheap counts."""
    exempt = sa.select(CheckinExemption.user_id).where(CheckinExemption.event_id == event.id)
    invited = sa.select(CheckinInvitee.user_id).where(CheckinInvitee.event_id == event.id,
                                                       CheckinInvitee.user_id.not_in(exempt))
    expected = db.session.scalar(sa.select(sa.func.count()).select_from(invited.subquery())) or 0
    checked = db.session.scalar(sa.select(sa.func.count(CheckinRecord.id)).where(
        CheckinRecord.event_id == event.id, CheckinRecord.kind == "check_in",
        CheckinRecord.user_id.in_(invited))) or 0
    return checked, expected


def record_is_late(event: CheckinEvent, record: CheckinRecord) -> bool:
    return record.kind == "check_in" and is_late(event, record.checked_at)


@dataclass(frozen=True)
class Quorum:
    """党员大会: full members (中共党员; 预备党员 do not vote) present over full members expected."""

    present: int
    expected: int

    @property
    def reached(self) -> bool:
        """可以表决 when more than half of the full members expected are present."""
        return self.expected > 0 and self.present * 2 > self.expected


FULL_MEMBER = "中共党员"


def quorum(event: CheckinEvent) -> Quorum:
    """The voting quorum on the snapshot: exempt members are not expected, a check-in is presence."""
    exempt = sa.select(CheckinExemption.user_id).where(CheckinExemption.event_id == event.id)
    full = sa.select(CheckinInvitee.user_id).where(
        CheckinInvitee.event_id == event.id, CheckinInvitee.political_status == FULL_MEMBER,
        CheckinInvitee.user_id.not_in(exempt))
    expected = db.session.scalar(sa.select(sa.func.count()).select_from(full.subquery())) or 0
    present = db.session.scalar(sa.select(sa.func.count(CheckinRecord.id)).where(
        CheckinRecord.event_id == event.id, CheckinRecord.kind == "check_in", CheckinRecord.user_id.in_(full))) or 0
    return Quorum(present, expected)
