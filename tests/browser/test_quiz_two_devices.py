"""One member, one attempt, two phones: what each page shows as saved is what the server holds."""
import json

import pytest
from playwright.sync_api import expect

from app.extensions import db
from quizzes.models import Attempt
from quizzes.services import attempts as engine
from tests.browser import test_quiz_phone as phone_tests
from tests.browser.test_quiz_phone import choose, saved, sign_in, stored_responses

pytestmark = pytest.mark.browser

# The phone quiz's fixtures (a six-question paper for 王小明), borrowed by name.
make_bank, make_question, make_quiz = phone_tests.make_bank, phone_tests.make_question, phone_tests.make_quiz
quiz_setup = phone_tests.quiz_setup


def open_attempt_on(page, live_server, login, attempt_url=None):
    page.goto(live_server.url("/login"))
    sign_in(page, login)
    page.wait_for_url(live_server.url("/"))
    if attempt_url is None:
        page.goto(live_server.url("/quizzes/"))
        page.get_by_role("link", name="开始答题").click()
        page.get_by_role("button", name="开始答题").click()
        page.wait_for_url("**/quizzes/attempts/*")
    else:
        page.goto(attempt_url)
    saved(page)


def test_a_change_on_the_second_phone_wins_and_the_first_phone_catches_up(live_server, browser_page, quiz_setup):
    phone1, phone2 = browser_page("Pixel 7"), browser_page("Pixel 7")
    open_attempt_on(phone1, live_server, quiz_setup["staff_id"])
    open_attempt_on(phone2, live_server, quiz_setup["staff_id"], phone1.url)

    # phone 1 answers Q1 several times (its own count runs ahead), then phone 2 answers once
    for text in ("北京", "广州", "北京"):
        choose(phone1, 1, text)
        saved(phone1)
    choose(phone2, 1, "上海")
    saved(phone2)
    assert stored_responses(quiz_setup["user_id"])[1] == "B"  # the newer change, from phone 2, is kept
    expect(phone2.locator('#q1 input[value="B"]')).to_be_checked()

    # phone 1 comes back to the foreground: it fetches the answers and says what changed
    phone1.evaluate("window.dispatchEvent(new Event('focus'))")
    expect(phone1.locator('#q1 input[value="B"]')).to_be_checked()
    expect(phone1.locator("[data-alert]")).to_have_text("第 1 题已在其他设备上作答，已更新为 B")

    # and a change back on phone 1 wins in its turn
    choose(phone1, 1, "武汉")
    saved(phone1)
    assert stored_responses(quiz_setup["user_id"])[1] == "D"


def test_a_save_refused_as_stale_shows_the_answer_the_server_holds(live_server, phone_page, quiz_setup):
    page = phone_page
    open_attempt_on(page, live_server, quiz_setup["staff_id"])
    db.session.commit()
    attempt_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    # the server already holds a newer save of Q2 from the page this request will claim to come from
    engine.save_answer(attempt_id, quiz_setup["user_id"], 2, "C", 5, page="elsewhere")
    db.session.commit()

    def late_resend(route):
        body = json.loads(route.request.post_data)
        route.continue_(post_data=json.dumps({**body, "page": "elsewhere", "seq": 1}))

    page.route("**/answers", late_resend)
    page.get_by_role("button", name="下一题").click()
    choose(page, 2, "1927年")
    expect(page.locator("[data-alert]")).to_have_text("第 2 题已在其他设备上作答，已更新为 C")
    expect(page.locator('#q2 input[value="C"]')).to_be_checked()
    expect(page.locator('#q2 input[value="B"]')).not_to_be_checked()
    saved(page)
    assert stored_responses(quiz_setup["user_id"])[2] == "C"


def test_the_answer_card_tells_an_unsaved_answer_from_a_saved_one(live_server, phone_page, quiz_setup):
    page = phone_page
    open_attempt_on(page, live_server, quiz_setup["staff_id"])
    choose(page, 1, "上海")
    saved(page)
    page.route("**/answers", lambda route: route.abort())
    page.get_by_role("button", name="下一题").click()
    choose(page, 2, "1927年")

    saved_cell, unsaved_cell = page.locator('[data-goto="1"]'), page.locator('[data-goto="2"]')
    expect(unsaved_cell).to_have_class("answer-cell is-current is-unsaved")
    look = "el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).borderStyle]"
    saved_look, unsaved_look = saved_cell.evaluate(look), unsaved_cell.evaluate(look)
    assert saved_look != unsaved_look
    brand_red = "rgb(183, 28, 28)"  # --red, also the colour of errors
    assert brand_red not in (saved_look[0], unsaved_look[0])
    expect(page.locator(".answer-legend")).to_contain_text("未保存")

    page.unroute("**/answers")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    saved(page, timeout=30_000)
    expect(unsaved_cell).to_have_class("answer-cell is-current is-answered")
    db.session.commit()
    assert db.session.query(Attempt).count() == 1
