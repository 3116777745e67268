"""重新判分: marking submitted attempts again after an organiser corrected a question's key."""
from dataclasses import dataclass

import sqlalchemy as sa

from app.audit.services import record
from app.extensions import db
from quizzes.models import Attempt, Quiz
from quizzes.services.marking import attempt_totals, mark_submitted, store_marks


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
    marks = mark_submitted(quiz.id, partial_credit=quiz.partial_credit, partial_ratio=quiz.partial_credit_ratio)
    changed = [mark for mark in marks if mark.changed]
    store_marks(changed)
    totals = attempt_totals(marks)
    scores_changed = 0
    for attempt in db.session.scalars(sa.select(Attempt).where(Attempt.id.in_(list(totals)))):
        if attempt.score != totals[attempt.id]:
            scores_changed += 1
            attempt.score = totals[attempt.id]
    answers_changed = len(changed)
    outcome = RescoreOutcome(len(totals), answers_changed, scores_changed)
    record("quiz.rescored", target=quiz, actor=actor, summary=quiz.title, attempts=outcome.attempts,
           answers_changed=answers_changed, scores_changed=scores_changed)
    db.session.flush()
    return outcome
