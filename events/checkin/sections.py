"""What check-in shows on other pages (the stewards' events on the home page) and the unit-deletion check."""
import sqlalchemy as sa
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import db
from events.checkin.models import CheckinEvent, checkin_event_units
from events.checkin.services.scanning import staffed_events


def home_section(user=None) -> dict | None:
    """Events taking check-ins now that the user staffs (stewards; organisers see them in 签到活动)."""
    user = user or current_user
    if not user.is_authenticated or user.is_organiser:
        return None
    events = staffed_events(user)
    return {"events": events} if events else None


def events_naming_unit(unit) -> str | None:
    """A unit or branch an event invites or is held by cannot be deleted: the event's invitee rule
    would silently lose it (an event of chosen units with none left invites nobody)."""
    titles = list(db.session.scalars(
        sa.select(CheckinEvent.title).where(sa.or_(
            CheckinEvent.host_unit_id == unit.id,
            CheckinEvent.id.in_(sa.select(checkin_event_units.c.event_id).where(checkin_event_units.c.unit_id == unit.id))))
        .order_by(CheckinEvent.id).limit(5)))
    if not titles:
        return None
    return _("还是签到活动%(titles)s的参加或主办单位", titles="、".join(f"「{title}」" for title in titles))
