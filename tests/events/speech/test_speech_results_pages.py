"""The results pages: the organiser's review and publishing, what members see before and after
publication, the explanation page, the workbook, the judges' printed score sheets."""
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from app.common.clock import local_today
from app.extensions import db
from events.speech.services import results
from events.speech.services.binding import binding_path
from tests.events.speech.test_speech_results_standings import score_all, sheet


@pytest.fixture
def hall(make_contest):
    hall = make_contest(contestants=3, judges=5)
    for index, slot in enumerate(hall.slots):
        score_all(hall, slot, [90 - index, 85 - index, 80 - index, 81 - index, 88 - index])
    db.session.commit()
    return hall


def _publish(hall, organiser, days=0):
    version = results.publish_results(hall.round, organiser, local_today() + timedelta(days=days))
    db.session.commit()
    return version


def _finalise(hall, organiser):
    version = _publish(hall, organiser)
    version.notice_until = local_today() - timedelta(days=1)
    results.finalise_results(hall.round, organiser)
    db.session.commit()


def test_the_organiser_reviews_provisional_results_and_publishes_them(hall, organiser_client):
    page = organiser_client.get(f"/speech/results/rounds/{hall.round.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "no-store" in page.headers["Cache-Control"]
    assert "暂定成绩" in text and "84.67" in text and hall.entries[0].member.name in text
    response = organiser_client.post(f"/speech/results/rounds/{hall.round.id}/publish",
                                     data={"notice_until": (local_today() + timedelta(days=3)).isoformat()})
    assert response.status_code == 302
    version = results.latest_version(hall.round)
    assert version.version == 1
    notice = organiser_client.get(f"/speech/results/rounds/{hall.round.id}/notice").get_data(as_text=True)
    assert "成绩公示" in notice and "第 1 版" in notice and "84.67" in notice
    assert f"公示期至 {version.notice_until.isoformat()}" in notice


def test_publishing_without_a_date_or_with_a_missing_sheet_shows_why(make_contest, organiser_client):
    hall = make_contest(contestants=2, judges=3)
    score_all(hall, hall.slots[0], [90, 90, 90])
    score_all(hall, hall.slots[1], [90, 90, None])
    db.session.commit()
    url = f"/speech/results/rounds/{hall.round.id}/publish"
    response = organiser_client.post(url, data={})
    assert response.status_code == 400 and "请填写公示截止日期" in response.get_data(as_text=True)
    response = organiser_client.post(url, data={"notice_until": local_today().isoformat()})
    assert response.status_code == 400 and "评分不完整" in response.get_data(as_text=True)
    assert "3号评委" in response.get_data(as_text=True)
    assert results.latest_version(hall.round) is None


def test_a_correction_needs_its_note_and_the_notice_shows_it(hall, organiser, organiser_client):
    _publish(hall, organiser, 3)
    url = f"/speech/results/rounds/{hall.round.id}/publish"
    day = (local_today() + timedelta(days=3)).isoformat()
    response = organiser_client.post(url, data={"notice_until": day})
    assert response.status_code == 400 and "请填写更正说明" in response.get_data(as_text=True)
    organiser_client.post(url, data={"notice_until": day, "correction_note": "2号选手得分核对后更正"})
    notice = organiser_client.get(f"/speech/results/rounds/{hall.round.id}/notice").get_data(as_text=True)
    assert "更正" in notice and "2号选手得分核对后更正" in notice and "第 2 版" in notice
    old = organiser_client.get(f"/speech/results/rounds/{hall.round.id}/notice?version=1").get_data(as_text=True)
    assert "本版本已被第 2 版更正" in old


def test_members_see_nothing_before_publication_the_notice_during_it_and_the_explanation_once_final(
        hall, organiser, make_member, client_for):
    member = client_for(make_member())
    slot = hall.slots[0]
    name = hall.entries[0].member.name
    title = hall.contest.title
    assert title not in member.get("/speech/results/").get_data(as_text=True)
    assert member.get(f"/speech/results/rounds/{hall.round.id}/notice").status_code == 404
    assert member.get(f"/speech/results/slots/{slot.id}/explanation").status_code == 403
    assert member.get(f"/speech/results/rounds/{hall.round.id}").status_code == 403

    _publish(hall, organiser)
    assert title in member.get("/speech/results/").get_data(as_text=True)
    notice = member.get(f"/speech/results/rounds/{hall.round.id}/notice").get_data(as_text=True)
    assert name in notice and "84.67" in notice
    assert "评分说明" not in notice  # no explanation links before the results are final
    assert member.get(f"/speech/results/slots/{slot.id}/explanation").status_code == 403

    hall.round.contest.places = 2
    _finalise_after_publish(hall, organiser)
    page = member.get(f"/speech/results/slots/{slot.id}/explanation")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "第 1 版" in text and "最终" in text
    assert "去掉最高分" in text and "去掉最低分" in text and "84.67" in text
    assert "84.666666…" in text  # the exact value before rounding
    assert "号评委（" not in text  # members see seats, not the judges' names


def _finalise_after_publish(hall, organiser):
    version = results.latest_version(hall.round)
    version.notice_until = local_today() - timedelta(days=1)
    results.finalise_results(hall.round, organiser)
    db.session.commit()


def test_the_organisers_explanation_shows_the_current_computation_with_judges_names_and_struck_marks(
        hall, organiser_client):
    text = organiser_client.get(f"/speech/results/slots/{hall.slots[0].id}/explanation").get_data(as_text=True)
    assert "暂定（未发布）" in text
    assert hall.judges[0].user.name in text
    assert text.count('class="num struck"') == 2  # the 90 and the 80, struck
    assert "共 5 位评委评分，去掉 1 个最高分和 1 个最低分后求平均" in text


def test_unpublished_scores_never_reach_a_judge_or_liaison(hall, make_staff, client_for):
    for role in ("judge", "liaison"):
        other = client_for(make_staff(role))
        assert other.get(f"/speech/results/rounds/{hall.round.id}").status_code == 403
        assert other.get(f"/speech/results/rounds/{hall.round.id}/notice").status_code == 404
        assert other.get(f"/speech/results/rounds/{hall.round.id}/export.xlsx").status_code == 403
        assert other.get(f"/speech/results/rounds/{hall.round.id}/score-sheets").status_code == 403


def test_the_workbook_has_its_four_sheets_with_version_and_time_and_prints_on_a4(hall, organiser, organiser_client):
    hall.entries[1].speech_title = "=HYPERLINK(\"http://evil\")"
    db.session.commit()
    _publish(hall, organiser)
    response = organiser_client.get(f"/speech/results/rounds/{hall.round.id}/export.xlsx")
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["成绩排名", "评分明细", "抽签顺序", "报名名单"]
    ranking = list(book["成绩排名"].iter_rows(values_only=True))
    assert ranking[0][:7] == ("名次", "出场顺序", "选手", "单位", "演讲题目", "最终得分", "奖项")
    assert ranking[1][0] == 1 and ranking[1][5] == "84.67" and ranking[1][6] == "一等奖"
    assert ranking[1][8].startswith("第 1 版（公示")
    assert ranking[2][4] == "'=HYPERLINK(\"http://evil\")"  # neutralised, never a formula
    detail = list(book["评分明细"].iter_rows(values_only=True))
    assert detail[0][3:6] == ("评委席位", "评委", "评委组")
    marks = [row[11] for row in detail[1:] if row[0] == 1]
    assert sorted(mark for mark in marks if mark) == ["去掉最低分", "去掉最高分"]
    assert {row[13] for row in detail[1:]} == {"评委设备"}
    for page in book.worksheets:
        assert page.page_setup.paperSize == 9 and page.print_title_rows in ("1:1", "$1:$1")
        assert page.sheet_properties.pageSetUpPr.fitToPage
        assert "第 1 版" in page.oddHeader.center.text and "导出于" in page.oddHeader.center.text
    assert book["评分明细"].page_setup.orientation == "landscape"


def test_the_workbook_lists_deductions_recusals_and_paper_sheets(make_contest, organiser, organiser_client):
    from decimal import Decimal

    from events.speech.models import SpeechDeduction, SpeechPanelException

    hall = make_contest(contestants=1, judges=3)
    slot = hall.slots[0]
    db.session.add(SpeechPanelException(judge_id=hall.judges[2].id, entry_id=slot.entry_id, kind="recused",
                                        reason="同单位"))
    hall.submit(slot, hall.judges[0], sheet(90))
    paper = hall.submit(slot, hall.judges[1], sheet(86))
    paper.source, paper.entered_by_id = "paper", organiser.id
    db.session.add(SpeechDeduction(slot_id=slot.id, kind="manual", points=Decimal("0.5"), reason="使用道具"))
    db.session.commit()
    book = load_workbook(io.BytesIO(organiser_client.get(f"/speech/results/rounds/{hall.round.id}/export.xlsx").data))
    detail = list(book["评分明细"].iter_rows(values_only=True))[1:]
    by_seat = {row[3]: row for row in detail}
    assert by_seat["2号评委"][13] == "纸质代录" and by_seat["2号评委"][14] == organiser.name
    assert by_seat["3号评委"][11] == "回避" and by_seat["3号评委"][12] == "同单位"
    assert by_seat["3号评委"][10] is None
    assert by_seat["扣分"][10] == -0.5 and by_seat["扣分"][12] == "使用道具"
    ranking = list(book["成绩排名"].iter_rows(values_only=True))
    assert ranking[1][5] == "87.50" and ranking[1][8] == "暂定（未发布）"  # (90 + 86) / 2 − 0.5


def test_the_score_sheets_print_blank_with_each_judges_binding_qr(hall, organiser_client, monkeypatch):
    import time

    from itsdangerous.timed import TimestampSigner

    from app.common.qr import qr_svg_inline

    # The page and this test each sign a seat's token; both sign at the same second, as they would if no
    # second boundary fell between them (under load one did, and the codes differed by their timestamp).
    signed_at = int(time.time())
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda _self: signed_at)

    page = organiser_client.get(f"/speech/results/rounds/{hall.round.id}/score-sheets")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert text.count('class="sheet-page is-landscape"') == 5
    assert text.count("<svg") == 5 and "评委评分表" in text
    for entry in hall.entries:
        assert entry.member.name in text
    assert "84.67" not in text  # blank
    one = organiser_client.get(f"/speech/results/judges/{hall.judges[2].id}/score-sheet").get_data(as_text=True)
    assert one.count("<svg") == 1 and "3号评委" in one
    assert qr_svg_inline("http://localhost" + binding_path(hall.judges[2])) in one  # the seat's own code
    assert qr_svg_inline("http://localhost" + binding_path(hall.judges[1])) not in one


def test_no_shows_are_shown_as_such_on_the_review_page(hall, organiser_client):
    hall.slots[2].status, hall.slots[2].no_show_reason = "no_show", "弃权"
    db.session.commit()
    text = organiser_client.get(f"/speech/results/rounds/{hall.round.id}").get_data(as_text=True)
    assert "弃权/缺席" in text and "弃权" in text


def test_unknown_ids_are_404_and_a_bad_version_is_a_400(hall, organiser_client):
    assert organiser_client.get("/speech/results/rounds/987654/notice").status_code == 404
    assert organiser_client.get("/speech/results/slots/987654/explanation").status_code == 404
    assert organiser_client.get(f"/speech/results/rounds/{hall.round.id}/notice?version=abc").status_code == 400
    assert organiser_client.get(f"/speech/results/rounds/{hall.round.id}/notice?version=7").status_code == 404
