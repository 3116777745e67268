"""The question-bank spreadsheet: template, import (all-or-nothing) and export in the same columns.

Columns: 题型, 题干, 选项A … 选项H, 答案, 解析, 分类, 难度, 分值, 状态. 题型 is 单选(题)/多选(题)/
判断(题)/填空(题); 答案 is written as parse_answer reads it (A, ABD, A,B,D, 对/错/√/×/T/F, blanks
separated by |, alternatives by /); 分值 defaults to 1; 状态 (optional) is 启用/停用 — left empty, a
new question is enabled and an existing one keeps its state. A question is matched by type and
normalised stem, so importing the same file again updates instead of duplicating.
"""
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _

from app.audit.services import record
from app.common.text import clean, fold
from app.common.xlsx import (
    Column,
    ImportFailed,
    ImportProblem,
    OutColumn,
    Sheet,
    build_workbook,
    read_rows_collecting,
    template_workbook,
)
from app.extensions import db
from quizzes.models import OPTION_LETTERS, QUESTION_TYPE_LABELS, QUESTION_TYPES, Question, QuestionBank
from quizzes.services.answers import format_answer
from quizzes.services.bank_rules import OPTION_FIELDS, check_question
from quizzes.services.banks import lock_bank, structure_change, usage_counts

MAX_ROWS = 5000
# Written into sheets untranslated: the sheet is a data format that import reads back.
SHEET_TYPE_NAMES = {"single": "单选题", "multiple": "多选题", "judge": "判断题", "fill": "填空题"}
_TYPE_WORDS = {
    "单选": "single", "单选题": "single", "单项选择": "single", "单项选择题": "single", "single": "single",
    "多选": "multiple", "多选题": "multiple", "多项选择": "multiple", "多项选择题": "multiple",
    "multiple": "multiple",
    "判断": "judge", "判断题": "judge", "是非题": "judge", "judge": "judge",
    "填空": "fill", "填空题": "fill", "fill": "fill",
}
_STATUS_WORDS = {"启用": True, "正常": True, "停用": False, "禁用": False}

COLUMNS = (
    Column("question_type", "题型", required=True, aliases=("题目类型", "类型"), width=9),
    Column("stem", "题干", required=True, aliases=("题目", "试题"), width=50),
    *(Column(OPTION_FIELDS[index], f"选项{letter}", width=16) for index, letter in enumerate(OPTION_LETTERS)),
    Column("answer", "答案", required=True, aliases=("正确答案", "参考答案"), width=12),
    Column("explanation", "解析", aliases=("答案解析", "试题解析"), width=36),
    Column("category", "分类", aliases=("类别",), width=10),
    Column("difficulty", "难度", width=7),
    Column("points", "分值", aliases=("分数",), width=7),
    Column("status", "状态", width=7),
)
HEADERS = {column.key: column.header for column in COLUMNS}
_COLUMN_ORDER = {column.header: index for index, column in enumerate(COLUMNS)}

TEMPLATE_EXAMPLES = (
    ("单选题", "中国共产党第一次全国代表大会于（ ）年召开。", 1919, 1921, 1927, 1949, None, None, None, None,
     "B", "1921年7月，中共一大在上海召开，宣告中国共产党正式成立。", "党史", "易", 1, None),
    ("多选题", "党的作风建设要求大力弘扬（ ）。", "理论联系实际", "密切联系群众", "批评与自我批评",
     "形式主义", None, None, None, None, "A,B,C",
     "理论联系实际、密切联系群众、批评与自我批评是党的三大优良作风。", "党章党规", "中", 2, None),
    ("判断题", "党的思想路线是一切从实际出发，理论联系实际，实事求是，在实践中检验真理和发展真理。", None, None,
     None, None, None, None, None, None, "对", "见《中国共产党章程》总纲。", "解放思想", "易", 1, None),
    ("填空题", "1978年12月召开的党的十一届（ ）全会，实现了新中国成立以来党的历史上具有深远意义的伟大转折。",
     None, None, None, None, None, None, None, None, "三中/3中", "同一空的多个可接受答案用 / 分隔，多个空用 | 分隔。",
     "党史", "中", 1, None),
)


@dataclass
class ImportReport:
    """What an import did, per question type."""

    bank: QuestionBank
    bank_created: bool = False
    counts: dict[str, dict[str, int]] = field(
        default_factory=lambda: {kind: {"created": 0, "updated": 0, "unchanged": 0} for kind in QUESTION_TYPES}
    )

    def total(self, outcome: str) -> int:
        return sum(counts[outcome] for counts in self.counts.values())

    def summary(self) -> str:
        return _("题库「%(bank)s」导入完成：新增 %(created)s 题，更新 %(updated)s 题，未变 %(unchanged)s 题。",
                 bank=self.bank.name, created=self.total("created"), updated=self.total("updated"),
                 unchanged=self.total("unchanged"))

    def lines(self) -> list[str]:
        """The summary, then one line per question type present in the file."""
        lines = [self.summary()]
        for kind in QUESTION_TYPES:
            counts = self.counts[kind]
            if any(counts.values()):
                lines.append(_("%(type)s：新增 %(created)s，更新 %(updated)s，未变 %(unchanged)s",
                               type=QUESTION_TYPE_LABELS[kind], **counts))
        return lines


@dataclass
class _Row:
    number: int
    draft: object
    status: bool | None


