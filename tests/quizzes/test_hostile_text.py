"""One hostile character must not break a page or an export: a member's fill-in is cleaned, organisers'
texts are refused with a message, and the workbook writer drops what XML cannot hold."""
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.common import clock
from app.common.text import is_hostile
from app.common.xlsx import OutColumn, Sheet, build_workbook
from app.extensions import db
from quizzes.models import AttemptItem, Question, Quiz
from tests.quizzes.engine_helpers import items_of
from tests.quizzes.test_manage_views import settings_form
from tests.support import QUIZ_START, is_postgres

T0 = QUIZ_START  # 10:00 in Shanghai
HOSTILE_FILL_INS = {"NUL": "a\u0000b", "ESC": "a\u001bb", "BEL": "a\u0007b", "surrogate": "a\ud800b",
                    "C1": "a\u0085b"}

pytestmark = pytest.mark.app_config(PROPAGATE_UNEXPECTED=False)


pytestmark = pytest.mark.usefixtures("quiz_clock")


@pytest.fixture
def bank(stock_bank):
    return stock_bank()


@pytest.fixture
def fill_quiz(make_quiz, bank):
    return make_quiz(banks=[bank], rules=[("fill", 1, 2), ("single", 1, 1)], time_limit_seconds=900,
                     review_policy="after_submit", title="填空竞赛")


def start(phone, quiz) -> int:
    response = phone.post(f"/quizzes/{quiz.id}/start")
    return int(response.location.rstrip("/").split("/")[-1])


def fill_position(attempt_id: int) -> int:
    return next(item.position for item in items_of(attempt_id)
                if db.session.get(Question, item.question_id).question_type == "fill")


@pytest.mark.parametrize("typed", HOSTILE_FILL_INS.values(), ids=HOSTILE_FILL_INS.keys())
def test_a_hostile_fill_in_is_kept_clean_and_every_page_and_export_still_works(
        typed, fill_quiz, make_member, client_for, organiser, organiser_client):
    phone = client_for(make_member(name="王芳"))
    attempt_id = start(phone, fill_quiz)
    position = fill_position(attempt_id)

    saved = phone.post(f"/quizzes/attempts/{attempt_id}/answers",
                       json={"position": position, "response": [typed, "第二\r\n空"], "seq": 1})
    assert saved.status_code == 200 and saved.get_json()["saved"] is True  # the answer is kept, not refused
    stored = next(item.response for item in items_of(attempt_id) if item.position == position)
    assert stored[0].startswith("a") and stored[0].endswith("b") and not is_hostile(stored[0])
    assert stored[1] == "第二 空"  # a fill-in is one line
    assert phone.post(f"/quizzes/attempts/{attempt_id}/submit", json={}).status_code == 200

    assert phone.get(f"/quizzes/attempts/{attempt_id}/result").status_code == 200
    assert organiser_client.get(f"/quizzes/manage/{fill_quiz.id}/questions").status_code == 200
    export = organiser_client.get(f"/quizzes/manage/{fill_quiz.id}/export.xlsx")
    assert export.status_code == 200
    load_workbook(io.BytesIO(export.data))  # readable, not corrupt XML
    with clock.frozen_at(T0 + timedelta(days=30)):  # the review opens once the quiz has closed
        # a month on, the organiser's sign-in has long ended (staff sessions last a working day)
        assert client_for(organiser).get(f"/quizzes/manage/attempts/{attempt_id}").status_code == 200


def test_a_hostile_answer_in_the_final_submit_is_cleaned_too(fill_quiz, make_member, client_for):
    phone = client_for(make_member())
    attempt_id = start(phone, fill_quiz)
    position = fill_position(attempt_id)
    response = phone.post(f"/quizzes/attempts/{attempt_id}/submit", json={
        "answers": [{"position": position, "response": ["x\u0000y", "\ud800"], "seq": 1}]})
    assert response.status_code == 200
    stored = next(item.response for item in items_of(attempt_id) if item.position == position)
    assert stored == ["xy", "\ufffd"]


@pytest.mark.parametrize("body", [
    {"position": 1, "response": "A", "seq": float("nan")},
    {"position": 1, "response": "A", "seq": float("inf")},
    {"position": 10**23, "response": "A", "seq": 1},
    {"position": 1, "response": "A", "seq": -(10**23)},
    {"position": 1, "response": "A\u0000", "seq": 1},
    {"position\u0000": 1},
], ids=["NaN", "1e309", "10^23", "-10^23", "NUL in a choice", "NUL in a key"])
def test_hostile_json_is_refused_with_a_message(body, fill_quiz, make_member, client_for):
    phone = client_for(make_member())
    attempt_id = start(phone, fill_quiz)
    response = phone.post(f"/quizzes/attempts/{attempt_id}/answers", json=body)
    assert response.status_code == 400 and response.get_json()["error"]
    assert all(item.response is None for item in items_of(attempt_id))


def test_the_workbook_writer_drops_what_xml_cannot_hold():
    hostile = "甲\x00乙\x1b丙\x07丁\ud800戊\ufffe己\x85庚\t辛\n壬"
    content = build_workbook([Sheet("表\x00一", [OutColumn("列\x1b"), OutColumn("数", "int")],
                                    [(hostile, 1), ("=cmd\x00", 2)])])
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert sheet["A1"].value == "列"
    assert sheet["A2"].value == "甲乙丙丁\ufffd戊己庚\t辛\n壬"
    assert sheet["A3"].value == "'=cmd"  # still neutralised


