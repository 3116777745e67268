"""Ranking final results: on the exact value, with more decimals shown where the display would
mislead, then a configurable tie-break chain, then a shared rank (1, 1, 3) from app.common.ranking.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _

from app.common.problems import Problem
from app.common.ranking import competition_ranks
from events.judging.numbers import round_half_up, shown
from events.judging.rules import PanelResult, require_final

DISPLAY_PLACES = (2, 3)
MAX_DISPLAY_PLACES = 6  # where extra decimals stop; results that close are shown equal, ranked apart


@dataclass(frozen=True)
class TieBreak:
    """One link of the tie-break chain: the higher untrimmed mean, or the higher trimmed mean in a
    named criterion."""

    kind: str
    criterion: str | None = None

    def label(self) -> str:
        """What the tie-break compares, for the explanation page and the results notice."""
        if self.kind == "untrimmed_mean":
            return _("未去分平均分高者在前")
        return _("“%(criterion)s”得分高者在前", criterion=self.criterion)


HIGHER_UNTRIMMED_MEAN = TieBreak("untrimmed_mean")


def by_criterion(name: str) -> TieBreak:
    """The tie-break "higher trimmed mean in criterion `name`"."""
    return TieBreak("criterion", name)


@dataclass(frozen=True)
class Standing:
    """A ranked result: its rank, the places its score is shown with and that text, `decided_by` the
    deepest tie-break that separated it from a result with the same exact score, and `shared` when
    its rank is shared."""

    rank: int
    result: PanelResult
    places: int
    display: str
    decided_by: TieBreak | None = None
    shared: bool = False


def check_places(places: int) -> int:
    """Scores are shown with 2 or 3 decimals."""
    if places not in DISPLAY_PLACES:
        raise Problem(_("成绩显示的小数位数须为 2 或 3"), "places")
    return places


def display_places(values: Sequence[Decimal], places: int = 2) -> list[int]:
    """Each value is shown with `places` decimals, one more (repeatedly, up to MAX_DISPLAY_PLACES) for
    every value whose rounded text equals another's while the exact values differ (若出现同分，则精确到后三位)."""
    check_places(places)
    chosen = [places] * len(values)

    def refine(indices: list[int], at: int) -> None:
        if at >= MAX_DISPLAY_PLACES:
            return
        shown_as: dict[Decimal, list[int]] = {}
        for index in indices:
            shown_as.setdefault(round_half_up(values[index], at), []).append(index)
        for same in shown_as.values():
            if len(same) > 1 and len({values[index] for index in same}) > 1:
                for index in same:
                    chosen[index] = at + 1
                refine(same, at + 1)

    refine(list(range(len(values))), places)
    return chosen


def tie_break_value(result: PanelResult, tie_break: TieBreak) -> Decimal:
    """The value a tie-break compares (higher is better)."""
    if tie_break.kind == "untrimmed_mean":
        return result.untrimmed_mean
    if tie_break.kind == "criterion":
        if tie_break.criterion not in result.criterion_means:
            raise Problem(_("按“%(criterion)s”比较需要每位评委的分项评分", criterion=tie_break.criterion),
                          "tie_breaks")
        return result.criterion_means[tie_break.criterion]
    raise ValueError(f"unknown tie-break {tie_break.kind!r}")


def rank_results(results: Sequence[PanelResult], *, places: int = 2,
                 tie_breaks: Sequence[TieBreak] = ()) -> list[Standing]:
    """Final results rank by exact score (higher first), then by each tie-break in turn; results
    equal in all of them share a rank (1, 1, 3) and keep their given order; any result with a
    missing sheet is refused."""
    for result in results:
        require_final(result)
    tie_breaks = tuple(tie_breaks)

    def keys(result: PanelResult) -> tuple[Decimal, ...]:
        return (result.exact, *(tie_break_value(result, tie_break) for tie_break in tie_breaks))

    key_of = {id(result): keys(result) for result in results}
    # copy_negate, not unary minus: minus rounds to the context's 28 digits, and exact means exact
    ranked = competition_ranks(results, key=lambda result: tuple(value.copy_negate()
                                                                 for value in key_of[id(result)]))
    chosen = display_places([result.exact for _rank, result in ranked], places)
    standings = []
    for (rank, result), shown_places in zip(ranked, chosen, strict=True):
        mine = key_of[id(result)]
        depth, shared = -1, False
        for _other_rank, other in ranked:
            theirs = key_of[id(other)]
            if other is result or theirs[0] != mine[0]:
                continue
            differing = [level for level in range(1, len(mine)) if mine[level] != theirs[level]]
            if differing:
                depth = max(depth, differing[0])
            else:
                shared = True
        standings.append(Standing(rank, result, shown_places, shown(result.exact, shown_places),
                                  tie_breaks[depth - 1] if depth > 0 else None, shared))
    return standings
