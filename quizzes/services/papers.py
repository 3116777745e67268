"""Papers: which questions a member is given, in what order, and how options are shown.

A paper is either fixed (the organiser's list) or drawn from rules ("10 单选 from 党史, 5 多选 …").
Every draw is made by random.Random(seed), so one seed always gives the same paper; the seed, the
questions, their points and the displayed option order are recorded on the attempt.

With shuffle_questions on, questions are shuffled within each run of the same type, so the
sections of a paper (单选, 多选, 判断, 填空) stay together. With shuffle_options on, the options of
single and multiple choice questions are shown in a per-item order (judge and fill never).
"""
import random
import secrets
from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import gettext as _

from app.common.problems import Problem
from app.extensions import db
from quizzes.models import (
    OPTION_LETTERS,
    QUESTION_TYPES,
    FixedPaperItem,
    PaperRule,
    Question,
    Quiz,
    question_type_label,
    quiz_banks,
)

MAX_PAPER_QUESTIONS = 300
MAX_RULES = 30


class PaperError(Problem):
    """The quiz's paper cannot be assembled (rules ask for more than the banks hold, empty paper)."""


class PaperEntry(NamedTuple):
    question: "sa.Row"  # a plain row of the question (_QUESTION_COLUMNS: what a paper keeps, and how it was drawn)
    points: float
    option_order: list[int]


@dataclass(frozen=True)
class RuleSpec:
    """One random-paper rule as plain data (what the rules editor submits, or a saved PaperRule)."""

    question_type: str
    count: int
    points_each: float
    category: str = ""
    difficulty: str = ""

    def describe(self) -> str:
        parts = [question_type_label(self.question_type)]
        if self.category:
            parts.append(_("分类「%(category)s」", category=self.category))
        if self.difficulty:
            parts.append(_("难度「%(difficulty)s」", difficulty=self.difficulty))
        return " · ".join(parts)

    def accepts(self, question_type: str, category: str, difficulty: str) -> bool:
        return (question_type == self.question_type
                and (not self.category or category == self.category)
                and (not self.difficulty or difficulty == self.difficulty))


def new_seed() -> int:
    """A fresh seed for one attempt's draw (fits a signed 64-bit column)."""
    return secrets.randbits(62)


# ---------------------------------------------------------------- pools and validation

def _pool_rows(bank_ids: list[int]) -> list[tuple[int, str, str, str]]:
    """(id, type, category, difficulty) of every active question in the banks, by id (one query)."""
    if not bank_ids:
        return []
    return [tuple(row) for row in db.session.execute(
        sa.select(Question.id, Question.question_type, Question.category, Question.difficulty)
        .where(Question.bank_id.in_(bank_ids), Question.is_active.is_(True))
        .order_by(Question.id)
    )]


def quiz_bank_ids(quiz: Quiz) -> list[int]:
    """Ids of the banks the quiz draws from."""
    if quiz.id is None:
        return [bank.id for bank in quiz.banks]
    return list(db.session.scalars(sa.select(quiz_banks.c.bank_id).where(quiz_banks.c.quiz_id == quiz.id)))


def available_summary(bank_ids: list[int]) -> list[tuple[str, str, int]]:
    """(type, category, active question count) for the banks, to guide the rules editor (one query)."""
    if not bank_ids:
        return []
    rows = db.session.execute(
        sa.select(Question.question_type, Question.category, sa.func.count(Question.id))
        .where(Question.bank_id.in_(bank_ids), Question.is_active.is_(True))
        .group_by(Question.question_type, Question.category)
    ).all()
    order = {name: index for index, name in enumerate(QUESTION_TYPES)}
    return sorted(((t, c or "", n) for t, c, n in rows), key=lambda row: (order.get(row[0], 9), row[1]))


