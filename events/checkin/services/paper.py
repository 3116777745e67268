"""The paper fallback (纸质签到表): after a meeting signed on paper, the organiser ticks who signed and
each becomes a check-in with method "paper" (at the event's start: a signature is not late), once.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from app.accounts.models import User
from app.audit.services import record
from app.common.clock import utcnow
from app.common.problems import Problem
from app.common.upsert import insert_or_ignore
from app.extensions import db
from events.checkin.models import CheckinEvent, CheckinInvitee, CheckinRecord


class PaperProblem(Problem):
    """A paper-sheet entry the event cannot take."""


def may_enter_paper(event: CheckinEvent, now: datetime | None = None) -> bool:
    """Paper sheets are entered once the window has opened (the snapshot exists), for events not cancelled."""
    opens = event.starts_at - timedelta(minutes=event.opens_minutes_before or 0)
    return event.cancelled_at is None and (now or utcnow()) >= opens


def enter_paper(event: CheckinEvent, user_ids: list[int], *, actor: User, note: str = "",
                now: datetime | None = None) -> list[User]:
    """Record a paper check-in for each ticked invitee who has none yet (insert or ignore, so a second
    entry of the same sheet adds nothing); one audit entry names them. Returns who was added."""
    if not may_enter_paper(event, now):
        raise PaperProblem(_("签到开放之前不能录入纸质签到表。"))
    note = (note or "").strip()[:200] or _("纸质签到表")
    invited = set(db.session.scalars(sa.select(CheckinInvitee.user_id).where(
        CheckinInvitee.event_id == event.id, CheckinInvitee.user_id.in_(user_ids or [-1]))))
    added = []
    for user_id in sorted(invited):
        if insert_or_ignore(CheckinRecord, {
            "event_id": event.id, "user_id": user_id, "kind": "check_in", "method": "paper",
            "checked_at": event.starts_at, "recorded_by_id": actor.id, "note": note,
            "flag_shared_device": False, "flag_token_tail": False,
        }, ("event_id", "user_id", "kind")):
            added.append(user_id)
    people = list(db.session.scalars(sa.select(User).where(User.id.in_(added or [-1])).order_by(User.name)))
    if people:
        record("checkin.paper_entered", target=event, actor=actor,
               summary=_("纸质签到 %(n)s 人", n=len(people)), member_ids=[person.id for person in people],
               names=[person.name for person in people], note=note)
    return people
