"""What a member sees: their quiz list, the paper while answering, and the review afterwards.

While an attempt is open nothing built here carries a correct answer or an explanation; the
review (answers_for_review) is only built when the quiz's review policy allows it.
"""
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.common.clock import utcnow
from app.extensions import db
from quizzes.models import (
    OPTION_LETTERS,
    Attempt,
    AttemptItem,
    Question,
    Quiz,
    blank_count,
    question_type_label,
)
from quizzes.services.answers import format_answer, format_response
from quizzes.services.attempts import eligibility_clause, open_attempt
from quizzes.services.papers import displayed_options, to_displayed
from quizzes.services.timing import CLOSED, OPEN, UPCOMING, answers_visible, remaining_seconds, window_status

RECENTLY_CLOSED_SHOWN = 20


@dataclass
class MemberQuiz:
    """One line of the member's quiz list."""

    quiz: Quiz
    status: str  # upcoming, open, closed
    attempts_used: int
    open_attempt_id: int | None
    best_score: float | None
    last_attempt_id: int | None

    @property
    def attempts_left(self) -> int:
        return max(0, self.quiz.attempts_allowed - self.attempts_used)

    @property
    def can_start(self) -> bool:
        return self.status == OPEN and (self.open_attempt_id is not None or self.attempts_left > 0)


def member_quizzes(user: User, now: datetime | None = None) -> list[MemberQuiz]:
    """Published quizzes open to the member's unit: open ones first, then upcoming, then recently closed."""
    now = now or utcnow()
    quizzes = list(db.session.scalars(
        sa.select(Quiz).where(Quiz.is_published.is_(True), eligibility_clause(user))
        .order_by(Quiz.closes_at, Quiz.id)
    ))
    if not quizzes:
        return []
    stats = {row.quiz_id: row for row in db.session.execute(
        sa.select(Attempt.quiz_id, sa.func.max(Attempt.number).label("used"),
                  sa.func.max(Attempt.score).label("best"),
                  sa.func.max(sa.case((Attempt.submitted_at.is_(None), Attempt.id))).label("open_id"),
                  sa.func.max(sa.case((Attempt.submitted_at.is_not(None), Attempt.id))).label("last_id"))
        .where(Attempt.user_id == user.id, Attempt.quiz_id.in_([quiz.id for quiz in quizzes]))
        .group_by(Attempt.quiz_id)
    )}
    rows = []
    for quiz in quizzes:
        stat = stats.get(quiz.id)
        rows.append(MemberQuiz(
            quiz=quiz, status=window_status(quiz, now), attempts_used=stat.used if stat else 0,
            open_attempt_id=stat.open_id if stat else None, best_score=stat.best if stat else None,
            last_attempt_id=stat.last_id if stat else None,
        ))
    order = {OPEN: 0, UPCOMING: 1, CLOSED: 2}
    rows.sort(key=lambda row: (order[row.status],
                               -row.quiz.closes_at.timestamp() if row.status == CLOSED else 0,
                               row.quiz.opens_at if row.status == UPCOMING else row.quiz.closes_at))
    closed = [row for row in rows if row.status == CLOSED][:RECENTLY_CLOSED_SHOWN]
    return [row for row in rows if row.status != CLOSED] + closed


def member_attempts(quiz: Quiz, user: User) -> list[Attempt]:
    """The member's attempts at the quiz, first to last."""
    return list(db.session.scalars(
        sa.select(Attempt).where(Attempt.quiz_id == quiz.id, Attempt.user_id == user.id).order_by(Attempt.number)
    ))


def _paper_rows(attempt: Attempt) -> list[tuple[AttemptItem, Question]]:
    return [tuple(row) for row in db.session.execute(
        sa.select(AttemptItem, Question).join(Question, Question.id == AttemptItem.question_id)
        .where(AttemptItem.attempt_id == attempt.id).order_by(AttemptItem.position)
    )]


def attempt_state(attempt: Attempt, now: datetime | None = None) -> dict:
    """The paper as the member sees it, with their saved answers in displayed letters; no keys, no explanations."""
    items = []
    for item, question in _paper_rows(attempt):
        items.append({
            "position": item.position,
            "type": question.question_type,
            "type_label": question_type_label(question.question_type),
            "stem": item.stem,
            "options": displayed_options(item.options, item.option_order),
            "blanks": blank_count(question.question_type, question.answer),
            "points": item.points,
            "response": to_displayed(question.question_type, item.response, item.option_order),
            "seq": item.response_seq,
        })
    limit = db.session.scalar(sa.select(Quiz.leave_limit).where(Quiz.id == attempt.quiz_id))
    return {
        "attempt_id": attempt.id,
        "remaining_seconds": remaining_seconds(attempt, now),
        "submitted": attempt.submitted_at is not None,
        "submit_reason": attempt.submit_reason,
        "leave_count": attempt.leave_count,
        "leave_limit": limit,
        "items": items,
    }


def review_allowed(attempt: Attempt, now: datetime | None = None) -> bool:
    """Whether the member may see correct answers and explanations for this submitted attempt.

    Never while another attempt at the same quiz is open, whatever the policy.
    """
    if not answers_visible(attempt.quiz, attempt, now):
        return False
    return open_attempt(attempt.quiz_id, attempt.user_id) is None


def review_choices(qtype: str, options: list[str], key, response) -> list[dict]:
    """The options as the member saw them, each marked as the correct one and/or the member's choice."""
    if qtype == "judge":
        return [{"letter": "", "text": _("对"), "is_key": key is True, "is_mine": response is True},
                {"letter": "", "text": _("错"), "is_key": key is False, "is_mine": response is False}]
    if qtype not in ("single", "multiple"):
        return []
    keys = {key} if qtype == "single" else set(key or [])
    mine = set() if response is None else ({response} if qtype == "single" else set(response))
    return [{"letter": letter, "text": text, "is_key": letter in keys, "is_mine": letter in mine}
            for letter, text in zip(OPTION_LETTERS, options, strict=False)]


def review_items(attempt: Attempt) -> list[dict]:
    """Each question of the submitted attempt with the member's answer, the key and the explanation."""
    rows = []
    for item, question in _paper_rows(attempt):
        qtype = question.question_type
        order = item.option_order
        options = displayed_options(item.options, order)
        rows.append({
            "choices": review_choices(qtype, options, to_displayed(qtype, item.answer, order),
                                      to_displayed(qtype, item.response, order)),
            "position": item.position,
            "type": qtype,
            "type_label": question_type_label(qtype),
            "stem": item.stem,
            "options": options,
            "response": format_response(qtype, to_displayed(qtype, item.response, order)),
            "answer": format_answer(qtype, to_displayed(qtype, item.answer, order)).replace("|", " | "),
            "explanation": item.explanation or "",
            "points": item.points,
            "awarded": item.awarded or 0,
            "is_correct": bool(item.is_correct),
        })
    return rows


def manage_attempts_with_leaves(quiz: Quiz, limit: int = 100) -> list[Attempt]:
    """Attempts with the most 切屏 first (for organisers), members loaded."""
    return list(db.session.scalars(
        sa.select(Attempt).where(Attempt.quiz_id == quiz.id, Attempt.leave_count > 0)
        .order_by(Attempt.leave_count.desc(), Attempt.id).limit(limit)
        .options(selectinload(Attempt.user))
    ))
