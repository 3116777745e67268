"""The results workbook, read back with openpyxl: sheets, values, number formats, frozen headers,
local times, formula-looking names kept as text, and a liaison's export limited to their unit."""
import io
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.audit.models import AuditEntry
from app.common import clock
from app.extensions import db
from quizzes.exports import results_workbook
from tests.quizzes.results_helpers import record_attempt

SHEETS = ["个人排名", "单位统计", "题目分析", "答卷明细", "未参与名单"]
SUBMITTED = datetime(2026, 3, 1, 2, 30, 15)  # UTC: 10:30:15 in Asia/Shanghai


@pytest.fixture
def setting(make_unit, make_member, make_bank, make_question, make_quiz):
    with clock.frozen_at(datetime(2026, 3, 1, 3, 0, 0)):
        city, county = make_unit("市委办"), make_unit("县委办")
        bank = make_bank()
        single = make_question(bank, "single", stem="=1+1 是几？", options=["2", "3", "4"], answer="A", points=50)
        fill = make_question(bank, "fill", stem="填空：＿＿", answer=[["四十", "40"]], points=50)
        quiz = make_quiz(fixed=[(single, 50), (fill, 50)], title="知识竞赛", eligible_units=[city, county])
        hacker = make_member(unit=city, name="=HYPERLINK(\"http://x\",\"点我\")", staff_id="A001")
        at_sum = make_member(unit=city, name="@SUM(A1)", staff_id="A002")
        absent = make_member(unit=county, name="-未参与", staff_id="B001", mobile="13900000000")
        record_attempt(quiz, hacker, time_used=3725, submitted_at=SUBMITTED, leave_count=3,
                       answers=[(single, "A", [1, 0, 2]), (fill, ["40"])])
        record_attempt(quiz, at_sum, time_used=100, submitted_at=SUBMITTED + timedelta(minutes=5),
                       answers=[(single, "B"), (fill, ["+五十"])])
    return locals()


def open_book(content: bytes):
    return load_workbook(io.BytesIO(content))


def rows(sheet) -> list[tuple]:
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


def test_workbook_has_the_five_sheets_with_frozen_headers_and_fitted_widths(setting):
    book = open_book(results_workbook(setting["quiz"]))

    assert book.sheetnames == SHEETS
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet["A1"].font.bold
        assert sheet.column_dimensions["A"].width >= 6
    ranking = book["个人排名"]
    assert rows(ranking)[0] == ("名次", "姓名", "工号", "单位", "得分", "用时", "提交时间", "切屏次数")
    assert ranking.column_dimensions["B"].width > len("姓名") * 2  # fitted to the long name


