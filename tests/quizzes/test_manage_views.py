"""Organisers setting up a quiz: settings form, rules editor, fixed paper picker, publishing."""
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.common import clock
from app.extensions import db
from quizzes.models import FixedPaperItem, Quiz
from tests.support import QUIZ_START

T0 = QUIZ_START  # 10:00 in Shanghai


pytestmark = pytest.mark.usefixtures("quiz_clock")


@pytest.fixture
def bank(stock_bank):
    return stock_bank()  # 6 singles (3 党史), 3 multiple, 3 judge, 2 fill


@pytest.fixture
def organiser(client_for, make_staff):
    return client_for(make_staff("organiser"))


def settings_form(campaign, bank, **overrides):
    data = {
        "campaign_id": campaign.id, "title": "党史知识竞赛", "rules_text": "独立完成",
        "opens_at": "2026-03-02T09:00", "closes_at": "2026-03-09T18:00", "time_limit_minutes": "20",
        "attempts_allowed": "2", "counting": "best", "paper_mode": "random", "banks": [str(bank.id)],
        "shuffle_questions": "y", "shuffle_options": "y", "review_policy": "after_close",
        "partial_credit_percent": "50", "leave_limit": "3",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_organiser_creates_a_quiz_with_times_in_shanghai(organiser, make_campaign, bank, make_unit):
    campaign, unit = make_campaign(), make_unit()
    response = organiser.post("/quizzes/manage/new", data=settings_form(campaign, bank, eligible_units=[str(unit.id)]))

    assert response.status_code == 302 and response.location.endswith("/rules")
    quiz = db.session.scalar(sa.select(Quiz))
    assert quiz.opens_at == datetime(2026, 3, 2, 1, 0) and quiz.closes_at == datetime(2026, 3, 9, 10, 0)
    assert (quiz.time_limit_seconds, quiz.attempts_allowed, quiz.leave_limit) == (1200, 2, 3)
    assert quiz.review_policy == "after_close" and not quiz.is_published and quiz.shuffle_options
    assert [u.id for u in quiz.eligible_units] == [unit.id] and [b.id for b in quiz.banks] == [bank.id]
    assert db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.target_id == quiz.id)) == "quiz.created"
    edit_page = organiser.get(f"/quizzes/manage/{quiz.id}/edit").get_data(as_text=True)
    assert 'value="2026-03-02T09:00"' in edit_page


@pytest.mark.parametrize(("overrides", "error"), [
    ({"closes_at": "2026-03-01T09:00"}, "截止时间必须晚于开始时间"),
    ({"title": "  "}, "请输入竞赛名称"),
    ({"banks": None}, "请至少选择一个题库"),
    ({"time_limit_minutes": "0"}, "限时应在"),
    ({"opens_at": "明天"}, "请输入有效的时间"),
])
def test_invalid_settings_are_shown_beside_the_field(organiser, make_campaign, bank, overrides, error):
    response = organiser.post("/quizzes/manage/new", data=settings_form(make_campaign(), bank, **overrides))
    assert response.status_code == 400 and error in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Quiz.id))) == 0


def rules_form(*rows):
    data = {}
    for index, row in enumerate(rows):
        for key, value in zip(("question_type", "category", "difficulty", "count", "points_each"), row, strict=True):
            data[f"rows-{index}-{key}"] = value
    return data


def test_rules_asking_for_too_many_questions_are_refused_with_the_counts(organiser, make_quiz, bank):
    quiz = make_quiz(banks=[bank], rules=[], published=False)
    response = organiser.post(f"/quizzes/manage/{quiz.id}/rules",
                              data=rules_form(("single", "党史", "", "5", "2"), ("judge", "", "", "2", "1")))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "需要 5 道题" in page and "只有 3 道可用" in page
    assert db.session.get(Quiz, quiz.id).rules == []


