"""The 三会一课 calendar of a branch: for each month and quarter whether the required meetings took place,
and the members who have not attended for 3, 4 or 5 months (so liaisons act before the 6-month line).

A meeting counts for the unit or branch that hosts it (host_unit_id), once it has started, and never
when cancelled. Required by default: 支委会 and 党小组会 every month, 党员大会 and 党课 every quarter
(config CHECKIN_MEETING_REQUIREMENTS overrides: {event_type: "month" | "quarter"}). Months are
Asia/Shanghai months. Attendance for the inactivity list is a check-in or an approved 公出.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased

from app.accounts.models import User
from app.common.clock import from_local, to_local, utcnow
from app.extensions import db
from app.units.models import Unit
from events.checkin.models import EVENT_TYPE_LABELS, CheckinEvent, CheckinInvitee, CheckinLeave, CheckinRecord

DEFAULT_REQUIREMENTS = {"committee": "month", "group": "month", "assembly": "quarter", "lecture": "quarter"}
INACTIVE_THRESHOLDS = (5, 4, 3)  # months without attendance, most urgent first

HELD, PLANNED, MISSING, DUE, FUTURE = "held", "planned", "missing", "due", "future"


def requirements() -> dict[str, str]:
    """{event_type: "month" | "quarter"}: which meetings a branch must hold, and how often."""
    configured = current_app.config.get("CHECKIN_MEETING_REQUIREMENTS")
    return dict(configured) if configured else dict(DEFAULT_REQUIREMENTS)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The Asia/Shanghai year as naive-UTC [start, end)."""
    return from_local(datetime(year, 1, 1)), from_local(datetime(year + 1, 1, 1))


def period_of(moment: datetime, every: str) -> int:
    """The local month (1..12) or quarter (1..4) of a stored time."""
    month = to_local(moment).month
    return month if every == "month" else (month - 1) // 3 + 1


@dataclass
class Cell:
    """One required meeting type in one month or quarter."""

    period: int
    state: str  # held · planned (only future meetings so far) · missing (period over) · due (in progress) · future
    events: list[CheckinEvent] = field(default_factory=list)


@dataclass
class Row:
    event_type: str
    every: str
    cells: list[Cell]

    @property
    def label(self) -> str:
        return str(EVENT_TYPE_LABELS.get(self.event_type, self.event_type))

    @property
    def missing(self) -> int:
        return sum(1 for cell in self.cells if cell.state == MISSING)


