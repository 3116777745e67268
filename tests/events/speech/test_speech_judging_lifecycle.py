"""The sheet lifecycle through the speech wiring: unlock with a reason by the organiser or the chief
judge only, the next submit a new version with every earlier one kept, 代录 from paper naming its
source, a judge marked absent when their sheet is missing, and racing first submits on PostgreSQL."""
from decimal import Decimal

import pytest

from app.audit.models import AuditEntry
from app.common.problems import Problem
from app.extensions import db
from events.judging.sheets import SheetLocked, submit_sheet, unlock_sheet
from events.speech.models import SpeechPanelException, SpeechSheet, SpeechSheetVersion
from events.speech.services import sheets
from events.speech.services.panels import load_round_panel, slot_result

SHEET = {"演讲内容": "36.5", "语言表达": "27", "形象风度": "9", "综合印象": "13"}  # 85.5
CHANGED = {**SHEET, "语言表达": "28"}  # 86.5


def _submit(hall, slot, judge, scores=SHEET, **kwargs):
    return sheets.submit_judge_sheet(hall.round, slot, judge, {"scores": scores}, actor=judge.user, **kwargs)


def _actions():
    return db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)).all()


def test_unlock_then_resubmit_makes_version_two_and_keeps_version_one(make_contest, organiser):
    hall = make_contest(contestants=1, judges=1)
    slot, judge = hall.slots[0], hall.judges[0]
    sheet = _submit(hall, slot, judge).sheet
    with pytest.raises(SheetLocked):
        _submit(hall, slot, judge, CHANGED)
    sheets.unlock_judge_sheet(hall.round, sheet, actor=organiser, reason="评委误将语言表达填低")
    assert not sheet.locked and sheet.unlock_reason == "评委误将语言表达填低"
    outcome = _submit(hall, slot, judge, CHANGED)
    assert not outcome.same and outcome.sheet.version == 2 and outcome.sheet.locked
    assert sheets.outcome_body(outcome) == {"status": "submitted", "version": 2, "total": "86.5", "same": False}
    versions = db.session.scalars(db.select(SpeechSheetVersion).order_by(SpeechSheetVersion.version)).all()
    assert [(v.version, v.scores["语言表达"], v.superseded_reason) for v in versions] == [
        (1, "27.0", "评委误将语言表达填低"), (2, "28.0", None)]
    assert _actions() == ["speech.sheet_submitted", "speech.sheet_unlocked", "speech.sheet_submitted"]
    # locked again: a third, different sheet is refused; the same one is a safe retry
    with pytest.raises(SheetLocked):
        _submit(hall, slot, judge, SHEET)
    assert _submit(hall, slot, judge, CHANGED).same


def test_an_unlock_needs_a_reason_and_a_locked_sheet(make_contest, organiser):
    hall = make_contest(contestants=1, judges=1)
    sheet = _submit(hall, hall.slots[0], hall.judges[0]).sheet
    with pytest.raises(Problem, match="解锁原因"):
        sheets.unlock_judge_sheet(hall.round, sheet, actor=organiser, reason="  ")
    sheets.unlock_judge_sheet(hall.round, sheet, actor=organiser, reason="更正")
    with pytest.raises(Problem, match="已解锁"):
        sheets.unlock_judge_sheet(hall.round, sheet, actor=organiser, reason="再次")


def test_only_the_chief_judge_among_judges_may_unlock(make_contest):
    hall = make_contest(contestants=1, judges=3)
    sheet = _submit(hall, hall.slots[0], hall.judges[1]).sheet
    hall.judges[0].is_chief = True
    with pytest.raises(sheets.ScoringRefused):
        sheets.unlock_judge_sheet(hall.round, sheet, actor=hall.judges[2].user, reason="想改")
    sheets.unlock_judge_sheet(hall.round, sheet, actor=hall.judges[0].user, reason="总评委同意更正")
    assert not sheet.locked


def test_the_chief_judges_unlock_over_http_and_no_other_judge_can(make_contest, client_for):
    hall = make_contest(contestants=1, judges=3)
    hall.judges[0].is_chief = True
    sheet = _submit(hall, hall.slots[0], hall.judges[1]).sheet
    db.session.commit()
    url = f"/speech/judging/rounds/{hall.round.id}/sheets/{sheet.id}/unlock"
    assert client_for(hall.judges[2].user).post(url, data={"reason": "想改"}).status_code == 404
    page = client_for(hall.judges[0].user).get(f"/speech/judge/rounds/{hall.round.id}/chief")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "已提交" in text and "85.5" not in text  # no scores on the chief's page
    assert client_for(hall.judges[2].user).get(f"/speech/judge/rounds/{hall.round.id}/chief").status_code == 404
    response = client_for(hall.judges[0].user).post(url, data={"reason": "总评委同意更正"})
    assert response.status_code == 302
    db.session.refresh(sheet)
    assert not sheet.locked and sheet.unlocked_by_id == hall.judges[0].user_id