def test_rules_are_saved_and_blank_rows_ignored(organiser, make_quiz, bank):
    quiz = make_quiz(banks=[bank], rules=[], published=False)
    page = organiser.get(f"/quizzes/manage/{quiz.id}/rules").get_data(as_text=True)
    assert "党史" in page  # the available counts are shown to guide the organiser

    response = organiser.post(f"/quizzes/manage/{quiz.id}/rules", data=rules_form(
        ("single", "党史", "", "3", "2"), ("multiple", "", "", "2", "4"), ("single", "", "", "", "")))

    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Quiz, quiz.id)
    assert [(r.position, r.question_type, r.category, r.count, r.points_each) for r in saved.rules] == [
        (1, "single", "党史", 3, 2.0), (2, "multiple", "", 2, 4.0)]
    # saving again replaces the rules
    organiser.post(f"/quizzes/manage/{quiz.id}/rules", data=rules_form(("judge", "", "", "3", "1")))
    db.session.expire_all()
    assert [(r.position, r.question_type) for r in db.session.get(Quiz, quiz.id).rules] == [(1, "judge")]


def test_a_rule_row_needs_points(organiser, make_quiz, bank):
    quiz = make_quiz(banks=[bank], rules=[], published=False)
    response = organiser.post(f"/quizzes/manage/{quiz.id}/rules", data=rules_form(("single", "", "", "3", "")))
    assert response.status_code == 400 and "请填写每题分值" in response.get_data(as_text=True)


def test_changing_banks_under_existing_rules_is_refused(organiser, make_quiz, bank, make_bank, make_campaign):
    quiz = make_quiz(banks=[bank], rules=[("single", 5, 1)], published=False, campaign=make_campaign())
    small = make_bank()
    response = organiser.post(f"/quizzes/manage/{quiz.id}/edit",
                              data=settings_form(quiz.campaign, small))
    assert response.status_code == 400 and "只有 0 道可用" in response.get_data(as_text=True)
    db.session.expire_all()
    assert [b.id for b in db.session.get(Quiz, quiz.id).banks] == [bank.id]


def test_fixed_paper_pick_reorder_and_remove(organiser, make_quiz, bank):
    quiz = make_quiz(banks=[bank], rules=[], published=False)
    page = organiser.get(f"/quizzes/manage/{quiz.id}/paper?type=judge").get_data(as_text=True)
    judges = [q for q in bank.questions if q.question_type == "judge"]
    assert all(q.stem in page for q in judges)

    response = organiser.post(f"/quizzes/manage/{quiz.id}/paper/add",
                              data={"question_ids": [str(q.id) for q in judges]})
    assert response.status_code == 302
    db.session.expire_all()
    items = db.session.get(Quiz, quiz.id).fixed_items
    assert [item.question_id for item in items] == [q.id for q in judges]
    assert db.session.get(Quiz, quiz.id).paper_mode == "fixed"

    # reverse the order, give the new first question 5 points, remove the middle one
    data = {}
    for index, item in enumerate(items):
        data[f"rows-{index}-question_id"] = str(item.question_id)
        data[f"rows-{index}-position"] = str(3 - index)
        data[f"rows-{index}-points"] = "5" if index == 2 else "1"
    data["rows-1-remove"] = "y"
    assert organiser.post(f"/quizzes/manage/{quiz.id}/paper", data=data).status_code == 302
    rows = db.session.execute(sa.select(FixedPaperItem.position, FixedPaperItem.question_id, FixedPaperItem.points)
                              .where(FixedPaperItem.quiz_id == quiz.id).order_by(FixedPaperItem.position)).all()
    assert [tuple(row) for row in rows] == [(1, judges[2].id, 5.0), (2, judges[0].id, 1.0)]


def test_publishing_needs_a_paper_that_can_be_assembled(organiser, make_quiz, bank, client_for, make_member):
    quiz = make_quiz(banks=[bank], rules=[("fill", 9, 1)], published=False)
    refused = organiser.post(f"/quizzes/manage/{quiz.id}/publish", data={"action": "publish"}, follow_redirects=True)
    assert "只有 2 道可用" in refused.get_data(as_text=True)
    assert not db.session.get(Quiz, quiz.id).is_published

    quiz.rules[0].count = 2
    db.session.commit()
    organiser.post(f"/quizzes/manage/{quiz.id}/publish", data={"action": "publish"})
    db.session.expire_all()
    assert db.session.get(Quiz, quiz.id).is_published
    assert quiz.title in client_for(make_member()).get("/quizzes/").get_data(as_text=True)

    organiser.post(f"/quizzes/manage/{quiz.id}/publish", data={"action": "unpublish"})
    db.session.expire_all()
    assert not db.session.get(Quiz, quiz.id).is_published


