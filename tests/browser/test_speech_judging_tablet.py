"""A judge on an iPad: scores the contestant on stage, loses the network before submitting, sees
nothing lost, and the sheet goes in once when the network returns; the host moving on leaves an
unsent draft with its contestant."""
import pytest
from playwright.sync_api import expect

from app.audit.models import AuditEntry
from app.extensions import db
from events.speech.models import SpeechRound, SpeechSheet, SpeechSheetVersion, SpeechSlot
from tests.browser.test_quiz_phone import sign_in
from tests.browser.test_touch_targets import check_page
from tests.events.speech import conftest as speech_fixtures

make_contest = speech_fixtures.make_contest  # the speech halls' fixture, borrowed by name

pytestmark = pytest.mark.browser

SCORES = ("36.5", "27", "9", "13")  # 85.5


@pytest.fixture
def hall(make_contest, live_server):
    hall = make_contest(contestants=3, judges=2)
    first = hall.slots[0]
    first.status = "on_stage"
    hall.round.current_slot_id = first.id
    db.session.commit()
    hall.names = [entry.member.name for entry in hall.entries]  # read now: the server needs the database free
    hall.logins = [judge.user.staff_id for judge in hall.judges]
    hall.round_id, hall.slot_ids, hall.judge_ids = hall.round.id, [s.id for s in hall.slots], [j.id for j in hall.judges]
    live_server.settle()
    return hall


def open_tablet(page, live_server, hall, seat=1):
    page.goto(live_server.url("/login"))
    sign_in(page, hall.logins[seat - 1])
    page.wait_for_url(live_server.url("/"))
    page.goto(live_server.url(f"/speech/judge/rounds/{hall.round_id}"))


def fill_sheet(page, values=SCORES):
    inputs = page.locator("[data-score]")
    for index, value in enumerate(values):
        inputs.nth(index).fill(value)


def sheets_in_db():
    db.session.rollback()
    found = db.session.scalars(db.select(SpeechSheet)).all()
    db.session.commit()
    return found


def test_offline_submit_keeps_everything_and_goes_in_once_when_the_network_returns(live_server, tablet_page, hall):
    page = tablet_page
    open_tablet(page, live_server, hall)
    name = hall.names[0]
    expect(page.locator("[data-banner-name]")).to_have_text(name)
    expect(page.locator(".jt-progress")).to_have_text("已评 0 / 共 3")
    fill_sheet(page)
    expect(page.locator("[data-live-total]")).to_have_text("85.5")
    expect(page.locator("[data-status]")).to_have_text("草稿已保存在本机，尚未提交")

    page.context.set_offline(True)
    page.get_by_role("button", name="提交评分").click()
    expect(page.locator("[data-confirm-name]")).to_have_text(f"1号 {name}")
    expect(page.locator("[data-confirm-total]")).to_have_text("85.5")
    page.get_by_role("button", name="确认提交").click()
    expect(page.locator("[data-status]")).to_have_text("已保存在本机，网络恢复后自动提交")
    page.wait_for_timeout(3500)  # a retry round while offline changes nothing
    expect(page.locator("[data-status]")).to_have_text("已保存在本机，网络恢复后自动提交")
    assert [page.locator("[data-score]").nth(index).input_value() for index in range(4)] == list(SCORES)
    assert sheets_in_db() == []

    page.context.set_offline(False)
    expect(page.locator("[data-status]")).to_have_text("已提交")
    expect(page.locator(".jt-progress")).to_have_text("已评 1 / 共 3")
    page.wait_for_timeout(3500)  # further retry rounds send nothing more
    (sheet,) = sheets_in_db()
    assert sheet.version == 1 and sheet.judge_id == hall.judge_ids[0]
    assert sheet.scores == {"演讲内容": "36.5", "语言表达": "27.0", "形象风度": "9.0", "综合印象": "13.0"}
    assert db.session.scalar(db.select(db.func.count()).select_from(SpeechSheetVersion)) == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "speech.sheet_submitted")) == 1
    db.session.commit()
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('speech-draft:'))") == []

    page.reload()  # after a reload the tablet still shows the sheet as submitted, locked
    expect(page.locator("[data-status]")).to_have_text("已提交")
    expect(page.locator("[data-submitted-rows]")).to_contain_text("85.5")
    expect(page.locator("[data-form]")).to_be_hidden()


