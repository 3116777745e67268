"""A member practises on a phone: an empty answer is caught, a wrong answer shows the key and the
explanation and lands in the wrong-answer book, a review answered right is mastered. At 360 px
nothing scrolls sideways."""
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from quizzes.models import PracticeAnswer, WrongAnswer
from tests.quizzes import conftest as quiz_fixtures
from tests.support import DEFAULT_PASSWORD, assert_no_horizontal_scroll

pytestmark = pytest.mark.browser

make_bank, make_question, make_quiz = quiz_fixtures.make_bank, quiz_fixtures.make_question, quiz_fixtures.make_quiz

SMALL_PHONE = {"width": 360, "height": 740}
EXPLANATION = "1921年7月，中国共产党第一次全国代表大会在上海开幕，后转移到嘉兴南湖继续举行。"


@pytest.fixture
def practice_setup(make_bank, make_question, make_quiz, make_member, make_unit, live_server):
    bank = make_bank("党史学习题库")
    make_question(bank, "single", stem="中国共产党第一次全国代表大会在哪里开幕？",
                  options=["北京", "上海", "广州", "武汉"], answer="B", explanation=EXPLANATION)
    make_quiz(banks=[bank], title="党史知识竞赛")
    member = make_member(unit=make_unit("市委办公室"), name="李练习")
    details = {"staff_id": member.staff_id, "user_id": member.id}
    live_server.settle()
    return details



def test_member_practises_and_reviews_on_a_phone(live_server, phone_page, practice_setup):
    page = phone_page
    page.set_viewport_size(SMALL_PHONE)
    page.goto(live_server.url("/login"))
    page.get_by_label("工号或手机号").fill(practice_setup["staff_id"])
    page.get_by_label("密码", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url("/"))

    page.goto(live_server.url("/quizzes/practice/"))
    expect(page.get_by_text("党史学习题库")).to_be_visible()
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="随机练习").click()
    page.wait_for_url("**/quizzes/practice/question")
    expect(page.get_by_text("中国共产党第一次全国代表大会在哪里开幕？")).to_be_visible()
    assert EXPLANATION not in page.content()
    assert_no_horizontal_scroll(page)

    # an empty answer is caught on the phone, nothing is sent
    page.get_by_role("button", name="提交答案").click()
    expect(page.locator("[data-practice-message]")).to_have_text("请先作答再提交。")
    assert page.url.endswith("/quizzes/practice/question")

    # a wrong answer: the key and the explanation at once, and into the wrong-answer book
    page.locator(".practice-choice", has_text="北京").click()
    expect(page.locator(".practice-choice.is-chosen")).to_have_count(1)
    page.get_by_role("button", name="提交答案").click()
    page.wait_for_url("**/quizzes/practice/answers/*")
    expect(page.locator(".practice-result")).to_contain_text("回答错误")
    expect(page.locator(".practice-review li.is-key")).to_contain_text("上海")
    expect(page.get_by_text(EXPLANATION)).to_be_visible()
    assert_no_horizontal_scroll(page)

    page.get_by_role("link", name="错题本").first.click()
    expect(page.get_by_text("中国共产党第一次全国代表大会在哪里开幕？")).to_be_visible()
    expect(page.get_by_text("答错 1 次")).to_be_visible()
    assert_no_horizontal_scroll(page)

    # review: answered right, mastered and hidden
    page.get_by_role("button", name="重做错题").first.click()
    page.wait_for_url("**/quizzes/practice/question")
    page.locator(".practice-choice", has_text="上海").click()
    page.get_by_role("button", name="提交答案").click()
    page.wait_for_url("**/quizzes/practice/answers/*")
    expect(page.locator(".practice-result")).to_contain_text("回答正确")
    expect(page.get_by_text("已移出错题本", exact=False)).to_be_visible()

    db.session.commit()  # a fresh view of what the server stored
    user_id = practice_setup["user_id"]
    answers = db.session.scalars(sa.select(PracticeAnswer.is_correct).where(PracticeAnswer.user_id == user_id)
                                 .order_by(PracticeAnswer.id)).all()
    assert answers == [False, True]
    entry = db.session.scalars(sa.select(WrongAnswer).where(WrongAnswer.user_id == user_id)).one()
    assert entry.mastered and entry.wrong_count == 1
