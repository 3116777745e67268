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


def test_demo_members_answered_at_sensible_hours_and_signed_in_to_do_so(make_campaign, make_member, make_unit,
                                                                      organiser_client):
    from app.accounts.models import User
    from app.common.clock import to_local

    make_campaign()
    unit = make_unit()
    members = [make_member(unit=unit) for _ in range(12)]
    load_demo_quiz()
    db.session.commit()

    attempts = list(db.session.scalars(sa.select(Attempt)))
    assert attempts
    for attempt in attempts:
        assert 8 <= to_local(attempt.started_at).hour <= 21 and 8 <= to_local(attempt.submitted_at).hour <= 21
        assert db.session.get(User, attempt.user_id).last_login_at == attempt.started_at

    untouched = make_member(unit=unit, must_change_password=False)
    page = organiser_client.get(f"/members/{untouched.id}").get_data(as_text=True)
    assert "从未登录" in page and "已自行设置" not in page and "由管理员设置，本人尚未登录" in page
    assert len(members) == 12
