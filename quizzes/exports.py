"""The results workbook of a quiz: ranking, units, questions, every answer, and who has not taken part.

Answers and keys in 答卷明细 use the letters the member saw, with the option text; where the paper
showed the options in another order than the bank, a further column gives the bank's letters.
Every sheet prints on A4 with the quiz's title at the top of each page (app.common.xlsx).
"""
from collections.abc import Iterator

import sqlalchemy as sa
from flask_babel import gettext as _

from app.accounts.models import User
from app.common.xlsx import OutColumn, Sheet, build_workbook
from app.extensions import db
from quizzes.models import OPTION_LETTERS, Attempt, AttemptItem, Question, Quiz
from quizzes.services.answers import format_answer, format_response
from quizzes.services.papers import displayed_options, to_displayed
from quizzes.services.question_stats import question_statistics
from quizzes.services.ranking import leaderboard, member_units
from quizzes.services.reports import absentees, unit_statistics


def results_workbook(quiz: Quiz, *, unit_id: int | None = None, with_answers: bool = True,
                     progress=None) -> bytes:
    """The .xlsx of a quiz's results (only `unit_id`'s members when given). Without `with_answers`
    the two sheets that reveal the answer key (题目分析, 答卷明细) are left out.
    `progress(stage, done, total)` (a job) hears of the figures, then of every 2,000 answers written."""
    report = progress or (lambda _stage, _done, _total: None)
    report("figures", 0, None)
    rows = leaderboard(quiz, unit_id=unit_id)
    sheets = [_ranking_sheet(rows), _units_sheet(quiz, unit_id, rows)]
    if with_answers:
        sheets += [_questions_sheet(quiz, unit_id), Sheet(_("答卷明细"), [
            OutColumn(_("姓名")), OutColumn(_("工号")), OutColumn(_("单位")), OutColumn(_("第几次作答"), "int"),
            OutColumn(_("题序"), "int"), OutColumn(_("题干"), width=60), OutColumn(_("作答"), width=30),
            OutColumn(_("正确答案"), width=30), OutColumn(_("是否正确")), OutColumn(_("得分"), "number"),
            OutColumn(_("题库字母（作答 / 正确答案）")),
        ], _answer_rows(quiz, unit_id, progress))]
    sheets.append(_absent_sheet(quiz, unit_id))
    for sheet in sheets:
        sheet.heading = f"{quiz.title} · {sheet.title}"
    return build_workbook(sheets)


def export_filename(quiz: Quiz) -> str:
    """The download name, e.g. 2026年党建知识竞赛-成绩.xlsx."""
    title = "".join(char for char in quiz.title if char not in '\\/:*?"<>|').strip() or "quiz"
    return f"{title}-{_('成绩')}.xlsx"


def _ranking_sheet(rows) -> Sheet:
    return Sheet(_("个人排名"), [
        OutColumn(_("名次"), "int"), OutColumn(_("姓名")), OutColumn(_("工号")), OutColumn(_("单位")),
        OutColumn(_("得分"), "number"), OutColumn(_("用时"), "duration"), OutColumn(_("提交时间"), "datetime"),
        OutColumn(_("切屏次数"), "int"),
    ], [
        (row.rank, row.name, row.staff_id, row.unit_name, row.score, row.time_used_seconds, row.submitted_at,
         row.leave_count)
        for row in rows
    ])


def _units_sheet(quiz: Quiz, unit_id: int | None, rows) -> Sheet:
    lines, total = unit_statistics(quiz, unit_id=unit_id, rows=rows)
    out = [(line.unit_name, line.headcount, line.participants, line.participation, line.average_score,
            line.top_score) for line in lines]
    if unit_id is None:
        out.append((_("合计"), total.headcount, total.participants, total.participation, total.average_score,
                    total.top_score))
    return Sheet(_("单位统计"), [
        OutColumn(_("单位")), OutColumn(_("应参与人数"), "int"), OutColumn(_("参与人数"), "int"),
        OutColumn(_("参与率"), "percent"), OutColumn(_("平均分"), "number"), OutColumn(_("最高分"), "number"),
    ], out)


def _questions_sheet(quiz: Quiz, unit_id: int | None) -> Sheet:
    out = []
    for number, line in enumerate(question_statistics(quiz, unit_id=unit_id), start=1):
        picks = "；".join(
            f"{option.label}{'（' + option.text + '）' if option.text else ''}{'✓' if option.is_key else ''}：{option.count}"
            for option in line.options
        )
        wrong = "；".join(f"{text}：{count}" for text, count in line.wrong_answers)
        out.append((number, line.question.stem, line.type_label, line.key_text, line.shown, line.correct,
                    line.correct_rate, line.unanswered, picks, wrong))
    return Sheet(_("题目分析"), [
        OutColumn(_("题号"), "int"), OutColumn(_("题干"), width=60), OutColumn(_("题型")), OutColumn(_("正确答案")),
        OutColumn(_("出现次数"), "int"), OutColumn(_("答对次数"), "int"), OutColumn(_("正确率"), "percent"),
        OutColumn(_("未作答"), "int"), OutColumn(_("各选项选择次数"), width=60), OutColumn(_("常见错误答案"), width=40),
    ], out)


