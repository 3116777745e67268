"""The panel rule: from the judges' sheets for one contestant (or work) to its exact final score.

With at least `trim_from` (K, default 5) scoring judges, the `trim_each_end` (D, default 1) highest
and lowest are struck and the rest averaged; with fewer, all are averaged. Optionally each criterion
is trimmed on its own and the trimmed means summed. Optionally judges sit in weighted groups
(专家评委 70 / 大众评委 30): each group is trimmed by the same rule, then the means are weighted.
Deductions come off last. Who is in the panel:

- recused (回避) and absent (缺席, marked by the organiser) judges are simply not in it: the reduced
  panel applies, and the K threshold counts the judges who remain;
- a judge who should score but has no sheet is *missing*: the result is not final, carries no
  score, and names the missing judges; it cannot be ranked or finalised until the sheet is entered
  (代录) or the judge is marked absent.

Ties at the top or bottom: exactly one judge per struck place is struck, the one listed first in the
panel (seat order) among those tied; the result reports who was struck, which a page shows.
"""
from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from flask_babel import gettext as _

from app.common.problems import Problem
from events.judging.criteria import Criterion, check_score
from events.judging.deductions import Deduction, total_deduction
from events.judging.numbers import as_decimal, decimal_sum, exact, fraction_mean

HIGH, LOW = "high", "low"
WEIGHT_STEP = Decimal("0.01")
_ONE_GROUP = ""  # without weights every judge is in this one group, weighted 100


@dataclass(frozen=True)
class PanelRule:
    """K and D of the trimmed mean, whether to trim per criterion, and optional group weights in
    percent ({"专家评委": 70, "大众评委": 30}; empty: one unweighted panel)."""

    trim_from: int = 5
    trim_each_end: int = 1
    per_criterion: bool = False
    group_weights: Mapping[str, Decimal] = field(default_factory=dict, hash=False)

    def validate(self) -> PanelRule:
        """K and D are whole numbers with at least one score left after trimming (K ≥ 2D + 1), and
        group weights are positive percentages on the 0.01 step that sum to exactly 100."""
        if (not isinstance(self.trim_from, int) or not isinstance(self.trim_each_end, int)
                or self.trim_each_end < 0 or self.trim_from < 2 * self.trim_each_end + 1):
            raise Problem(_("去掉最高分和最低分后至少要留下一个评分"), "trim")
        if self.group_weights:
            weights = [as_decimal(weight) for weight in self.group_weights.values()]
            if any(weight <= 0 or weight % WEIGHT_STEP != 0 for weight in weights):
                raise Problem(_("评委组权重须大于 0，且最多两位小数"), "group_weights")
            if sum(weights) != 100:
                raise Problem(_("各评委组权重之和须为 100%%，现为 %(total)s%%", total=sum(weights)),
                              "group_weights")
        return self


@dataclass(frozen=True)
class Trim:
    """Which positions of a list of scores are kept and which are struck as highest or lowest."""

    kept: tuple[int, ...]
    struck_low: tuple[int, ...]
    struck_high: tuple[int, ...]


@dataclass(frozen=True)
class JudgeLine:
    """One scoring judge's sheet in a result: total, criterion scores (if given), and what was struck:
    `struck` (HIGH/LOW) when totals are trimmed, `struck_in` {criterion: HIGH/LOW} per criterion."""

    judge: Hashable
    group: str
    total: Decimal
    scores: Mapping[str, Decimal] | None = None
    struck: str | None = None
    struck_in: Mapping[str, str] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class GroupLine:
    """One judge group's part: its weight (percent), how many judges scored and were kept, and its
    trimmed and untrimmed means (exact)."""

    name: str
    weight: Decimal
    scoring: int
    kept: int
    trimmed_mean: Decimal
    untrimmed_mean: Decimal


@dataclass(frozen=True)
class PanelResult:
    """The result for one subject (contestant or work): `exact` is the final score (trimmed mean minus
    deductions), `criterion_means` each criterion trimmed on its own by the same rule (for criterion
    tie-breaks and awards). When `final` is False, `missing_judges` names who has not scored and the
    score fields are None."""

    subject: Hashable
    rule: PanelRule
    final: bool
    judges: tuple[JudgeLine, ...]
    missing_judges: tuple = ()
    recused_judges: tuple = ()
    absent_judges: tuple = ()
    groups: tuple[GroupLine, ...] = ()
    deductions: tuple[Deduction, ...] = ()
    trimmed_mean: Decimal | None = None
    untrimmed_mean: Decimal | None = None
    criterion_means: Mapping[str, Decimal] = field(default_factory=dict, hash=False)
    exact: Decimal | None = None

    @property
    def struck(self) -> tuple[tuple[Hashable, str], ...]:
        """(judge, HIGH/LOW) for every total struck, in panel order (empty when trimming per criterion)."""
        return tuple((line.judge, line.struck) for line in self.judges if line.struck)

    @property
    def deducted(self) -> Decimal:
        """The points the deductions took off."""
        return total_deduction(self.deductions)