def test_paper_entry_is_a_locked_sheet_from_paper_naming_its_source(make_contest, organiser_client, organiser):
    hall = make_contest(contestants=1, judges=2)
    db.session.commit()
    slot, judge = hall.slots[0], hall.judges[1]
    url = f"/speech/judging/rounds/{hall.round.id}/slots/{slot.id}/judges/{judge.id}/paper"
    assert "2号评委纸质评分表" in organiser_client.get(url).get_data(as_text=True)
    bad = organiser_client.post(url, data={"paper": "2号评委纸质评分表", "score:演讲内容": "45",
                                           **{f"score:{k}": v for k, v in SHEET.items() if k != "演讲内容"}})
    assert bad.status_code == 400 and "演讲内容应在 0 至 40 分之间" in bad.get_data(as_text=True)
    response = organiser_client.post(url, data={"paper": "2号评委纸质评分表（第3页）",
                                                **{f"score:{k}": v for k, v in SHEET.items()}})
    assert response.status_code == 302
    sheet = db.session.scalars(db.select(SpeechSheet)).one()
    assert sheet.source == "paper" and sheet.entered_by_id == organiser.id and sheet.locked
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "speech.sheet_entered")).one()
    assert entry.details["paper"] == "2号评委纸质评分表（第3页）" and entry.actor_id == organiser.id
    # the judge's tablet cannot overwrite it afterwards
    with pytest.raises(SheetLocked):
        _submit(hall, slot, judge, CHANGED)


def test_a_missing_sheet_keeps_the_result_open_until_paper_or_absent(make_contest, organiser):
    hall = make_contest(contestants=1, judges=3)
    slot = hall.slots[0]
    for judge in hall.judges[:2]:
        _submit(hall, slot, judge)
    assert not slot_result(load_round_panel(hall.round), slot).final
    sheets.mark_absent(hall.round, slot, hall.judges[2], actor=organiser, reason="评委临时离场")
    result = slot_result(load_round_panel(hall.round), slot)
    assert result.final and result.exact == Decimal("85.5")
    exception = db.session.scalars(db.select(SpeechPanelException)).one()
    assert exception.kind == "absent" and exception.reason == "评委临时离场"
    assert _actions()[-1] == "speech.judge_absent"


def test_absent_only_without_a_sheet_and_with_a_reason(make_contest, organiser):
    hall = make_contest(contestants=1, judges=2)
    slot = hall.slots[0]
    _submit(hall, slot, hall.judges[0])
    with pytest.raises(Problem, match="已提交"):
        sheets.mark_absent(hall.round, slot, hall.judges[0], actor=organiser, reason="x")
    with pytest.raises(Problem, match="缺席原因"):
        sheets.mark_absent(hall.round, slot, hall.judges[1], actor=organiser, reason="")
    sheets.mark_absent(hall.round, slot, hall.judges[1], actor=organiser, reason="病假")
    with pytest.raises(Problem):
        sheets.mark_absent(hall.round, slot, hall.judges[1], actor=organiser, reason="病假")


def test_organiser_sheets_page_shows_missing_recused_and_entered(make_contest, organiser_client, organiser):
    hall = make_contest(contestants=2, judges=2)
    _submit(hall, hall.slots[0], hall.judges[0])
    db.session.add(SpeechPanelException(judge_id=hall.judges[1].id, entry_id=hall.entries[1].id, kind="recused",
                                        reason="同单位"))
    url = f"/speech/judging/rounds/{hall.round.id}/sheets"
    db.session.commit()
    text = organiser_client.get(url).get_data(as_text=True)
    assert "85.5" in text and "回避" in text and "缺评分" not in text  # nobody has spoken yet
    hall.slots[0].status = "done"
    db.session.commit()
    text = organiser_client.get(url).get_data(as_text=True)
    assert text.count("缺评分") == 1 and "代录" in text  # judge 2 for the contestant who spoke
    sheet = db.session.scalars(db.select(SpeechSheet)).one()
    detail = organiser_client.get(f"/speech/judging/rounds/{hall.round.id}/sheets/{sheet.id}")
    detail_text = detail.get_data(as_text=True)
    assert detail.status_code == 200 and "评委设备" in detail_text and ">85.5<" in detail_text


def test_the_generic_lifecycle_refuses_an_unknown_source(make_contest):
    hall = make_contest(contestants=1, judges=1)
    with pytest.raises(ValueError):
        submit_sheet(SpeechSheet, SpeechSheetVersion, {"slot_id": hall.slots[0].id, "judge_id": hall.judges[0].id},
                     {"演讲内容": Decimal(1)}, source="fax")
    with pytest.raises(Problem):
        unlock_sheet(SpeechSheet(locked=True), actor_id=None, reason="")


@pytest.mark.postgres
def test_racing_first_submits_make_one_sheet(make_contest, run_concurrently):
    hall = make_contest(contestants=1, judges=1)
    db.session.commit()
    round_id, slot_id, judge_id = hall.round.id, hall.slots[0].id, hall.judges[0].id

    def send(index):
        from events.speech.models import SpeechJudge, SpeechRound, SpeechSlot

        round_, slot = db.session.get(SpeechRound, round_id), db.session.get(SpeechSlot, slot_id)
        judge = db.session.get(SpeechJudge, judge_id)
        scores = SHEET if index % 2 == 0 else CHANGED
        try:
            outcome = sheets.submit_judge_sheet(round_, slot, judge, {"scores": scores}, actor=judge.user)
        except SheetLocked:
            db.session.rollback()
            return ("locked", scores)
        body = sheets.outcome_body(outcome)
        db.session.commit()
        return (body, scores)

    results = run_concurrently(send, 8)
    assert not [result for result in results if isinstance(result, Exception)], results
    db.session.rollback()
    (sheet,) = db.session.scalars(db.select(SpeechSheet)).all()
    stored = {name: Decimal(value) for name, value in sheet.scores.items()}
    winner = SHEET if stored["语言表达"] == Decimal(27) else CHANGED
    created = [body for body, scores in results if body != "locked" and not body["same"]]
    assert len(created) == 1  # exactly one request made the sheet
    for body, scores in results:  # every other request with the winner's scores was a safe retry
        assert (body == "locked") == (scores is not winner)
    assert db.session.scalar(db.select(db.func.count()).select_from(SpeechSheetVersion)) == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "speech.sheet_submitted")) == 1