def _verdict(is_correct: bool | None, awarded: float | None, answered: bool) -> str:
    if not answered:
        return _("未作答")
    if is_correct:
        return _("正确")
    if awarded:
        return _("部分正确")
    return _("错误")


def shown_answer(kind: str, value, order: list[int], options: list[str], *, key: bool = False) -> str:
    """A response (or, with key, the key) in the letters the member saw, with option texts: B（上海）、D（武汉）."""
    if value is None:
        return ""
    if kind not in ("single", "multiple"):
        return format_answer(kind, value) if key else format_response(kind, value)
    shown = to_displayed(kind, value, order)
    texts = displayed_options(options, order)
    letters = [shown] if kind == "single" else shown
    return _("、").join(
        f"{letter}（{texts[OPTION_LETTERS.index(letter)]}）" if OPTION_LETTERS.index(letter) < len(texts) else letter
        for letter in letters)


def bank_letters(kind: str, response, key, order: list[int]) -> str:
    """The bank's letters of the answer and the key, only where the paper showed them under other letters."""
    if kind not in ("single", "multiple") or not order or order == sorted(order):
        return ""
    return f"{format_response(kind, response) or '—'} / {format_answer(kind, key)}"


def answer_count(quiz: Quiz, unit_id: int | None = None) -> int:
    """How many answers the 答卷明细 sheet would list (decides whether the export runs as a job)."""
    query = (sa.select(sa.func.count()).select_from(AttemptItem)
             .join(Attempt, Attempt.id == AttemptItem.attempt_id)
             .where(Attempt.quiz_id == quiz.id, Attempt.submitted_at.is_not(None)))
    if unit_id is not None:
        member_unit, _top_unit, top_id = member_units()
        query = (query.join(User, User.id == Attempt.user_id).join(member_unit, member_unit.id == User.unit_id)
                 .where(top_id == unit_id))
    return db.session.scalar(query) or 0


def _answer_rows(quiz: Quiz, unit_id: int | None, progress=None) -> Iterator[tuple]:
    """Every answer of every submitted attempt, streamed from one query."""
    total = answer_count(quiz, unit_id) if progress is not None else None
    member_unit, top_unit, top_id = member_units()
    query = (
        sa.select(User.name, User.staff_id, top_unit.name, Attempt.number, AttemptItem.position,
                  AttemptItem.stem, Question.question_type, AttemptItem.answer, AttemptItem.response,
                  AttemptItem.is_correct, AttemptItem.awarded, AttemptItem.option_order, AttemptItem.options)
        .select_from(AttemptItem)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .join(Question, Question.id == AttemptItem.question_id)
        .join(User, User.id == Attempt.user_id)
        .outerjoin(member_unit, member_unit.id == User.unit_id)
        .outerjoin(top_unit, top_unit.id == top_id)
        .where(Attempt.quiz_id == quiz.id, Attempt.submitted_at.is_not(None))
        .order_by(top_unit.sort_order, top_unit.id, User.staff_id, Attempt.number, AttemptItem.position)
        .execution_options(yield_per=2000)
    )
    if unit_id is not None:
        query = query.where(top_id == unit_id)
    for done, (name, staff_id, unit_name, number, position, stem, kind, key, response, is_correct,
               awarded, order, options) in enumerate(db.session.execute(query)):
        if progress is not None and done % 2000 == 0:
            progress("answers", done, total)
        order, options = order or [], options or []
        yield (name, staff_id, unit_name or "", number, position, stem, shown_answer(kind, response, order, options),
               shown_answer(kind, key, order, options, key=True), _verdict(is_correct, awarded, response is not None),
               awarded or 0.0, bank_letters(kind, response, key, order))


def _absent_sheet(quiz: Quiz, unit_id: int | None) -> Sheet:
    return Sheet(_("未参与名单"), [
        OutColumn(_("单位")), OutColumn(_("支部")), OutColumn(_("姓名")), OutColumn(_("工号")),
        OutColumn(_("手机号")), OutColumn(_("状态")),
    ], [
        (person.unit_name, person.branch_name, person.name, person.staff_id, person.mobile or "",
         _("答题中") if person.answering else _("未开始"))
        for person in absentees(quiz, unit_id=unit_id)
    ])
