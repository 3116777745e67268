"""Who is expected (应到): the event's invitee rule, and its snapshot taken when the window opens."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from app.accounts.models import User
from app.common.clock import utcnow
from app.extensions import db
from events.checkin.models import (
    CheckinEvent,
    CheckinExemption,
    CheckinInvitee,
    checkin_event_groups,
    checkin_event_members,
    checkin_event_units,
)
from events.checkin.services.windows import snapshot_due

_SNAPSHOT_COLUMNS = ("event_id", "user_id", "unit_id", "branch_id", "party_group_id", "political_status",
                     "is_branch_committee", "source", "created_at")


def rule_members(event: CheckinEvent) -> sa.Select:
    """SELECT of the active roster members the invitee rule names now: scope, then the 政治面貌 and 支委
    filters (chosen members are taken as chosen, unfiltered)."""
    query = sa.select(User.id).where(User.active.is_(True), User.unit_id.is_not(None))
    scope = event.invitee_scope
    if scope in ("units", "branches"):
        # Units and branches are both rows of `units`: a member is in when their unit or branch is chosen.
        chosen = sa.select(checkin_event_units.c.unit_id).where(checkin_event_units.c.event_id == event.id)
        query = query.where(sa.or_(User.unit_id.in_(chosen), User.branch_id.in_(chosen)))
    elif scope == "groups":
        chosen = sa.select(checkin_event_groups.c.party_group_id).where(checkin_event_groups.c.event_id == event.id)
        query = query.where(User.party_group_id.in_(chosen))
    elif scope == "members":
        chosen = sa.select(checkin_event_members.c.user_id).where(checkin_event_members.c.event_id == event.id)
        return query.where(User.id.in_(chosen))
    if event.invitee_statuses:
        query = query.where(User.political_status.in_(list(event.invitee_statuses)))
    if event.committee_only:
        query = query.where(User.is_branch_committee.is_(True))
    return query


def rule_count(event: CheckinEvent) -> int:
    """How many members the rule names now (the set-up page's preview before the snapshot)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(rule_members(event).subquery())) or 0


def ensure_snapshot(event: CheckinEvent, now: datetime | None = None) -> bool:
    """Freeze the invitee list once the window has opened, idempotently and race-safe (insert or
    ignore, then mark the event); True when the snapshot exists afterwards."""
    if event.snapshot_taken_at is not None:
        return True
    now = now or utcnow()
    if not snapshot_due(event, now):
        return False
    members = rule_members(event).subquery()
    rows = (sa.select(sa.literal(event.id), User.id, User.unit_id, User.branch_id, User.party_group_id,
                      User.political_status, User.is_branch_committee, sa.literal("rule"), sa.literal(now))
            .where(User.id.in_(sa.select(members.c.id))))
    insert = _insert().from_select(list(_SNAPSHOT_COLUMNS), rows)
    db.session.execute(insert.on_conflict_do_nothing(index_elements=["event_id", "user_id"]))
    db.session.execute(sa.update(CheckinEvent).where(CheckinEvent.id == event.id,
                                                     CheckinEvent.snapshot_taken_at.is_(None))
                       .values(snapshot_taken_at=now).execution_options(synchronize_session=False))
    event.snapshot_taken_at = event.snapshot_taken_at or now
    return True


def add_invitee(event: CheckinEvent, member: User, now: datetime | None = None) -> None:
    """Put a member not named by the rule on the list (an organiser's manual check-in), once."""
    insert = _insert().values(event_id=event.id, user_id=member.id, unit_id=member.unit_id,
                              branch_id=member.branch_id, party_group_id=member.party_group_id,
                              political_status=member.political_status,
                              is_branch_committee=member.is_branch_committee, source="added",
                              created_at=now or utcnow())
    db.session.execute(insert.on_conflict_do_nothing(index_elements=["event_id", "user_id"]))


def is_invited(event: CheckinEvent, user_id: int) -> bool:
    """Whether the member is on the event's snapshot."""
    return db.session.scalar(sa.select(sa.literal(True)).where(
        CheckinInvitee.event_id == event.id, CheckinInvitee.user_id == user_id)) is True


def expected_count(event: CheckinEvent) -> int:
    """应到 on the snapshot, exemptions (不计入应到) taken out."""
    exempt = sa.select(CheckinExemption.user_id).where(CheckinExemption.event_id == event.id)
    return db.session.scalar(sa.select(sa.func.count()).select_from(CheckinInvitee).where(
        CheckinInvitee.event_id == event.id, CheckinInvitee.user_id.not_in(exempt))) or 0


def _insert():
    dialect = db.session.get_bind(mapper=CheckinInvitee.__mapper__).dialect.name
    if dialect == "postgresql":
        return postgresql.insert(CheckinInvitee)
    if dialect == "sqlite":
        return sqlite.insert(CheckinInvitee)
    raise RuntimeError(f"snapshots are not implemented for {dialect}")
