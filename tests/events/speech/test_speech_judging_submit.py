"""The judge's sheet submit endpoint, by its contract: 200 submitted (same on a safe retry), 409 after
lock, 422 with each problem beside its criterion, refusals for who does not score the slot."""
import pytest

from app.audit.models import AuditEntry
from app.extensions import db
from events.speech.models import SpeechPanelException, SpeechRound, SpeechSheet, SpeechSheetVersion

SHEET = {"演讲内容": "36.5", "语言表达": "27", "形象风度": "9", "综合印象": "13"}  # 85.5


def _url(hall, slot, round_id=None):
    return f"/speech/judge/rounds/{round_id or hall.round.id}/slots/{slot.id}/sheet"


@pytest.fixture
def hall(make_contest):
    hall = make_contest(contestants=3, judges=3)
    db.session.commit()
    return hall


def _judge_client(client_for, hall, seat=1):
    return client_for(hall.judges[seat - 1].user)


def test_a_judge_submits_and_the_sheet_is_locked_as_version_one(hall, client_for):
    client = _judge_client(client_for, hall)
    version_before = hall.round.state_version
    response = client.post(_url(hall, hall.slots[0]), json={"scores": SHEET})
    assert response.status_code == 200
    assert response.json == {"status": "submitted", "version": 1, "total": "85.5", "same": False}
    sheet = db.session.scalars(db.select(SpeechSheet)).one()
    assert sheet.locked and sheet.source == "device" and sheet.entered_by_id == hall.judges[0].user_id
    assert sheet.scores == {"演讲内容": "36.5", "语言表达": "27.0", "形象风度": "9.0", "综合印象": "13.0"}
    assert db.session.scalar(db.select(db.func.count()).select_from(SpeechSheetVersion)) == 1
    assert db.session.scalar(db.select(SpeechRound.state_version).where(SpeechRound.id == hall.round.id)) \
        == version_before + 1
    assert db.session.scalars(db.select(AuditEntry.action)).all() == ["speech.sheet_submitted"]


def test_the_same_sheet_again_is_a_safe_retry_and_a_different_one_is_refused(hall, client_for):
    client = _judge_client(client_for, hall)
    client.post(_url(hall, hall.slots[0]), json={"scores": SHEET})
    again = client.post(_url(hall, hall.slots[0]), json={"scores": {**SHEET, "语言表达": "27.0"}})
    assert again.status_code == 200
    assert again.json == {"status": "submitted", "version": 1, "total": "85.5", "same": True}
    changed = client.post(_url(hall, hall.slots[0]), json={"scores": {**SHEET, "语言表达": "28"}})
    assert changed.status_code == 409
    assert changed.json == {"status": "locked", "message": "已锁定，如需更正请联系主持人/组织者"}
    sheet = db.session.scalars(db.select(SpeechSheet)).one()
    db.session.refresh(sheet)
    assert sheet.scores["语言表达"] == "27.0" and sheet.version == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEntry)) == 1


def test_invalid_scores_are_refused_beside_each_criterion_and_nothing_is_stored(hall, client_for):
    client = _judge_client(client_for, hall)
    response = client.post(_url(hall, hall.slots[0]), json={"scores": {
        "演讲内容": "", "语言表达": "30.5", "形象风度": "9.05", "综合印象": 12.5}})
    assert response.status_code == 422
    body = response.json
    assert body["status"] == "invalid"
    fields = {problem["field"]: problem["message"] for problem in body["problems"]}
    assert fields == {"综合印象": "综合印象须填写数字", "演讲内容": "请填写演讲内容",
                      "语言表达": "语言表达应在 0 至 30 分之间", "形象风度": "形象风度的分值须为 0.1 的整数倍"} \
        or set(fields) == {"综合印象"}  # the shape check runs first and stops there
    assert db.session.scalar(db.select(db.func.count()).select_from(SpeechSheet)) == 0


def test_each_criterion_problem_is_named_and_a_blank_never_counts_as_zero(hall, client_for):
    client = _judge_client(client_for, hall)
    response = client.post(_url(hall, hall.slots[0]), json={"scores": {
        "演讲内容": " ", "语言表达": "30.5", "形象风度": "9.05"}})
    assert response.status_code == 422
    fields = {problem["field"]: problem["message"] for problem in response.json["problems"]}
    assert fields == {"演讲内容": "请填写演讲内容", "语言表达": "语言表达应在 0 至 30 分之间",
                      "形象风度": "形象风度的分值须为 0.1 的整数倍", "综合印象": "请填写综合印象"}


@pytest.mark.parametrize("body", [None, {"scores": []}, {"scores": {"演讲内容": ["1"]}},
                                  {"scores": SHEET, "notes": "x"}, {"scores": SHEET, "confirmed": "演讲内容"},
                                  {"scores": {**SHEET, "加分": "1"}}])
def test_malformed_bodies_are_invalid_not_errors(hall, client_for, body):
    client = _judge_client(client_for, hall)
    response = client.post(_url(hall, hall.slots[0]), json=body)
    assert response.status_code == 422 and response.json["status"] == "invalid"


def test_a_body_that_is_not_an_object_is_refused(hall, client_for):
    response = _judge_client(client_for, hall).post(_url(hall, hall.slots[0]), json=[SHEET])
    assert response.status_code in (400, 422)  # the platform's input boundary may answer first
    assert db.session.scalar(db.select(db.func.count()).select_from(SpeechSheet)) == 0


