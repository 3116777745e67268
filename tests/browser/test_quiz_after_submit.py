"""After submitting, Back never shows a live attempt: no timer running, no 交卷 button."""
import pytest
from playwright.sync_api import expect

from tests.browser import test_quiz_phone as phone_tests
from tests.browser.test_quiz_phone import choose, saved
from tests.browser.test_quiz_two_devices import open_attempt_on
from tests.support import assert_no_horizontal_scroll

pytestmark = pytest.mark.browser

make_bank, make_question, make_quiz = phone_tests.make_bank, phone_tests.make_question, phone_tests.make_quiz
quiz_setup = phone_tests.quiz_setup


def test_back_after_submitting_lands_on_the_result(live_server, phone_page, quiz_setup):
    page = phone_page
    open_attempt_on(page, live_server, quiz_setup["staff_id"])
    attempt_url = page.url
    choose(page, 1, "上海")
    saved(page)
    page.get_by_role("button", name="交卷").click()
    page.get_by_role("button", name="确认交卷").click()
    page.wait_for_url("**/result")

    page.go_back()
    page.wait_for_load_state()
    expect(page).to_have_url(attempt_url + "/result")
    expect(page.get_by_role("button", name="交卷")).to_have_count(0)
    expect(page.locator("[data-timer]")).to_have_count(0)
    expect(page.locator("[data-score]")).to_be_visible()


def test_the_review_shows_my_choice_and_the_key_and_filters_mistakes(live_server, phone_page, quiz_setup):
    page = phone_page
    page.set_viewport_size(phone_tests.SMALL_PHONE)
    open_attempt_on(page, live_server, quiz_setup["staff_id"])
    choose(page, 1, "上海")  # right
    saved(page)
    page.get_by_role("button", name="下一题").click()
    choose(page, 2, "1921年")  # wrong: the key is 1927年
    saved(page)
    page.get_by_role("button", name="交卷").click()
    page.get_by_role("button", name="确认交卷").click()
    page.wait_for_url("**/result")

    expect(page.locator(".result-card")).to_contain_text("秒")  # 用时 in words, not 0:07
    wrong_item = page.locator("#r2")
    mine = wrong_item.locator("li.is-mine")
    key = wrong_item.locator("li.is-key")
    expect(mine).to_contain_text("1921年")
    expect(mine).to_contain_text("我的选择")
    expect(key).to_contain_text("1927年")
    expect(key).to_contain_text("正确答案")
    background = "el => getComputedStyle(el).backgroundColor"
    assert mine.evaluate(background) != key.evaluate(background) != "rgba(0, 0, 0, 0)"

    page.get_by_role("link", name="只看错题（5）").click()
    expect(page.locator("#r1")).to_have_count(0)
    expect(page.locator("#r2")).to_be_visible()
    page.get_by_role("link", name="第 6 题（错误）").click()
    expect(page).to_have_url(page.url.split("#")[0] + "#r6")
    expect(page.locator("#r6")).to_be_in_viewport()
    page.get_by_role("link", name="显示全部").click()
    expect(page.locator("#r1")).to_be_visible()
    assert_no_horizontal_scroll(page)
    page.goto(live_server.url("/quizzes/practice/wrong"))
    expect(page.get_by_text("南昌起义发生在哪一年？")).to_be_visible()  # the mistake is in the 错题本
