"""Organisers setting up a quiz: its settings, the random-paper rules, the fixed paper, publishing.

Editing a quiz never touches attempts already started: each attempt carries its own paper, points,
option order and deadline. Only a close time moved earlier ends open attempts sooner.
"""
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.audit.services import record
from app.campaigns.models import Campaign
from app.common.clock import from_local, to_local, utcnow
from app.common.problems import Problem
from app.common.text import like_pattern
from app.extensions import db
from app.units.models import Unit
from quizzes.models import Attempt, FixedPaperItem, PaperRule, Question, QuestionBank, Quiz
from quizzes.services.attempts import clamp_open_deadlines
from quizzes.services.papers import RuleSpec, quiz_bank_ids, rule_problems, rules_of, validate_rules
from quizzes.services.timing import window_status

CANDIDATES_SHOWN = 100


class SettingsProblem(Problem):
    """The change cannot be saved; `details` lists why (shown above the form)."""


@dataclass
class QuizSettings:
    """The settings form's values; times are Asia/Shanghai as typed, converted to UTC when applied."""

    campaign_id: int
    title: str
    opens_at_local: datetime
    closes_at_local: datetime
    time_limit_minutes: int
    rules_text: str = ""
    attempts_allowed: int = 1
    counting: str = "best"
    paper_mode: str = "random"
    shuffle_questions: bool = True
    shuffle_options: bool = True
    review_policy: str = "after_submit"
    partial_credit: bool = False
    partial_credit_percent: int = 50
    leave_limit: int | None = None
    bank_ids: list[int] = field(default_factory=list)
    eligible_unit_ids: list[int] = field(default_factory=list)


# ---------------------------------------------------------------- choices and listing

def campaign_choices() -> list[tuple[int, str]]:
    """Campaigns for the settings form, latest first."""
    return [(c.id, c.name) for c in db.session.scalars(
        sa.select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.id.desc()))]


def unit_choices() -> list[tuple[int, str]]:
    """Top-level units in display order (a unit's branches are included with it)."""
    return [(u.id, u.name) for u in db.session.scalars(
        sa.select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.sort_order, Unit.id))]


def bank_choices() -> list[tuple[int, str]]:
    """Question banks with their active question counts, by name."""
    counts = sa.select(sa.func.count(Question.id)).where(
        Question.bank_id == QuestionBank.id, Question.is_active.is_(True)).scalar_subquery()
    return [(bank_id, _("%(name)s（%(count)s 题）", name=name, count=count)) for bank_id, name, count in
            db.session.execute(sa.select(QuestionBank.id, QuestionBank.name, counts).order_by(QuestionBank.name))]


