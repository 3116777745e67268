"""An organiser uploads a large roster on a tablet: the job page shows it queued, still does after a
reload, and once the consumer has run it shows the result without anyone touching the page."""
import io

import pytest
from openpyxl import Workbook

from tests.jobs.fixtures import consumer  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.app_config(JOBS_SYNC_MAX_ROWS=0)]


def roster_bytes(count: int) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["单位", "姓名", "工号", "手机号"])
    for number in range(1, count + 1):
        sheet.append(["市委办公室", f"平板成员{number}", f"W{number:05d}", f"138{number:08d}"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_the_job_page_follows_the_job_through_a_reload(live_server, tablet_page, make_staff, make_unit,
                                                       consumer):  # noqa: F811
    staff_id = make_staff("organiser", name="组织员乙").staff_id
    make_unit("市委办公室")
    live_server.settle()
    page = tablet_page
    page.goto(live_server.url("/login"))
    page.get_by_label("工号或手机号").fill(staff_id)
    page.get_by_label("密码", exact=True).fill("Passw0rd2026")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url("/"))

    page.goto(live_server.url("/members/import"))
    page.set_input_files("input[type=file]", files=[{
        "name": "名册.xlsx", "buffer": roster_bytes(40),
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    page.get_by_role("button", name="开始导入").click()
    page.wait_for_url("**/jobs/*")
    assert page.get_by_text("排队中，即将开始…").is_visible()
    assert page.locator("progress").is_visible()

    page.reload()  # the job lives on the server, not in the page
    assert page.get_by_text("排队中，即将开始…").is_visible()

    consumer()
    page.get_by_text("已完成。").wait_for(timeout=60_000)  # the page polled, then reloaded itself
    assert page.locator('[data-count="created"]').inner_text() == "40"
