"""重新判分: after a key is corrected, submitted attempts are marked again; what members saw stays."""

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.extensions import db
from quizzes.models import Attempt
from quizzes.services.rescoring import rescore_quiz
from tests.quizzes.results_helpers import record_attempt
from tests.support import QUIZ_START

T0 = QUIZ_START  # 10:00 in Shanghai


pytestmark = pytest.mark.usefixtures("quiz_clock")


@pytest.fixture
def setting(make_bank, make_question, make_quiz, make_member, make_staff):
    bank = make_bank()
    wrong_key = make_question(bank, "single", stem="遵义会议召开于哪一年？", options=["1934年", "1935年"],
                              answer="A", explanation="旧解析", points=10)
    judge = make_question(bank, "judge", stem="党的最高领导机关是党的全国代表大会。", answer=True, points=10)
    quiz = make_quiz(fixed=[(wrong_key, 10), (judge, 10)], review_policy="after_submit")
    right, wrong = make_member(name="答对的人"), make_member(name="按错误答案得分的人")
    first = record_attempt(quiz, right, answers=[(wrong_key, "B"), (judge, True)])
    second = record_attempt(quiz, wrong, answers=[(wrong_key, "A"), (judge, True)])
    open_attempt = record_attempt(quiz, make_member(), answers=[(wrong_key, "B")], submitted=False)
    return {"quiz": quiz, "question": wrong_key, "first": first.id, "second": second.id,
            "open": open_attempt.id, "organiser": make_staff("organiser")}


def scores(setting):
    db.session.expire_all()
    return [db.session.get(Attempt, setting[key]).score for key in ("first", "second")]


def test_a_corrected_key_re_marks_every_submitted_attempt_once(setting):
    assert scores(setting) == [10.0, 20.0]
    question = setting["question"]
    question.answer, question.explanation = "B", "遵义会议于1935年1月召开。"
    db.session.commit()

    outcome = rescore_quiz(setting["quiz"], setting["organiser"])
    db.session.commit()

    assert (outcome.attempts, outcome.answers_changed, outcome.scores_changed) == (2, 2, 2)
    assert scores(setting) == [20.0, 10.0]
    item = db.session.get(Attempt, setting["first"]).items[0]
    assert item.answer == "B" and item.explanation == "遵义会议于1935年1月召开。" and item.is_correct
    assert item.stem == "遵义会议召开于哪一年？"  # what the member saw stays
    assert db.session.get(Attempt, setting["open"]).score is None  # open attempts are marked at submit
    again = rescore_quiz(setting["quiz"], setting["organiser"])
    assert (again.answers_changed, again.scores_changed) == (0, 0)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "quiz.rescored")) == 2


def test_organiser_rescores_from_the_quiz_page(setting, client_for):
    organiser = client_for(setting["organiser"])
    page = organiser.get(f"/quizzes/manage/{setting['quiz'].id}").get_data(as_text=True)
    assert "重新判分" in page and "已交的 2 份答卷" in page
    setting["question"].answer = "B"
    db.session.commit()

    response = organiser.post(f"/quizzes/manage/{setting['quiz'].id}/rescore")
    assert response.status_code == 302
    assert "2 份答卷，2 份得分有变化" in organiser.get(response.location).get_data(as_text=True)
    assert scores(setting) == [20.0, 10.0]


def test_members_and_liaisons_cannot_rescore(setting, client_for, make_member, make_staff):
    for person in (make_member(), make_staff("liaison")):
        assert client_for(person).post(f"/quizzes/manage/{setting['quiz'].id}/rescore").status_code == 403
    assert scores(setting) == [10.0, 20.0]


def test_the_audit_log_names_the_rescoring(setting, client_for, make_staff):
    rescore_quiz(setting["quiz"], setting["organiser"])
    db.session.commit()
    page = client_for(make_staff("admin")).get("/audit/").get_data(as_text=True)
    assert '<option value="quiz.rescored">重新判分</option>' in page  # the filter names the action, not its code
