"""Question-bank spreadsheets: import of every type, every error with its row and column, re-import, export."""
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.audit.models import AuditEntry
from app.common import clock
from app.common.xlsx import ImportFailed
from app.extensions import db
from quizzes.models import Attempt, AttemptItem, Question, QuestionBank
from quizzes.services import bank_sheets
from quizzes.services.attempts import question_snapshot
from tests.quizzes.banks_sheet import HEADER, read_sheet, row


def questions_of(bank) -> dict[str, Question]:
    db.session.expire_all()
    return {question.stem: question for question in db.session.scalars(
        sa.select(Question).where(Question.bank_id == bank.id).order_by(Question.id))}


def do_import(bank, data):
    report = bank_sheets.import_questions(bank, data)
    db.session.commit()
    return report


def problems_of(bank, data) -> list:
    with pytest.raises(ImportFailed) as failure:
        bank_sheets.import_questions(bank, data)
    db.session.rollback()
    return failure.value.problems


def use_in_attempt(make_quiz, make_member, question, response):
    """Put `question` on a submitted attempt paper with `response` stored, as the engine would."""
    quiz = make_quiz(banks=[question.bank], fixed=[(question, 1)])
    member = make_member()
    now = clock.utcnow()
    attempt = Attempt(quiz_id=quiz.id, user_id=member.id, number=1, seed=1, started_at=now - timedelta(minutes=5),
                      deadline_at=now + timedelta(minutes=25), submitted_at=now, open_slot=sa.null(), score=1,
                      max_score=1, time_used_seconds=300)
    attempt.items = [AttemptItem(position=1, question_id=question.id, points=1,
                                 option_order=list(range(len(question.options))), response=response,
                                 is_correct=True, awarded=1, **question_snapshot(question))]
    db.session.add(attempt)
    db.session.commit()
    return attempt.items[0].id


# ---------------------------------------------------------------- reading every type

def test_every_type_imports_with_answers_written_every_way(make_bank, xlsx):
    bank = make_bank()
    abcd = ["甲", "乙", "丙", "丁"]
    rows = [
        row("单选", "单选一", "A", abcd),
        row("单选题", "单选二", "b", abcd),
        row("单选", "单选三", " Ｃ ", abcd),
        row("多选", "多选一", "ABD", abcd),
        row("多选题", "多选二", "A,B,D", abcd),
        row("多选", "多选三", "D、A", abcd),
        row("多选", "多选四", "a c", abcd),
        row("判断", "判断一", "对"),
        row("判断题", "判断二", "错"),
        row("判断", "判断三", "正确"),
        row("判断", "判断四", "错误"),
        row("判断", "判断五", "√"),
        row("判断", "判断六", "×"),
        row("判断", "判断七", "T"),
        row("判断", "判断八", "F"),
        row("判断", "判断九", True),
        row("填空", "填空一：全面建设社会主义现代化国家开局起步的关键时期是未来（ ）年，推动（ ）发展。", "5/五|高质量"),
        row("填空题", "填空二：中国共产党成立于（ ）年。", 1921),
    ]
    report = do_import(bank, xlsx([HEADER, *rows]))

    assert report.counts["single"]["created"] == 3
    assert report.counts["multiple"]["created"] == 4
    assert report.counts["judge"]["created"] == 9
    assert report.counts["fill"]["created"] == 2
    stored = questions_of(bank)
    assert [stored[f"单选{n}"].answer for n in "一二三"] == ["A", "B", "C"]
    assert [stored[f"多选{n}"].answer for n in "一二三四"] == [["A", "B", "D"], ["A", "B", "D"], ["A", "D"], ["A", "C"]]
    assert [stored[f"判断{n}"].answer for n in "一二三四五六七八九"] == [True, False, True, False, True, False, True,
                                                                        False, True]
    fills = [question for stem, question in stored.items() if stem.startswith("填空")]
    assert fills[0].answer == [["5", "五"], ["高质量"]]
    assert fills[1].answer == [["1921"]]
    assert stored["单选一"].options == abcd
    assert stored["判断一"].options == [] and fills[0].options == []
    assert all(question.points == 1 and question.is_active for question in stored.values())
    assert {question.question_type for question in stored.values()} == {"single", "multiple", "judge", "fill"}


