"""A judge on an iPad scores a photograph by number only: the title, author and unit never reach the
page; the network drops before the submit, the score waits on the device (never shown 已提交) and
goes in once when the network returns."""
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from app.extensions import db
from events.exhibition.round_models import ExhibitionSheet
from events.exhibition.services import assignments
from tests.browser.test_quiz_phone import sign_in
from tests.browser.test_touch_targets import check_page
from tests.events.exhibition.helpers import category, new_exhibition
from tests.events.exhibition.round_helpers import accepted_work, new_round
from tests.support import assert_no_horizontal_scroll

pytestmark = pytest.mark.browser


@pytest.fixture
def judging(live_server, make_campaign, make_unit, make_user):
    exhibition = new_exhibition(make_campaign())
    photo = category(exhibition, "摄影")
    author = make_user(name="王摄影", unit=make_unit("光明街道"))
    judge = make_user(name="评委甲", roles=["judge"])
    works = [accepted_work(exhibition, photo, author, title="江畔晨雾"),
             accepted_work(exhibition, photo, author, title="老街灯火")]
    round_ = new_round(exhibition, [photo], [judge], quorum=1)
    assignments.open_round(None, round_)
    db.session.commit()
    data = {"round_id": round_.id, "login": judge.staff_id, "codes": [w.code for w in works], "ids": [w.id for w in works]}
    live_server.settle()
    return data


def sheets():
    db.session.rollback()
    found = db.session.scalars(db.select(ExhibitionSheet)).all()
    db.session.commit()
    return found


def test_judge_scores_by_number_offline_then_online(live_server, tablet_page, judging):
    page = tablet_page
    page.goto(live_server.url("/login"))
    sign_in(page, judging["login"])
    page.wait_for_url(live_server.url("/"))
    page.goto(live_server.url(f"/exhibition/judge/rounds/{judging['round_id']}"))
    expect(page.locator(".xr-progress")).to_contain_text("已评 0 / 共 2")
    for blind in ("江畔晨雾", "老街灯火", "王摄影", "光明街道"):
        expect(page.locator("main")).not_to_contain_text(blind)
    assert_no_horizontal_scroll(page)
    page.locator(".xr-tile").first.click()
    expect(page.locator("h1")).to_have_text(f"作品 {judging['codes'][0]}")
    expect(page.locator(".xr-images img")).to_be_visible()
    for blind in ("江畔晨雾", "王摄影", "光明街道"):
        expect(page.locator("main")).not_to_contain_text(blind)

    page.get_by_label("得分").fill("86.5")
    expect(page.locator("[data-status]")).to_have_text("草稿已保存在本机，尚未提交")
    page.context.set_offline(True)
    page.get_by_role("button", name="提交评分").click()
    expect(page.locator("[data-status]")).to_have_text("已保存在本机，网络恢复后自动提交")
    page.wait_for_timeout(3500)  # a retry while offline changes nothing
    expect(page.locator("[data-status]")).to_have_text("已保存在本机，网络恢复后自动提交")
    assert sheets() == []

    page.context.set_offline(False)
    expect(page.locator("[data-status]")).to_have_text("已提交")
    page.wait_for_timeout(3500)  # further retries send nothing more
    (sheet,) = sheets()
    assert sheet.total == Decimal("86.5") and sheet.work_id == judging["ids"][0]
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('exhibition-draft:'))") == []
    page.reload()
    expect(page.locator("[data-status]")).to_have_text("已提交")
    expect(page.locator("[data-form]")).to_have_count(0)
    expect(page.locator(".xr-submitted")).to_contain_text("86.5")

    page.get_by_role("link", name=f"下一件：{judging['codes'][1]}").click()
    page.get_by_label("得分").fill("101")
    page.get_by_role("button", name="提交评分").click()  # refused in the page, nothing sent
    expect(page.locator("[data-error]").first).to_contain_text("0 至 100")
    expect(page.locator("[data-status]")).not_to_have_text("已提交")
    check_page(page, page.url)
