"""Organisers set events up: times and windows, invitees, codes, stewards. Times are typed in
Asia/Shanghai and stored UTC."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased, selectinload

from app.accounts.models import User
from app.audit.services import record as audit
from app.campaigns.models import Campaign
from app.common.clock import from_local, to_local, utcnow
from app.common.problems import Problem
from app.extensions import db
from app.units.models import PartyGroup, Unit
from events.checkin.models import EVENT_TYPES, INVITEE_SCOPES, CheckinEvent, CheckinSteward
from events.checkin.services.windows import opens_at

MAX_CHOSEN_MEMBERS = 2000


class SetupProblem(Problem):
    pass


@dataclass
class EventSettings:
    """What the set-up form submits (local times, naive)."""

    campaign_id: int
    title: str
    event_type: str
    starts_at_local: datetime
    ends_at_local: datetime
    place: str = ""
    host_unit_id: int | None = None
    opens_minutes_before: int = 30
    late_at_local: datetime | None = None      # default: the start
    closes_at_local: datetime | None = None    # default: the end
    sign_out_opens_local: datetime | None = None
    sign_out_closes_local: datetime | None = None
    invitee_scope: str = "everyone"
    unit_ids: list[int] = field(default_factory=list)
    group_ids: list[int] = field(default_factory=list)
    member_staff_ids: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    committee_only: bool = False
    capacity: int | None = None
    allow_static_code: bool = False
    rotation_seconds: int = 30
    leave_days_after: int = 3


def _local(value: datetime | None) -> datetime | None:
    return to_local(value).replace(tzinfo=None) if value is not None else None


def settings_of(event: CheckinEvent) -> EventSettings:
    """The event as the form shows it."""
    return EventSettings(
        campaign_id=event.campaign_id, title=event.title, event_type=event.event_type, place=event.place,
        host_unit_id=event.host_unit_id, starts_at_local=_local(event.starts_at), ends_at_local=_local(event.ends_at),
        opens_minutes_before=event.opens_minutes_before, late_at_local=_local(event.late_at),
        closes_at_local=_local(event.closes_at), sign_out_opens_local=_local(event.sign_out_opens_at),
        sign_out_closes_local=_local(event.sign_out_closes_at), invitee_scope=event.invitee_scope,
        unit_ids=[unit.id for unit in event.target_units], group_ids=[group.id for group in event.target_groups],
        member_staff_ids=[member.staff_id for member in event.target_members],
        statuses=list(event.invitee_statuses or []), committee_only=event.committee_only, capacity=event.capacity,
        allow_static_code=event.allow_static_code, rotation_seconds=event.rotation_seconds,
        leave_days_after=event.leave_days_after)


def campaign_choices() -> list[tuple[int, str]]:
    return [(campaign.id, campaign.name) for campaign in db.session.scalars(
        sa.select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.id.desc()))]


def unit_choices() -> list[tuple[int, str]]:
    """Units, each followed by its branches (named with their unit)."""
    units = db.session.scalars(sa.select(Unit).options(selectinload(Unit.branches))
                               .where(Unit.parent_id.is_(None)).order_by(Unit.sort_order, Unit.id)).all()
    return [choice for unit in units
            for choice in [(unit.id, unit.name)] + [(branch.id, f"{unit.name} / {branch.name}")
                                                    for branch in unit.branches]]


def group_choices() -> list[tuple[int, str]]:
    branch, unit = aliased(Unit), aliased(Unit)
    rows = db.session.execute(
        sa.select(PartyGroup.id, unit.name, branch.name, PartyGroup.name)
        .join(branch, PartyGroup.branch_id == branch.id).join(unit, branch.parent_id == unit.id)
        .order_by(unit.sort_order, unit.id, branch.sort_order, branch.id, PartyGroup.sort_order, PartyGroup.id))
    return [(group_id, f"{unit_name} / {branch_name} / {name}") for group_id, unit_name, branch_name, name in rows]


def _check(settings: EventSettings) -> dict:
    """The stored values of valid settings; SetupProblem beside the first field that is wrong."""
    if settings.event_type not in EVENT_TYPES:
        raise SetupProblem(_("请选择活动类型"), field="event_type")
    if settings.invitee_scope not in INVITEE_SCOPES:
        raise SetupProblem(_("请选择参加人员"), field="invitee_scope")
    if db.session.get(Campaign, settings.campaign_id) is None:
        raise SetupProblem(_("请选择专项活动"), field="campaign_id")
    starts, ends = from_local(settings.starts_at_local), from_local(settings.ends_at_local)
    if ends <= starts:
        raise SetupProblem(_("结束时间应晚于开始时间"), field="ends_at")
    late = from_local(settings.late_at_local) if settings.late_at_local else starts
    closes = from_local(settings.closes_at_local) if settings.closes_at_local else ends
    opening = starts - timedelta(minutes=settings.opens_minutes_before)
    if late < opening:
        raise SetupProblem(_("迟到时间应在签到开始之后"), field="late_at")
    if closes < late:
        raise SetupProblem(_("签到截止时间应不早于迟到时间"), field="closes_at")
    sign_out = (settings.sign_out_opens_local, settings.sign_out_closes_local)
    if (sign_out[0] is None) != (sign_out[1] is None):
        raise SetupProblem(_("签退需同时填写开始和截止时间"), field="sign_out_closes_at")
    sign_out_opens = from_local(sign_out[0]) if sign_out[0] else None
    sign_out_closes = from_local(sign_out[1]) if sign_out[1] else None
    if sign_out_opens is not None and sign_out_closes <= sign_out_opens:
        raise SetupProblem(_("签退截止时间应晚于签退开始时间"), field="sign_out_closes_at")
    if settings.host_unit_id is not None and db.session.get(Unit, settings.host_unit_id) is None:
        raise SetupProblem(_("请选择主办单位或支部"), field="host_unit_id")
    return {"campaign_id": settings.campaign_id, "title": " ".join(settings.title.split()),
            "event_type": settings.event_type, "place": " ".join((settings.place or "").split()),
            "host_unit_id": settings.host_unit_id, "starts_at": starts, "ends_at": ends,
            "opens_minutes_before": settings.opens_minutes_before, "late_at": late, "closes_at": closes,
            "sign_out_opens_at": sign_out_opens, "sign_out_closes_at": sign_out_closes,
            "invitee_scope": settings.invitee_scope, "invitee_statuses": sorted(set(settings.statuses)),
            "committee_only": bool(settings.committee_only), "capacity": settings.capacity or None,
            "allow_static_code": bool(settings.allow_static_code), "rotation_seconds": settings.rotation_seconds,
            "leave_days_after": settings.leave_days_after}


def _targets(settings: EventSettings) -> tuple[list[Unit], list[PartyGroup], list[User]]:
    scope = settings.invitee_scope
    units = groups = members = []
    if scope in ("units", "branches"):
        units = list(db.session.scalars(sa.select(Unit).where(Unit.id.in_(settings.unit_ids or [0]))))
        if not units:
            raise SetupProblem(_("请至少选择一个单位或支部"), field="unit_ids")
    elif scope == "groups":
        groups = list(db.session.scalars(sa.select(PartyGroup).where(PartyGroup.id.in_(settings.group_ids or [0]))))
        if not groups:
            raise SetupProblem(_("请至少选择一个党小组"), field="group_ids")
    elif scope == "members":
        wanted = list(dict.fromkeys(item.strip() for item in settings.member_staff_ids if item.strip()))
        if not wanted:
            raise SetupProblem(_("请填写参加人员的工号"), field="member_staff_ids")
        if len(wanted) > MAX_CHOSEN_MEMBERS:
            raise SetupProblem(_("最多指定 %(n)s 人", n=MAX_CHOSEN_MEMBERS), field="member_staff_ids")
        members = list(db.session.scalars(sa.select(User).where(User.staff_id.in_(wanted),
                                                                  User.unit_id.is_not(None))))
        unknown = sorted(set(wanted) - {member.staff_id for member in members})
        if unknown:
            raise SetupProblem(_("名册中没有这些工号：%(ids)s", ids="、".join(unknown[:20])),
                               field="member_staff_ids")
    return units, groups, members


def _apply(event: CheckinEvent, settings: EventSettings) -> None:
    values = _check(settings)
    units, groups, members = _targets(settings)
    for key, value in values.items():
        setattr(event, key, value)
    event.target_units, event.target_groups, event.target_members = units, groups, members


def create_event(actor: User, settings: EventSettings) -> CheckinEvent:
    """A new event from valid settings (audit-logged)."""
    event = CheckinEvent(created_by_id=actor.id)
    _apply(event, settings)
    db.session.add(event)
    db.session.flush()
    audit("checkin.event.created", target=event, actor=actor, summary=_("新建签到活动：%(title)s", title=event.title))
    return event


def update_event(actor: User, event: CheckinEvent, settings: EventSettings) -> None:
    """Change an event's settings; the invitee list, once frozen, stays as it was (audit-logged)."""
    _apply(event, settings)
    db.session.flush()
    audit("checkin.event.updated", target=event, actor=actor, summary=_("修改签到活动：%(title)s", title=event.title))


