"""Question banks (题库): bank and question edits, listings and counts.

A question is checked by quizzes.services.bank_rules (shared with the spreadsheet import in
quizzes.services.bank_sheets), so a question typed either way is stored identically.
"""
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _

from app.audit.services import record
from app.common.problems import Problem
from app.common.text import clean, has_control_characters, like_pattern
from app.extensions import db
from quizzes.models import QUESTION_TYPES, AttemptItem, Question, QuestionBank, quiz_banks
from quizzes.services.answers import format_answer
from quizzes.services.bank_rules import (
    OPTION_FIELDS,
    QuestionDraft,
    format_points,
)

BANK_NAME_MAX = 100
DESCRIPTION_MAX = 1000


class BankProblem(Problem):
    """A bank rule the request broke; `field` names the form field it belongs to, if any."""


# ---------------------------------------------------------------- banks

def lock_bank(bank: QuestionBank) -> QuestionBank:
    """Row-lock the bank (PostgreSQL) so imports and edits of one bank run one after another."""
    return db.session.get(QuestionBank, bank.id, with_for_update=True, populate_existing=True)


def _bank_name(name: str, bank: QuestionBank | None = None) -> str:
    name = clean(name or "")
    if not name:
        raise BankProblem(_("请输入题库名称"), "name")
    if len(name) > BANK_NAME_MAX:
        raise BankProblem(_("题库名称不能超过 %(max)s 个字", max=BANK_NAME_MAX), "name")
    if has_control_characters(name):
        raise BankProblem(_("含有不可见的控制字符，请删除后重试"), "name")
    clash = db.session.scalar(sa.select(QuestionBank.id).where(QuestionBank.name == name))
    if clash is not None and (bank is None or clash != bank.id):
        raise BankProblem(_("已有同名题库"), "name")
    return name


def _description(description: str) -> str:
    description = clean(description or "")
    if len(description) > DESCRIPTION_MAX:
        raise BankProblem(_("说明不能超过 %(max)s 个字", max=DESCRIPTION_MAX), "description")
    if has_control_characters(description, allow="\t\r\n"):
        raise BankProblem(_("含有不可见的控制字符，请删除后重试"), "description")
    return description


def create_bank(actor, name: str, description: str = "") -> QuestionBank:
    """Add a bank with a unique name."""
    bank = QuestionBank(name=_bank_name(name), description=_description(description))
    db.session.add(bank)
    db.session.flush()
    record("quiz.bank.created", target=bank, actor=actor, summary=bank.name)
    return bank


def find_bank(name: str) -> QuestionBank | None:
    """A bank by its exact (trimmed) name."""
    return db.session.scalar(sa.select(QuestionBank).where(QuestionBank.name == clean(name or "")))


def update_bank(actor, bank: QuestionBank, name: str, description: str = "") -> bool:
    """Rename a bank or change its description; False when nothing changed."""
    name = _bank_name(name, bank)
    description = _description(description)
    if name == bank.name and description == (bank.description or ""):
        return False
    before = bank.name
    bank.name, bank.description = name, description
    record("quiz.bank.updated", target=bank, actor=actor,
           summary=before if before == name else f"{before} → {name}", before=before, after=name)
    return True


@dataclass
class BankSummary:
    bank: QuestionBank
    active: dict[str, int] = field(default_factory=dict)  # per type, enabled questions only
    disabled: int = 0
    quiz_count: int = 0

    @property
    def active_total(self) -> int:
        return sum(self.active.values())

    @property
    def total(self) -> int:
        return self.active_total + self.disabled


def bank_summaries() -> list[BankSummary]:
    """Every bank by name with its question counts per type and the quizzes drawing from it (3 queries)."""
    banks = db.session.scalars(sa.select(QuestionBank).order_by(QuestionBank.name)).all()
    summaries = {bank.id: BankSummary(bank, dict.fromkeys(QUESTION_TYPES, 0)) for bank in banks}
    counts = db.session.execute(
        sa.select(Question.bank_id, Question.question_type, Question.is_active, sa.func.count())
        .group_by(Question.bank_id, Question.question_type, Question.is_active)
    )
    for bank_id, question_type, is_active, count in counts:
        summary = summaries.get(bank_id)
        if summary is None:
            continue
        if is_active:
            summary.active[question_type] = summary.active.get(question_type, 0) + count
        else:
            summary.disabled += count
    for bank_id, count in db.session.execute(
        sa.select(quiz_banks.c.bank_id, sa.func.count()).group_by(quiz_banks.c.bank_id)
    ):
        if bank_id in summaries:
            summaries[bank_id].quiz_count = count
    return list(summaries.values())


def bank_summary(bank: QuestionBank) -> BankSummary:
    """One bank's counts per type and of disabled questions (one query)."""
    summary = BankSummary(bank, dict.fromkeys(QUESTION_TYPES, 0))
    for question_type, is_active, count in db.session.execute(
        sa.select(Question.question_type, Question.is_active, sa.func.count())
        .where(Question.bank_id == bank.id).group_by(Question.question_type, Question.is_active)
    ):
        if is_active:
            summary.active[question_type] += count
        else:
            summary.disabled += count
    return summary


def bank_categories(bank: QuestionBank) -> list[str]:
    """The categories used in a bank, sorted."""
    return list(db.session.scalars(
        sa.select(Question.category).where(Question.bank_id == bank.id, Question.category != "")
        .distinct().order_by(Question.category)
    ))


