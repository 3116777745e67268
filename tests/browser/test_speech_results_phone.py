"""A member on a 360 px phone reads the published results: the 公示 notice and, once final, a
contestant's scoring explanation — tables become cards, controls fit a thumb, nothing runs off."""
from datetime import timedelta

from playwright.sync_api import expect

from app.common.clock import local_today
from app.extensions import db
from events.speech.services import results
from tests.browser.test_quiz_phone import SMALL_PHONE, sign_in
from tests.browser.test_touch_targets import check_page
from tests.events.speech.conftest import make_contest  # noqa: F401  (the fixture)
from tests.events.speech.test_speech_results_standings import score_all


def test_a_member_reads_the_notice_and_the_explanation_on_a_small_phone(live_server, phone_page, make_contest,  # noqa: F811
                                                                        make_member, organiser):
    hall = make_contest(contestants=3, judges=5)
    for index, slot in enumerate(hall.slots):
        score_all(hall, slot, [90 - index, 85 - index, 80 - index, 81 - index, 88 - index])
    member = make_member(staff_id="M360")
    version = results.publish_results(hall.round, organiser, local_today())
    version.notice_until = local_today() - timedelta(days=1)
    results.finalise_results(hall.round, organiser)
    db.session.commit()
    round_id, slot_id, name, login = hall.round.id, hall.slots[0].id, hall.entries[0].member.name, member.staff_id
    live_server.settle()

    page = phone_page
    page.set_viewport_size(SMALL_PHONE)
    page.goto(live_server.url("/login"))
    sign_in(page, login)
    page.wait_for_url(live_server.url("/"))
    for path in ["/speech/results/", f"/speech/results/rounds/{round_id}/notice",
                 f"/speech/results/slots/{slot_id}/explanation"]:
        check_page(page, live_server.url(path))

    page.goto(live_server.url(f"/speech/results/rounds/{round_id}/notice"))
    expect(page.get_by_role("button", name="打印")).to_be_visible()  # shown by the script, CSP-clean
    card = page.locator("tr", has_text=name)
    expect(card.get_by_text("84.67")).to_be_visible()
    card.get_by_role("link", name="评分说明").click()
    page.wait_for_url(f"**/slots/{slot_id}/explanation?version=1")
    struck = page.locator("td.struck")
    expect(struck).to_have_count(2)
    assert "line-through" in struck.first.evaluate("cell => getComputedStyle(cell).textDecorationLine")