def settings_of(quiz: Quiz) -> QuizSettings:
    """The quiz's current settings as the form shows them."""
    return QuizSettings(
        campaign_id=quiz.campaign_id, title=quiz.title, rules_text=quiz.rules_text or "",
        opens_at_local=to_local(quiz.opens_at).replace(tzinfo=None),
        closes_at_local=to_local(quiz.closes_at).replace(tzinfo=None),
        time_limit_minutes=max(1, quiz.time_limit_seconds // 60), attempts_allowed=quiz.attempts_allowed,
        counting=quiz.counting, paper_mode=quiz.paper_mode, shuffle_questions=quiz.shuffle_questions,
        shuffle_options=quiz.shuffle_options, review_policy=quiz.review_policy,
        partial_credit=quiz.partial_credit, partial_credit_percent=round((quiz.partial_credit_ratio or 0.5) * 100),
        leave_limit=quiz.leave_limit, bank_ids=[bank.id for bank in quiz.banks],
        eligible_unit_ids=[unit.id for unit in quiz.eligible_units],
    )


@dataclass
class QuizLine:
    quiz: Quiz
    status: str
    attempts: int
    members: int
    open_attempts: int


def organiser_quizzes(now: datetime | None = None) -> list[QuizLine]:
    """Every quiz, newest window first, with attempt figures (two queries)."""
    quizzes = list(db.session.scalars(
        sa.select(Quiz).order_by(Quiz.opens_at.desc(), Quiz.id.desc()).options(selectinload(Quiz.campaign))))
    figures = {row.quiz_id: row for row in db.session.execute(
        sa.select(Attempt.quiz_id, sa.func.count(Attempt.id).label("attempts"),
                  sa.func.count(sa.distinct(Attempt.user_id)).label("members"),
                  sa.func.count(Attempt.open_slot).label("open"))
        .group_by(Attempt.quiz_id))}
    lines = []
    for quiz in quizzes:
        row = figures.get(quiz.id)
        lines.append(QuizLine(quiz, window_status(quiz, now), row.attempts if row else 0,
                              row.members if row else 0, row.open if row else 0))
    return lines


# ---------------------------------------------------------------- warnings

def settings_warnings(settings: QuizSettings) -> list[str]:
    """Settings that can be saved but defeat the quiz: answers shown on submitting while another attempt
    draws from the same bank(s) let a blank first attempt harvest the key for the next."""
    if settings.review_policy == "after_submit" and (settings.attempts_allowed or 1) > 1:
        return [_("注意：交卷后立即公布答案，又允许每人答题 %(n)s 次，而每次都从同一题库出题：成员可以先交白卷查看答案，"
                  "再用下一次作答得高分。建议把“答案与解析公布”改为“竞赛截止后公布”，或只允许答题 1 次。",
                  n=settings.attempts_allowed)]
    return []


# ---------------------------------------------------------------- saving settings

def _apply(quiz: Quiz, settings: QuizSettings) -> None:
    quiz.campaign_id = settings.campaign_id
    quiz.title = settings.title
    quiz.rules_text = settings.rules_text or ""
    quiz.opens_at = from_local(settings.opens_at_local)
    quiz.closes_at = from_local(settings.closes_at_local)
    quiz.time_limit_seconds = settings.time_limit_minutes * 60
    quiz.attempts_allowed = settings.attempts_allowed
    quiz.counting = settings.counting
    quiz.paper_mode = settings.paper_mode
    quiz.shuffle_questions = settings.shuffle_questions
    quiz.shuffle_options = settings.shuffle_options
    quiz.review_policy = settings.review_policy
    quiz.partial_credit = settings.partial_credit
    quiz.partial_credit_ratio = (settings.partial_credit_percent or 50) / 100
    quiz.leave_limit = settings.leave_limit or None
    quiz.banks = list(db.session.scalars(sa.select(QuestionBank).where(QuestionBank.id.in_(settings.bank_ids))))
    quiz.eligible_units = list(db.session.scalars(sa.select(Unit).where(Unit.id.in_(settings.eligible_unit_ids))))


def create_quiz(actor: User, settings: QuizSettings) -> Quiz:
    """A new, unpublished quiz with these settings (its paper is set up next)."""
    quiz = Quiz(is_published=False)
    _apply(quiz, settings)
    db.session.add(quiz)
    db.session.flush()
    record("quiz.created", target=quiz, actor=actor, summary=quiz.title)
    return quiz


def update_quiz(actor: User, quiz: Quiz, settings: QuizSettings) -> None:
    """Save new settings; refused (SettingsProblem) when the saved rules no longer fit the chosen banks."""
    old_close = quiz.closes_at
    if settings.paper_mode == "random" and quiz.rules:
        problems = rule_problems(sorted(set(settings.bank_ids)), rules_of(quiz))
        if problems:
            raise SettingsProblem(_("所选题库不足以按现有抽题规则组卷："), details=problems)
    _apply(quiz, settings)
    if quiz.is_published and validate_rules(quiz):
        raise SettingsProblem(_("已发布的竞赛必须能够组卷："), details=validate_rules(quiz))
    db.session.flush()
    if quiz.closes_at < old_close:
        clamp_open_deadlines(quiz)
    record("quiz.updated", target=quiz, actor=actor, summary=quiz.title)


# ---------------------------------------------------------------- paper

def save_rules(actor: User, quiz: Quiz, specs: list[RuleSpec]) -> None:
    """Replace the random-paper rules; refused (SettingsProblem, with the counts available) if the banks fall short."""
    problems = rule_problems(quiz_bank_ids(quiz), specs)
    if problems:
        raise SettingsProblem(problems[0], details=problems[1:])
    quiz.rules = []
    db.session.flush()  # free the (quiz, position) pairs before the new rules take them
    quiz.rules = [PaperRule(position=index, question_type=spec.question_type, count=spec.count,
                            points_each=spec.points_each, category=spec.category, difficulty=spec.difficulty)
                  for index, spec in enumerate(specs, start=1)]
    quiz.paper_mode = "random"
    db.session.flush()
    record("quiz.rules_saved", target=quiz, actor=actor, summary=quiz.title,
           rules=[[s.question_type, s.category, s.difficulty, s.count, s.points_each] for s in specs])


def paper_total(quiz: Quiz) -> tuple[int, float]:
    """(question count, full marks) of the quiz's paper as set up now."""
    if quiz.paper_mode == "fixed":
        return len(quiz.fixed_items), round(sum(item.points for item in quiz.fixed_items), 2)
    return sum(rule.count for rule in quiz.rules), round(sum(rule.count * rule.points_each for rule in quiz.rules), 2)


def submitted_count(quiz: Quiz) -> int:
    """How many attempts at the quiz have been submitted."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Attempt)
                             .where(Attempt.quiz_id == quiz.id, Attempt.submitted_at.is_not(None)))


def fixed_candidates(quiz: Quiz, *, question_type: str = "", category: str = "", text: str = "") -> list[Question]:
    """Active questions of the quiz's banks not yet on its fixed paper, filtered, at most CANDIDATES_SHOWN."""
    query = (sa.select(Question)
             .where(Question.bank_id.in_(quiz_bank_ids(quiz) or [-1]), Question.is_active.is_(True),
                    Question.id.not_in(sa.select(FixedPaperItem.question_id).where(FixedPaperItem.quiz_id == quiz.id)))
             .order_by(Question.bank_id, Question.id).limit(CANDIDATES_SHOWN))
    if question_type:
        query = query.where(Question.question_type == question_type)
    if category:
        query = query.where(Question.category == category)
    if text:
        query = query.where(Question.stem.like(like_pattern(text), escape="\\"))
    return list(db.session.scalars(query))


def categories_of(bank_ids: list[int]) -> list[str]:
    """The distinct non-empty categories of active questions in the banks."""
    if not bank_ids:
        return []
    return [c for c in db.session.scalars(
        sa.select(Question.category).where(Question.bank_id.in_(bank_ids), Question.is_active.is_(True),
                                           Question.category != "").distinct().order_by(Question.category))]


def add_fixed_questions(actor: User, quiz: Quiz, question_ids: list[int]) -> int:
    """Append questions of the quiz's banks to the fixed paper (their own points); returns how many were added."""
    present = {item.question_id for item in quiz.fixed_items}
    wanted = [qid for qid in dict.fromkeys(question_ids) if qid not in present]
    questions = {q.id: q for q in db.session.scalars(sa.select(Question).where(
        Question.id.in_(wanted), Question.bank_id.in_(quiz_bank_ids(quiz) or [-1]), Question.is_active.is_(True)))}
    position = max((item.position for item in quiz.fixed_items), default=0)
    added = 0
    for qid in wanted:
        question = questions.get(qid)
        if question is None:
            continue
        position += 1
        quiz.fixed_items.append(FixedPaperItem(position=position, question_id=qid, points=question.points or 1.0))
        added += 1
    if added:
        quiz.paper_mode = "fixed"
        db.session.flush()
        record("quiz.paper_changed", target=quiz, actor=actor, summary=quiz.title, added=added)
    return added


@dataclass(frozen=True)
class FixedRow:
    question_id: int
    position: int
    points: float
    remove: bool = False


def save_fixed_paper(actor: User, quiz: Quiz, rows: list[FixedRow]) -> None:
    """Reorder, re-point or remove fixed-paper questions; positions are renumbered 1..n in the chosen order."""
    by_question = {item.question_id: item for item in quiz.fixed_items}
    kept = [row for row in rows if row.question_id in by_question and not row.remove]
    kept.sort(key=lambda row: (row.position, by_question[row.question_id].position))
    keep_ids = {row.question_id for row in kept}
    quiz.fixed_items = [item for item in quiz.fixed_items if item.question_id in keep_ids]
    for item in quiz.fixed_items:  # park positions out of the way, then number them
        item.position = -item.id
    db.session.flush()
    for number, row in enumerate(kept, start=1):
        by_question[row.question_id].position = number
        by_question[row.question_id].points = row.points
    quiz.fixed_items.sort(key=lambda item: item.position)
    db.session.flush()
    record("quiz.paper_changed", target=quiz, actor=actor, summary=quiz.title, questions=len(kept))


def set_published(actor: User, quiz: Quiz, publish: bool) -> None:
    """Publish (members see it) or withdraw the quiz; publishing is refused while the paper cannot be assembled."""
    if publish:
        problems = validate_rules(quiz)
        if problems:
            raise SettingsProblem(problems[0], details=problems[1:])
    quiz.is_published = publish
    quiz.updated_at = utcnow()
    record("quiz.published" if publish else "quiz.unpublished", target=quiz, actor=actor, summary=quiz.title)
