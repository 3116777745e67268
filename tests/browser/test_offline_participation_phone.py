"""A liaison enters a member's 书面答题 on a phone (Pixel 7), an organiser approves it, and the liaison
sees the decision; the input side's pages fit 360 px and every control fits a thumb."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.common.clock import local_today
from app.extensions import db
from tests.browser.test_quiz_phone import SMALL_PHONE, sign_in
from tests.browser.test_touch_targets import check_page

pytestmark = pytest.mark.browser


@pytest.fixture
def offline_setup(make_unit, make_member, make_staff, make_campaign, live_server):
    office = make_unit("中共某某市委员会办公室")
    make_member(unit=office, name="欧阳建国", staff_id="S001")
    make_member(unit=office, name="王芳", staff_id="S002")
    make_staff("liaison", unit=office, name="赵联络", staff_id="L001")
    make_staff("organiser", name="钱组织", staff_id="O001")
    campaign = make_campaign("学习贯彻专项活动", local_today() - timedelta(days=20), local_today() + timedelta(days=20))
    campaign_id = campaign.id
    live_server.settle()
    return campaign_id


def test_a_liaison_enters_offline_participation_on_a_phone_and_an_organiser_approves_it(
        live_server, phone_page, browser_page, offline_setup):
    from app.participation.models import OfflineParticipation

    page = phone_page
    page.goto(live_server.url("/login"))
    sign_in(page, "L001")
    page.wait_for_url(live_server.url("/"))
    page.goto(live_server.url("/participation/offline"))
    page.get_by_role("link", name="录入线下参与").click()
    page.get_by_label("活动", exact=True).select_option(label="知识竞赛")
    page.get_by_label("来源").select_option(label="书面答题")
    page.get_by_label("备注").fill("书面答卷已交支部存档")
    page.get_by_label("欧阳建国").check()
    page.get_by_role("button", name="保存并提交审核").click()
    expect(page.get_by_text("已录入 1 人的线下参与，等待组织者审核。")).to_be_visible()
    card = page.locator(".input-item", has_text="欧阳建国")
    expect(card.get_by_text("待审核")).to_be_visible()

    desk = browser_page("Pixel 7")
    desk.goto(live_server.url("/login"))
    sign_in(desk, "O001")
    desk.wait_for_url(live_server.url("/"))
    desk.goto(live_server.url("/participation/offline?status=pending"))
    pending = desk.locator(".input-item", has_text="欧阳建国")
    expect(pending.get_by_text("书面答卷已交支部存档")).to_be_visible()
    pending.get_by_role("button", name="通过", exact=True).click()
    expect(desk.get_by_text("已审核 1 条记录。")).to_be_visible()
    expect(desk.locator(".input-item", has_text="欧阳建国")).to_have_count(0)  # no longer pending

    page.reload()
    decided = page.locator(".input-item", has_text="欧阳建国")
    expect(decided.get_by_text("已通过")).to_be_visible()
    expect(decided.get_by_text("钱组织 于")).to_be_visible()
    db.session.commit()
    record = db.session.scalars(sa.select(OfflineParticipation)).one()
    assert (record.status, record.provider_key, record.source) == ("approved", "quiz", "written_quiz")
    db.session.commit()

    page.set_viewport_size(SMALL_PHONE)
    for path in ["/participation/offline", "/participation/offline/new", f"/participation/offline/{record.id}/edit",
                 "/participation/offline/import", "/participation/exemptions", "/participation/exemptions/new"]:
        check_page(page, live_server.url(path))
    from tests.browser.conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(live_server.url("/participation/offline"))
    page.screenshot(path=str(ARTIFACTS / "offline-participation-list-360.png"), full_page=True)
    page.goto(live_server.url("/participation/offline/new"))
    page.screenshot(path=str(ARTIFACTS / "offline-participation-entry-360.png"), full_page=True)
