"""Leave (请假 / 公出) and exemptions (不计入应到).

A member asks for themself, or their unit's liaison asks for them, with a reason, before the event or
up to leave_days_after days after its end (illness told afterwards); a cancelled event takes none. An
organiser or the liaison of the member's unit approves or rejects; the requester, the member or that
liaison may withdraw while it still counts. One row per (event, member): asking again after a
rejection or a withdrawal reuses it. Only approved leave changes attendance, and a check-in wins
over it (services.attendance_report). Exemptions are the organiser's, with a reason. Decisions are audited.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.audit.services import record
from app.common.clock import utcnow
from app.common.problems import Problem
from app.extensions import db
from events.checkin.models import (
    LEAVE_KINDS,
    CheckinEvent,
    CheckinExemption,
    CheckinInvitee,
    CheckinLeave,
    CheckinRecord,
)

LEAVE_KIND_LABELS = {"leave": _l("请假"), "official": _l("公出")}
LEAVE_STATUS_LABELS = {"pending": _l("待审批"), "approved": _l("已批准"), "rejected": _l("未批准"),
                       "withdrawn": _l("已撤回")}
REASON_MAX = 500
CANDIDATES = 60  # events looked at for a member's list (each before its snapshot costs a statement)


class LeaveProblem(Problem):
    """A leave or exemption rule the request broke (message for the user, field it belongs beside)."""


def kind_label(kind: str) -> str:
    return str(LEAVE_KIND_LABELS.get(kind, kind))


def status_label(status: str) -> str:
    return str(LEAVE_STATUS_LABELS.get(status, status))


def leave_deadline(event: CheckinEvent) -> datetime:
    """Leave may be asked until leave_days_after days after the event's end."""
    return event.ends_at + timedelta(days=event.leave_days_after or 0)


def accepts_leave(event: CheckinEvent, now: datetime | None = None) -> bool:
    """Whether the event still takes leave requests (not cancelled, deadline not passed)."""
    return event.cancelled_at is None and (now or utcnow()) <= leave_deadline(event)


def is_invited(event: CheckinEvent, member_id: int) -> bool:
    """On the snapshot once taken; before that, named by the event's invitee rule now."""
    if event.snapshot_taken_at is not None:
        return db.session.scalar(sa.select(sa.literal(True)).where(
            CheckinInvitee.event_id == event.id, CheckinInvitee.user_id == member_id)) is True
    from events.checkin.services.invitees import rule_members

    members = rule_members(event).subquery()
    return db.session.scalar(sa.select(sa.literal(True)).where(members.c.id == member_id)) is True


def event_of(leave: CheckinLeave) -> CheckinEvent:
    """The request's event (from the session's identity map when loaded already)."""
    return db.session.get(CheckinEvent, leave.event_id)


def may_request_for(actor: User, member: User) -> bool:
    """A member asks for themself; a liaison for the members of their own unit."""
    if actor.id == member.id:
        return True
    unit_id = actor.liaison_unit_id
    return unit_id is not None and member.unit_id == unit_id


def may_decide(actor: User, leave: CheckinLeave) -> bool:
    """Organisers decide every request; a liaison those of their unit's members (never their own): the
    unit the member is in now, as in the liaison's queue (pending_for)."""
    if actor.is_organiser:
        return True
    unit_id = actor.liaison_unit_id
    return unit_id is not None and leave.user_id != actor.id and leave.user.unit_id == unit_id


def may_withdraw(actor: User, leave: CheckinLeave) -> bool:
    """The member, whoever asked, and the member's liaison may withdraw a request."""
    return actor.id in (leave.user_id, leave.requested_by_id) or may_request_for(actor, leave.user)


def _has_checked_in(event: CheckinEvent, member_id: int) -> bool:
    return db.session.scalar(sa.select(sa.literal(True)).where(
        CheckinRecord.event_id == event.id, CheckinRecord.user_id == member_id,
        CheckinRecord.kind == "check_in")) is True