def rule_problems(bank_ids: list[int], rules: list[RuleSpec]) -> list[str]:
    """Why these rules cannot always be drawn from the banks (with the counts available); [] if they can.

    Overlapping rules ("10 单选 any" and "5 单选 from 党史") are checked together: every group of
    rules must find at least as many distinct questions as it asks for.
    """
    problems: list[str] = []
    if not bank_ids:
        problems.append(_("请先选择出题题库"))
    if not rules:
        problems.append(_("随机组卷至少需要一条抽题规则"))
    if len(rules) > MAX_RULES:
        problems.append(_("抽题规则最多 %(n)s 条", n=MAX_RULES))
    if sum(rule.count for rule in rules) > MAX_PAPER_QUESTIONS:
        problems.append(_("一份试卷最多 %(n)s 道题", n=MAX_PAPER_QUESTIONS))
    if problems and not (bank_ids and rules):
        return problems
    pool = _pool_rows(bank_ids)
    matches = [{qid for qid, qtype, category, difficulty in pool if rule.accepts(qtype, category, difficulty)}
               for rule in rules]
    for index, (rule, found) in enumerate(zip(rules, matches, strict=True), start=1):
        if rule.count > len(found):
            problems.append(_("第 %(index)s 条规则（%(rule)s）需要 %(wanted)s 道题，所选题库中只有 %(available)s 道可用",
                              index=index, rule=rule.describe(), wanted=rule.count, available=len(found)))
    if problems:
        return problems
    # Overlapping rules of one type: each group needs as many distinct questions as it asks for.
    by_type: dict[str, list[int]] = defaultdict(list)
    for index, rule in enumerate(rules):
        by_type[rule.question_type].append(index)
    for indexes in by_type.values():
        if len(indexes) < 2 or len(indexes) > 12:
            continue
        for size in range(2, len(indexes) + 1):
            for group in combinations(indexes, size):
                wanted = sum(rules[i].count for i in group)
                found = len(set().union(*(matches[i] for i in group)))
                if wanted > found:
                    names = "、".join(str(i + 1) for i in group)
                    problems.append(_("第 %(rules)s 条规则共需要 %(wanted)s 道不同的题，所选题库中只有 %(available)s 道可用",
                                      rules=names, wanted=wanted, available=found))
                    return problems
    return problems


def fixed_problems(quiz: Quiz) -> list[str]:
    """Why the fixed paper cannot be given as it stands (empty, inactive questions); [] if fine."""
    if not quiz.fixed_items:
        return [_("固定试卷还没有选题")]
    problems = []
    for item in quiz.fixed_items:
        if not item.question.is_active:
            problems.append(_("第 %(position)s 题已停用，请移出试卷或在题库中重新启用", position=item.position))
    return problems


def rules_of(quiz: Quiz) -> list[RuleSpec]:
    """The quiz's saved rules as plain data, in order."""
    return [RuleSpec(rule.question_type, rule.count, rule.points_each, rule.category or "", rule.difficulty or "")
            for rule in quiz.rules]


def validate_rules(quiz: Quiz) -> list[str]:
    """Everything that stops this quiz's paper from being assembled; [] when it can be."""
    if quiz.paper_mode == "fixed":
        return fixed_problems(quiz)
    return rule_problems(quiz_bank_ids(quiz), rules_of(quiz))


# ---------------------------------------------------------------- assembly

def assemble_paper(quiz: Quiz, seed: int) -> list[PaperEntry]:
    """The paper for `seed`: (question, points, option order) in display order; same seed, same paper."""
    rng = random.Random(seed)
    chosen = _fixed(quiz) if quiz.paper_mode == "fixed" else _draw(quiz, rng)
    if not chosen:
        raise PaperError(_("试卷没有题目"))
    if quiz.shuffle_questions:
        chosen = _shuffle_within_types(chosen, rng)
    return [PaperEntry(question, points, option_order_for(question, quiz.shuffle_options, rng))
            for question, points in chosen]


def option_order_for(question: Question, shuffle: bool, rng: random.Random) -> list[int]:
    """Displayed position -> original option index; shuffled only for single and multiple choice."""
    if question.question_type not in ("single", "multiple"):
        return []
    order = list(range(len(question.options or [])))
    if shuffle:
        rng.shuffle(order)
    return order


# A paper is drawn at every start (a thousand in the first minute of a quiz): its questions are read as
# plain rows of what the paper keeps, by statements built once, never as ORM objects.
_QUESTION_COLUMNS = (Question.id, Question.question_type, Question.stem, Question.options, Question.answer,
                     Question.explanation, Question.category, Question.difficulty)
_QUESTIONS = sa.select(*_QUESTION_COLUMNS).where(Question.id.in_(sa.bindparam("p_ids", expanding=True)))
_FIXED = (
    sa.select(*_QUESTION_COLUMNS, FixedPaperItem.points.label("paper_points"))
    .join(FixedPaperItem, FixedPaperItem.question_id == Question.id)
    .where(FixedPaperItem.quiz_id == sa.bindparam("p_quiz"), Question.is_active.is_(True))
    .order_by(FixedPaperItem.position)
)
_RULES = (
    sa.select(PaperRule.question_type, PaperRule.count, PaperRule.points_each, PaperRule.category,
              PaperRule.difficulty)
    .where(PaperRule.quiz_id == sa.bindparam("p_quiz")).order_by(PaperRule.position)
)


def _rows(statement, parameters: dict):
    """A Core statement's rows, run on the session's connection (no ORM execute: nothing is pending)."""
    return db.session.connection().execute(statement, parameters)


def _fixed(quiz: Quiz) -> list[tuple[sa.Row, float]]:
    return [(row, row.paper_points) for row in _rows(_FIXED, {"p_quiz": quiz.id})]