def trim(values: Sequence[Decimal], trim_from: int = 5, trim_each_end: int = 1) -> Trim:
    """With at least `trim_from` values the `trim_each_end` lowest and highest are struck, each tie
    resolved by striking the earliest position; with fewer values nothing is struck."""
    positions = range(len(values))
    if len(values) < trim_from or trim_each_end == 0:
        return Trim(tuple(positions), (), ())
    low = sorted(positions, key=lambda i: (values[i], i))[:trim_each_end]
    rest = [i for i in positions if i not in low]
    high = sorted(rest, key=lambda i: (-values[i], i))[:trim_each_end]
    kept = tuple(i for i in positions if i not in low and i not in high)
    return Trim(kept, tuple(sorted(low)), tuple(sorted(high)))


def trimmed_mean(values: Sequence[Decimal], trim_from: int = 5, trim_each_end: int = 1) -> Decimal:
    """The mean of the values `trim` keeps (exact to EXACT_DIGITS digits)."""
    values = [as_decimal(value) for value in values]
    if not values:
        raise Problem(_("没有可计分的评委"))
    kept = trim(values, trim_from, trim_each_end).kept
    return exact(fraction_mean(values[i] for i in kept))


def _judge_label(judges) -> str:
    """Judges named in a message, in a stable order."""
    return "、".join(sorted(str(judge) for judge in judges)) if isinstance(judges, set) else \
        "、".join(str(judge) for judge in judges)


def _normalise_sheet(judge, sheet, criteria: Sequence[Criterion] | None):
    """(total, scores or None) of one sheet, checked against `criteria` when given."""
    if isinstance(sheet, Mapping):
        if criteria is not None:
            names = [criterion.name for criterion in criteria]
            if set(sheet) != set(names):
                raise Problem(_("评委 %(judge)s 的评分表与评分项不一致", judge=judge), "sheets")
            scores = {c.name: check_score(as_decimal(sheet[c.name]), c, confirmed=True) for c in criteria}
        else:
            scores = {name: as_decimal(score) for name, score in sheet.items()}
        return decimal_sum(scores.values()), scores
    total = as_decimal(sheet)
    if total < 0 or (criteria is not None and total > sum(c.maximum for c in criteria)):
        raise Problem(_("评委 %(judge)s 的总分超出范围", judge=judge), "sheets")
    return total, None


def _criterion_names(lines: Sequence[JudgeLine], criteria: Sequence[Criterion] | None) -> list[str]:
    """The criteria every sheet has, in sheet order; empty when some sheet gives only a total."""
    if not lines or any(line.scores is None for line in lines):
        return []
    names = [c.name for c in criteria] if criteria is not None else list(lines[0].scores)
    for line in lines:
        if set(line.scores) != set(names):
            raise Problem(_("评委 %(judge)s 的评分表与评分项不一致", judge=line.judge), "sheets")
    return names


def panel_result(subject: Hashable, panel: Sequence[Hashable], sheets: Mapping[Hashable, object], *,
                 rule: PanelRule | None = None, recused=(), absent=(),
                 groups: Mapping[Hashable, str] | None = None, deductions: Sequence[Deduction] = (),
                 criteria: Sequence[Criterion] | None = None) -> PanelResult:
    """A subject's score is the (group-weighted) trimmed mean of its panel minus its deductions, where
    the panel is every judge in `panel` not recused or absent, and any such judge without a sheet
    makes the result not final."""
    rule = (rule or PanelRule()).validate()
    panel = list(panel)
    if len(set(panel)) != len(panel):
        raise Problem(_("评委名单中有重复的评委"), "panel")
    recused, absent = set(recused), set(absent)
    outsiders = (recused | absent | set(sheets)) - set(panel)
    if outsiders:
        raise Problem(_("评委 %(judge)s 不在本场评委名单中", judge=_judge_label(outsiders)), "panel")
    for judge in panel:
        if judge in sheets and judge in recused | absent:
            raise Problem(_("评委 %(judge)s 已回避或缺席，其评分不能计入", judge=judge), "sheets")
    scoring = [judge for judge in panel if judge not in recused and judge not in absent]
    if not scoring:
        raise Problem(_("没有可计分的评委"), "panel")
    group_of = _groups_of(scoring, rule, groups)
    lines = []
    for judge in scoring:
        if judge in sheets:
            total, scores = _normalise_sheet(judge, sheets[judge], criteria)
            lines.append(JudgeLine(judge, group_of[judge], total, scores))
    common = dict(subject=subject, rule=rule, recused_judges=tuple(j for j in panel if j in recused),
                  absent_judges=tuple(j for j in panel if j in absent), deductions=tuple(deductions))
    missing = tuple(judge for judge in scoring if judge not in sheets)
    if missing:
        return PanelResult(final=False, judges=tuple(lines), missing_judges=missing, **common)
    names = _criterion_names(lines, criteria)
    if rule.per_criterion and not names:
        raise Problem(_("分项去掉最高分和最低分需要每位评委的分项评分"), "sheets")
    return _score(lines, names, rule, common)