def test_a_draft_typed_before_a_reload_comes_back(live_server, tablet_page, hall):
    page = tablet_page
    open_tablet(page, live_server, hall)
    fill_sheet(page, ("30", "25"))
    page.reload()
    expect(page.locator("[data-score]").nth(0)).to_have_value("30")
    expect(page.locator("[data-score]").nth(1)).to_have_value("25")
    expect(page.locator("[data-status]")).to_have_text("草稿已保存在本机，尚未提交")


def host_judge_states(hall) -> dict[int, str]:
    from events.speech.services.screen import host_view

    db.session.rollback()
    states = {row["seat"]: row["state"] for row in host_view(db.session.get(SpeechRound, hall.round_id))["judges"]}
    db.session.commit()
    return states


def test_typing_a_score_shows_the_host_a_draft_on_the_next_poll(live_server, tablet_page, hall):
    page = tablet_page
    open_tablet(page, live_server, hall)
    expect(page.locator("[data-banner-name]")).to_have_text(hall.names[0])
    page.wait_for_timeout(2500)  # a poll with nothing typed
    assert host_judge_states(hall) == {1: "waiting", 2: "waiting"}
    fill_sheet(page, ("30",))
    for _attempt in range(20):  # the tablet polls every 2 s
        page.wait_for_timeout(300)
        if host_judge_states(hall)[1] == "draft":
            break
    assert host_judge_states(hall) == {1: "draft", 2: "waiting"}
    fill_sheet(page, ("",))  # nothing typed any more: waiting again
    for _attempt in range(20):
        page.wait_for_timeout(300)
        if host_judge_states(hall)[1] == "waiting":
            break
    assert host_judge_states(hall)[1] == "waiting"


def test_bad_values_are_refused_beside_the_field_and_nothing_is_sent(live_server, tablet_page, hall):
    page = tablet_page
    open_tablet(page, live_server, hall)
    fill_sheet(page, ("41", "27.55", "", "abc"))
    page.get_by_role("button", name="提交评分").click()
    errors = page.locator("[data-error]")
    expect(errors.nth(0)).to_have_text("演讲内容应在 0 至 40 分之间")
    expect(errors.nth(1)).to_have_text("语言表达的分值须为 0.1 的整数倍")
    expect(errors.nth(2)).to_have_text("请填写形象风度")
    expect(errors.nth(3)).to_have_text("综合印象须填写数字")
    expect(page.locator("[data-confirm-step]")).to_be_hidden()
    assert sheets_in_db() == []


def test_when_the_host_moves_on_an_unsent_draft_stays_with_its_contestant(live_server, tablet_page, hall):
    page = tablet_page
    open_tablet(page, live_server, hall)
    fill_sheet(page, ("30", "25"))
    first_id, second_id = hall.slot_ids[0], hall.slot_ids[1]
    round_ = db.session.get(SpeechRound, hall.round_id)
    db.session.get(SpeechSlot, first_id).status = "done"
    db.session.get(SpeechSlot, second_id).status = "on_stage"
    round_.current_slot_id = second_id
    round_.state_version += 1
    db.session.commit()
    warning = page.locator("[data-warning]")
    expect(warning).to_contain_text(hall.names[0])
    expect(warning).to_contain_text("草稿仍保留在该选手名下")
    expect(page.locator("[data-banner-name]")).to_have_text(hall.names[1])
    expect(page.locator("[data-score]").nth(0)).to_have_value("30")  # still the first contestant's sheet
    page.get_by_role("button", name="去评当前选手").click()
    expect(page.locator("[data-sheet-title]")).to_have_text(f"2号 {hall.names[1]}")
    expect(page.locator("[data-score]").nth(0)).to_have_value("")
    page.locator(f'[data-slot-id="{first_id}"]').click()
    expect(page.locator("[data-score]").nth(0)).to_have_value("30")


