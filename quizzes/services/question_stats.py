"""Per-question statistics of a quiz: how often each question was shown and answered right, how
often each option was picked (in bank letters, whatever order members saw), and for fill-in
questions the most common wrong answers. Two queries whatever the number of papers: one grouped
count per question and distinct response, one for the questions.
"""
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from app.accounts.models import User
from app.common.text import clean, fold
from app.extensions import db
from quizzes.models import (
    OPTION_LETTERS,
    Attempt,
    AttemptItem,
    FixedPaperItem,
    Question,
    Quiz,
    question_type_label,
)
from quizzes.services.answers import format_answer
from quizzes.services.ranking import member_units

TYPE_ORDER = {"single": 0, "multiple": 1, "judge": 2, "fill": 3}
COMMON_WRONG_ANSWERS = 5


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class OptionCount:
    label: str  # "A" or "对"
    text: str  # the option text ("" for judge)
    count: int
    is_key: bool


@dataclass
class QuestionFigures:
    question: Question
    shown: int = 0
    correct: int = 0
    unanswered: int = 0
    options: list[OptionCount] = field(default_factory=list)
    wrong_answers: list[tuple[str, int]] = field(default_factory=list)  # fill: most common wrong answers

    @property
    def correct_rate(self) -> float | None:
        return _rate(self.correct, self.shown)

    @property
    def type_label(self) -> str:
        return question_type_label(self.question.question_type)

    @property
    def key_text(self) -> str:
        return format_answer(self.question.question_type, self.question.answer)



def _decode(text):
    if text is None:
        return None
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text


def _scoped(query, unit_id: int | None):
    """Restrict a query over Attempt to one top-level unit's members."""
    if unit_id is None:
        return query
    member_unit, _top, top_id = member_units()
    return (query.join(User, User.id == Attempt.user_id)
            .join(member_unit, member_unit.id == User.unit_id)
            .where(top_id == unit_id))


def question_statistics(quiz: Quiz, *, unit_id: int | None = None, sort: str = "paper") -> list[QuestionFigures]:
    """For each question on any submitted paper: times shown, correct rate, picks per option and,
    for fill-in questions, the most common wrong answers. sort: "paper" or "rate" (hardest first)."""
    response_text = sa.cast(AttemptItem.response, sa.Text)
    query = (
        sa.select(AttemptItem.question_id, response_text, AttemptItem.is_correct, sa.func.count())
        .select_from(AttemptItem)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .where(Attempt.quiz_id == quiz.id, Attempt.submitted_at.is_not(None))
        .group_by(AttemptItem.question_id, response_text, AttemptItem.is_correct)
    )
    groups = db.session.execute(_scoped(query, unit_id)).all()
    if not groups:
        return []
    questions = {question.id: question for question in db.session.scalars(
        sa.select(Question).where(Question.id.in_({row[0] for row in groups})))}
    figures = {question_id: QuestionFigures(question) for question_id, question in questions.items()}
    picks: dict[int, Counter] = defaultdict(Counter)
    wrong: dict[int, Counter] = defaultdict(Counter)
    wrong_shown: dict[tuple[int, str], str] = {}
    for question_id, text, is_correct, count in groups:
        line = figures[question_id]
        response = _decode(text)
        line.shown += count
        if is_correct:
            line.correct += count
        if response is None:
            line.unanswered += count
            continue
        kind = line.question.question_type
        if kind == "single":
            picks[question_id][response] += count
        elif kind == "multiple":
            for letter in response if isinstance(response, list) else [response]:
                picks[question_id][letter] += count
        elif kind == "judge":
            picks[question_id][bool(response)] += count
        elif kind == "fill" and not is_correct:
            shown = " | ".join(clean(str(part)) for part in response)
            folded = " | ".join(fold(str(part)) for part in response)
            wrong[question_id][folded] += count
            wrong_shown.setdefault((question_id, folded), shown)
    for question_id, line in figures.items():
        question = line.question
        if question.question_type in ("single", "multiple"):
            key = set(question.answer if isinstance(question.answer, list) else [question.answer])
            line.options = [
                OptionCount(letter, text, picks[question_id][letter], letter in key)
                for letter, text in zip(OPTION_LETTERS, question.options or [], strict=False)
            ]
        elif question.question_type == "judge":
            line.options = [
                OptionCount(format_answer("judge", value), "", picks[question_id][value], question.answer == value)
                for value in (True, False)
            ]
        elif question.question_type == "fill":
            line.wrong_answers = [(wrong_shown[(question_id, folded)], count)
                                  for folded, count in wrong[question_id].most_common(COMMON_WRONG_ANSWERS)]
    return _sorted(quiz, list(figures.values()), sort)


def _sorted(quiz: Quiz, lines: list[QuestionFigures], sort: str) -> list[QuestionFigures]:
    if sort == "rate":
        return sorted(lines, key=lambda line: (line.correct_rate if line.correct_rate is not None else 2,
                                               line.question.id))
    positions = {}
    if quiz.paper_mode == "fixed":
        positions = dict(db.session.execute(
            sa.select(FixedPaperItem.question_id, FixedPaperItem.position).where(FixedPaperItem.quiz_id == quiz.id)
        ).all())
    return sorted(lines, key=lambda line: (positions.get(line.question.id, 10**6),
                                           TYPE_ORDER.get(line.question.question_type, 9), line.question.id))
