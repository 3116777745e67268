"""A liaison registers a member for a speech contest on a 360 px phone: the form and the unit's
registration page fit the screen, every control fits a thumb, and a screenshot of the page is kept
under test-artifacts/ for review."""
import pytest
from playwright.sync_api import expect

from app.extensions import db
from events.speech.services.setup import ContestFacts, create_contest
from tests.browser.test_quiz_phone import SMALL_PHONE, sign_in
from tests.browser.test_touch_targets import MEASURE
from tests.support import assert_no_horizontal_scroll

pytestmark = pytest.mark.browser


@pytest.fixture
def contest_setup(make_campaign, make_unit, make_member, make_staff, organiser, live_server):
    office = make_unit("中共某某市委员会办公室")
    for name in ["欧阳建国", "司马相如", "王芳"]:
        make_member(unit=office, name=name)
    make_staff("liaison", unit=office, name="赵联络", staff_id="L001")
    contest = create_contest(organiser, ContestFacts(campaign_id=make_campaign().id, quota_per_unit=2,
                                                     title="“青春心向党·建功新时代”主题演讲比赛"))
    db.session.commit()
    contest_id = contest.id
    live_server.settle()
    return contest_id


def test_a_liaison_registers_on_a_small_phone(live_server, phone_page, contest_setup, tmp_path):
    from tests.browser.conftest import ARTIFACTS

    page = phone_page
    page.set_viewport_size(SMALL_PHONE)
    page.goto(live_server.url("/login"))
    sign_in(page, "L001")
    page.goto(live_server.url(f"/speech/registration/contests/{contest_setup}"))
    expect(page.get_by_text("本单位名额：已用 0 / 共 2")).to_be_visible()
    page.get_by_role("link", name="为本单位人员报名").click()
    expect(page.get_by_label("演讲题目")).to_be_visible()  # the form's page, not the one being left
    assert_no_horizontal_scroll(page)
    assert not page.evaluate(MEASURE), page.evaluate(MEASURE)
    page.get_by_label("参赛人员").select_option(label=page.locator("#member_id option", has_text="司马相如").inner_text())
    page.get_by_label("演讲题目").fill("在平凡岗位上书写青春答卷")
    page.get_by_label("个人简介").fill("市委办公室综合科科员，曾获全市青年理论宣讲比赛一等奖。")
    manuscript = tmp_path / "演讲稿.pdf"
    manuscript.write_bytes(b"%PDF-1.4\n%%EOF\n")
    page.get_by_label("演讲稿（PDF 或 Word，选填）").set_input_files(str(manuscript))
    page.get_by_role("button", name="提交报名").click()
    expect(page.get_by_text("已报名：司马相如。")).to_be_visible()
    card = page.locator(".speech-entry", has_text="司马相如")
    expect(card.get_by_text("待审核")).to_be_visible()
    expect(card.get_by_role("link", name="演讲稿（PDF）")).to_be_visible()
    expect(page.get_by_text("本单位名额：已用 1 / 共 2")).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert not page.evaluate(MEASURE), page.evaluate(MEASURE)
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "speech-registration-liaison-360.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    page.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="撤回").click()
    expect(page.get_by_text("已撤回报名：司马相如。")).to_be_visible()
    expect(page.get_by_text("本单位名额：已用 0 / 共 2")).to_be_visible()


def test_a_member_applies_on_a_small_phone(live_server, phone_page, make_campaign, make_unit, make_member, organiser):
    make_member(unit=make_unit("市财政局"), name="钱小芳", staff_id="M001")
    create_contest(organiser, ContestFacts(campaign_id=make_campaign().id, title="青春演讲比赛"))
    db.session.commit()
    live_server.settle()
    page = phone_page
    page.set_viewport_size(SMALL_PHONE)
    page.goto(live_server.url("/login"))
    sign_in(page, "M001")
    expect(page.get_by_role("heading", name="演讲比赛报名")).to_be_visible()  # the home section
    page.goto(live_server.url("/speech/registration/"))
    page.get_by_role("link", name="我要报名").click()
    expect(page.get_by_label("演讲题目")).to_be_visible()  # the form's page, not the one being left
    assert_no_horizontal_scroll(page)
    assert not page.evaluate(MEASURE), page.evaluate(MEASURE)
    page.get_by_label("演讲题目").fill("我的青春我的梦")
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_text("已提交报名申请，等待组织者审核。")).to_be_visible()
    expect(page.get_by_text("题目：我的青春我的梦")).to_be_visible()
    expect(page.get_by_text("待审核")).to_be_visible()
    assert not page.evaluate(MEASURE), page.evaluate(MEASURE)
