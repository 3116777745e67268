"""Check-in in real browsers: the venue display on a desktop shows a code; a member on a Pixel 7, not
signed in, opens the URL decoded from it, signs in after the code has rotated and sees the
confirmation; a steward opens a member's code on their phone and checks them in."""
import io
import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from app.common import clock
from app.extensions import db
from events.checkin.models import CheckinEvent, CheckinRecord, CheckinSteward
from tests.support import DEFAULT_PASSWORD

START = datetime(2026, 3, 12, 11, 0, 0)  # 19:00 in Shanghai


def sign_in(page, login: str):
    page.get_by_label("工号或手机号").fill(login)
    page.get_by_label("密码", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录").click()


@pytest.fixture
def hall(app, make_unit, make_member, make_staff, make_campaign):
    unit = make_unit("市委办公室")
    members = [make_member(unit=unit, name=name, political_status="中共党员") for name in ("林小雨", "陈明")]
    campaign = make_campaign()
    event = CheckinEvent(campaign_id=campaign.id, title="支部党员大会", event_type="assembly", place="三楼会议室",
                         starts_at=START, ends_at=START + timedelta(hours=2), opens_minutes_before=30,
                         late_at=START + timedelta(minutes=10), closes_at=START + timedelta(hours=1),
                         invitee_scope="units", invitee_statuses=[], rotation_seconds=30)
    event.target_units = [unit]
    db.session.add(event)
    db.session.commit()
    return {"event": event, "members": members, "organiser": make_staff("organiser", name="组织者")}


def _decode(png: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1
    return results[0].text


def test_a_member_scans_the_display_signs_in_after_the_code_rotated_and_is_checked_in(
        app, live_server, browser_page, hall):
    event_id, member_id, member_login = hall["event"].id, hall["members"][0].id, hall["members"][0].staff_id
    organiser_login = hall["organiser"].staff_id
    live_server.settle()  # the test thread holds no transaction while the server works
    with clock.frozen_at(START - timedelta(minutes=10)):
        display = browser_page("Desktop Chrome")
        display.goto(live_server.url("/login"))
        sign_in(display, organiser_login)
        display.goto(live_server.url(f"/checkin/events/{event_id}/display"))
        code = display.locator("img[data-display-qr]")
        code.wait_for(state="visible")
        # expect() polls from Playwright's injected script: wait_for_function would eval a string,
        # which the pages' Content-Security-Policy (no 'unsafe-eval') refuses.
        expect(code).to_have_attribute("src", re.compile(r"qr\.svg"))
        source = code.get_attribute("src")
        assert "qr.svg" in source
        png = display.request.get(live_server.url(source.replace("qr.svg", "qr.png"))).body()
        scanned = _decode(png)
        assert scanned.startswith(live_server.url(f"/checkin/e/{event_id}/"))
        assert display.locator("[data-display-expected]").inner_text() == "2"

        phone = browser_page("Pixel 7")
        phone.goto(scanned)
        assert "/login" in phone.url
        clock.advance(timedelta(seconds=95))  # the display has shown three newer codes meanwhile
        sign_in(phone, member_login)
        phone.wait_for_url("**/checkin/pending")
        message = phone.locator("[data-checkin-message]")
        assert "签到成功" in message.inner_text()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckinRecord).where(
            CheckinRecord.event_id == event_id, CheckinRecord.user_id == member_id)) == 1
        display.locator("[data-display-checked]", has_text="1").wait_for()


def test_a_steward_opens_a_member_code_and_checks_them_in(app, live_server, phone_page, hall, make_user):
    from events.checkin.services import codes

    member = hall["members"][1]
    steward = make_user(name="签到员")
    db.session.add(CheckinSteward(event_id=hall["event"].id, user_id=steward.id))
    db.session.commit()
    member_id, steward_id, steward_login = member.id, steward.id, steward.staff_id
    with clock.frozen_at(START - timedelta(minutes=5)):
        token = codes.member_token(member)
        live_server.settle()
        phone_page.goto(live_server.url("/login"))
        sign_in(phone_page, steward_login)
        phone_page.goto(live_server.url(f"/checkin/m/{token}"))
        assert phone_page.locator("[data-member-name]").inner_text() == "陈明"
        phone_page.get_by_role("button", name="签到").click()
        assert "签到成功" in phone_page.locator("[data-checkin-message]").inner_text()
    record = db.session.scalar(sa.select(CheckinRecord).where(CheckinRecord.user_id == member_id))
    assert record.method == "member_code" and record.recorded_by_id == steward_id


def test_the_leave_and_attendance_pages_fit_a_small_phone_with_thumb_sized_controls(
        app, live_server, browser_page, hall, make_user, make_unit):
    from app.accounts.models import RoleGrant
    from events.checkin.models import CheckinLeave
    from tests.browser.test_quiz_phone import SMALL_PHONE
    from tests.browser.test_touch_targets import check_page

    event, member = hall["event"], hall["members"][0]
    liaison = make_user(name="联络员", roles=["liaison"], liaison_unit=hall["members"][0].unit)
    assert any(isinstance(grant, RoleGrant) for grant in liaison.role_grants)
    db.session.add(CheckinLeave(event_id=event.id, user_id=hall["members"][1].id, kind="leave", reason="出差",
                                status="pending", requested_by_id=hall["members"][1].id))
    db.session.commit()
    event_id, member_login, liaison_login = event.id, member.staff_id, liaison.staff_id
    live_server.settle()
    with clock.frozen_at(START - timedelta(days=1)):
        page = browser_page("Pixel 7")
        page.set_viewport_size(SMALL_PHONE)
        page.goto(live_server.url("/login"))
        sign_in(page, member_login)
        page.wait_for_url(live_server.url("/"))
        for path in ["/", "/checkin/leave/", f"/checkin/leave/events/{event_id}/request"]:
            check_page(page, live_server.url(path))
        page.context.clear_cookies()
        page.goto(live_server.url("/login"))
        sign_in(page, liaison_login)
        page.wait_for_url(live_server.url("/"))
        for path in ["/checkin/attendance/", "/checkin/leave/pending", f"/checkin/leave/events/{event_id}",
                     "/checkin/calendar/"]:
            check_page(page, live_server.url(path))
    with clock.frozen_at(START + timedelta(minutes=20)):
        for path in [f"/checkin/attendance/{event_id}", f"/checkin/attendance/{event_id}/people"]:
            check_page(page, live_server.url(path))
