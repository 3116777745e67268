"""What a member sees: their quiz list, the paper while answering, and the review afterwards.

While an attempt is open nothing built here carries a correct answer or an explanation; the
review (answers_for_review) is only built when the quiz's review policy allows it.
"""
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

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


_attempts, _items, _questions, _quizzes = (Attempt.__table__, AttemptItem.__table__, Question.__table__,
                                           Quiz.__table__)
# The answering page is opened by every member at the start rush and again after each reload: plain
# rows of exactly the columns shown, in one query for the attempt and one for its paper.
_HEADER = (
    sa.select(_attempts.c.id, _attempts.c.user_id, _attempts.c.quiz_id, _attempts.c.deadline_at,
              _attempts.c.submitted_at, _attempts.c.submit_reason, _attempts.c.leave_count,
              _quizzes.c.title, _quizzes.c.leave_limit)
    .join(_quizzes, _quizzes.c.id == _attempts.c.quiz_id)
    .where(_attempts.c.id == sa.bindparam("p_attempt"))
)
_PAPER = (
    sa.select(_items.c.position, _questions.c.question_type, _questions.c.answer, _items.c.stem, _items.c.options,
              _items.c.option_order, _items.c.points, _items.c.response, _items.c.response_seq)
    .join(_questions, _questions.c.id == _items.c.question_id)
    .where(_items.c.attempt_id == sa.bindparam("p_attempt"))
    .order_by(_items.c.position)
)


def attempt_header(attempt_id: int):
    """The attempt with its quiz's title and 切屏 limit, as one plain row (None when there is no such attempt)."""
    return db.session.connection().execute(_HEADER, {"p_attempt": attempt_id}).first()


def attempt_state(attempt, now: datetime | None = None) -> dict:
    """The paper as the member sees it, with their saved answers in displayed letters; no keys, no explanations.

    `attempt` is an Attempt or an attempt_header() row.
    """
    labels: dict[str, str] = {}
    items = []
    for row in db.session.connection().execute(_PAPER, {"p_attempt": attempt.id}):
        qtype = row.question_type
        if qtype not in labels:
            labels[qtype] = question_type_label(qtype)
        items.append({
            "position": row.position,
            "type": qtype,
            "type_label": labels[qtype],
            "stem": row.stem,
            "options": displayed_options(row.options, row.option_order),
            "blanks": blank_count(qtype, row.answer),
            "points": row.points,
            "response": to_displayed(qtype, row.response, row.option_order),
            "seq": row.response_seq,
        })
    if isinstance(attempt, Attempt):
        limit = db.session.scalar(sa.select(Quiz.leave_limit).where(Quiz.id == attempt.quiz_id))
    else:
        limit = attempt.leave_limit
    return {
        "attempt_id": attempt.id,
        "remaining_seconds": remaining_seconds(attempt, now),
        "submitted": attempt.submitted_at is not None,
        "submit_reason": attempt.submit_reason,
        "leave_count": attempt.leave_count,
        "leave_limit": limit,
        "items": items,
    }


class PageQuestion(NamedTuple):
    """One question of the answering page with everything it shows worked out (the template only places it)."""

    position: int
    type: str
    seq: int | None
    blanks: int
    type_label: str
    meta: str  # 第 n 题 · p 分
    stem: str
    legend: str
    input_type: str  # radio or checkbox, for choices
    choices: tuple  # (value, letter, text, checked) per option; letter "" for 对 and 错
    fields: tuple  # (index, label, value) per blank of a fill question
    answered: bool
    card_label: str  # 第 n 题, on the answer card


def page_questions(items: list[dict]) -> list[PageQuestion]:
    """The paper of attempt_state() as the answering page lays it out, its strings translated once per page."""
    # The page is the rush's heaviest: worked out here, a question costs a few dozen plain Python steps,
    # where the template's expressions, filters and string lookups cost several times that.
    legends = {"single": _("单选，请选择一个答案"), "multiple": _("多选，请选择所有正确答案"), "judge": _("请判断对错")}
    t_blanks, t_true, t_false = _("请填写每个空"), _("对"), _("错")
    t_meta, t_blank, t_card = _("第 %(n)s 题 · %(points)s 分"), _("第 %(n)s 空"), _("第 %(n)s 题")
    questions = []
    for item in items:
        qtype, response = item["type"], item["response"]
        choices, fields = (), ()
        if qtype == "single":
            choices = tuple((letter, letter, text, letter == response)
                            for letter, text in zip(OPTION_LETTERS, item["options"], strict=False))
        elif qtype == "multiple":
            chosen = response or ()
            choices = tuple((letter, letter, text, letter in chosen)
                            for letter, text in zip(OPTION_LETTERS, item["options"], strict=False))
        elif qtype == "judge":
            choices = (("true", "", t_true, response is True), ("false", "", t_false, response is False))
        else:
            given = response or []
            fields = tuple((index, t_blank % {"n": index + 1}, given[index] if index < len(given) else "")
                           for index in range(item["blanks"]))
        questions.append(PageQuestion(
            position=item["position"], type=qtype, seq=item["seq"], blanks=item["blanks"],
            type_label=item["type_label"], meta=t_meta % {"n": item["position"], "points": f"{float(item['points']):g}"},
            stem=item["stem"], legend=legends.get(qtype, t_blanks), input_type="checkbox" if qtype == "multiple" else "radio",
            choices=choices, fields=fields, answered=response is not None, card_label=t_card % {"n": item["position"]},
        ))
    return questions


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