def test_a_soft_range_score_needs_a_confirmation_with_a_note(make_contest, client_for):
    hall = make_contest(contestants=1, judges=1, criteria=[
        {"name": "内容", "maximum": "40", "step": "0.1", "soft_minimum": "20", "soft_maximum": "38"}])
    db.session.commit()
    client = client_for(hall.judges[0].user)
    url = _url(hall, hall.slots[0])
    refused = client.post(url, json={"scores": {"内容": "39"}})
    assert refused.status_code == 422 and refused.json["problems"][0]["field"] == "内容"
    note_only = client.post(url, json={"scores": {"内容": "39"}, "notes": {"内容": "特别出色"}})
    assert note_only.status_code == 422  # a note without the second confirmation does not count
    confirmed = client.post(url, json={"scores": {"内容": "39"}, "notes": {"内容": "特别出色"}, "confirmed": ["内容"]})
    assert confirmed.status_code == 200
    assert db.session.scalars(db.select(SpeechSheet)).one().notes == {"内容": "特别出色"}


def test_a_judge_not_on_the_round_cannot_score_it(hall, client_for, make_staff):
    outsider = make_staff("judge")
    response = client_for(outsider).post(_url(hall, hall.slots[0]), json={"scores": SHEET})
    assert response.status_code == 404
    assert db.session.scalar(db.select(db.func.count()).select_from(SpeechSheet)) == 0


def test_a_slot_of_another_round_is_not_found(hall, make_contest, client_for):
    other = make_contest(contestants=1, judges=1)
    db.session.commit()
    response = _judge_client(client_for, hall).post(_url(hall, other.slots[0]), json={"scores": SHEET})
    assert response.status_code == 404


def test_members_and_organisers_cannot_use_the_judges_endpoint(hall, client_for, make_member, organiser_client):
    assert client_for(make_member()).post(_url(hall, hall.slots[0]), json={"scores": SHEET}).status_code == 403
    assert organiser_client.post(_url(hall, hall.slots[0]), json={"scores": SHEET}).status_code == 403


def test_a_recused_or_absent_judge_and_a_no_show_are_refused(hall, client_for):
    first, second, third = hall.slots
    db.session.add_all([
        SpeechPanelException(judge_id=hall.judges[0].id, entry_id=first.entry_id, kind="recused", reason="同单位"),
        SpeechPanelException(judge_id=hall.judges[0].id, entry_id=second.entry_id, kind="absent", reason="离场"),
    ])
    third.status = "no_show"
    db.session.commit()
    client = _judge_client(client_for, hall)
    for slot, words in ((first, "回避"), (second, "缺席"), (third, "弃权")):
        response = client.post(_url(hall, slot), json={"scores": SHEET})
        assert response.status_code == 403, slot
        assert response.json["status"] == "refused" and words in response.json["message"]
    assert db.session.scalar(db.select(db.func.count()).select_from(SpeechSheet)) == 0
    assert _judge_client(client_for, hall, seat=2).post(_url(hall, first), json={"scores": SHEET}).status_code == 200


def test_the_rehearsal_is_scored_by_everyone(make_contest, client_for):
    from events.speech.models import SpeechSlot

    hall = make_contest(contestants=1, judges=2)
    rehearsal = SpeechSlot(round_id=hall.round.id, entry_id=None, position=0, is_rehearsal=True, rehearsal_name="示范")
    db.session.add(rehearsal)
    db.session.commit()
    response = client_for(hall.judges[1].user).post(_url(hall, rehearsal), json={"scores": SHEET})
    assert response.status_code == 200


def test_a_closed_round_takes_no_more_sheets(hall, client_for):
    hall.round.status = "closed"
    db.session.commit()
    response = _judge_client(client_for, hall).post(_url(hall, hall.slots[0]), json={"scores": SHEET})
    assert response.status_code == 403


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_the_endpoint_needs_the_csrf_header_and_takes_the_pages_token(app, hall):
    import re

    from tests.security.routes import sign_in_directly

    client = sign_in_directly(app, hall.judges[0].user)
    assert client.post(_url(hall, hall.slots[0]), json={"scores": SHEET}).status_code == 400
    page = client.get(f"/speech/judge/rounds/{hall.round.id}").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    response = client.post(_url(hall, hall.slots[0]), json={"scores": SHEET}, headers={"X-CSRFToken": token})
    assert response.status_code == 200 and response.json["version"] == 1


def test_a_submit_costs_a_fixed_number_of_queries_whatever_the_rounds_size(make_contest, client_for, count_queries):
    counts = []
    for contestants in (2, 30):
        hall = make_contest(contestants=contestants, judges=9)
        db.session.commit()
        client = client_for(hall.judges[4].user)
        client.post(_url(hall, hall.slots[0]), json={"scores": SHEET})  # warm the login session
        with count_queries() as counter:
            assert client.post(_url(hall, hall.slots[1]), json={"scores": SHEET}).status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1] and counts[0] <= 16, counts


def test_a_judge_can_neither_read_nor_change_another_judges_sheet(hall, client_for):
    first, second = _judge_client(client_for, hall, 1), _judge_client(client_for, hall, 2)
    first.post(_url(hall, hall.slots[0]), json={"scores": SHEET})
    sheet = db.session.scalars(db.select(SpeechSheet)).one()
    # the second judge's submit for the same contestant is their own sheet, never the first's
    changed = {"演讲内容": "30.1", "语言表达": "20", "形象风度": "8", "综合印象": "12"}
    assert second.post(_url(hall, hall.slots[0]), json={"scores": changed}).json["total"] == "70.1"
    db.session.refresh(sheet)
    assert sheet.judge_id == hall.judges[0].id and sheet.scores["语言表达"] == "27.0"
    assert second.get(f"/speech/judging/rounds/{hall.round.id}/sheets/{sheet.id}").status_code == 403
    assert second.get(f"/speech/judging/rounds/{hall.round.id}/sheets").status_code == 403
    state = second.get(f"/speech/judge/rounds/{hall.round.id}/state").get_data(as_text=True)
    assert "85.5" not in state and "36.5" not in state