def test_organiser_pages_render(organiser, make_quiz, bank):
    quiz = make_quiz(banks=[bank], rules=[("single", 2, 1), ("fill", 1, 3)], published=False)
    assert "竞赛管理" in organiser.get("/quizzes/manage/").get_data(as_text=True)
    show = organiser.get(f"/quizzes/manage/{quiz.id}").get_data(as_text=True)
    assert quiz.title in show and "3 题，满分 5" in show
    preview = organiser.get(f"/quizzes/manage/{quiz.id}/preview?seed=7")
    assert preview.status_code == 200 and "答案" in preview.get_data(as_text=True)
    assert organiser.get("/quizzes/manage/new").status_code == 200
    assert organiser.get("/quizzes/manage/9999").status_code == 404


def test_members_and_liaisons_cannot_manage(client_for, make_member, make_staff, make_quiz, bank):
    quiz = make_quiz(banks=[bank], rules=[("single", 1, 1)])
    for user in (make_member(), make_staff("liaison")):
        client = client_for(user)
        assert client.get("/quizzes/manage/").status_code == 403
        assert client.post(f"/quizzes/manage/{quiz.id}/publish", data={"action": "unpublish"}).status_code == 403


def test_editing_a_quiz_with_attempts_keeps_them_intact(organiser, make_quiz, bank, client_for, make_member):
    quiz = make_quiz(banks=[bank], rules=[("single", 3, 2)], time_limit_seconds=600)
    phone = client_for(make_member())
    attempt_id = int(phone.post(f"/quizzes/{quiz.id}/start").location.split("/")[-1])
    before = phone.get(f"/quizzes/attempts/{attempt_id}/state").get_json()

    organiser.post(f"/quizzes/manage/{quiz.id}/rules", data=rules_form(("judge", "", "", "3", "10")))
    with clock.frozen_at(T0 + timedelta(minutes=1)):
        after = phone.get(f"/quizzes/attempts/{attempt_id}/state").get_json()

    assert [i["stem"] for i in after["items"]] == [i["stem"] for i in before["items"]]
    assert [i["points"] for i in after["items"]] == [2, 2, 2]


REVIEW_WARNING = "交卷后立即公布答案，又允许每人答题 2 次"


def test_settings_warn_when_answers_shown_on_submit_meet_a_second_attempt(organiser, make_campaign, bank):
    campaign = make_campaign()
    risky = organiser.post("/quizzes/manage/new", data=settings_form(
        campaign, bank, review_policy="after_submit", attempts_allowed="2"), follow_redirects=True)
    assert risky.status_code == 200 and REVIEW_WARNING in risky.get_data(as_text=True)
    quiz = db.session.scalar(sa.select(Quiz))
    assert REVIEW_WARNING in organiser.get(f"/quizzes/manage/{quiz.id}/edit").get_data(as_text=True)
    fixed = organiser.post(f"/quizzes/manage/{quiz.id}/edit", data=settings_form(
        campaign, bank, review_policy="after_close", attempts_allowed="2"), follow_redirects=True)
    assert fixed.status_code == 200 and REVIEW_WARNING not in fixed.get_data(as_text=True)
    single = organiser.post(f"/quizzes/manage/{quiz.id}/edit", data=settings_form(
        campaign, bank, review_policy="after_submit", attempts_allowed="1"), follow_redirects=True)
    assert "交卷后立即公布答案" not in single.get_data(as_text=True)


def test_the_paper_page_of_a_random_draw_quiz_does_not_contradict_itself(organiser, make_quiz, bank):
    quiz = make_quiz(banks=[bank], rules=[("single", 3, 2)], published=False)
    page = organiser.get(f"/quizzes/manage/{quiz.id}/paper").get_data(as_text=True)
    assert "本竞赛为随机抽题：每人按抽题规则抽 3 题" in page
    assert "当前 3 题" not in page and "还没有选题" not in page