def set_cancelled(actor: User, event: CheckinEvent, cancelled: bool) -> None:
    """Cancel an event (no check-ins, not counted as held) or restore it (audit-logged)."""
    event.cancelled_at = utcnow() if cancelled else None
    audit("checkin.event.cancelled" if cancelled else "checkin.event.restored", target=event, actor=actor,
          summary=_("取消签到活动：%(title)s", title=event.title) if cancelled
          else _("恢复签到活动：%(title)s", title=event.title))


def withdraw_static_code(actor: User, event: CheckinEvent) -> None:
    """Invalidate every printed static code of the event (a new one can be printed)."""
    event.static_code_version += 1
    audit("checkin.static_withdrawn", target=event, actor=actor,
          summary=_("作废已打印的固定签到码：%(title)s", title=event.title))


def events_of(campaign_id: int | None = None) -> list[CheckinEvent]:
    """Events, newest start first, optionally of one campaign."""
    query = sa.select(CheckinEvent).options(selectinload(CheckinEvent.campaign)).order_by(
        CheckinEvent.starts_at.desc(), CheckinEvent.id.desc())
    if campaign_id:
        query = query.where(CheckinEvent.campaign_id == campaign_id)
    return list(db.session.scalars(query.limit(500)))


def window_summary(event: CheckinEvent) -> dict[str, datetime]:
    return {"opens_at": opens_at(event), "late_at": event.late_at, "closes_at": event.closes_at}