def test_numbers_in_cells_are_read_as_numbers(make_bank, xlsx):
    bank = make_bank()
    data = xlsx([HEADER,
                 row("单选", "新中国成立于哪一年？", "C", [1911, 1921, 1949, 1978.0], points=3),
                 row("判断", "分值可以是小数。", "对", points=2.5),
                 row("判断", "分值可以带单位。", "对", points="４分")])
    do_import(bank, data)
    stored = questions_of(bank)
    question = stored["新中国成立于哪一年？"]
    assert question.options == ["1911", "1921", "1949", "1978"]
    assert question.points == 3
    assert stored["分值可以是小数。"].points == 2.5
    assert stored["分值可以带单位。"].points == 4

    exported = read_sheet(bank_sheets.export_bank(bank))
    points_column = exported[0].index("分值")
    assert exported[1][points_column] == 3 and isinstance(exported[1][points_column], int)
    assert exported[2][points_column] == 2.5


def test_full_width_spaces_blank_rows_and_a_title_above_the_header(make_bank, xlsx):
    bank = make_bank()
    rows = [
        ["", ""],
        HEADER,
        row("\u3000单选\u3000", "\u3000中国共产党的最高理想和最终目标是实现（ ）。\u3000", "\u3000B\u3000",
            ["\u3000社会主义\u3000", "共产主义\u00a0", "小康社会", "现代化"], "\u3000见党章总纲。\u3000",
            "\u3000党章党规\u3000", "\u3000易\u3000", "\u30002\u3000"),
        [None] * len(HEADER),
        row("判断", "党员有权在党的会议上对党的任何组织和任何党员提出有根据的批评。", "对"),
        [None] * len(HEADER),
        [None] * len(HEADER),
        ["\u3000"] + [None] * (len(HEADER) - 1),
    ]
    report = do_import(bank, xlsx(rows, title_rows=["2026 年党建知识竞赛题库", "（内部资料）"]))
    assert report.total("created") == 2
    question = questions_of(bank)["中国共产党的最高理想和最终目标是实现（ ）。"]
    assert question.options == ["社会主义", "共产主义", "小康社会", "现代化"]
    assert (question.answer, question.explanation, question.category, question.difficulty, question.points) == (
        "B", "见党章总纲。", "党章党规", "易", 2)


def test_difficulty_words_are_read_as_easy_medium_hard(make_bank, xlsx):
    bank = make_bank()
    do_import(bank, xlsx([HEADER, row("判断", "甲", "对", difficulty="简单"), row("判断", "乙", "对", difficulty="中等"),
                          row("判断", "丙", "对", difficulty="困难"), row("判断", "丁", "对")]))
    assert [question.difficulty for question in questions_of(bank).values()] == ["易", "中", "难", ""]


# ---------------------------------------------------------------- errors

def test_every_error_is_reported_with_its_row_and_column_and_nothing_is_imported(make_bank, xlsx):
    bank = make_bank()
    abcd = ["甲", "乙", "丙", "丁"]
    rows = [
        HEADER,
        row("问答", "题型不对", "A", abcd),                                   # 2
        row("单选", "选项不连续", "A", ["甲", None, "丙"]),                    # 3
        row("单选", "只有一个选项", "A", ["甲"]),                              # 4
        row("单选", "答案超出选项", "E", abcd),                                # 5
        row("判断", "判断题有选项", "对", ["甲"]),                             # 6
        row("填空", "填空题有选项", "甲", [None, "乙"]),                       # 7
        row("判断", "分值为负", "对", points=-1),                              # 8
        row("判断", "分值不是数", "对", points="三分"),                        # 9
        row("判断", "难度不认识", "对", difficulty="超难"),                    # 10
        row("单选", None, "A", abcd),                                          # 11
        row("单选", "答案为空", None, abcd),                                   # 12
        row("多选", "多选只有一个答案", "A", abcd),                            # 13
        row("单选", "重复的题干（ ）", "A", abcd),                              # 14
        row("单选", " 重复的题干( ) ", "B", abcd),                              # 15
        row("判断", "判断答案不认识", "也许"),                                  # 16
        row("填空", "填空少一个空的答案", "40||高质量"),                        # 17
        row("单选", "选项重复", "A", ["同一个", "同一个", "别的"]),             # 18
        row(None, "没有题型", "A", abcd),                                      # 19
        row("判断", "题干重复但题型不同不算重复", "对"),                        # 20 (valid)
        row("单选", "题干重复但题型不同不算重复", "A", abcd),                   # 21 (valid)
    ]
    problems = problems_of(bank, xlsx(rows))

    assert [(problem.row, problem.column) for problem in problems] == [
        (2, "题型"), (3, "选项B"), (4, "选项B"), (5, "答案"), (6, "选项A"), (7, "选项B"), (8, "分值"),
        (9, "分值"), (10, "难度"), (11, "题干"), (12, "答案"), (13, "答案"), (15, "题干"), (16, "答案"),
        (17, "答案"), (18, "选项B"), (19, "题型"),
    ]
    duplicate = next(problem for problem in problems if problem.row == 15)
    assert "14" in str(duplicate) and "第 15 行「题干」列" in str(duplicate)
    assert questions_of(bank) == {}


