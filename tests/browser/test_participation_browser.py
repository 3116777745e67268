"""An organiser opens the participation dashboard on a desktop and expands a unit's branches; a liaison
opens their unit's chase list on a Pixel 7 and at 360 px, with nothing to scroll sideways."""
import pytest
from playwright.sync_api import expect

from tests.participation.pages_data import populate, settings
from tests.support import DEFAULT_PASSWORD

pytestmark = pytest.mark.browser

NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


def sign_in(page, live_server, login: str):
    page.goto(live_server.url("/login"))
    page.get_by_label("工号或手机号").fill(login)
    page.get_by_label("密码", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url("/"))


def test_organiser_expands_a_unit_on_the_desktop_dashboard(live_server, browser_page, make_unit, make_member,
                                                           make_campaign, make_staff):
    campaign = make_campaign("解放思想大讨论活动")
    units, _people, _quiz = populate(make_unit, make_member, campaign, units=3, per_unit=4)
    settings(campaign, quiz=(True, 70, 2))
    organiser = make_staff("organiser")
    campaign_id, unit_id, login = campaign.id, units[0].id, organiser.staff_id
    live_server.settle()

    page = browser_page("Desktop Chrome", viewport={"width": 1280, "height": 800})
    sign_in(page, live_server, login)
    page.goto(live_server.url(f"/participation/{campaign_id}"))
    expect(page.get_by_role("heading", name="各单位参与情况")).to_be_visible()
    expect(page.locator(".pt-stamp")).to_contain_text("数据截至")
    unit = page.locator(f"#unit-{unit_id}")
    branch = unit.locator(".pt-branch").filter(has_text="第一支部")
    expect(branch).to_be_hidden()
    unit.locator("summary .pt-cell").nth(1).click()  # the row, not the unit's link
    expect(branch).to_be_visible()
    expect(branch).to_contain_text("第一支部")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    expect(page.locator("#bar-chart svg .chart-bar")).to_have_count(3)
    page.get_by_role("link", name="知识竞赛").first.click()  # sort by the quiz column
    expect(page.locator(".pt-head [aria-sort]")).to_contain_text("知识竞赛")


def test_liaison_reads_the_chase_list_on_a_phone(live_server, phone_page, make_unit, make_member, make_campaign,
                                                 make_staff):
    campaign = make_campaign("解放思想大讨论活动")
    units, _people, _quiz = populate(make_unit, make_member, campaign, units=1, per_unit=6)
    settings(campaign, quiz=(True, 70, 2))
    liaison = make_staff("liaison", unit=units[0])
    campaign_id, unit_id, login = campaign.id, units[0].id, liaison.staff_id
    live_server.settle()

    page = phone_page
    sign_in(page, live_server, login)
    page.goto(live_server.url(f"/participation/{campaign_id}/units/{unit_id}/chase"))
    block = page.locator("#chase-quiz")
    expect(block.get_by_role("heading")).to_contain_text("4 人")  # three of six, and the liaison (on the roll too)
    expect(block.locator("textarea")).to_contain_text("尚未参加“知识竞赛”")
    expect(block.get_by_role("button", name="复制提醒文字")).to_be_visible()  # shown by the static script
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.set_viewport_size({"width": 360, "height": 780})
    page.reload()
    expect(block.locator("textarea")).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    page.goto(live_server.url(f"/participation/{campaign_id}/units/{unit_id}"))
    expect(page.locator(".pt-members")).to_be_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
