"""After submitting, Back never shows a live attempt: no timer running, no 交卷 button."""
import pytest
from playwright.sync_api import expect

from tests.browser import test_quiz_phone as phone_tests
from tests.browser.test_quiz_phone import choose, saved
from tests.browser.test_quiz_two_devices import open_attempt_on

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
