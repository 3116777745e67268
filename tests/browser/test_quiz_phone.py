"""A member takes a quiz on a phone: answers half, reloads and finds them kept, loses the connection
for a moment without losing an answer, finishes, and sees the score. At 360 px nothing scrolls sideways."""
import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from quizzes.models import Attempt, AttemptItem
from tests.quizzes import conftest as quiz_fixtures
from tests.support import DEFAULT_PASSWORD, assert_no_horizontal_scroll

pytestmark = pytest.mark.browser

# The quiz factories live in tests/quizzes/conftest.py; borrow them here.
make_bank, make_question, make_quiz = quiz_fixtures.make_bank, quiz_fixtures.make_question, quiz_fixtures.make_quiz

SMALL_PHONE = {"width": 360, "height": 740}


@pytest.fixture
def quiz_setup(make_bank, make_question, make_quiz, make_member, make_unit, live_server):
    bank = make_bank()
    questions = [
        make_question(bank, "single", stem="中国共产党第一次全国代表大会在哪里开幕？",
                      options=["北京", "上海", "广州", "武汉"], answer="B"),
        make_question(bank, "single", stem="南昌起义发生在哪一年？", options=["1921年", "1927年", "1935年", "1949年"],
                      answer="B"),
        make_question(bank, "multiple", stem="下列属于首批经济特区的有？", options=["深圳", "珠海", "汕头", "海南"],
                      answer=["A", "B", "C"]),
        make_question(bank, "judge", stem="改革开放是决定当代中国命运的关键一招。", answer=True),
        make_question(bank, "fill", stem="党的思想路线的核心是（ ）。", answer=[["实事求是"]]),
        make_question(bank, "single", stem="遵义会议召开于哪一年？", options=["1927年", "1931年", "1935年", "1937年"],
                      answer="C"),
    ]
    quiz = make_quiz(banks=[bank], fixed=[(question, 2) for question in questions], title="党史知识竞赛（手机）",
                     shuffle_questions=False, shuffle_options=False, time_limit_seconds=1200)
    member = make_member(unit=make_unit("市委办公室"), name="王小明")
    details = {"quiz_id": quiz.id, "staff_id": member.staff_id, "user_id": member.id}
    live_server.settle()
    return details


def sign_in(page, login: str):
    page.get_by_label("工号或手机号").fill(login)
    page.get_by_label("密码", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录").click()



def choose(page, position: int, text: str):
    page.locator(f"#q{position} .quiz-choice", has_text=text).click()


def saved(page, timeout: float = 5000):
    expect(page.locator("[data-status]")).to_have_text("已保存", timeout=timeout)


def stored_responses(user_id: int) -> dict:
    db.session.commit()  # a fresh view of what the server stored
    rows = db.session.execute(
        sa.select(AttemptItem.position, AttemptItem.response)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id).where(Attempt.user_id == user_id)
    ).all()
    db.session.commit()  # and no transaction left open to hold the server's writes up (SQLite)
    return {position: response for position, response in rows}


def test_member_answers_on_a_phone_reloads_and_finishes(live_server, phone_page, quiz_setup):
    page = phone_page
    page.set_viewport_size(SMALL_PHONE)
    page.goto(live_server.url("/login"))
    sign_in(page, quiz_setup["staff_id"])
    page.wait_for_url(live_server.url("/"))
    assert page.get_by_text("党史知识竞赛（手机）").first.is_visible()  # the home page lists the open quiz

    page.goto(live_server.url("/quizzes/"))
    assert_no_horizontal_scroll(page)
    page.get_by_role("link", name="开始答题").click()
    assert page.get_by_text("20 分钟").is_visible()
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="开始答题").click()
    page.wait_for_url("**/quizzes/attempts/*")

    # one question per screen, with progress
    expect(page.locator("#q1")).to_be_visible()
    expect(page.locator("#q2")).to_be_hidden()
    expect(page.locator("[data-current]")).to_have_text("1")
    assert page.locator("[data-timer]").inner_text().startswith(("20:", "19:"))

    # answer half of the paper
    choose(page, 1, "上海")
    saved(page)
    page.get_by_role("button", name="下一题").click()
    expect(page.locator("[data-current]")).to_have_text("2")
    choose(page, 2, "1927年")
    page.get_by_role("button", name="下一题").click()
    choose(page, 3, "深圳")
    choose(page, 3, "珠海")
    choose(page, 3, "汕头")
    saved(page)
    expect(page.locator(".answer-grid .is-answered")).to_have_count(3)
    assert_no_horizontal_scroll(page)
    assert stored_responses(quiz_setup["user_id"])[3] == ["A", "B", "C"]

    # a reload keeps every answer and the place
    page.reload()
    expect(page.locator("[data-current]")).to_have_text("3")
    expect(page.locator(".answer-grid .is-answered")).to_have_count(3)
    page.locator('[data-goto="1"]').click()
    expect(page.locator('#q1 input[value="B"]')).to_be_checked()
    expect(page.locator('#q2 input[value="B"]')).to_be_checked()

    # saves fail for a while: the page says so, keeps the answer on the phone, and a reload re-sends it
    page.route("**/answers", lambda route: route.abort())
    page.locator('[data-goto="4"]').click()
    choose(page, 4, "对")
    expect(page.locator("[data-status]")).to_contain_text("网络异常，正在重试")
    page.reload()
    expect(page.locator('#q4 input[value="true"]')).to_be_checked()  # restored from the phone's storage
    assert 4 not in {p for p, r in stored_responses(quiz_setup["user_id"]).items() if r is not None}
    page.unroute("**/answers")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    saved(page, timeout=30_000)  # the queue's next retry (backoff) gets through
    assert stored_responses(quiz_setup["user_id"])[4] is True

    # finish the paper from the answer card
    page.locator('[data-goto="5"]').click()
    page.locator("#q5-b0").fill("实事求是")
    page.locator("#q5-b0").blur()
    saved(page)
    page.locator('[data-goto="6"]').click()
    choose(page, 6, "1931年")  # wrong on purpose
    saved(page)

    page.get_by_role("button", name="交卷").click()
    expect(page.locator("[data-confirm-text]")).to_have_text("已全部作答，确定交卷吗？交卷后不能修改。")
    page.get_by_role("button", name="确认交卷").click()
    page.wait_for_url("**/result")
    expect(page.locator("[data-score]")).to_have_text("10")
    assert page.get_by_text("第 1 名 / 共 1 人").is_visible()
    assert page.get_by_text("正确答案：").first.is_visible()
    assert_no_horizontal_scroll(page)

    db.session.commit()
    attempt = db.session.scalar(sa.select(Attempt).where(Attempt.user_id == quiz_setup["user_id"]))
    assert (attempt.score, attempt.submit_reason, attempt.leave_count) == (10, "member", 0)  # reloads are not 切屏