def _groups_of(scoring, rule: PanelRule, groups) -> dict:
    """Each scoring judge's group: the one group "" without weights, else the group named in `groups`,
    which must carry a weight; every weighted group needs at least one scoring judge."""
    if not rule.group_weights:
        return {judge: _ONE_GROUP for judge in scoring}
    groups = groups or {}
    group_of = {}
    for judge in scoring:
        name = groups.get(judge)
        if name not in rule.group_weights:
            raise Problem(_("评委 %(judge)s 不属于任何有权重的评委组", judge=judge), "groups")
        group_of[judge] = name
    for name in rule.group_weights:
        if name not in group_of.values():
            raise Problem(_("评委组“%(group)s”没有可计分的评委", group=name), "groups")
    return group_of


def _score(lines: list[JudgeLine], names: list[str], rule: PanelRule, common: dict) -> PanelResult:
    """Each group trimmed (by totals, or per criterion and summed), weighted, minus the deductions; the
    arithmetic is on exact fractions and each published number is one correctly rounded Decimal."""
    weights = dict(rule.group_weights) or {_ONE_GROUP: Decimal(100)}
    struck: dict[int, str] = {}
    struck_in: dict[int, dict[str, str]] = {index: {} for index in range(len(lines))}
    trimmed_total = untrimmed_total = Fraction(0)
    criterion_totals = {name: Fraction(0) for name in names}
    group_lines = []
    for group, weight in weights.items():
        members = [index for index, line in enumerate(lines) if line.group == group]
        share = Fraction(as_decimal(weight)) / 100
        per_criterion = {}
        for name in names:
            values = [lines[i].scores[name] for i in members]
            cut = trim(values, rule.trim_from, rule.trim_each_end)
            per_criterion[name] = fraction_mean(values[k] for k in cut.kept)
            criterion_totals[name] += share * per_criterion[name]
            if rule.per_criterion:
                for side, positions in ((LOW, cut.struck_low), (HIGH, cut.struck_high)):
                    for position in positions:
                        struck_in[members[position]][name] = side
        totals = [lines[i].total for i in members]
        if rule.per_criterion:
            mean = sum(per_criterion.values(), Fraction(0))
            kept = len(trim(totals, rule.trim_from, rule.trim_each_end).kept)
        else:
            cut = trim(totals, rule.trim_from, rule.trim_each_end)
            for side, positions in ((LOW, cut.struck_low), (HIGH, cut.struck_high)):
                for position in positions:
                    struck[members[position]] = side
            mean = fraction_mean(totals[k] for k in cut.kept)
            kept = len(cut.kept)
        untrimmed = fraction_mean(totals)
        trimmed_total += share * mean
        untrimmed_total += share * untrimmed
        group_lines.append(GroupLine(group, as_decimal(weight), len(members), kept, exact(mean), exact(untrimmed)))
    judges = tuple(
        JudgeLine(line.judge, line.group, line.total, line.scores, struck.get(index), struck_in[index])
        for index, line in enumerate(lines)
    )
    final = trimmed_total - Fraction(total_deduction(common["deductions"]))
    return PanelResult(
        final=True, judges=judges, groups=tuple(group_lines), trimmed_mean=exact(trimmed_total),
        untrimmed_mean=exact(untrimmed_total), exact=exact(final),
        criterion_means={name: exact(value) for name, value in criterion_totals.items()}, **common,
    )


def require_final(result: PanelResult) -> PanelResult:
    """A result can be ranked, published or finalised only when no judge's sheet is missing."""
    if not result.final:
        raise Problem(_("%(subject)s 尚有评委未提交评分：%(judges)s", subject=result.subject,
                        judges=_judge_label(result.missing_judges)), "results")
    return result


def panel_progress(result: PanelResult) -> tuple[int, int]:
    """(sheets in, sheets expected) for "评委 7/9 已提交": recused and absent judges are not expected."""
    return len(result.judges), len(result.judges) + len(result.missing_judges)
