"""Helpers for the quiz engine tests (papers, attempts, answering pages, races)."""
import re

import sqlalchemy as sa

from app.extensions import db
from quizzes.models import OPTION_LETTERS, Attempt, AttemptItem, Question

SECRET_EXPLANATION = "解析秘密XJ"   # appears in explanations only: must never reach an open attempt's pages
SECRET_FILL_KEY = "填空秘钥QK"       # a fill answer key, same rule


def items_of(attempt_id: int) -> list[AttemptItem]:
    db.session.expire_all()
    return list(db.session.scalars(
        sa.select(AttemptItem).where(AttemptItem.attempt_id == attempt_id).order_by(AttemptItem.position)))


def fresh(attempt_id: int) -> Attempt:
    db.session.expire_all()
    return db.session.get(Attempt, attempt_id)


def displayed_key(item: AttemptItem):
    """The correct answer in the letters the member sees (what a perfect member would send)."""
    question = db.session.get(Question, item.question_id)
    answer = question.answer
    if question.question_type == "single":
        return OPTION_LETTERS[item.option_order.index(OPTION_LETTERS.index(answer))]
    if question.question_type == "multiple":
        return sorted(OPTION_LETTERS[item.option_order.index(OPTION_LETTERS.index(letter))] for letter in answer)
    if question.question_type == "fill":
        return [alternatives[0] for alternatives in answer]
    return answer


def wrong_response(item: AttemptItem):
    question = db.session.get(Question, item.question_id)
    key = displayed_key(item)
    if question.question_type == "single":
        return "A" if key != "A" else "B"
    if question.question_type == "multiple":
        return ["A", "B", "C", "D"]
    if question.question_type == "judge":
        return not key
    return ["错" for _ in key]


def csrf_token_from(html: str) -> str:
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert match, "the answering page must carry <meta name=csrf-token>"
    return match.group(1)
