"""Criteria (评分项) and the check of one judge's entry: blank, out of range and off-step are refused.

A score is checked as a Decimal parsed from the text the judge typed: never a float (0.1 is not
representable), and a blank never counts as 0. Off-step is tested with Decimal remainder, exact.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _

from app.common.problems import Problem
from events.judging.numbers import as_decimal, decimal_sum

STEPS = (Decimal("0.1"), Decimal("0.01"))
_LONGEST_NUMBER = 20  # "100.00" needs 6; a longer text is not a score a judge typed


@dataclass(frozen=True)
class Criterion:
    """One line of the score sheet: `name` (unique on the sheet), a maximum, a step (0.1 or 0.01),
    and an optional soft range outside which a score needs a second confirmation with a note."""

    name: str
    maximum: Decimal
    step: Decimal = Decimal("0.1")
    soft_minimum: Decimal | None = None
    soft_maximum: Decimal | None = None
    description: str = ""

    @property
    def has_soft_range(self) -> bool:
        """Whether some valid scores need a second confirmation."""
        return self.soft_minimum is not None or self.soft_maximum is not None


class NeedsConfirmation(Problem):
    """A valid score outside the criterion's soft range: the judge confirms it again with a note."""


class SheetProblem(Problem):
    """Several problems on one sheet; `problems` holds each one with its field, the message is the first."""

    def __init__(self, problems: Sequence[Problem]):
        super().__init__(problems[0].message, problems[0].field)
        self.problems = list(problems)


def default_criteria() -> tuple[Criterion, ...]:
    """The default speech sheet: 演讲内容 40, 语言表达 30, 形象风度 10, 综合印象 20 = 100, step 0.1.
    The names are data, not interface text: they key every stored sheet, so they never change with
    the viewer's language (an English page would otherwise send and read "Content" sheets)."""
    return (
        Criterion("演讲内容", Decimal(40)),
        Criterion("语言表达", Decimal(30)),
        Criterion("形象风度", Decimal(10)),
        Criterion("综合印象", Decimal(20)),
    )


def validate_criteria(criteria: Sequence[Criterion]) -> tuple[Criterion, ...]:
    """A sheet has at least one criterion, unique names, a step of 0.1 or 0.01, a positive maximum on
    the step, and a soft range inside 0..maximum; otherwise a Problem names the criterion."""
    if not criteria:
        raise Problem(_("评分表至少要有一个评分项"), "criteria")
    seen = set()
    for criterion in criteria:
        if criterion.name in seen:
            raise Problem(_("评分项“%(criterion)s”重复", criterion=criterion.name), "criteria")
        seen.add(criterion.name)
        if criterion.step not in STEPS:
            raise Problem(_("“%(criterion)s”的分值步长须为 0.1 或 0.01", criterion=criterion.name), "step")
        maximum = as_decimal(criterion.maximum)
        if maximum <= 0 or maximum % criterion.step != 0:
            raise Problem(_("“%(criterion)s”的满分须大于 0，且为步长的整数倍", criterion=criterion.name),
                          "maximum")
        for bound in (criterion.soft_minimum, criterion.soft_maximum):
            if bound is not None and not 0 <= as_decimal(bound) <= maximum:
                raise Problem(_("“%(criterion)s”的常用范围须在 0 至满分之间", criterion=criterion.name),
                              "soft_range")
        if (criterion.soft_minimum is not None and criterion.soft_maximum is not None
                and criterion.soft_minimum > criterion.soft_maximum):
            raise Problem(_("“%(criterion)s”的常用范围下限不能高于上限", criterion=criterion.name), "soft_range")
    return tuple(criteria)


def parse_score(value, criterion: Criterion, field: str | None = None) -> Decimal:
    """The Decimal a judge typed for `criterion`; a blank (None, "", spaces) or non-number is a Problem,
    never 0."""
    field = field or criterion.name
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        number = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            raise Problem(_("请填写%(criterion)s", criterion=criterion.name), field)
        if len(text) > _LONGEST_NUMBER:
            raise Problem(_("%(criterion)s须填写数字", criterion=criterion.name), field)
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise Problem(_("%(criterion)s须填写数字", criterion=criterion.name), field) from None
    elif value is None:
        raise Problem(_("请填写%(criterion)s", criterion=criterion.name), field)
    else:
        as_decimal(value)  # a float or anything else: a programming error, raised as TypeError
        raise AssertionError("unreachable")
    if not number.is_finite():
        raise Problem(_("%(criterion)s须填写数字", criterion=criterion.name), field)
    return number


def check_score(value, criterion: Criterion, *, field: str | None = None, confirmed: bool = False) -> Decimal:
    """A score is a number from 0 to the criterion's maximum on its step (blank, out of range and
    off-step are refused beside `field`); outside the soft range it also needs `confirmed`."""
    field = field or criterion.name
    number = parse_score(value, criterion, field)
    if not 0 <= number <= criterion.maximum:
        raise Problem(_("%(criterion)s应在 0 至 %(maximum)s 分之间", criterion=criterion.name,
                        maximum=criterion.maximum), field)
    if number % criterion.step != 0:
        raise Problem(_("%(criterion)s的分值须为 %(step)s 的整数倍", criterion=criterion.name,
                        step=criterion.step), field)
    # "4E1", "40", "-0" → 40.0, 40.0, 0.0: one spelling per value
    number = (abs(number) if number == 0 else number).quantize(criterion.step)
    low, high = criterion.soft_minimum, criterion.soft_maximum
    outside = (low is not None and number < low) or (high is not None and number > high)
    if outside and not confirmed:
        raise NeedsConfirmation(_(
            "%(criterion)s为 %(value)s 分，超出常用范围 %(low)s–%(high)s，请再次确认并填写说明",
            criterion=criterion.name, value=number,
            low=low if low is not None else 0, high=high if high is not None else criterion.maximum), field)
    return number


def check_sheet(values: Mapping[str, object], criteria: Sequence[Criterion], *,
                notes: Mapping[str, str] | None = None) -> dict[str, Decimal]:
    """A sheet is valid when every criterion has a valid score and nothing else is on it; a score
    outside its soft range counts only with a non-blank note; all problems are raised together."""
    notes = notes or {}
    problems: list[Problem] = []
    scores: dict[str, Decimal] = {}
    known = {criterion.name for criterion in criteria}
    for name in values:
        if name not in known:
            problems.append(Problem(_("评分表中没有“%(criterion)s”这一项", criterion=name), None))
    for criterion in criteria:
        note = (notes.get(criterion.name) or "").strip()
        try:
            scores[criterion.name] = check_score(values.get(criterion.name), criterion, confirmed=bool(note))
        except Problem as problem:
            problems.append(problem)
    if problems:
        raise SheetProblem(problems)
    return scores


def sheet_total(scores: Mapping[str, Decimal]) -> Decimal:
    """A judge's total is the exact sum of their criterion scores."""
    return decimal_sum(scores.values())
