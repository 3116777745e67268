"""重新判分: marking submitted attempts again after an organiser corrected a question's key."""
from collections import defaultdict
from dataclasses import dataclass

import sqlalchemy as sa

from app.audit.services import record
from app.extensions import db
from quizzes.models import Attempt, AttemptItem, Question, Quiz
from quizzes.services.answers import score_response


@dataclass
class RescoreOutcome:
    attempts: int  # submitted attempts marked again
    answers_changed: int  # answers whose key, explanation or marks changed
    scores_changed: int  # attempts whose total changed


def rescore_quiz(quiz: Quiz, actor) -> RescoreOutcome:
    """Mark every submitted attempt of the quiz against the questions' current keys and explanations.

    What the member was shown (stem, options, their option order and answers) stays as it was; the
    key and explanation kept on each answer are replaced, so reviews and exports show the key that
    marked it. Running it twice changes nothing the second time.
    """
    rows = db.session.execute(
        sa.select(AttemptItem, Question).join(Question, Question.id == AttemptItem.question_id)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .where(Attempt.quiz_id == quiz.id, Attempt.submitted_at.is_not(None))
    ).all()
    totals: dict[int, float] = defaultdict(float)
    answers_changed = 0
    for item, question in rows:
        marking = score_response(question.question_type, question.answer, item.response, item.points,
                                 partial_credit=quiz.partial_credit, partial_ratio=quiz.partial_credit_ratio)
        after = (question.answer, question.explanation or "", marking.is_correct, marking.awarded)
        if (item.answer, item.explanation or "", item.is_correct, item.awarded) != after:
            answers_changed += 1
            item.answer, item.explanation, item.is_correct, item.awarded = after
        totals[item.attempt_id] += marking.awarded
    scores_changed = 0
    for attempt in db.session.scalars(sa.select(Attempt).where(Attempt.id.in_(list(totals)))):
        score = round(totals[attempt.id], 2)
        if attempt.score != score:
            scores_changed += 1
            attempt.score = score
    outcome = RescoreOutcome(len(totals), answers_changed, scores_changed)
    record("quiz.rescored", target=quiz, actor=actor, summary=quiz.title, attempts=outcome.attempts,
           answers_changed=answers_changed, scores_changed=scores_changed)
    db.session.flush()
    return outcome