def test_a_sheet_without_the_required_headers_is_refused(make_bank, xlsx):
    bank = make_bank()
    problems = problems_of(bank, xlsx([["题型", "题干", "选项A"], ["单选", "x", "y"]]))
    assert len(problems) == 1 and "答案" in str(problems[0])


def test_an_upload_that_is_not_a_spreadsheet_is_refused(make_bank):
    problems = problems_of(make_bank(), b"PK\x03\x04 not really a workbook")
    assert "xlsx" in str(problems[0])


def test_a_sheet_with_only_a_header_is_refused(make_bank, xlsx):
    problems = problems_of(make_bank(), xlsx([HEADER, [None] * len(HEADER)]))
    assert "没有数据" in str(problems[0])


def test_an_unknown_status_is_reported_and_stopped_questions_import_disabled(make_bank, xlsx):
    bank = make_bank()
    header = [*HEADER, "状态"]
    problems = problems_of(bank, xlsx([header, [*row("判断", "甲", "对"), "作废"]]))
    assert [(problem.row, problem.column) for problem in problems] == [(2, "状态")]

    do_import(bank, xlsx([header, [*row("判断", "甲", "对"), "停用"], [*row("判断", "乙", "对"), None]]))
    stored = questions_of(bank)
    assert stored["甲"].is_active is False and stored["乙"].is_active is True


# ---------------------------------------------------------------- importing again

def test_importing_the_same_file_again_changes_nothing(make_bank, xlsx):
    bank = make_bank()
    data = xlsx([HEADER, row("单选", "甲", "A", ["一", "二"]), row("多选", "乙", "AB", ["一", "二", "三"]),
                 row("判断", "丙", "对"), row("填空", "丁（ ）", "戊/己")])
    first = do_import(bank, data)
    ids = {stem: question.id for stem, question in questions_of(bank).items()}
    second = do_import(bank, data)

    assert first.total("created") == 4
    assert (second.total("created"), second.total("updated"), second.total("unchanged")) == (0, 0, 4)
    assert {stem: question.id for stem, question in questions_of(bank).items()} == ids


def test_a_changed_row_updates_the_question_with_the_same_type_and_stem(make_bank, xlsx):
    bank = make_bank()
    do_import(bank, xlsx([HEADER, row("单选", "GDP 是什么（ ）", "A", ["一", "二"]), row("判断", "丙", "对"),
                          row("判断", "丁", "对")]))
    original_id = questions_of(bank)["GDP 是什么（ ）"].id

    report = do_import(bank, xlsx([
        HEADER,
        row("单选", "ｇｄｐ  是什么( )", "B", ["一", "二", "三"], "新的解析"),   # same stem, folded
        row("判断", "丙", "错"),
        row("判断", "丁", "对"),
        row("单选", "丙", "A", ["一", "二"]),                                  # same stem, other type: new
    ]))

    assert report.counts["single"] == {"created": 1, "updated": 1, "unchanged": 0}
    assert report.counts["judge"] == {"created": 0, "updated": 1, "unchanged": 1}
    stored = questions_of(bank)
    question = stored["ｇｄｐ  是什么( )"]
    assert question.id == original_id
    assert (question.answer, question.options, question.explanation) == ("B", ["一", "二", "三"], "新的解析")
    assert db.session.scalar(sa.select(sa.func.count()).where(Question.bank_id == bank.id)) == 4


def test_a_disabled_question_stays_disabled_when_its_row_is_imported_again(make_bank, make_question, xlsx):
    bank = make_bank()
    make_question(bank, "judge", stem="停用的题", answer=True, is_active=False)
    report = do_import(bank, xlsx([HEADER, row("判断", "停用的题", "对")]))
    assert report.total("unchanged") == 1
    assert questions_of(bank)["停用的题"].is_active is False


