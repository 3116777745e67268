"""Marking papers: each answer against the question's current key, and the attempt's total from them.

Used by submitting (quizzes.services.attempts) and by 重新判分 (quizzes.services.rescoring), so an
attempt marked at submission and marked again later add up the same way. Plain rows in, one
UPDATE out: a 1,000-member submit rush marks 20,000 answers, and ORM objects with a
flush per attempt cost several times the marking itself.
"""
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from app.database import json_recordset
from app.extensions import db
from quizzes.models import Attempt, AttemptItem, Question
from quizzes.services.answers import score_response

_items, _questions = AttemptItem.__table__, Question.__table__


@dataclass(frozen=True)
class Mark:
    """One answer as marked: the key and explanation it was marked with, and the marks."""

    item_id: int
    attempt_id: int
    answer: object
    explanation: str
    is_correct: bool
    awarded: float
    before: tuple  # (answer, explanation, is_correct, awarded) stored until now

    @property
    def changed(self) -> bool:
        return self.before != (self.answer, self.explanation, self.is_correct, self.awarded)


def _paper_query():
    return (
        sa.select(_items.c.id, _items.c.attempt_id, _items.c.response, _items.c.points, _items.c.answer.label("kept"),
                  _items.c.explanation.label("kept_explanation"), _items.c.is_correct, _items.c.awarded,
                  _questions.c.question_type, _questions.c.answer, _questions.c.explanation)
        .join(_questions, _questions.c.id == _items.c.question_id)
        .order_by(_items.c.attempt_id, _items.c.position)
    )


def mark_attempts(attempt_ids: Iterable[int], *, partial_credit: bool, partial_ratio: float) -> list[Mark]:
    """Mark every answer of the attempts against the questions' current keys (nothing is stored)."""
    ids = list(attempt_ids)
    if not ids:
        return []
    db.session.flush()  # as an ORM execute would (nothing is pending on the hot path): Core rows, no ORM layer
    return _marks(db.session.connection().execute(_paper_query().where(_items.c.attempt_id.in_(ids))),
                  partial_credit, partial_ratio)


def mark_submitted(quiz_id: int, *, partial_credit: bool, partial_ratio: float) -> list[Mark]:
    """Mark every answer of the quiz's submitted attempts against the current keys (nothing is stored)."""
    attempts = Attempt.__table__
    query = (_paper_query().join(attempts, attempts.c.id == _items.c.attempt_id)
             .where(attempts.c.quiz_id == quiz_id, attempts.c.submitted_at.is_not(None)))
    return _marks(db.session.execute(query), partial_credit, partial_ratio)


def _marks(rows, partial_credit: bool, partial_ratio: float) -> list[Mark]:
    marks = []
    for row in rows:
        marking = score_response(row.question_type, row.answer, row.response, row.points,
                                 partial_credit=partial_credit, partial_ratio=partial_ratio)
        marks.append(Mark(row.id, row.attempt_id, row.answer, row.explanation or "", marking.is_correct,
                          marking.awarded, (row.kept, row.kept_explanation or "", row.is_correct, row.awarded)))
    return marks


def attempt_totals(marks: Iterable[Mark]) -> dict[int, float]:
    """Each attempt's score: the sum of its answers' marks, rounded to hundredths."""
    awarded: dict[int, list[float]] = defaultdict(list)
    for mark in marks:
        awarded[mark.attempt_id].append(mark.awarded)
    return {attempt_id: round(sum(values), 2) for attempt_id, values in awarded.items()}


_STORE = (
    sa.update(_items).where(_items.c.id == sa.bindparam("p_id"))
    .values(answer=sa.bindparam("p_answer", type_=sa.JSON(none_as_null=True)), explanation=sa.bindparam("p_explanation"),
            is_correct=sa.bindparam("p_correct"), awarded=sa.bindparam("p_awarded"))
)


_STORED = ("id", "answer", "explanation", "is_correct", "awarded")
_stores: dict[str, sa.TextClause] = {}


def _store_from_json(dialect) -> sa.TextClause:
    """On PostgreSQL: the marks' UPDATE of every item at once from one JSON document (json_recordset)."""
    statement = _stores.get(dialect.name)
    if statement is None:
        table = _items.name
        values = ", ".join(f"{name} = given.{name}" for name in _STORED[1:])
        statement = _stores[dialect.name] = sa.text(
            f"UPDATE {table} SET {values} FROM {json_recordset(_items, _STORED, dialect)} "
            f"WHERE {table}.id = given.id")
    return statement


def store_marks(marks: list[Mark]) -> None:
    """Write the marks (and the key they were marked with) in one UPDATE: an executemany, or on
    PostgreSQL one statement of all the rows (psycopg's executemany was a sixth of a submit's CPU)."""
    if not marks:
        return
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        rows = [{"id": mark.item_id, "answer": mark.answer, "explanation": mark.explanation,
                 "is_correct": mark.is_correct, "awarded": mark.awarded} for mark in marks]
        connection.execute(_store_from_json(connection.dialect), {"p_rows": json.dumps(rows, ensure_ascii=False)})
    else:
        connection.execute(_STORE, [{"p_id": mark.item_id, "p_answer": mark.answer, "p_explanation": mark.explanation,
                                     "p_correct": mark.is_correct, "p_awarded": mark.awarded} for mark in marks])
    # AttemptItem objects already loaded in this session would otherwise show the old marks.
    marked = {mark.item_id for mark in marks}
    for instance in list(db.session.identity_map.values()):
        if isinstance(instance, AttemptItem) and instance.id in marked:
            db.session.expire(instance)
