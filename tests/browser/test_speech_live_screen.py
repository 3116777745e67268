"""The hall at 1920×1080: the big screen follows the host without a reload — the contestant on stage,
"评委 5/5 已提交" with no score before the reveal; after the host's 亮分 each judge's total with the
highest and lowest struck through, the deduction and the final score, readable from the back (names
≥ 60 px, the score ≥ 120 px); a reload comes back to the same frame; the server away keeps the frame."""
from decimal import Decimal

import pytest

from app.extensions import db
from events.speech.models import SpeechDeduction
from tests.events.speech.conftest import make_contest  # noqa: F401 (the hall fixture)

pytestmark = pytest.mark.browser

SHEET = {"演讲内容": "36", "语言表达": "27", "形象风度": "9", "综合印象": "18"}  # 90
SCREEN = {"viewport": {"width": 1920, "height": 1080}}


def _sheet(offset: int) -> dict[str, str]:
    return {**SHEET, "演讲内容": str(36 + offset)}


def _sign_in(page, live_server, staff_id):
    page.goto(live_server.url("/login"))
    page.get_by_label("工号或手机号").fill(staff_id)
    page.get_by_label("密码", exact=True).fill("Passw0rd2026")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(live_server.url("/"))


def test_the_host_reveals_and_the_big_screen_shows_struck_scores_and_the_final(
        live_server, browser_page, make_contest, make_staff):  # noqa: F811
    hall = make_contest(contestants=2, judges=5)
    organiser = make_staff("organiser", name="主持人")
    round_id, slot = hall.round.id, hall.slots[0]
    name, staff_id = slot.entry.member.name, organiser.staff_id
    live_server.settle()  # after reading: an open read transaction would hold SQLite's lock

    screen = browser_page("Desktop Chrome", **SCREEN)
    screen.goto(live_server.url(f"/speech/rounds/{round_id}/screen?rows=8"))
    screen.locator(".screen-qr svg").wait_for()  # standby, with the audience page's QR

    host = browser_page("Desktop Chrome")
    _sign_in(host, live_server, staff_id)
    host.goto(live_server.url(f"/speech/rounds/{round_id}/host"))
    host.locator("[data-next]").click()
    host.wait_for_url(f"**/speech/rounds/{round_id}/host")

    screen.locator(".screen-name", has_text=name).wait_for(timeout=5000)  # within a few polls
    size = screen.locator(".screen-name").evaluate("node => parseFloat(getComputedStyle(node).fontSize)")
    assert size >= 60

    for judge, offset in zip(hall.judges, (0, 1, 2, -3, 4), strict=True):  # 90 91 92 87 94
        hall.submit(slot, judge, _sheet(offset))
    db.session.add(SpeechDeduction(slot_id=slot.id, kind="overtime", points=Decimal("0.2"), reason="超时 12.0 秒"))
    live_server.settle()
    host.get_by_role("button", name="演讲结束，显示评分进度").click()
    screen.get_by_text("评委 5/5 已提交").wait_for(timeout=5000)
    assert "90.80" not in screen.content()

    host.locator("[data-reveal]").click()
    screen.locator(".screen-final-score").wait_for(timeout=5000)
    assert screen.locator(".screen-final-score").inner_text() == "90.80"
    struck = screen.locator(".screen-judge.struck del").all_inner_texts()
    assert sorted(struck) == ["87.0", "94.0"]
    assert screen.locator(".screen-judge:not(.struck)").count() == 3
    assert screen.get_by_text("扣 0.20 分：超时 12.0 秒").is_visible()
    score_size = screen.locator(".screen-final-score").evaluate("node => parseFloat(getComputedStyle(node).fontSize)")
    assert score_size >= 120
    # a passive kiosk: nothing to press
    assert screen.locator("button, input, select, a").count() == 0

    screen.reload()
    screen.locator(".screen-final-score", has_text="90.80").wait_for(timeout=5000)

    # the server unreachable: the last frame stays
    screen.route("**/state*", lambda route: route.abort())
    screen.wait_for_timeout(2500)
    assert screen.locator("#offline").is_visible()
    assert screen.locator(".screen-final-score").inner_text() == "90.80"


def test_the_audience_page_on_a_phone_shows_the_contestant_and_only_revealed_scores(
        live_server, phone_page, make_contest, make_staff):  # noqa: F811
    from app.common.clock import utcnow
    from events.speech.services.state import bump_state

    hall = make_contest(contestants=2, judges=3)
    first, second = hall.slots
    for slot, offset in ((first, 0), (second, 2)):
        for judge in hall.judges:
            hall.submit(slot, judge, _sheet(offset))
    first.status, first.revealed_at = "done", utcnow()
    second.status = "on_stage"
    hall.round.current_slot_id, hall.round.screen_mode, hall.round.status = second.id, "progress", "live"
    bump_state(hall.round.id)
    round_id, name = hall.round.id, second.entry.member.name
    live_server.settle()
    page = phone_page
    page.goto(live_server.url(f"/speech/rounds/{round_id}/watch"))
    page.locator(".screen-name", has_text=name).wait_for()
    assert page.get_by_text("评委 3/3 已提交").count() == 0  # the progress line is the big screen's, not the phones'
    assert "92.00" not in page.content()  # the contestant on stage is not revealed yet
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"]
