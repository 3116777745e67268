"""A round's results, per category, by the round's method, and advancement to the next round.

- score / criteria: each work's panel is the judges assigned to it (in assignment order, the seat
  order for struck ties); events/judging/rules.panel_result gives the trimmed mean (K and D of the
  round, the small-panel rule: fewer than K scores are all averaged), standings.rank_results ranks
  on the exact value (tie-break: the higher untrimmed mean, then a shared rank).
- shortlist: a work's value is its number of 入选 (yes) votes; more is better, equal counts share.
- ranking: each judge puts their works in order 1..n; a work's value is the exact mean of the places
  it was given (lower is better); equal means share a rank.

When a round is closed with missing scores, the judges who did not score a work are left out of its
panel (the reduced panel rule applies to what was scored), the result is marked not final and the
close reason is stated with it; a work nobody scored has no value and no rank.

Advancement: `top` N — every work ranked N or better in its category (a tie at N takes all tied);
`threshold` — score (or yes votes) at least the value, for ranking a mean place at most the value;
`none` — the last round.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import sqlalchemy as sa

from app.common.ranking import competition_ranks
from app.extensions import db
from events.exhibition.models import Work
from events.exhibition.round_models import (
    ExhibitionAssignment,
    ExhibitionRound,
    ExhibitionRoundResult,
    ExhibitionSheet,
)
from events.judging.numbers import exact, fraction_mean, shown
from events.judging.rules import PanelRule, panel_result
from events.judging.standings import HIGHER_UNTRIMMED_MEAN, rank_results

YES = "入选"
PLACE = "名次"


@dataclass
class ResultLine:
    """One work's result in a round: value (exact Decimal or None), its text, rank, advancement."""

    work: Work
    value: Decimal | None
    display: str
    rank: int | None
    advanced: bool
    final: bool
    sheets: int
    expected: int


def _panels(round_: ExhibitionRound):
    """Works of the round (with their assigned judges in order) and the submitted sheets by work."""
    assignments = db.session.execute(
        sa.select(ExhibitionAssignment.work_id, ExhibitionAssignment.judge_id)
        .where(ExhibitionAssignment.round_id == round_.id).order_by(ExhibitionAssignment.id)).all()
    panel: dict[int, list[int]] = defaultdict(list)
    for work_id, judge_id in assignments:
        panel[work_id].append(judge_id)
    sheets: dict[int, dict[int, dict]] = defaultdict(dict)
    for sheet in db.session.scalars(sa.select(ExhibitionSheet).where(ExhibitionSheet.round_id == round_.id)):
        if sheet.judge_id in panel.get(sheet.work_id, ()):
            sheets[sheet.work_id][sheet.judge_id] = sheet.score_values
    works = {work.id: work for work in db.session.scalars(sa.select(Work).where(Work.id.in_(list(panel))))}
    return works, panel, sheets


def _advances(round_: ExhibitionRound, value: Decimal | None, rank: int | None) -> bool:
    if value is None or round_.advance_kind == "none" or round_.advance_value is None:
        return False
    if round_.advance_kind == "top":
        return rank is not None and rank <= int(round_.advance_value)
    if round_.method == "ranking":
        return value <= round_.advance_value
    return value >= round_.advance_value


def compute_results(round_: ExhibitionRound) -> dict[int, list[ResultLine]]:
    """The round's results per category id, best first (works without a value last, by number)."""
    from events.exhibition.services.rounds import criteria_of

    works, panel, sheets = _panels(round_)
    by_category: dict[int, list[int]] = defaultdict(list)
    for work_id in sorted(works, key=lambda work_id: works[work_id].number):
        by_category[works[work_id].category_id].append(work_id)
    rule = PanelRule(round_.trim_from, round_.trim_each_end).validate()
    criteria = criteria_of(round_)
    out: dict[int, list[ResultLine]] = {}
    for category_id, work_ids in by_category.items():
        lines: list[ResultLine] = []
        valued: list[tuple[int, Decimal, object]] = []  # work id, value, what ranks it
        for work_id in work_ids:
            given, expected = sheets.get(work_id, {}), len(panel[work_id])
            if not given:
                continue
            missing = [judge for judge in panel[work_id] if judge not in given]
            if round_.is_scoring:
                result = panel_result(work_id, panel[work_id], given, rule=rule, absent=missing, criteria=criteria)
                valued.append((work_id, result.exact, result))
            elif round_.method == "shortlist":
                valued.append((work_id, Decimal(sum(1 for scores in given.values() if scores.get(YES) == 1)), None))
            else:
                valued.append((work_id, exact(fraction_mean(scores[PLACE] for scores in given.values())), None))
        ranked: dict[int, tuple[int, str]] = {}
        if round_.is_scoring and valued:
            for standing in rank_results([item[2] for item in valued], tie_breaks=(HIGHER_UNTRIMMED_MEAN,)):
                ranked[standing.result.subject] = (standing.rank, standing.display)
        elif valued:
            sign = 1 if round_.method == "ranking" else -1
            for rank, (work_id, value, _r) in competition_ranks(valued, key=lambda item: (sign * Fraction(item[1]),)):
                text = str(int(value)) if round_.method == "shortlist" else shown(value, 2)
                ranked[work_id] = (rank, text)
        values = {work_id: value for work_id, value, _r in valued}
        order = sorted(work_ids, key=lambda work_id: (work_id not in ranked, ranked.get(work_id, (0,))[0],
                                                      works[work_id].number))
        for work_id in order:
            value = values.get(work_id)
            rank, text = ranked.get(work_id, (None, ""))
            given, expected = sheets.get(work_id, {}), len(panel[work_id])
            lines.append(ResultLine(works[work_id], value, text, rank, _advances(round_, value, rank),
                                    final=len(given) == expected, sheets=len(given), expected=expected))
        out[category_id] = lines
    return out


def freeze_results(round_: ExhibitionRound) -> dict[int, list[ResultLine]]:
    """Store the round's results (called when it closes): one row per work, replacing none."""
    results = compute_results(round_)
    for category_id, lines in results.items():
        for line in lines:
            db.session.add(ExhibitionRoundResult(
                round_id=round_.id, work_id=line.work.id, category_id=category_id,
                exact=None if line.value is None else format(line.value, "f"), display=line.display,
                rank=line.rank, advanced=line.advanced, final=line.final, sheets=line.sheets,
                expected=line.expected))
    db.session.flush()
    return results


def stored_results(round_: ExhibitionRound) -> dict[int, list[ExhibitionRoundResult]]:
    """A closed round's frozen results per category id, best first (unranked last, by number)."""
    rows = db.session.scalars(
        sa.select(ExhibitionRoundResult).join(Work, Work.id == ExhibitionRoundResult.work_id)
        .where(ExhibitionRoundResult.round_id == round_.id)
        .order_by(ExhibitionRoundResult.rank.is_(None), ExhibitionRoundResult.rank, Work.number)
        .options(sa.orm.joinedload(ExhibitionRoundResult.work)))
    out: dict[int, list[ExhibitionRoundResult]] = defaultdict(list)
    for row in rows:
        out[row.category_id].append(row)
    return dict(out)
