"""Which attempt counts for each member, and the ranking built from those attempts.

A member may sit a quiz several times; the quiz's `counting` rule picks the attempt that counts:
best (highest score, then shorter time, then earlier submission) or latest (most recent submission).
The pick is made by the database (ROW_NUMBER over each member's submitted attempts), so a ranking
of thousands of members costs one query whatever their number.
"""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.accounts.models import User
from app.common.ranking import competition_ranks
from app.extensions import db
from app.units.models import Unit
from quizzes.models import Attempt, Quiz


@dataclass(frozen=True)
class RankedRow:
    """One member's line in the ranking (their counted attempt)."""

    rank: int
    user_id: int
    name: str
    staff_id: str
    unit_id: int | None  # top-level unit (branches rolled up)
    unit_name: str
    active: bool
    attempt_id: int
    attempt_number: int
    score: float
    max_score: float
    time_used_seconds: float
    submitted_at: datetime
    leave_count: int
    submit_reason: str | None


def member_units():
    """(member_unit, top_unit) aliases and the top-level unit id expression for User.unit_id."""
    member_unit, top_unit = aliased(Unit), aliased(Unit)
    return member_unit, top_unit, sa.func.coalesce(member_unit.parent_id, member_unit.id)


def _time_used(quiz: Quiz):
    return sa.func.coalesce(Attempt.time_used_seconds, float(quiz.time_limit_seconds))


def counted_attempt_ids(quiz: Quiz):
    """A SELECT of the ids of the attempts that count, one per member with a submitted attempt."""
    if quiz.counting == "latest":
        order = (Attempt.submitted_at.desc(), Attempt.id.desc())
    else:
        order = (sa.func.coalesce(Attempt.score, 0.0).desc(), _time_used(quiz).asc(),
                 Attempt.submitted_at.asc(), Attempt.id.asc())
    numbered = (
        sa.select(Attempt.id.label("id"),
                  sa.func.row_number().over(partition_by=Attempt.user_id, order_by=order).label("pick"))
        .where(Attempt.quiz_id == quiz.id, Attempt.submitted_at.is_not(None))
        .subquery()
    )
    return sa.select(numbered.c.id).where(numbered.c.pick == 1)


def counted_attempts(quiz: Quiz) -> list[Attempt]:
    """Per member the submitted attempt that counts (best or latest, per the quiz), in one query."""
    return list(db.session.scalars(
        sa.select(Attempt).where(Attempt.id.in_(counted_attempt_ids(quiz))).order_by(Attempt.user_id)
    ))


def ranking_key(score: float, time_used: float, submitted_at: datetime) -> tuple:
    """Higher score first, then less time used, then earlier submission (floats rounded for ties)."""
    return (-round(score, 4), round(time_used, 3), submitted_at)


def leaderboard(quiz: Quiz, *, unit_id: int | None = None) -> list[RankedRow]:
    """Every member's counted attempt, ranked over the whole quiz (ties share a rank: 1, 1, 3).

    With `unit_id`, only that unit's members are returned, keeping their rank in the whole quiz.
    Reads only: attempts whose time ran out are settled before, at the edge of the request.
    """
    member_unit, top_unit, top_id = member_units()
    time_used = _time_used(quiz)
    query = (
        sa.select(
            Attempt.id, Attempt.number, Attempt.user_id, User.name, User.staff_id, User.active,
            top_unit.id, top_unit.name, sa.func.coalesce(Attempt.score, 0.0), Attempt.max_score, time_used,
            Attempt.submitted_at, Attempt.leave_count, Attempt.submit_reason,
        )
        .join(User, User.id == Attempt.user_id)
        .outerjoin(member_unit, member_unit.id == User.unit_id)
        .outerjoin(top_unit, top_unit.id == top_id)
        .where(Attempt.id.in_(counted_attempt_ids(quiz)))
    )
    rows = db.session.execute(query).all()
    ranked = competition_ranks(rows, key=lambda row: ranking_key(row[8], row[10], row[11]))
    result = []
    for rank, row in ranked:
        (attempt_id, number, user_id, name, staff_id, active, top_unit_id, top_unit_name, score, max_score,
         used, submitted_at, leave_count, reason) = row
        if unit_id is not None and top_unit_id != unit_id:
            continue
        result.append(RankedRow(
            rank=rank, user_id=user_id, name=name, staff_id=staff_id, unit_id=top_unit_id,
            unit_name=top_unit_name or "", active=bool(active), attempt_id=attempt_id, attempt_number=number,
            score=float(score), max_score=float(max_score or 0), time_used_seconds=float(used),
            submitted_at=submitted_at, leave_count=leave_count or 0, submit_reason=reason,
        ))
    return result


def rank_of(quiz: Quiz, user_id: int) -> tuple[int, int] | None:
    """The member's rank and the number of ranked members, or None when they have not submitted.

    Every member's result page asks this in the submit rush: three columns per ranked member and a
    count of the keys ahead, rather than the whole leaderboard with names and units.
    """
    rows = db.session.execute(
        sa.select(Attempt.user_id, sa.func.coalesce(Attempt.score, 0.0), _time_used(quiz), Attempt.submitted_at)
        .where(Attempt.id.in_(counted_attempt_ids(quiz)))
    ).all()
    keys = {member: ranking_key(score, used, submitted_at) for member, score, used, submitted_at in rows}
    mine = keys.get(user_id)
    if mine is None:
        return None
    return 1 + sum(1 for key in keys.values() if key < mine), len(keys)