def request_leave(event: CheckinEvent, member: User, *, kind: str, reason: str, actor: User,
                  now: datetime | None = None) -> CheckinLeave:
    """Ask for leave (or 公出) for an invited member: refused when the event is cancelled or past its
    deadline, the member checked in already, or a request is pending or approved."""
    now = now or utcnow()
    reason = (reason or "").strip()
    if kind not in LEAVE_KINDS:
        raise LeaveProblem(_("请选择请假类型。"), "kind")
    if not reason:
        raise LeaveProblem(_("请填写请假事由。"), "reason")
    if len(reason) > REASON_MAX:
        raise LeaveProblem(_("请假事由不能超过 %(n)s 字。", n=REASON_MAX), "reason")
    if not may_request_for(actor, member):
        raise LeaveProblem(_("只能为本人或本单位人员请假。"))
    if event.cancelled_at is not None:
        raise LeaveProblem(_("该活动已取消，无需请假。"))
    if now > leave_deadline(event):
        raise LeaveProblem(_("已超过请假期限（活动结束后 %(days)s 天内）。", days=event.leave_days_after))
    if not is_invited(event, member.id):
        raise LeaveProblem(_("%(name)s 不在该活动的应到名单中。", name=member.name))
    if _has_checked_in(event, member.id):
        raise LeaveProblem(_("%(name)s 已签到，无需请假。", name=member.name))
    leave = db.session.scalar(sa.select(CheckinLeave).where(
        CheckinLeave.event_id == event.id, CheckinLeave.user_id == member.id).with_for_update())
    if leave is not None and leave.status in ("pending", "approved"):
        raise LeaveProblem(_("已有一份%(status)s的申请，请勿重复提交。", status=status_label(leave.status)))
    if leave is None:
        leave = CheckinLeave(event_id=event.id, user_id=member.id)
        db.session.add(leave)
    leave.kind, leave.reason, leave.status = kind, reason, "pending"
    leave.requested_by_id, leave.requested_at = actor.id, now
    leave.decided_by_id, leave.decided_at, leave.decision_note = None, None, ""
    db.session.flush()
    record("checkin.leave.requested", target=event, actor=actor,
           summary=f"{member.name} {kind_label(kind)}", member_id=member.id, kind=kind, reason=reason)
    return leave


def decide(leave: CheckinLeave, *, approve: bool, actor: User, note: str = "",
           now: datetime | None = None) -> CheckinLeave:
    """Approve or reject a pending request (organiser or the member's liaison), audited."""
    if not may_decide(actor, leave):
        raise LeaveProblem(_("您不能审批这份申请。"))
    if leave.status != "pending":
        raise LeaveProblem(_("这份申请%(status)s，不能再审批。", status=status_label(leave.status)))
    note = (note or "").strip()
    if len(note) > 200:
        raise LeaveProblem(_("审批意见不能超过 200 字。"), "note")
    leave.status = "approved" if approve else "rejected"
    leave.decided_by_id, leave.decided_at, leave.decision_note = actor.id, now or utcnow(), note
    record("checkin.leave.approved" if approve else "checkin.leave.rejected", target=event_of(leave), actor=actor,
           summary=f"{leave.user.name} {kind_label(leave.kind)}", member_id=leave.user_id,
           leave_id=leave.id, kind=leave.kind, note=note)
    return leave


def withdraw(leave: CheckinLeave, *, actor: User, now: datetime | None = None) -> CheckinLeave:
    """Withdraw a pending or approved request before the deadline (the member is then expected again)."""
    if not may_withdraw(actor, leave):
        raise LeaveProblem(_("您不能撤回这份申请。"))
    if leave.status not in ("pending", "approved"):
        raise LeaveProblem(_("这份申请%(status)s，无需撤回。", status=status_label(leave.status)))
    if (now or utcnow()) > leave_deadline(event_of(leave)):
        raise LeaveProblem(_("已超过请假期限，不能撤回。"))
    leave.status = "withdrawn"
    record("checkin.leave.withdrawn", target=event_of(leave), actor=actor, summary=leave.user.name,
           member_id=leave.user_id, leave_id=leave.id)
    return leave


def add_exemption(event: CheckinEvent, member: User, *, reason: str, actor: User) -> CheckinExemption:
    """不计入应到 for one invited member, with a reason (organisers only), audited."""
    reason = (reason or "").strip()
    if not actor.is_organiser:
        raise LeaveProblem(_("只有组织者可以设置不计入应到。"))
    if not reason:
        raise LeaveProblem(_("请填写不计入应到的原因。"), "reason")
    if len(reason) > 200:
        raise LeaveProblem(_("原因不能超过 200 字。"), "reason")
    if not is_invited(event, member.id):
        raise LeaveProblem(_("%(name)s 不在该活动的应到名单中。", name=member.name), "staff_id")
    exists = db.session.scalar(sa.select(sa.literal(True)).where(
        CheckinExemption.event_id == event.id, CheckinExemption.user_id == member.id))
    if exists:
        raise LeaveProblem(_("%(name)s 已不计入应到。", name=member.name), "staff_id")
    exemption = CheckinExemption(event_id=event.id, user_id=member.id, reason=reason, created_by_id=actor.id)
    db.session.add(exemption)
    db.session.flush()
    record("checkin.exemption.added", target=event, actor=actor, summary=f"{member.name}：{reason}",
           member_id=member.id, reason=reason)
    return exemption


