"""What the attendance side of check-in shows elsewhere: the home page (members: upcoming meetings
they are invited to and their leave; liaisons: their unit's latest attendance), the campaign page,
and the campaign participation provider (members who checked in at an event they were invited to)."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask_login import current_user

from app.common.access import Role
from app.common.clock import utcnow
from app.extensions import db
from events.checkin.models import CheckinEvent, CheckinInvitee, CheckinRecord

UPCOMING_DAYS = 14
HOME_LIMIT = 5


def _upcoming_for(user, now):
    from events.checkin.services.leave import invited_events, member_leaves

    events = invited_events(user, now=now, limit=HOME_LIMIT, starting_within=timedelta(days=UPCOMING_DAYS))
    return events, member_leaves(user) if events else {}


def _latest_for_unit(unit_id: int, now, campaign_id: int | None = None):
    from events.checkin.services.attendance_report import event_attendance

    query = (sa.select(CheckinEvent).where(
        CheckinEvent.id.in_(sa.select(CheckinInvitee.event_id).where(CheckinInvitee.unit_id == unit_id)),
        CheckinEvent.starts_at <= now, CheckinEvent.cancelled_at.is_(None))
        .order_by(CheckinEvent.starts_at.desc()).limit(1))
    if campaign_id is not None:
        query = query.where(CheckinEvent.campaign_id == campaign_id)
    event = db.session.scalars(query).first()
    if event is None:
        return None
    return {"event": event, "counts": event_attendance(event, unit_id=unit_id).total}


def home_section(user=None) -> dict | None:
    """Members: meetings of the next two weeks they are invited to, with their leave; liaisons: their
    unit's attendance at the latest meeting. Hidden when there is nothing to show."""
    user = user or current_user
    if not user.is_authenticated:
        return None
    now = utcnow()
    data = {}
    if user.has_role(Role.MEMBER):
        events, leaves = _upcoming_for(user, now)
        if events:
            data.update(events=events, leaves=leaves)
    if user.liaison_unit_id is not None:
        latest = _latest_for_unit(user.liaison_unit_id, now)
        if latest:
            data["latest"] = latest
    return data or None


def campaign_section(campaign, user=None) -> dict | None:
    """The campaign's meetings: members see those they are invited to; liaisons their unit's latest figures."""
    user = user or current_user
    now = utcnow()
    data = {}
    if user.has_role(Role.MEMBER):
        events, leaves = _upcoming_for(user, now)
        events = [event for event in events if event.campaign_id == campaign.id]
        if events:
            data.update(events=events, leaves=leaves)
    if user.liaison_unit_id is not None:
        latest = _latest_for_unit(user.liaison_unit_id, now, campaign.id)
        if latest:
            data["latest"] = latest
    return data or None


def checkin_participants(campaign):
    """(user_id, took_part_at, unit_id): members who checked in at an event of `campaign` they were
    invited to, with the time of it, credited to the unit of the invitation snapshot."""
    return (
        sa.select(CheckinRecord.user_id, CheckinRecord.checked_at.label("took_part_at"), CheckinInvitee.unit_id)
        .join(CheckinEvent, CheckinEvent.id == CheckinRecord.event_id)
        .join(CheckinInvitee, sa.and_(CheckinInvitee.event_id == CheckinRecord.event_id,
                                      CheckinInvitee.user_id == CheckinRecord.user_id))
        .where(CheckinEvent.campaign_id == campaign.id, CheckinRecord.kind == "check_in")
    )


def checkin_attendance(campaign):
    """(user_id, invited, present, unit_id) per member and invitation unit: invitations not exempted
    (应到 − 不计入) and those attended (出席 + 迟到 + 公出), so present ÷ invited is check-in's 出勤率."""
    from events.checkin.services.attendance import PRESENT_LIKE
    from events.checkin.services.attendance_report import campaign_statuses

    rows = campaign_statuses(campaign.id, now=utcnow())
    invited = sa.func.sum(sa.case((rows.c.status != "exempt", 1), else_=0))
    present = sa.func.sum(sa.case((rows.c.status.in_(PRESENT_LIKE), 1), else_=0))
    return (sa.select(rows.c.user_id, invited.label("invited"), present.label("present"), rows.c.unit_id)
            .group_by(rows.c.user_id, rows.c.unit_id))


def checkin_attendance_changes(campaign, now):
    """When checkin_attendance next changes with no write: the next start of one of the campaign's events
    that is not cancelled (an event counts from its start, campaign_statuses), or None."""
    return db.session.scalar(sa.select(sa.func.min(CheckinEvent.starts_at)).where(
        CheckinEvent.campaign_id == campaign.id, CheckinEvent.cancelled_at.is_(None), CheckinEvent.starts_at > now))
