"""Helpers for the results tests (ranking, reports, export): attempts written straight to the database,
so a test states exactly the scores, times and answers it ranks, without driving the answering API."""
import itertools
from datetime import datetime, timedelta
from functools import cache

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from app.accounts.models import User
from app.common import clock
from app.extensions import db
from quizzes.models import Attempt, AttemptItem, Question, Quiz
from quizzes.services.answers import score_response
from quizzes.services.attempts import question_snapshot


def record_attempt(quiz: Quiz, user, *, score: float | None = None, time_used: float = 600.0,
                   submitted_at: datetime | None = None, answers=(), number: int | None = None,
                   leave_count: int = 0, submitted: bool = True, started_at: datetime | None = None,
                   reason: str = "member") -> Attempt:
    """A submitted (or, with submitted=False, open) attempt.

    answers: [(question, response_in_bank_letters)] or [(question, response, option_order)]; each
    is marked with the real scoring rules. score defaults to the sum of what they earned.
    """
    if number is None:
        number = (db.session.scalar(sa.select(sa.func.max(Attempt.number)).where(
            Attempt.quiz_id == quiz.id, Attempt.user_id == user.id)) or 0) + 1
    now = clock.utcnow()
    submitted_at = submitted_at or now
    started_at = started_at or (submitted_at - timedelta(seconds=time_used))
    attempt = Attempt(
        quiz_id=quiz.id, user_id=user.id, number=number, seed=number, started_at=started_at,
        deadline_at=started_at + timedelta(seconds=quiz.time_limit_seconds), leave_count=leave_count,
        submitted_at=submitted_at if submitted else None, open_slot=sa.null() if submitted else 1,
        time_used_seconds=time_used if submitted else None, submit_reason=reason if submitted else None,
    )
    total, max_score = 0.0, 0.0
    for position, answer in enumerate(answers, start=1):
        question, response = answer[0], answer[1]
        order = list(answer[2]) if len(answer) > 2 else list(range(len(question.options or [])))
        item = AttemptItem(position=position, question_id=question.id, points=question.points,
                           option_order=order, response=response, response_seq=1 if response is not None else 0,
                           **question_snapshot(question))
        if submitted:
            marking = score_response(question.question_type, question.answer, response, question.points,
                                     partial_credit=quiz.partial_credit, partial_ratio=quiz.partial_credit_ratio)
            item.is_correct, item.awarded = marking.is_correct, marking.awarded
            total += marking.awarded
        max_score += question.points
        attempt.items.append(item)
    attempt.max_score = max_score
    if submitted:
        attempt.score = total if score is None else score
    db.session.add(attempt)
    db.session.commit()
    return attempt


def questions_of(bank) -> list[Question]:
    return list(db.session.scalars(sa.select(Question).where(Question.bank_id == bank.id).order_by(Question.id)))


_numbers = itertools.count(1)


@cache
def _password_hash() -> str:
    from tests.support import DEFAULT_PASSWORD

    return generate_password_hash(DEFAULT_PASSWORD)


def quick_members(units, count: int, prefix: str = "人员", **fields) -> list[User]:
    """`count` active members spread over `units` (round robin), sharing one password hash (fast)."""
    users = []
    for index in range(count):
        number = next(_numbers)
        users.append(User(name=f"{prefix}{number}", staff_id=f"R{number:06d}", unit_id=units[index % len(units)].id,
                          password_hash=_password_hash(), must_change_password=False, **fields))
    db.session.add_all(users)
    db.session.commit()
    return users
