"""A member on a Pixel 7 submits a photograph: the first upload is cut off and retried alone, the typed
form survives a reload, the work shows 处理中 until the job has run, then waits for review; an organiser
accepts it and it appears in the gallery."""
import pytest
from playwright.sync_api import expect

from tests.events.exhibition.helpers import category, new_exhibition, photo
from tests.jobs.fixtures import consumer  # noqa: F401
from tests.support import DEFAULT_PASSWORD, assert_no_horizontal_scroll

pytestmark = pytest.mark.browser


def sign_in(page, live_server, login: str):
    page.goto(live_server.url("/login"))
    page.get_by_label("工号或手机号").fill(login)
    page.get_by_label("密码", exact=True).fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url("/"))


def test_a_photograph_from_a_phone_to_the_gallery(live_server, phone_page, browser_page, make_campaign, make_member,
                                                  make_unit, make_staff, consumer):  # noqa: F811
    exhibition = new_exhibition(make_campaign())
    photo_category_id = category(exhibition, "摄影").id
    member = make_member(unit=make_unit("市委办公室"), name="王小明")
    organiser = make_staff("organiser", name="组织员乙")
    exhibition_id, member_login, organiser_login = exhibition.id, member.staff_id, organiser.staff_id
    live_server.settle()

    page = phone_page
    sign_in(page, live_server, member_login)
    page.goto(live_server.url(f"/exhibition/{exhibition_id}/submit"))
    page.select_option("#category_id", str(photo_category_id))
    page.get_by_label("作品名称").fill("晨曦中的大桥")
    page.get_by_label("创作说明").fill("清晨六点在江边拍摄。")

    cut = {"count": 0}

    def flaky(route):
        if cut["count"] == 0:  # the first upload is lost on mobile data
            cut["count"] += 1
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/stage*", flaky)
    page.set_input_files("#image-picker", files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg",
                                                   "buffer": photo(size=(1600, 1200))}])
    retry = page.get_by_role("button", name="重试")
    expect(retry).to_be_visible()
    retry.click()
    expect(page.locator(".upload-item .badge.ok")).to_have_text("已上传")
    assert cut["count"] == 1

    page.reload()  # what was typed, and the uploaded image, are still there
    expect(page.get_by_label("作品名称")).to_have_value("晨曦中的大桥")
    expect(page.get_by_label("宽（厘米）")).to_be_hidden()  # size and medium are for calligraphy and painting
    expect(page.locator(".upload-item .badge.ok")).to_have_count(1)
    page.locator("#pledge").check()
    page.get_by_role("button", name="提交作品").click()
    page.wait_for_url("**/exhibition/works/*")
    expect(page.get_by_text("处理中").first).to_be_visible()

    consumer()  # the job runs; the page notices and reloads itself
    expect(page.locator(".work-figure img")).to_be_visible(timeout=60_000)
    expect(page.locator("[data-work-status]")).to_have_text("已提交，待审核")
    assert_no_horizontal_scroll(page)

    staff = browser_page("iPad (gen 7)")
    sign_in(staff, live_server, organiser_login)
    staff.goto(live_server.url(f"/exhibition/manage/{exhibition_id}/review"))
    item = staff.locator(".review-item", has_text="晨曦中的大桥")
    item.locator("input[type=checkbox]").check()
    staff.select_option("#action", "accept")
    staff.get_by_role("button", name="执行").click()
    expect(staff.get_by_text("已处理 1 件作品。")).to_be_visible()

    page.goto(live_server.url(f"/exhibition/{exhibition_id}/gallery"))
    tile = page.locator(".gallery-tile", has_text="晨曦中的大桥")
    expect(tile).to_be_visible()
    assert tile.locator("img").evaluate("img => img.complete && img.naturalWidth > 0")