def _read(source, progress=None) -> list[_Row]:
    report = progress or (lambda _stage, _done, _total: None)
    rows, problems = read_rows_collecting(source, COLUMNS, max_rows=MAX_ROWS,  # stops reading at the limit
                                          progress=lambda done, total: report("reading", done, total))
    if not rows and not problems:
        raise ImportFailed([ImportProblem(None, None, _("表格中没有数据行"))])
    checked: list[_Row] = []
    first_row_of: dict[tuple[str, str], int] = {}
    for row in rows:
        values = row.values
        question_type = None
        if "question_type" not in row.invalid:
            question_type = _TYPE_WORDS.get(fold(values["question_type"] or "").replace(" ", ""))
            if question_type is None:
                problems.append(ImportProblem(row.number, HEADERS["question_type"],
                                              _("题型应为 单选题、多选题、判断题 或 填空题")))
        status = None
        if values["status"]:
            status = _STATUS_WORDS.get(clean(values["status"]))
            if status is None:
                problems.append(ImportProblem(row.number, HEADERS["status"], _("状态应为 启用 或 停用（也可留空）")))
        if question_type is None:
            continue
        draft, row_problems = check_question(
            question_type, values["stem"], [values[name] for name in OPTION_FIELDS], values["answer"],
            values["explanation"], values["category"], values["difficulty"], values["points"],
        )
        problems.extend(ImportProblem(row.number, HEADERS[key], message)
                        for key, message in row_problems if key not in row.invalid)
        if draft is None:
            continue
        key = (draft.question_type, draft.digest)
        if key in first_row_of:
            problems.append(ImportProblem(row.number, HEADERS["stem"],
                                          _("与第 %(other)s 行的题干重复（题型相同）", other=first_row_of[key])))
            continue
        first_row_of[key] = row.number
        checked.append(_Row(row.number, draft, status))
    if problems:
        raise ImportFailed(_sorted(problems))
    return checked


def _sorted(problems: list[ImportProblem]) -> list[ImportProblem]:
    return sorted(problems, key=lambda problem: (problem.row or 0, _COLUMN_ORDER.get(problem.column, -1)))


def import_questions(bank: QuestionBank, source, actor=None, *, filename: str = "",
                     bank_created: bool = False, progress=None) -> ImportReport:
    """Import a sheet into `bank`: every row valid or nothing changes (ImportFailed lists all problems).

    `progress(stage, done, total)` (a job) hears of the reading; the writing is one transaction after it.
    """
    rows = _read(source, progress)
    if progress is not None:
        progress("writing", 0, None)
    bank = lock_bank(bank)
    existing = {
        (question.question_type, question.stem_digest): question
        for question in db.session.scalars(sa.select(Question).where(Question.bank_id == bank.id))
    }
    matched = [(row, existing.get((row.draft.question_type, row.draft.digest))) for row in rows]
    used = usage_counts(question.id for row, question in matched
                        if question is not None and row.draft.differs_from(question))
    problems = []
    for row, question in matched:
        if question is not None and question.id in used:
            change = structure_change(question, row.draft)
            if change is not None:
                problems.append(ImportProblem(row.number, HEADERS[change[0]], change[1]))
    if problems:
        raise ImportFailed(_sorted(problems))

    report = ImportReport(bank, bank_created)
    for row, question in matched:
        counts = report.counts[row.draft.question_type]
        if question is None:
            question = Question(bank_id=bank.id, is_active=True if row.status is None else row.status)
            row.draft.apply_to(question)
            db.session.add(question)
            counts["created"] += 1
        elif row.draft.differs_from(question) or (row.status is not None and row.status != question.is_active):
            row.draft.apply_to(question)
            if row.status is not None:
                question.is_active = row.status
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    db.session.flush()
    record("quiz.bank.imported", target=bank, actor=actor, summary=report.summary(), filename="".join(char for char in filename if char.isprintable())[:200],
           created=report.total("created"), updated=report.total("updated"), unchanged=report.total("unchanged"))
    return report


def template_bytes() -> bytes:
    """The import template with one example row of each type."""
    return template_workbook("题库导入模板", COLUMNS, TEMPLATE_EXAMPLES)


def export_bank(bank: QuestionBank) -> bytes:
    """Every question of the bank (disabled ones marked 停用) in the import template's columns."""
    columns = [OutColumn(column.header, "number" if column.key == "points" else "text", width=column.width)
               for column in COLUMNS]
    questions = db.session.scalars(sa.select(Question).where(Question.bank_id == bank.id).order_by(Question.id))

    def rows():
        for question in questions:
            options = list(question.options or [])
            yield (
                SHEET_TYPE_NAMES[question.question_type], question.stem,
                *(options[index] if index < len(options) else None for index in range(len(OPTION_LETTERS))),
                format_answer(question.question_type, question.answer), question.explanation or None,
                question.category or None, question.difficulty or None,
                int(question.points) if float(question.points).is_integer() else question.points,
                "启用" if question.is_active else "停用",
            )

    return build_workbook([Sheet("题库", columns, rows())])


def export_filename(bank: QuestionBank) -> str:
    """题库-<name>.xlsx, with characters file systems refuse replaced."""
    safe = "".join("_" if ch in '\\/:*?"<>|' or ord(ch) < 32 else ch for ch in bank.name)
    return f"题库-{safe}.xlsx"

