"""The demo quiz: open, published, drawn from the demo bank, with attempts made through the engine."""
import sqlalchemy as sa

from app.extensions import db
from quizzes.demo import DEMO_QUIZ_TITLE, load_demo_quiz
from quizzes.models import Attempt, Quiz
from quizzes.services.papers import validate_rules
from quizzes.services.timing import window_status


def test_demo_quiz_is_open_and_loaded_once(make_campaign, make_member, make_unit):
    campaign = make_campaign()
    unit = make_unit()
    for _ in range(4):
        make_member(unit=unit)

    quiz = load_demo_quiz()
    db.session.commit()

    assert quiz.title == DEMO_QUIZ_TITLE and quiz.campaign_id == campaign.id
    assert quiz.is_published and window_status(quiz) == "open" and validate_rules(quiz) == []
    attempts = list(db.session.scalars(sa.select(Attempt)))
    assert len(attempts) == 4
    assert all(not a.is_open and 0 <= a.score <= a.max_score == 31 and a.time_used_seconds > 0 for a in attempts)

    assert load_demo_quiz().id == quiz.id  # a second run changes nothing
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Quiz.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(Attempt.id))) == 4