def _state(year: int, every: str, period: int, events: list[CheckinEvent], now: datetime) -> str:
    held = [event for event in events if event.starts_at <= now]
    if held:
        return HELD
    local_now = to_local(now)
    current = (local_now.month if every == "month" else (local_now.month - 1) // 3 + 1)
    if year < local_now.year or (year == local_now.year and period < current):
        return MISSING
    if events:
        return PLANNED
    return DUE if year == local_now.year and period == current else FUTURE


def _hosted(host_ids: list[int], year: int) -> list[CheckinEvent]:
    start, end = year_bounds(year)
    return list(db.session.scalars(
        sa.select(CheckinEvent).where(CheckinEvent.host_unit_id.in_(host_ids), CheckinEvent.cancelled_at.is_(None),
                                      CheckinEvent.starts_at >= start, CheckinEvent.starts_at < end)
        .order_by(CheckinEvent.starts_at, CheckinEvent.id)))


def _rows(events: list[CheckinEvent], year: int, now: datetime) -> list[Row]:
    rows = []
    for event_type, every in requirements().items():
        periods = 12 if every == "month" else 4
        of_type = [event for event in events if event.event_type == event_type]
        cells = []
        for period in range(1, periods + 1):
            inside = [event for event in of_type if period_of(event.starts_at, every) == period]
            cells.append(Cell(period, _state(year, every, period, inside, now), inside))
        rows.append(Row(event_type, every, cells))
    return rows


def branch_calendar(host: Unit, year: int, *, now: datetime | None = None) -> list[Row]:
    """One row per required meeting type: a cell per month or quarter of `year` with its state (one statement)."""
    now = now or utcnow()
    return _rows(_hosted([host.id], year), year, now)


@dataclass
class HostLine:
    host: Unit
    missing: int
    held: int


def hosts_overview(hosts: list[Unit], year: int, *, now: datetime | None = None) -> list[HostLine]:
    """For each unit or branch: required meetings missed so far this year and meetings held (one statement)."""
    now = now or utcnow()
    by_host: dict[int, list[CheckinEvent]] = {host.id: [] for host in hosts}
    for event in _hosted(list(by_host), year) if hosts else []:
        by_host[event.host_unit_id].append(event)
    lines = []
    for host in hosts:
        rows = _rows(by_host[host.id], year, now)
        held = sum(1 for event in by_host[host.id] if event.starts_at <= now)
        lines.append(HostLine(host, sum(row.missing for row in rows), held))
    return lines


def calendar_hosts(unit_id: int | None = None) -> list[Unit]:
    """Who holds 三会一课: every branch, and every unit without branches (of one unit when given)."""
    branch = aliased(Unit)
    has_branches = sa.select(branch.id).where(branch.parent_id == Unit.id).exists()
    query = sa.select(Unit).where(sa.or_(Unit.parent_id.is_not(None), ~has_branches))
    if unit_id is not None:
        query = query.where(sa.or_(Unit.id == unit_id, Unit.parent_id == unit_id))
    hosts = list(db.session.scalars(query))
    parents = {unit.id: unit for unit in db.session.scalars(
        sa.select(Unit).where(Unit.id.in_({unit.parent_id for unit in hosts if unit.parent_id})))}
    return sorted(hosts, key=lambda unit: (
        (parents[unit.parent_id].sort_order, unit.parent_id) if unit.parent_id else (unit.sort_order, unit.id),
        unit.parent_id is not None, unit.sort_order, unit.id))


def host_members(host: Unit):
    """SELECT of the active members a host counts: a branch's members, or a unit's members outside branches."""
    query = sa.select(User.id).where(User.active.is_(True))
    if host.parent_id is not None:
        return query.where(User.branch_id == host.id)
    return query.where(User.unit_id == host.id, User.branch_id.is_(None))


def months_between(earlier: datetime, later: datetime) -> int:
    """Whole local calendar months from `earlier` to `later` (a month is complete on the same day of month)."""
    a, b = to_local(earlier), to_local(later)
    months = (b.year - a.year) * 12 + b.month - a.month
    if (b.day, b.time()) < (a.day, a.time()):
        months -= 1
    return max(months, 0)


@dataclass
class Inactive:
    user_id: int
    name: str
    staff_id: str
    mobile: str | None
    last_attended_at: datetime | None  # None: never attended since first invited
    since: datetime
    months: int


def inactive_members(host: Unit, *, now: datetime | None = None) -> dict[int, list[Inactive]]:
    """{5: [...], 4: [...], 3: [...]}: the host's members whose last attendance (check-in or approved 公出,
    any event) is that many whole months ago or more, counted from their first invitation when they
    never attended; members never invited are not listed (one statement)."""
    now = now or utcnow()
    members = host_members(host).subquery()
    attended = sa.union_all(
        sa.select(CheckinRecord.user_id.label("user_id"), CheckinRecord.checked_at.label("at"))
        .where(CheckinRecord.kind == "check_in", CheckinRecord.user_id.in_(sa.select(members.c.id))),
        sa.select(CheckinLeave.user_id, CheckinEvent.starts_at)
        .join(CheckinEvent, CheckinEvent.id == CheckinLeave.event_id)
        .where(CheckinLeave.status == "approved", CheckinLeave.kind == "official",
               CheckinLeave.user_id.in_(sa.select(members.c.id))),
    ).subquery()
    last = (sa.select(attended.c.user_id, sa.func.max(attended.c.at).label("last_at"))
            .group_by(attended.c.user_id).subquery())
    first = (sa.select(CheckinInvitee.user_id, sa.func.min(CheckinEvent.starts_at).label("first_at"))
             .join(CheckinEvent, CheckinEvent.id == CheckinInvitee.event_id)
             .where(CheckinInvitee.user_id.in_(sa.select(members.c.id)), CheckinEvent.cancelled_at.is_(None),
                    CheckinEvent.starts_at <= now)
             .group_by(CheckinInvitee.user_id).subquery())
    rows = db.session.execute(
        sa.select(User.id, User.name, User.staff_id, User.mobile, last.c.last_at, first.c.first_at)
        .join(first, first.c.user_id == User.id)
        .outerjoin(last, last.c.user_id == User.id)
        .order_by(User.name, User.id))
    buckets: dict[int, list[Inactive]] = {threshold: [] for threshold in INACTIVE_THRESHOLDS}
    for row in rows:
        since = row.last_at or row.first_at
        months = months_between(since, now)
        for threshold in INACTIVE_THRESHOLDS:
            if months >= threshold:
                buckets[threshold].append(Inactive(row.id, row.name, row.staff_id, row.mobile, row.last_at,
                                                   since, months))
                break
    return buckets
