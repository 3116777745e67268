"""A member's first sign-in on a phone: initial password from the roster import, forced change, home,
sign out through the phone menu, sign in again with the new password."""
import pytest

from app.accounts.services import random_password
from tests.support import assert_no_horizontal_scroll

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Hongqi2026go"
SMALL_PHONE = {"width": 360, "height": 740}


@pytest.fixture
def imported_member(make_member, make_unit, live_server):
    """A member as the roster import leaves them: an initial password and must_change_password set."""
    initial = random_password()
    member = make_member(unit=make_unit("市委办公室"), name="陈小红", password=initial, must_change_password=True,
                         mobile="13700137000")
    details = {"staff_id": member.staff_id, "name": member.name, "initial": initial}
    live_server.settle()
    return details


def sign_in(page, login: str, password: str):
    page.get_by_label("工号或手机号").fill(login)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()



def test_first_login_on_a_phone(live_server, phone_page, imported_member):
    page = phone_page
    page.set_viewport_size(SMALL_PHONE)  # the smallest phones in use; Pixel 7's user agent and touch stay
    page.goto(live_server.url("/"))
    assert "/login" in page.url

    sign_in(page, imported_member["staff_id"], imported_member["initial"])
    page.wait_for_url("**/account/password")
    assert page.get_by_text("为了账号安全，请先设置您自己的新密码。").is_visible()

    # every other page sends the member back to the change form
    page.goto(live_server.url("/account"))
    page.wait_for_url("**/account/password")

    # a weak password is refused, with the reason beside the field
    page.get_by_label("当前密码").fill(imported_member["initial"])
    page.get_by_label("新密码", exact=True).fill("12345678")
    page.get_by_label("再次输入新密码").fill("12345678")
    page.get_by_role("button", name="保存新密码").click()
    assert page.get_by_text("密码需同时包含字母和数字").is_visible()

    page.get_by_label("当前密码").fill(imported_member["initial"])
    page.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("再次输入新密码").fill(NEW_PASSWORD)
    page.get_by_role("button", name="保存新密码").click()
    page.wait_for_url(live_server.url("/"))
    assert page.get_by_text("密码已修改。").is_visible()
    assert page.get_by_role("heading", name=f"您好，{imported_member['name']}").is_visible()

    # at 360 px the menu is folded behind the ☰ toggle
    sign_out = page.get_by_role("button", name="退出")
    assert not sign_out.is_visible()
    page.locator("label.nav-toggle-label").click()
    sign_out.click()
    page.wait_for_url("**/login")
    assert page.get_by_text("您已安全退出。").is_visible()

    # the initial password no longer works; the new one does (by mobile number this time)
    sign_in(page, imported_member["staff_id"], imported_member["initial"])
    assert page.get_by_text("工号/手机号或密码不正确").is_visible()
    sign_in(page, "13700137000", NEW_PASSWORD)
    page.wait_for_url(live_server.url("/"))
    assert page.get_by_role("heading", name=f"您好，{imported_member['name']}").is_visible()


def test_login_and_password_pages_fit_a_360px_phone(live_server, phone_page, imported_member):
    page = phone_page
    page.set_viewport_size(SMALL_PHONE)

    page.goto(live_server.url("/login"))
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="登录").click()  # empty form: errors beside the fields
    assert page.get_by_text("请输入工号或手机号").is_visible()
    assert_no_horizontal_scroll(page)
    sign_in(page, imported_member["staff_id"], "wrong-password-1")
    assert_no_horizontal_scroll(page)

    sign_in(page, imported_member["staff_id"], imported_member["initial"])
    page.wait_for_url("**/account/password")
    assert_no_horizontal_scroll(page)
    page.get_by_role("button", name="保存新密码").click()  # every field in error
    assert page.get_by_text("请输入当前密码").is_visible()
    assert_no_horizontal_scroll(page)

    page.get_by_label("当前密码").fill(imported_member["initial"])
    page.get_by_label("新密码", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("再次输入新密码").fill(NEW_PASSWORD)
    page.get_by_role("button", name="保存新密码").click()
    page.wait_for_url(live_server.url("/"))
    assert_no_horizontal_scroll(page)
    page.locator("label.nav-toggle-label").click()  # the open menu must fit too
    assert_no_horizontal_scroll(page)


def test_login_page_on_a_tablet_is_usable_and_fits(live_server, tablet_page, imported_member):
    page = tablet_page
    page.goto(live_server.url("/login"))
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert_no_horizontal_scroll(page)
    sign_in(page, imported_member["staff_id"], imported_member["initial"])
    page.wait_for_url("**/account/password")
    assert_no_horizontal_scroll(page)