def test_ranking_sheet_values_and_formats(setting):
    ranking = open_book(results_workbook(setting["quiz"]))["个人排名"]

    first, second = rows(ranking)[1:3]
    assert first[0] == 1 and first[1] == "'=HYPERLINK(\"http://x\",\"点我\")"  # text, not a formula
    assert ranking["B2"].data_type == "s"
    assert second[1] == "'@SUM(A1)" and ranking["B3"].data_type == "s"
    assert (first[2], first[3], first[4], first[7]) == ("A001", "市委办", 100, 3)
    assert ranking["F2"].number_format == "[h]:mm:ss"
    assert ranking["F2"].value == pytest.approx(3725 / 86400) or ranking["F2"].value == timedelta(seconds=3725)
    assert ranking["G2"].value == datetime(2026, 3, 1, 10, 30, 15)  # Asia/Shanghai
    assert ranking["G2"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert (second[0], second[4]) == (2, 0)


def test_unit_sheet_has_rates_as_percentages_and_a_total(setting):
    units = open_book(results_workbook(setting["quiz"]))["单位统计"]

    assert rows(units) == [
        ("单位", "应参与人数", "参与人数", "参与率", "平均分", "最高分"),
        ("市委办", 2, 2, 1, 50, 100),
        ("县委办", 1, 0, 0, None, None),
        ("合计", 3, 2, pytest.approx(2 / 3), 50, 100),
    ]
    assert units["D2"].number_format == "0.0%"


def test_question_sheet_counts_and_picks(setting):
    questions = open_book(results_workbook(setting["quiz"]))["题目分析"]

    header, single, fill = rows(questions)
    assert header[:8] == ("题号", "题干", "题型", "正确答案", "出现次数", "答对次数", "正确率", "未作答")
    assert single[:7] == (1, "'=1+1 是几？", "单选题", "A", 2, 1, 0.5)
    assert single[8] == "A（2）✓：1；B（3）：1；C（4）：0"
    assert fill[9] == "'+五十：1"
    assert questions["G2"].number_format == "0.0%"


def test_answer_sheet_gives_the_letters_the_member_saw_with_option_text_and_the_bank_letters(setting):
    answers = open_book(results_workbook(setting["quiz"]))["答卷明细"]

    # the first member's paper showed the options as 3, 2, 4: bank A ("2") was their B
    assert rows(answers) == [
        ("姓名", "工号", "单位", "第几次作答", "题序", "题干", "作答", "正确答案", "是否正确", "得分",
         "题库字母（作答 / 正确答案）"),
        ("'=HYPERLINK(\"http://x\",\"点我\")", "A001", "市委办", 1, 1, "'=1+1 是几？", "B（2）", "B（2）", "正确", 50,
         "A / A"),
        ("'=HYPERLINK(\"http://x\",\"点我\")", "A001", "市委办", 1, 2, "填空：＿＿", "40", "四十/40", "正确", 50, None),
        ("'@SUM(A1)", "A002", "市委办", 1, 1, "'=1+1 是几？", "B（3）", "A（2）", "错误", 0, None),
        ("'@SUM(A1)", "A002", "市委办", 1, 2, "填空：＿＿", "'+五十", "四十/40", "错误", 0, None),
    ]


def test_every_sheet_prints_on_a4_one_page_wide_with_the_header_repeated(setting):
    book = open_book(results_workbook(setting["quiz"]))
    for sheet in book.worksheets:
        assert sheet.page_setup.paperSize == 9, sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1
        assert sheet.page_setup.fitToHeight == 0  # as many pages down as it needs
        assert sheet.print_title_rows == "$1:$1"
        assert sheet.oddHeader.center.text == f"知识竞赛 · {sheet.title}"
        assert "&P" in sheet.oddFooter.center.text
    assert book["答卷明细"].page_setup.orientation == "landscape"  # wide
    assert book["单位统计"].page_setup.orientation == "portrait"
    ranking = book["个人排名"]
    assert ranking["A2"].alignment.horizontal == "center"  # 名次 never runs into 姓名
    assert ranking.column_dimensions["A"].width >= 8 and ranking.column_dimensions["B"].width >= 8


def test_every_workbook_the_project_writes_gets_the_print_layout(app):
    from app.common.xlsx import OutColumn, Sheet, build_workbook, template_workbook
    from app.members.exports import ROSTER_COLUMNS

    with app.test_request_context():
        books = [build_workbook([Sheet("名单", [OutColumn("姓名")], [("张三",)])]),
                 template_workbook("人员导入模板", ROSTER_COLUMNS)]
    for content in books:
        sheet = open_book(content).worksheets[0]
        assert sheet.page_setup.paperSize == 9 and sheet.print_title_rows == "$1:$1"
        assert sheet.oddHeader.center.text == sheet.title


def test_absent_sheet_names_who_has_not_submitted(setting):
    absent = open_book(results_workbook(setting["quiz"]))["未参与名单"]

    assert rows(absent) == [("单位", "支部", "姓名", "工号", "手机号", "状态"),
                            ("县委办", None, "'-未参与", "B001", "13900000000", "未开始")]


def test_export_download_is_an_xlsx_attachment_and_audited(setting, make_staff, client_for):
    organiser = client_for(make_staff("organiser"))

    response = organiser.get(f"/quizzes/manage/{setting['quiz'].id}/export.xlsx")

    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "%E7%9F%A5%E8%AF%86%E7%AB%9E%E8%B5%9B" in response.headers["Content-Disposition"]  # 知识竞赛
    assert open_book(response.data).sheetnames == SHEETS
    assert db.session.scalar(sa.select(AuditEntry.action).order_by(AuditEntry.id.desc())) == "quiz.results_exported"


def test_liaison_export_holds_only_their_unit_and_no_answer_key_while_open(setting, make_staff, client_for):
    liaison = client_for(make_staff("liaison", unit=setting["county"], name="县联络员", staff_id="B900"))

    with clock.frozen_at(datetime(2026, 3, 2)):
        book = open_book(liaison.get(f"/quizzes/manage/{setting['quiz'].id}/export.xlsx").data)
    assert book.sheetnames == ["个人排名", "单位统计", "未参与名单"]
    assert rows(book["个人排名"])[1:] == []
    assert [row[0] for row in rows(book["单位统计"])] == ["单位", "县委办"]
    assert {row[2] for row in rows(book["未参与名单"])[1:]} == {"'-未参与", "县联络员"}

    with clock.frozen_at(datetime(2026, 4, 1)):  # closed: the key may be read
        book = open_book(liaison.get(f"/quizzes/manage/{setting['quiz'].id}/export.xlsx").data)
    assert book.sheetnames == SHEETS
    assert rows(book["答卷明细"])[1:] == []


def test_cli_writes_the_same_workbook_for_quizzes_too_large_for_a_web_download(app, setting, tmp_path):
    path = tmp_path / "results.xlsx"
    result = app.test_cli_runner().invoke(args=["quiz", "export-results", str(setting["quiz"].id), str(path)])
    assert result.exit_code == 0, result.output
    assert "已导出「知识竞赛」的成绩" in result.output
    book = load_workbook(path)
    assert book.sheetnames == SHEETS
    assert rows(book["个人排名"])[1][1] == "'=HYPERLINK(\"http://x\",\"点我\")"
    assert len(rows(book["答卷明细"])) == 1 + 4  # two members, two questions each


def test_cli_export_of_an_unknown_quiz_fails(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["quiz", "export-results", "999", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 1 and "没有编号为 999 的竞赛" in result.output
    assert not (tmp_path / "x.xlsx").exists()