def test_the_tablet_has_thumb_sized_controls(live_server, tablet_page, hall):
    open_tablet(tablet_page, live_server, hall)
    check_page(tablet_page, live_server.url(f"/speech/judge/rounds/{hall.round_id}"))


@pytest.fixture
def soft_hall(make_contest, live_server):
    hall = make_contest(contestants=1, judges=1, criteria=[
        {"name": "内容", "maximum": "40", "step": "0.1", "soft_minimum": "20", "soft_maximum": "38"},
        {"name": "表达", "maximum": "60", "step": "0.01"}])
    hall.round.current_slot_id = hall.slots[0].id
    db.session.commit()
    hall.logins, hall.round_id = [judge.user.staff_id for judge in hall.judges], hall.round.id
    live_server.settle()
    return hall


def test_a_score_outside_the_usual_range_needs_a_second_confirmation_with_a_note(live_server, tablet_page,
                                                                                soft_hall):
    page = tablet_page
    open_tablet(page, live_server, soft_hall)
    fill_sheet(page, ("39", "55.25"))
    expect(page.locator("[data-live-total]")).to_have_text("94.25")
    page.get_by_role("button", name="提交评分").click()
    expect(page.locator("[data-error]").nth(0)).to_contain_text("超出常用范围 20–38")
    expect(page.locator("[data-confirm-step]")).to_be_hidden()
    page.get_by_label("确认此分数").check()
    page.get_by_role("button", name="提交评分").click()
    expect(page.locator("[data-confirm-step]")).to_be_hidden()  # a confirmation without a note is not enough
    page.get_by_label("说明", exact=True).fill("表现特别出色")
    page.get_by_role("button", name="提交评分").click()
    page.get_by_role("button", name="确认提交").click()
    expect(page.locator("[data-status]")).to_have_text("已提交")
    (sheet,) = sheets_in_db()
    assert sheet.scores == {"内容": "39.0", "表达": "55.25"} and sheet.notes == {"内容": "表现特别出色"}


def test_the_tablet_page_fits_a_phone_too(live_server, phone_page, hall):
    open_tablet(phone_page, live_server, hall)
    check_page(phone_page, live_server.url(f"/speech/judge/rounds/{hall.round_id}"))


def test_after_an_unlock_the_judge_corrects_and_the_correction_is_version_two(live_server, tablet_page, hall,
                                                                              make_staff):
    from events.speech.services import sheets

    organiser = make_staff("organiser")
    live_server.settle()
    page = tablet_page
    open_tablet(page, live_server, hall)
    fill_sheet(page)
    page.get_by_role("button", name="提交评分").click()
    page.get_by_role("button", name="确认提交").click()
    expect(page.locator("[data-status]")).to_have_text("已提交")

    (sheet,) = sheets_in_db()
    sheets.unlock_judge_sheet(db.session.get(SpeechRound, hall.round_id), sheet, actor=organiser,
                              reason="评委要求更正语言表达")
    db.session.commit()
    expect(page.locator("[data-notice]")).to_have_text("组织者已解锁，请修改后重新提交")
    expect(page.locator("[data-score]").nth(1)).to_have_value("27.0")  # the stored sheet to start from
    page.locator("[data-score]").nth(1).fill("28")
    expect(page.locator("[data-live-total]")).to_have_text("86.5")
    page.get_by_role("button", name="提交评分").click()
    page.get_by_role("button", name="确认提交").click()
    expect(page.locator("[data-status]")).to_have_text("已提交")
    expect(page.locator("[data-submitted-rows]")).to_contain_text("86.5")
    (sheet,) = sheets_in_db()
    assert sheet.version == 2 and sheet.locked and sheet.scores["语言表达"] == "28.0"