# ---------------------------------------------------------------- stewards

def stewards_of(event: CheckinEvent) -> list[CheckinSteward]:
    return list(db.session.scalars(sa.select(CheckinSteward).where(CheckinSteward.event_id == event.id)
                                   .options(selectinload(CheckinSteward.user)).order_by(CheckinSteward.created_at)))


def add_steward(actor: User, event: CheckinEvent, login: str) -> User:
    """Make the account with this staff ID or mobile a scan-only steward of the event (once)."""
    login = "".join((login or "").split())[:32]
    user = db.session.scalars(sa.select(User).where(sa.or_(User.staff_id == login, User.mobile == login))).first()
    if user is None or not user.active:
        raise SetupProblem(_("没有找到工号或手机号为 %(login)s 的在用账号", login=login or "—"), field="login")
    if db.session.get(CheckinSteward, (event.id, user.id)) is None:
        db.session.add(CheckinSteward(event_id=event.id, user_id=user.id, assigned_by_id=actor.id))
        audit("checkin.steward.added", target=event, actor=actor,
              summary=_("指定 %(name)s 为签到员：%(title)s", name=user.name, title=event.title), user_id=user.id)
    return user


def remove_steward(actor: User, event: CheckinEvent, user_id: int) -> bool:
    """Take a steward off the event; False when they were not one."""
    row = db.session.get(CheckinSteward, (event.id, user_id))
    if row is None:
        return False
    name = row.user.name
    db.session.delete(row)
    audit("checkin.steward.removed", target=event, actor=actor,
          summary=_("取消 %(name)s 的签到员：%(title)s", name=name, title=event.title), user_id=user_id)
    return True