@pytest.mark.parametrize("title", ["知识\r\n竞赛", "知识\x00竞赛", "知识\x1b竞赛"])
def test_a_stored_hostile_title_cannot_break_the_export_or_its_file_name(
        title, fill_quiz, organiser_client, make_member, client_for):
    if "\x00" in title and is_postgres():
        pytest.skip("PostgreSQL cannot store NUL at all")
    db.session.execute(sa.update(Quiz).where(Quiz.id == fill_quiz.id).values(title=title))  # older data
    db.session.commit()
    response = organiser_client.get(f"/quizzes/manage/{fill_quiz.id}/export.xlsx")
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert "filename*=UTF-8''" in disposition and not is_hostile(disposition, line_breaks=False)
    load_workbook(io.BytesIO(response.data))


@pytest.mark.parametrize(("field", "value", "message"), [
    ("title", "党史\r\n竞赛", "只能填写一行"),
    ("title", "党史\x00竞赛", "控制字符"),
    ("title", "党史\x1b竞赛", "控制字符"),
    ("rules_text", "独立\x00完成", "控制字符"),
])
def test_quiz_settings_refuse_line_breaks_in_the_title_and_control_characters(
        organiser_client, make_campaign, bank, field, value, message):
    response = organiser_client.post("/quizzes/manage/new",
                                     data=settings_form(make_campaign(), bank, **{field: value}))
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Quiz)) == 0


def test_multi_line_rules_keep_their_line_breaks(organiser_client, make_campaign, bank):
    response = organiser_client.post("/quizzes/manage/new", data=settings_form(
        make_campaign(), bank, rules_text="第一条\r\n第二条\t注意"))
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Quiz.rules_text)) in ("第一条\r\n第二条\t注意", "第一条\n第二条\t注意")


@pytest.mark.parametrize("query", ["q=%00", "category=%00", "type=%1B"])
def test_a_control_character_in_the_fixed_paper_filter_is_refused(organiser_client, fill_quiz, query):
    response = organiser_client.get(f"/quizzes/manage/{fill_quiz.id}/paper?{query}")
    assert response.status_code == 400 and "控制字符" in response.get_data(as_text=True)


def test_a_rule_row_posted_without_its_question_type_is_refused(organiser_client, make_quiz, bank):
    quiz = make_quiz(banks=[bank], rules=[], published=False)
    response = organiser_client.post(f"/quizzes/manage/{quiz.id}/rules", data={
        "rows-0-category": "", "rows-0-difficulty": "", "rows-0-count": "2", "rows-0-points_each": "1"})
    assert response.status_code == 400 and "请选择题型" in response.get_data(as_text=True)
    assert db.session.get(Quiz, quiz.id).rules == []


@pytest.mark.parametrize("question_id", ["99999999999999999999", "-99999999999999999999", "1e309", "NaN", "²"])
def test_adding_a_question_by_an_impossible_id_is_refused(organiser_client, make_quiz, bank, question_id):
    quiz = make_quiz(banks=[bank], fixed=[], published=False)
    response = organiser_client.post(f"/quizzes/manage/{quiz.id}/paper/add", data={"question_ids": question_id})
    assert response.status_code == 400
    assert db.session.get(Quiz, quiz.id).fixed_items == []


def test_a_superscript_digit_as_a_fixed_paper_row_is_ignored(organiser_client, make_quiz, bank, make_question):
    question = make_question(bank, "judge")
    quiz = make_quiz(fixed=[(question, 1)], published=False)
    response = organiser_client.post(f"/quizzes/manage/{quiz.id}/paper", data={
        "rows-0-question_id": "²", "rows-0-position": "1", "rows-0-points": "1"})
    assert response.status_code == 302


def test_the_migration_cleans_answers_saved_before_the_boundary(fill_quiz, make_member, client_for,
                                                                organiser_client):
    """Revision 0003_hostile: an answer stored with a surrogate and a NUL (as the app once allowed) is
    cleaned, and the member's result page and the question analysis work again."""
    import importlib.util
    from pathlib import Path

    phone = client_for(make_member())
    attempt_id = start(phone, fill_quiz)
    position = fill_position(attempt_id)
    phone.post(f"/quizzes/attempts/{attempt_id}/submit", json={})
    item = next(item for item in items_of(attempt_id) if item.position == position)
    damaged = ["a\ud800b", "c\u001bd"] if is_postgres() else ["a\ud800b", "c\u0000d"]
    db.session.execute(sa.update(AttemptItem).where(AttemptItem.id == item.id).values(response=damaged))
    db.session.commit()
    try:  # the damage, as it was: the page cannot be shown (encoded in the view, or after it)
        damaged_status = phone.get(f"/quizzes/attempts/{attempt_id}/result").status_code
    except UnicodeEncodeError:
        damaged_status = 500
    assert damaged_status == 500

    path = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0006_hostile_text.py"
    spec = importlib.util.spec_from_file_location("migration_0003_hostile", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    db.session.rollback()  # end the test's read snapshot, as a new request would
    with db.engine.begin() as connection:
        assert migration.clean_stored_answers(connection) == 1
    db.session.rollback()
    assert db.session.get(AttemptItem, item.id).response == ["a\ufffdb", "cd"]
    assert phone.get(f"/quizzes/attempts/{attempt_id}/result").status_code == 200
    assert organiser_client.get(f"/quizzes/manage/{fill_quiz.id}/questions").status_code == 200


@pytest.mark.parametrize("unit", ["99999999999999999999", "-5", "0"])
def test_an_impossible_unit_filter_on_the_absent_list_means_all_units(organiser_client, fill_quiz, unit):
    assert organiser_client.get(f"/quizzes/manage/{fill_quiz.id}/absent?unit={unit}").status_code == 200
