"""How much each unit practised (练习情况): for the organisers' page and the quiz export.

Figures come from PracticeAnswer only (never quiz_attempts). Only active members count, matching
the headcount from app.units.services.unit_headcounts; staff without a unit are left out.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from app.accounts.models import User
from app.common.clock import from_local
from app.common.xlsx import OutColumn, Sheet
from app.extensions import db
from app.units.models import Unit
from app.units.services import unit_headcounts
from quizzes.models import PracticeAnswer


@dataclass(frozen=True)
class UnitPractice:
    """One unit's practice figures: plain values, ready for a page or a spreadsheet row."""

    unit_id: int
    unit_name: str
    headcount: int  # active members, branches included
    practised: int  # distinct active members with at least one practice answer in the range
    answers: int
    correct: int

    @property
    def participation_rate(self) -> float | None:
        return self.practised / self.headcount if self.headcount else None

    @property
    def correct_rate(self) -> float | None:
        return self.correct / self.answers if self.answers else None


def _bounds(since: date | None, until: date | None) -> list:
    """Local calendar days (both inclusive) as conditions on the naive-UTC answered_at."""
    conditions = []
    if since is not None:
        conditions.append(PracticeAnswer.answered_at >= from_local(datetime.combine(since, time.min)))
    if until is not None:
        conditions.append(PracticeAnswer.answered_at < from_local(datetime.combine(until + timedelta(days=1),
                                                                                   time.min)))
    return conditions


def practice_by_unit(since: date | None = None, until: date | None = None,
                     unit_ids: list[int] | None = None) -> list[UnitPractice]:
    """Per top-level unit (display order): headcount, members who practised, answers and correct answers.

    `since`/`until` are local (Asia/Shanghai) calendar days, both inclusive. Only active members count,
    matching the headcount; staff without a unit are left out. Two queries: the figures (one grouped
    query) and unit_headcounts().
    """
    member_unit = aliased(Unit)
    top_id = sa.func.coalesce(member_unit.parent_id, member_unit.id)
    figures = (
        sa.select(
            top_id.label("unit_id"),
            sa.func.count(sa.distinct(PracticeAnswer.user_id)).label("practised"),
            sa.func.count(PracticeAnswer.id).label("answers"),
            sa.func.sum(sa.case((PracticeAnswer.is_correct.is_(True), 1), else_=0)).label("correct"),
        )
        .select_from(PracticeAnswer)
        .join(User, User.id == PracticeAnswer.user_id)
        .join(member_unit, member_unit.id == User.unit_id)
        .where(User.active.is_(True), *_bounds(since, until))
        .group_by(top_id)
        .subquery()
    )
    query = (
        sa.select(Unit.id, Unit.name, figures.c.practised, figures.c.answers, figures.c.correct)
        .outerjoin(figures, figures.c.unit_id == Unit.id)
        .where(Unit.parent_id.is_(None))
        .order_by(Unit.sort_order, Unit.id)
    )
    if unit_ids is not None:
        query = query.where(Unit.id.in_(list(unit_ids)))
    rows = db.session.execute(query).all()
    headcounts = unit_headcounts([row.id for row in rows]) if rows else {}
    return [
        UnitPractice(row.id, row.name, headcounts.get(row.id, 0), row.practised or 0, row.answers or 0,
                     int(row.correct or 0))
        for row in rows
    ]


def practice_totals(rows: list[UnitPractice]) -> UnitPractice:
    """The sum of per-unit rows (a totals line; unit_id 0)."""
    return UnitPractice(0, _("合计"), sum(row.headcount for row in rows), sum(row.practised for row in rows),
                        sum(row.answers for row in rows), sum(row.correct for row in rows))


def practice_sheet(since: date | None = None, until: date | None = None, unit_ids: list[int] | None = None):
    """practice_by_unit as an xlsx Sheet (app.common.xlsx) for the quiz export."""

    rows = practice_by_unit(since, until, unit_ids)
    columns = [OutColumn(_("单位")), OutColumn(_("人数"), "int"), OutColumn(_("练习人数"), "int"),
               OutColumn(_("参与率"), "percent"), OutColumn(_("答题数"), "int"), OutColumn(_("正确率"), "percent")]
    body = [[row.unit_name, row.headcount, row.practised, row.participation_rate, row.answers, row.correct_rate]
            for row in [*rows, practice_totals(rows)]]
    return Sheet(_("练习情况"), columns, body)