def _drawing_rules(quiz: Quiz) -> list[RuleSpec]:
    """rules_of(quiz), read as plain rows when the quiz's rules are not loaded already."""
    if quiz.id is None or "rules" not in sa.inspect(quiz).unloaded:
        return rules_of(quiz)
    return [RuleSpec(row.question_type, row.count, row.points_each, row.category or "", row.difficulty or "")
            for row in _rows(_RULES, {"p_quiz": quiz.id})]


def _specificity(rule: RuleSpec) -> int:
    return (2 if rule.category else 0) + (1 if rule.difficulty else 0)


def _quiz_pool_rows(quiz: Quiz) -> list[tuple[int, str, str, str]]:
    """_pool_rows of the quiz's own banks, in the same query as the bank ids."""
    if quiz.id is None:
        return _pool_rows(quiz_bank_ids(quiz))
    return [tuple(row) for row in _rows(_QUIZ_POOL, {"p_quiz": quiz.id})]


_QUIZ_POOL = (
    sa.select(Question.id, Question.question_type, Question.category, Question.difficulty)
    .where(Question.bank_id.in_(sa.select(quiz_banks.c.bank_id).where(quiz_banks.c.quiz_id == sa.bindparam("p_quiz"))),
           Question.is_active.is_(True))
    .order_by(Question.id)
)


def _draw(quiz: Quiz, rng: random.Random) -> list[tuple[sa.Row, float]]:
    rules = _drawing_rules(quiz)
    pool = _quiz_pool_rows(quiz)
    candidates = []
    for rule in rules:
        ids = [qid for qid, qtype, category, difficulty in pool if rule.accepts(qtype, category, difficulty)]
        rng.shuffle(ids)
        candidates.append(ids)
    owner: dict[int, int] = {}  # question id -> index of the rule it was drawn for
    picked: list[list[int]] = [[] for _ in rules]
    # Narrow rules first, so that a broad rule does not use up the questions a narrow one needs.
    for index in sorted(range(len(rules)), key=lambda i: (-_specificity(rules[i]), i)):
        for qid in candidates[index]:
            if len(picked[index]) == rules[index].count:
                break
            if qid not in owner:
                owner[qid] = index
                picked[index].append(qid)
        while len(picked[index]) < rules[index].count:
            if not _augment(index, candidates, owner, picked, set()):
                raise PaperError(_("题库中可用的题目不足以按规则组卷"))
    by_id = {row.id: row for row in _rows(_QUESTIONS, {"p_ids": list(owner)})}
    chosen = []
    for index, rule in enumerate(rules):
        ids = picked[index] if quiz.shuffle_questions else sorted(picked[index])
        chosen.extend((by_id[qid], rule.points_each) for qid in ids)
    return chosen


def _augment(index: int, candidates, owner: dict[int, int], picked, visited: set[int]) -> bool:
    """Give rule `index` one more question, moving another rule to a free question if need be."""
    for qid in candidates[index]:
        if qid in visited or owner.get(qid) == index:
            continue
        visited.add(qid)
        holder = owner.get(qid)
        if holder is None or _augment(holder, candidates, owner, picked, visited):
            if holder is not None:
                picked[holder].remove(qid)
            owner[qid] = index
            picked[index].append(qid)
            return True
    return False


def _shuffle_within_types(chosen, rng: random.Random):
    runs: list[list] = []
    for entry in chosen:
        if runs and runs[-1][0][0].question_type == entry[0].question_type:
            runs[-1].append(entry)
        else:
            runs.append([entry])
    result = []
    for run in runs:
        rng.shuffle(run)
        result.extend(run)
    return result


# ---------------------------------------------------------------- displayed letters

def displayed_options(options: list, option_order: list[int]) -> list[str]:
    """Option texts in the order the member sees them."""
    if not option_order:
        return list(options or [])
    return [options[index] for index in option_order]


def to_original(question_type: str, response, option_order: list[int]):
    """A response in displayed letters as original letters (how responses are stored)."""
    if response is None or question_type not in ("single", "multiple") or not option_order:
        return response
    if question_type == "single":
        return OPTION_LETTERS[option_order[OPTION_LETTERS.index(response)]]
    return sorted(OPTION_LETTERS[option_order[OPTION_LETTERS.index(letter)]] for letter in response)


def to_displayed(question_type: str, response, option_order: list[int]):
    """A stored response or key (original letters) as the letters the member saw."""
    if response is None or question_type not in ("single", "multiple") or not option_order:
        return response
    shown = {original: OPTION_LETTERS[position] for position, original in enumerate(option_order)}
    if question_type == "single":
        return shown[OPTION_LETTERS.index(response)]
    return sorted(shown[OPTION_LETTERS.index(letter)] for letter in response)
