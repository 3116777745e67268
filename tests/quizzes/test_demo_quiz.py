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


def test_the_demo_quiz_does_not_hand_out_its_key_for_the_second_attempt(make_campaign, make_member, make_unit,
                                                                       client_for):
    """Answers on submitting plus a second attempt from the same bank: a blank first attempt showed 11 of
    23 keys. The demo shows them after the close instead, and the settings see no risk in it."""
    from quizzes.services.settings import settings_of, settings_warnings

    make_campaign()
    member = make_member(unit=make_unit())
    quiz = load_demo_quiz()
    db.session.commit()
    assert quiz.attempts_allowed == 2  # best of two still shows how counting works
    assert settings_warnings(settings_of(quiz)) == []

    phone = client_for(member)
    attempt_id = int(phone.post(f"/quizzes/{quiz.id}/start").location.rstrip("/").split("/")[-1])
    phone.post(f"/quizzes/attempts/{attempt_id}/submit")  # a blank first attempt
    explanations = [row[0] for row in db.session.execute(sa.text(
        "SELECT explanation FROM quiz_attempt_items WHERE attempt_id = :id"), {"id": attempt_id})]
    db.session.commit()
    result = phone.get(f"/quizzes/attempts/{attempt_id}/result").get_data(as_text=True)
    review = phone.get(f"/quizzes/attempts/{attempt_id}/review")
    shown = result + (review.get_data(as_text=True) if review.status_code == 200 else "")
    assert explanations and not any(text and text in shown for text in explanations)
