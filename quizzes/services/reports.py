"""Figures organisers watch during and after a quiz: progress, per-unit statistics, the members who
have not taken part, and one member's paper as they saw it (per question: question_stats.py).

Every figure can be restricted to one top-level unit (`unit_id`): a liaison sees the same pages as an
organiser, limited to their own unit's members. Who is expected to take part ("应参与"): active
members of the quiz's eligible units (every unit when the quiz names none), branches rolled up.
Taking part ("参与") means having submitted at least one attempt. Each function only reads, and runs a
fixed number of queries however many members there are; attempts whose time ran out are submitted
before, once, at the edge of the request (quizzes/views/settle.py) or by the CLI and the sweeper.
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased, joinedload

from app.accounts.models import User
from app.extensions import db
from app.units.models import Unit
from app.units.services import unit_headcounts
from quizzes.models import OPTION_LETTERS, Attempt, AttemptItem, Question, Quiz, question_type_label
from quizzes.services.answers import format_answer, format_response
from quizzes.services.ranking import RankedRow, leaderboard, member_units

# ---------------------------------------------------------------- who is expected

def eligible_unit_ids(quiz: Quiz) -> set[int] | None:
    """The units (or branches) named as eligible; None means every unit."""
    ids = {unit.id for unit in quiz.eligible_units}
    return ids or None


def _top_level_ids(ids: set[int]):
    """A SELECT of the top-level units of `ids` (a branch counts for its parent unit)."""
    return sa.select(sa.func.coalesce(Unit.parent_id, Unit.id)).where(Unit.id.in_(ids))


def quiz_units(quiz: Quiz, unit_id: int | None = None) -> list[Unit]:
    """The top-level units expected to take part (or with an eligible branch), in display order."""
    query = sa.select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.sort_order, Unit.id)
    eligible = eligible_unit_ids(quiz)
    if eligible is not None:
        query = query.where(Unit.id.in_(_top_level_ids(eligible)))
    if unit_id is not None:
        query = query.where(Unit.id == unit_id)
    return list(db.session.scalars(query))


def may_see_unit(quiz: Quiz, unit_id: int) -> bool:
    """Whether members of the top-level unit `unit_id` (or of one of its branches) may sit the quiz."""
    if not quiz.eligible_units:
        return True
    return any(unit_id in (unit.id, unit.parent_id) for unit in quiz.eligible_units)


def expected_clause(quiz: Quiz, member_unit, branch_unit):
    """SQL condition on User (joined to its unit and, outer, its branch): eligible for the quiz.

    Mirrors the engine's rule: eligible when the quiz names no unit, or names the member's unit,
    branch, or the parent of either.
    """
    eligible = eligible_unit_ids(quiz)
    if eligible is None:
        return sa.true()
    return sa.or_(User.unit_id.in_(eligible), User.branch_id.in_(eligible),
                  member_unit.parent_id.in_(eligible), branch_unit.parent_id.in_(eligible))


def expected_headcounts(quiz: Quiz, units: list[Unit]) -> dict[int, int]:
    """Active members expected to take part, per top-level unit of `units` (one query)."""
    if not units:
        return {}
    ids = [unit.id for unit in units]
    if all(unit.parent_id is None for unit in quiz.eligible_units):
        return unit_headcounts(ids)  # whole units: the roster's own headcount
    member_unit, _top, top_id = member_units()
    branch_unit = aliased(Unit)
    query = (
        sa.select(top_id, sa.func.count(User.id))
        .join(member_unit, member_unit.id == User.unit_id)
        .outerjoin(branch_unit, branch_unit.id == User.branch_id)
        .where(User.active.is_(True), top_id.in_(ids), expected_clause(quiz, member_unit, branch_unit))
        .group_by(top_id)
    )
    counts = dict(db.session.execute(query).all())
    return {unit_id: counts.get(unit_id, 0) for unit_id in ids}


def rate(part: int, whole: int) -> float | None:
    """part / whole, or None when nobody is expected."""
    return part / whole if whole else None


# ---------------------------------------------------------------- progress

@dataclass
class UnitProgress:
    unit_id: int | None
    unit_name: str
    headcount: int = 0
    started: int = 0
    in_progress: int = 0
    submitted: int = 0

    @property
    def not_started(self) -> int:
        return max(self.headcount - self.started, 0)

    @property
    def participation(self) -> float | None:
        return rate(self.submitted, self.headcount)


@dataclass
class Progress:
    total: UnitProgress
    units: list[UnitProgress]
    attempts_open: int = 0
    attempts_submitted: int = 0
    leaves: int = 0  # 切屏 events over every attempt


def progress(quiz: Quiz, *, unit_id: int | None = None) -> Progress:
    """Live progress: started, answering now, submitted and not started, overall and per unit."""
    units = quiz_units(quiz, unit_id)
    headcounts = expected_headcounts(quiz, units)
    member_unit, _top, top_id = member_units()
    is_open = Attempt.submitted_at.is_(None)
    query = (
        sa.select(
            top_id,
            sa.func.count(sa.distinct(Attempt.user_id)),
            sa.func.count(sa.distinct(sa.case((is_open, Attempt.user_id)))),
            sa.func.count(sa.distinct(sa.case((~is_open, Attempt.user_id)))),
            sa.func.count(sa.case((is_open, Attempt.id))),
            sa.func.count(sa.case((~is_open, Attempt.id))),
            sa.func.coalesce(sa.func.sum(Attempt.leave_count), 0),
        )
        .select_from(Attempt)
        .join(User, User.id == Attempt.user_id)
        .join(member_unit, member_unit.id == User.unit_id)
        .where(Attempt.quiz_id == quiz.id, User.active.is_(True))
        .group_by(top_id)
    )
    if unit_id is not None:
        query = query.where(top_id == unit_id)
    by_unit = {row[0]: row for row in db.session.execute(query)}
    rows, total = [], UnitProgress(None, "")
    result = Progress(total=total, units=rows)
    for unit in units:
        figures = by_unit.get(unit.id)
        line = UnitProgress(unit.id, unit.name, headcount=headcounts.get(unit.id, 0))
        if figures is not None:
            line.started, line.in_progress, line.submitted = figures[1], figures[2], figures[3]
            result.attempts_open += figures[4]
            result.attempts_submitted += figures[5]
            result.leaves += int(figures[6] or 0)
        rows.append(line)
        total.headcount += line.headcount
        total.started += line.started
        total.in_progress += line.in_progress
        total.submitted += line.submitted
    return result


# ---------------------------------------------------------------- per unit

@dataclass
class UnitFigures:
    unit_id: int | None
    unit_name: str
    headcount: int
    participants: int
    average_score: float | None
    top_score: float | None

    @property
    def participation(self) -> float | None:
        return rate(self.participants, self.headcount)


def unit_statistics(quiz: Quiz, *, unit_id: int | None = None,
                    rows: list[RankedRow] | None = None) -> tuple[list[UnitFigures], UnitFigures]:
    """Per unit: expected members, participants, participation rate, average and top counted score.

    Pass the leaderboard `rows` when already computed. Returns the unit lines and the total line.
    """
    if rows is None:
        rows = leaderboard(quiz, unit_id=unit_id)
    units = quiz_units(quiz, unit_id)
    headcounts = expected_headcounts(quiz, units)
    scores: dict[int, list[float]] = defaultdict(list)
    for row in rows:
        if row.active and row.unit_id is not None:
            scores[row.unit_id].append(row.score)
    lines, everyone = [], []
    for unit in units:
        unit_scores = scores.get(unit.id, [])
        everyone.extend(unit_scores)
        lines.append(_figures(unit.id, unit.name, headcounts.get(unit.id, 0), unit_scores))
    total = _figures(None, "", sum(line.headcount for line in lines), everyone)
    return lines, total


def _figures(unit_id, name, headcount, scores) -> UnitFigures:
    return UnitFigures(
        unit_id=unit_id, unit_name=name, headcount=headcount, participants=len(scores),
        average_score=round(sum(scores) / len(scores), 2) if scores else None,
        top_score=max(scores) if scores else None,
    )


# ---------------------------------------------------------------- not taken part

@dataclass
class Absentee:
    user_id: int
    name: str
    staff_id: str
    mobile: str | None
    unit_id: int
    unit_name: str
    branch_name: str
    answering: bool  # has an open attempt (started but not submitted)


def absentees(quiz: Quiz, *, unit_id: int | None = None) -> list[Absentee]:
    """Active expected members with no submitted attempt, by unit (in display order), then staff ID."""
    member_unit, top_unit, top_id = member_units()
    branch = aliased(Unit)
    submitted = sa.exists().where(Attempt.quiz_id == quiz.id, Attempt.user_id == User.id,
                                  Attempt.submitted_at.is_not(None))
    answering = sa.exists().where(Attempt.quiz_id == quiz.id, Attempt.user_id == User.id,
                                  Attempt.submitted_at.is_(None))
    query = (
        sa.select(User.id, User.name, User.staff_id, User.mobile, top_unit.id, top_unit.name,
                  branch.name, answering)
        .join(member_unit, member_unit.id == User.unit_id)
        .join(top_unit, top_unit.id == top_id)
        .outerjoin(branch, branch.id == User.branch_id)
        .where(User.active.is_(True), ~submitted, expected_clause(quiz, member_unit, branch))
        .order_by(top_unit.sort_order, top_unit.id, User.staff_id)
    )
    if unit_id is not None:
        query = query.where(top_id == unit_id)
    return [Absentee(row[0], row[1], row[2], row[3], row[4], row[5], row[6] or "", bool(row[7]))
            for row in db.session.execute(query)]


# ---------------------------------------------------------------- one member's paper

@dataclass
class PaperOption:
    shown_letter: str  # the letter the member saw
    original_letter: str  # the letter in the bank
    text: str
    chosen: bool
    is_key: bool


@dataclass
class PaperItem:
    item: AttemptItem
    question: Question
    options: list[PaperOption]
    response_shown: str  # the member's answer as they saw it (displayed letters)
    response_original: str  # the same answer in bank letters
    key_shown: str
    key_original: str

    @property
    def type_label(self) -> str:
        return question_type_label(self.question.question_type)


def _as_letters(value) -> list[str]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def attempt_paper(attempt: Attempt) -> list[PaperItem]:
    """The exact paper the member was given (their option order) with their answers and the key."""
    items = db.session.scalars(
        sa.select(AttemptItem).where(AttemptItem.attempt_id == attempt.id)
        .options(joinedload(AttemptItem.question)).order_by(AttemptItem.position)
    ).all()
    paper = []
    for item in items:
        question = item.question
        kind = question.question_type
        if kind in ("single", "multiple"):
            count = len(item.options or [])
            order = list(item.option_order or []) or list(range(count))
            to_shown = {OPTION_LETTERS[original]: OPTION_LETTERS[shown] for shown, original in enumerate(order)}
            chosen, key = set(_as_letters(item.response)), set(_as_letters(item.answer))
            options = [
                PaperOption(OPTION_LETTERS[shown], OPTION_LETTERS[original], item.options[original],
                            OPTION_LETTERS[original] in chosen, OPTION_LETTERS[original] in key)
                for shown, original in enumerate(order) if original < count
            ]
            response_shown = "".join(sorted(to_shown.get(letter, "?") for letter in chosen))
            key_shown = "".join(sorted(to_shown.get(letter, "?") for letter in key))
        else:
            options = []
            response_shown = format_response(kind, item.response)
            key_shown = format_answer(kind, item.answer)
        paper.append(PaperItem(
            item=item, question=question, options=options, response_shown=response_shown,
            response_original=format_response(kind, item.response), key_shown=key_shown,
            key_original=format_answer(kind, item.answer),
        ))
    return paper


def member_attempts(quiz: Quiz, user_id: int) -> list[Attempt]:
    """All of a member's attempts at the quiz, first one first."""
    return list(db.session.scalars(
        sa.select(Attempt).where(Attempt.quiz_id == quiz.id, Attempt.user_id == user_id).order_by(Attempt.number)
    ))


def attempt_unit_id(attempt: Attempt) -> int | None:
    """The top-level unit of the member who made the attempt (for a liaison's access check)."""
    unit = attempt.user.unit
    if unit is None:
        return None
    return unit.parent_id if unit.parent_id is not None else unit.id


def latest_submission(quiz: Quiz) -> datetime | None:
    """When the most recent attempt was submitted (None before the first)."""
    return db.session.scalar(sa.select(sa.func.max(Attempt.submitted_at)).where(Attempt.quiz_id == quiz.id))