def test_import_is_audited(make_bank, xlsx):
    bank = make_bank()
    do_import(bank, xlsx([HEADER, row("判断", "甲", "对")]))
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "quiz.bank.imported")).one()
    assert entry.target_id == bank.id and entry.details["created"] == 1


def test_a_question_on_past_papers_keeps_its_shape_and_past_responses(make_bank, make_question, make_quiz,
                                                                     make_member, xlsx):
    bank = make_bank()
    question = make_question(bank, "single", stem="用过的题", options=["一", "二", "三"], answer="A")
    item_id = use_in_attempt(make_quiz, make_member, question, "B")

    problems = problems_of(bank, xlsx([HEADER, row("单选", "用过的题", "A", ["一", "二", "三", "四"])]))
    assert [(problem.row, problem.column) for problem in problems] == [(2, "选项D")]

    report = do_import(bank, xlsx([HEADER, row("单选", "用过的题", "C", ["一", "二", "叁"], "更正了选项C")]))
    assert report.total("updated") == 1
    item = db.session.get(AttemptItem, item_id)
    assert (item.response, item.is_correct, item.awarded) == ("B", True, 1)


# ---------------------------------------------------------------- template and export

def test_the_template_lists_the_columns_and_its_examples_import_cleanly(make_bank):
    data = bank_sheets.template_bytes()
    sheet = read_sheet(data)
    headers = [str(value).replace(" *", "") for value in sheet[0]]
    assert headers == [*HEADER, "状态"]
    report = do_import(make_bank(), data)
    assert {kind: counts["created"] for kind, counts in report.counts.items()} == {
        "single": 1, "multiple": 1, "judge": 1, "fill": 1}


def test_export_then_import_reports_everything_unchanged(make_bank, make_question, xlsx):
    bank = make_bank()
    # Text that a spreadsheet would run as a formula is stored as typed in the form.
    make_question(bank, "single", stem="=SUM(A1:A3) 看起来像公式", answer="A", options=["-1", "+5", "@home", "1949"],
                  explanation="解析\n第二行", category="党史", difficulty="难", points=2.5)
    do_import(bank, xlsx([
        HEADER,
        row("多选", "多选题", "A,C", ["一", "二", "三"], points=3),
        row("判断", "-以减号开头的题干", "错"),
        row("填空", "填空（ ）和（ ）", "40/四十|高质量", category="理论知识", difficulty="中"),
    ]))
    make_question(bank, "judge", stem="已停用的题", answer=False, is_active=False)

    exported = bank_sheets.export_bank(bank)
    again = bank_sheets.import_questions(bank, exported)
    db.session.commit()
    assert (again.total("created"), again.total("updated"), again.total("unchanged")) == (0, 0, 5)

    other = make_bank()
    copied = do_import(other, exported)
    assert copied.total("created") == 5
    originals = list(questions_of(bank).values())
    copies = list(questions_of(other).values())
    for original, copy in zip(originals, copies, strict=True):
        assert (copy.question_type, copy.stem, copy.options, copy.answer, copy.explanation, copy.category,
                copy.difficulty, copy.points, copy.is_active) == (
            original.question_type, original.stem, original.options, original.answer, original.explanation,
            original.category, original.difficulty, original.points, original.is_active)


def test_exported_text_never_runs_as_a_formula(make_bank, make_question):
    bank = make_bank()
    make_question(bank, "single", stem="=1+1", answer="A", options=["=2", "@x"])
    workbook = load_workbook(io.BytesIO(bank_sheets.export_bank(bank)))
    cells = next(workbook.worksheets[0].iter_rows(min_row=2, max_row=2))
    assert all(cell.data_type != "f" for cell in cells)
    assert cells[1].value == "'=1+1" and cells[2].value == "'=2" and cells[3].value == "'@x"


def test_two_imports_of_the_same_new_file_at_once_create_each_question_once(app, make_bank, xlsx, run_concurrently):
    bank_id = make_bank().id
    db.session.rollback()  # hold no transaction (on SQLite, a write lock) while the threads run
    data = xlsx([HEADER, *(row("判断", f"同时导入的第{number}题", "对") for number in range(20))])

    def import_once(_index):
        report = bank_sheets.import_questions(db.session.get(QuestionBank, bank_id), data)
        db.session.commit()
        return report.total("created"), report.total("unchanged")

    results = run_concurrently(import_once, 2)
    assert sorted(results, key=str) == [(0, 20), (20, 0)], results
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Question)) == 20
