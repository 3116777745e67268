"""What the door staff may look up: a query (name, staff ID, mobile tail) over the event's list, never
a browsable list; and a scanned member's records at the events they staff."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import abort

from app.accounts.models import User
from app.common.text import like_pattern
from app.extensions import db
from app.units.models import Unit
from events.checkin.models import CheckinEvent, CheckinInvitee, CheckinRecord
from events.checkin.services.invitees import ensure_snapshot

MIN_QUERY = 2
MAX_RESULTS = 10


@dataclass(frozen=True)
class Found:
    member: User
    unit_name: str
    invited: bool
    record: CheckinRecord | None


def _query_filter(q: str):
    q = "".join(char for char in q if char.isprintable()).strip()[:32]
    if len(q) < MIN_QUERY:
        return None
    conditions = [User.name.ilike(like_pattern(q), escape="\\"), User.staff_id == q]
    if q.isdigit() and len(q) >= 4:
        conditions.append(User.mobile.like("%" + q, escape="\\"))  # the mobile's last digits
    return sa.or_(*conditions)


def lookup(event: CheckinEvent, q: str | None) -> list[Found]:
    """At most MAX_RESULTS roster members matching `q` (the invited first), with their record here."""
    condition = _query_filter(q or "")
    if condition is None:
        return []
    ensure_snapshot(event)
    invited = sa.exists().where(CheckinInvitee.event_id == event.id, CheckinInvitee.user_id == User.id)
    rows = db.session.execute(
        sa.select(User, Unit.name, invited).join(Unit, User.unit_id == Unit.id)
        .where(condition, User.active.is_(True))
        .order_by(invited.desc(), User.name, User.id).limit(MAX_RESULTS)).all()
    records = {record.user_id: record for record in db.session.scalars(sa.select(CheckinRecord).where(
        CheckinRecord.event_id == event.id, CheckinRecord.kind == "check_in",
        CheckinRecord.user_id.in_([row[0].id for row in rows] or [0])))}
    return [Found(member, unit_name, bool(is_invited), records.get(member.id))
            for member, unit_name, is_invited in rows]


def statuses_of(member: User | None, events: list[CheckinEvent]) -> dict[int, CheckinRecord]:
    """The member's check-in at each of `events`, by event id."""
    if member is None or not events:
        return {}
    return {record.event_id: record for record in db.session.scalars(sa.select(CheckinRecord).where(
        CheckinRecord.user_id == member.id, CheckinRecord.kind == "check_in",
        CheckinRecord.event_id.in_([event.id for event in events])))}


def member_or_404(member_id: int | None) -> User:
    """A roster member by id, for organisers' manual check-in; 404 otherwise."""
    member = db.session.get(User, member_id) if member_id else None
    if member is None or member.unit_id is None:
        abort(404)
    return member
