"""The membership history (member_periods) that credits each act of taking part to the unit of its
time. Rule: after any roster write, each user whose unit, branch or active flag differs from their open
period gets that period closed now and a new one opened; a user with no period yet gets one from the
day they joined the roster."""
from __future__ import annotations

from collections.abc import Iterable
from contextlib import nullcontext

import sqlalchemy as sa

from app.accounts.models import User
from app.common import data_versions
from app.common.clock import utcnow
from app.extensions import db
from app.participation.freshness import PEOPLE_DATA
from app.participation.models import MemberPeriod


def _scope(user_ids):
    """A WHERE clause on users.id for a list of ids, a select of ids, or None (every user)."""
    if user_ids is None:
        return sa.true()
    if isinstance(user_ids, sa.Select):
        return User.id.in_(user_ids)
    ids = sorted({int(user_id) for user_id in user_ids})
    return User.id.in_(ids) if ids else sa.false()


def record_membership(user_ids: Iterable[int] | sa.Select | None, *, now=None) -> None:
    """Bring the history of `user_ids` (ids, a select of ids, or None for every user) in line with the
    roster, in two statements whatever their number; never commits."""
    if user_ids is not None and not isinstance(user_ids, sa.Select):
        user_ids = list(user_ids)
        if not user_ids:
            return
    now = now or utcnow()
    db.session.flush()
    # A list of ids: the two set-based statements below write those members' rows only, and say so
    # to the people's change log (a move re-reads the mover alone); a select or everyone: unknown.
    keyed = data_versions.changing(PEOPLE_DATA, user_ids) if isinstance(user_ids, list) else nullcontext()
    with keyed:
        _record(_scope(user_ids), now)


def _record(scope, now) -> None:
    changed = (sa.select(User.id).where(
        scope, User.id == MemberPeriod.user_id,
        sa.or_(User.unit_id.is_distinct_from(MemberPeriod.unit_id),
               User.branch_id.is_distinct_from(MemberPeriod.branch_id),
               User.active.is_distinct_from(MemberPeriod.active)))
        .correlate(MemberPeriod).exists())
    db.session.execute(sa.update(MemberPeriod).where(MemberPeriod.valid_to.is_(None), changed)
                       .values(valid_to=sa.case((MemberPeriod.valid_from > now, MemberPeriod.valid_from), else_=now))
                       .execution_options(synchronize_session=False))
    has_open = sa.select(MemberPeriod.id).where(MemberPeriod.user_id == User.id,
                                                MemberPeriod.valid_to.is_(None)).correlate(User).exists()
    has_any = sa.select(MemberPeriod.id).where(MemberPeriod.user_id == User.id).correlate(User).exists()
    valid_from = sa.case((has_any, sa.literal(now, sa.DateTime)),
                         else_=sa.func.coalesce(User.created_at, sa.literal(now, sa.DateTime)))
    db.session.execute(sa.insert(MemberPeriod).from_select(
        ["user_id", "unit_id", "branch_id", "active", "valid_from", "valid_to"],
        sa.select(User.id, User.unit_id, User.branch_id, User.active, valid_from, sa.null())
        .where(scope, ~has_open)))


def periods_of(user_id: int) -> list[MemberPeriod]:
    """A member's history, oldest first."""
    return list(db.session.scalars(sa.select(MemberPeriod).where(MemberPeriod.user_id == user_id)
                                   .order_by(MemberPeriod.valid_from, MemberPeriod.id)))