@dataclass
class QuestionFilters:
    question_type: str = ""
    category: str = ""
    active: bool | None = None
    search: str = ""

    @property
    def any(self) -> bool:
        return bool(self.question_type or self.category or self.active is not None or self.search)


def questions_page(bank: QuestionBank, filters: QuestionFilters, page: int = 1, per_page: int = 20):
    """A page of the bank's questions, newest last, filtered (two queries: count and rows)."""
    query = sa.select(Question).where(Question.bank_id == bank.id)
    if filters.question_type:
        query = query.where(Question.question_type == filters.question_type)
    if filters.category:
        query = query.where(Question.category == filters.category)
    if filters.active is not None:
        query = query.where(Question.is_active.is_(filters.active))
    if filters.search:
        query = query.where(Question.stem.ilike(like_pattern(filters.search), escape="\\"))
    return db.paginate(query.order_by(Question.id), page=page, per_page=per_page, error_out=False)


# ---------------------------------------------------------------- questions

def usage_counts(question_ids) -> dict[int, int]:
    """How many attempt papers each question appeared on (missing: never used)."""
    question_ids = list(question_ids)
    if not question_ids:
        return {}
    return dict(db.session.execute(
        sa.select(AttemptItem.question_id, sa.func.count()).where(AttemptItem.question_id.in_(question_ids))
        .group_by(AttemptItem.question_id)
    ).all())


def structure_change(question: Question, draft: QuestionDraft) -> tuple[str, str] | None:
    """Why a question already on attempt papers cannot take this edit: its type or number of
    options would change, which would break how past and open papers show it. None when fine."""
    if draft.question_type != question.question_type:
        return "question_type", _("本题已被用于答题，不能修改题型；如需调整，请停用本题后新增一题")
    if len(draft.options) != len(question.options or []):
        field_name = OPTION_FIELDS[min(len(draft.options), len(question.options or []))]
        return field_name, _("本题已被用于答题，不能增减选项个数；如需调整，请停用本题后新增一题")
    if question.question_type == "fill" and len(draft.answer) != len(question.answer or []):
        return "answer", _("本题已被用于答题，不能增减填空个数；如需调整，请停用本题后新增一题")
    return None


def _same_stem(bank: QuestionBank, draft: QuestionDraft, exclude_id: int | None) -> Question | None:
    query = sa.select(Question).where(Question.bank_id == bank.id, Question.question_type == draft.question_type,
                                      Question.stem_digest == draft.digest)
    if exclude_id is not None:
        query = query.where(Question.id != exclude_id)
    return db.session.scalar(query)


def _audit_values(question: Question) -> dict:
    return {"type": question.question_type, "stem": question.stem, "options": list(question.options or []),
            "answer": question.answer, "explanation": question.explanation, "category": question.category,
            "difficulty": question.difficulty, "points": question.points}


def add_question(actor, bank: QuestionBank, draft: QuestionDraft) -> Question:
    """Add a checked question to a bank; refused if the bank has the same type and stem already."""
    lock_bank(bank)
    if _same_stem(bank, draft, None) is not None:
        raise BankProblem(_("本题库已有题干相同的同类题目"), "stem")
    question = Question(bank_id=bank.id, is_active=True)
    draft.apply_to(question)
    db.session.add(question)
    db.session.flush()
    record("quiz.question.created", target=question, actor=actor, summary=f"{bank.name}：{question.stem[:40]}",
           bank_id=bank.id)
    return question


def update_question(actor, question: Question, draft: QuestionDraft) -> bool:
    """Change a question (past attempts keep their stored responses and marks); False if unchanged."""
    bank = lock_bank(question.bank)
    if question.question_type == draft.question_type and not draft.differs_from(question):
        return False
    if _same_stem(bank, draft, question.id) is not None:
        raise BankProblem(_("本题库已有题干相同的同类题目"), "stem")
    if usage_counts([question.id]):
        change = structure_change(question, draft)
        if change is not None:
            raise BankProblem(change[1], change[0])
    before = _audit_values(question)
    draft.apply_to(question)
    after = _audit_values(question)
    changes = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    record("quiz.question.updated", target=question, actor=actor, summary=f"{bank.name}：{question.stem[:40]}",
           bank_id=bank.id, changes=changes)
    return True


def set_question_active(actor, question: Question, active: bool) -> bool:
    """Enable or disable a question (disabled ones are never drawn but stay for history); False if no change."""
    if question.is_active == active:
        return False
    question.is_active = active
    record("quiz.question.enabled" if active else "quiz.question.disabled", target=question, actor=actor,
           summary=f"{question.bank.name}：{question.stem[:40]}", bank_id=question.bank_id)
    return True


def form_values(question: Question) -> dict:
    """A stored question as the form shows it (answer in the sheet notation)."""
    values = {
        "question_type": question.question_type, "stem": question.stem,
        "answer": format_answer(question.question_type, question.answer),
        "explanation": question.explanation or "", "category": question.category or "",
        "difficulty": question.difficulty or "", "points": format_points(question.points),
    }
    for index, name in enumerate(OPTION_FIELDS):
        values[name] = question.options[index] if index < len(question.options or []) else ""
    return values