def remove_exemption(exemption: CheckinExemption, *, actor: User) -> None:
    """Count the member in 应到 again (organisers only), audited."""
    if not actor.is_organiser:
        raise LeaveProblem(_("只有组织者可以设置不计入应到。"))
    event = db.session.get(CheckinEvent, exemption.event_id)
    record("checkin.exemption.removed", target=event, actor=actor, summary=exemption.user.name,
           member_id=exemption.user_id, reason=exemption.reason)
    db.session.delete(exemption)


def find_member(text: str, *, unit_id: int | None = None) -> User | None:
    """The active roster member with this staff ID or mobile (of `unit_id` when given)."""
    text = (text or "").strip()
    if not text:
        return None
    query = sa.select(User).where(User.active.is_(True), User.unit_id.is_not(None),
                                  sa.or_(User.staff_id == text, User.mobile == text))
    if unit_id is not None:
        query = query.where(User.unit_id == unit_id)
    return db.session.scalars(query.limit(2)).first()


def event_leaves(event: CheckinEvent, *, unit_id: int | None = None) -> list[CheckinLeave]:
    """Every request of an event (of one unit's members when given), newest first."""
    query = (sa.select(CheckinLeave).where(CheckinLeave.event_id == event.id)
             .options(joinedload(CheckinLeave.user), joinedload(CheckinLeave.requested_by),
                      joinedload(CheckinLeave.decided_by))
             .order_by(CheckinLeave.requested_at.desc(), CheckinLeave.id.desc()))
    if unit_id is not None:
        query = query.join(User, User.id == CheckinLeave.user_id).where(User.unit_id == unit_id)
    return list(db.session.scalars(query).unique())


def pending_for(actor: User) -> list[tuple[CheckinLeave, CheckinEvent]]:
    """(request, event) waiting for `actor`'s decision: every one for organisers, their unit's for a liaison."""
    query = (sa.select(CheckinLeave, CheckinEvent).join(CheckinEvent, CheckinEvent.id == CheckinLeave.event_id)
             .join(User, User.id == CheckinLeave.user_id)
             .where(CheckinLeave.status == "pending", CheckinEvent.cancelled_at.is_(None))
             .options(joinedload(CheckinLeave.user), joinedload(CheckinLeave.requested_by))
             .order_by(CheckinEvent.starts_at, CheckinLeave.requested_at))
    if not actor.is_organiser:
        unit_id = actor.liaison_unit_id
        if unit_id is None:
            return []
        query = query.where(User.unit_id == unit_id, User.id != actor.id)
    return [(row[0], row[1]) for row in db.session.execute(query).unique()]


def member_leaves(member: User) -> dict[int, CheckinLeave]:
    """The member's requests by event id."""
    return {leave.event_id: leave for leave in db.session.scalars(
        sa.select(CheckinLeave).where(CheckinLeave.user_id == member.id))}


def exemptions(event: CheckinEvent) -> list[CheckinExemption]:
    """The event's 不计入应到 list, by name."""
    return list(db.session.scalars(
        sa.select(CheckinExemption).join(User, User.id == CheckinExemption.user_id)
        .where(CheckinExemption.event_id == event.id)
        .options(joinedload(CheckinExemption.user)).order_by(User.name, User.id)))


def invited_events(member: User, *, now: datetime | None = None, limit: int = 30,
                   starting_within: timedelta | None = None) -> list[CheckinEvent]:
    """Events still taking leave (or, with `starting_within`, not over and starting within it) that the
    member is invited to, soonest first: the snapshot decides once taken, the rule before (one statement
    for the snapshotted events, one per event still before its snapshot, at most CANDIDATES)."""
    now = now or utcnow()
    query = (sa.select(CheckinEvent).where(CheckinEvent.cancelled_at.is_(None))
             .order_by(CheckinEvent.starts_at, CheckinEvent.id).limit(CANDIDATES))
    if starting_within is not None:
        query = query.where(CheckinEvent.ends_at >= now, CheckinEvent.starts_at <= now + starting_within)
    else:  # leave_days_after is at most 60: nothing ended earlier still takes leave
        query = query.where(CheckinEvent.ends_at >= now - timedelta(days=60))
    candidates = [event for event in db.session.scalars(query) if now <= leave_deadline(event)]
    snapshotted = [event.id for event in candidates if event.snapshot_taken_at is not None]
    on_snapshot = set(db.session.scalars(sa.select(CheckinInvitee.event_id).where(
        CheckinInvitee.user_id == member.id, CheckinInvitee.event_id.in_(snapshotted)))) if snapshotted else set()
    shown = []
    for event in candidates:
        invited = event.id in on_snapshot if event.snapshot_taken_at is not None else is_invited(event, member.id)
        if invited:
            shown.append(event)
        if len(shown) >= limit:
            break
    return shown
