"""What the attendance-side pages share: loading an event, the viewer's unit scope, the snapshot."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from app.common.forms import INTEGER_LIMIT
from app.extensions import db
from app.units.models import Unit
from events.checkin.models import CheckinEvent
from events.checkin.services import attendance_report as attendance


def event_or_404(event_id: int) -> CheckinEvent:
    if not 0 < event_id <= INTEGER_LIMIT:
        abort(404)
    return db.get_or_404(CheckinEvent, event_id)


def hosted_by_unit(event: CheckinEvent, unit_id: int) -> bool:
    """Whether the event is held by `unit_id` or one of its branches."""
    if event.host_unit_id is None:
        return False
    host = db.session.get(Unit, event.host_unit_id)
    return host is not None and unit_id in (host.id, host.parent_id)


def viewer_unit(event: CheckinEvent) -> int | None:
    """None for organisers (every unit); a liaison's unit when the event invites or is held by it; else 404."""
    if current_user.is_organiser:
        return None
    unit_id = current_user.liaison_unit_id
    if unit_id is None:
        abort(404)
    if hosted_by_unit(event, unit_id) or attendance.unit_has_invitees(event, unit_id):
        return unit_id
    if event.snapshot_taken_at is None and rule_names_unit(event, unit_id):
        return unit_id
    abort(404)


def rule_names_unit(event: CheckinEvent, unit_id: int) -> bool:
    """Before the snapshot: whether the invitee rule names members of `unit_id` now."""
    import sqlalchemy as sa

    from app.accounts.models import User
    from events.checkin.services.invitees import rule_members

    members = rule_members(event).subquery()
    return db.session.scalar(sa.select(sa.literal(True)).select_from(User).where(
        User.id.in_(sa.select(members.c.id)), User.unit_id == unit_id).limit(1)) is True


def take_snapshot(event: CheckinEvent) -> bool:
    """Freeze the invitee list if the window has opened (the view commits); True when it exists."""
    from events.checkin.services.invitees import ensure_snapshot

    return ensure_snapshot(event)
