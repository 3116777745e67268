"""Awards from standings: tiers by count or by proportion, and single awards per criterion.

Tier boundaries and ties: each tier has a cumulative limit L (places awarded through that tier);
a result of rank r gets the first tier with r ≤ L. So results tied across a boundary all share the
higher award, and the next tier shrinks by as many places (its cumulative limit does not move); a
tie may even use up the next tier entirely. By proportion, L is the tier's cumulative share of the
ranked results rounded half up to a whole number (10 % of 25 = 2.5 → 3), so small fields may
leave a tier empty.
"""
from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _

from app.common.problems import Problem
from events.judging.numbers import as_decimal, round_half_up
from events.judging.rules import PanelResult, require_final
from events.judging.standings import Standing


@dataclass(frozen=True)
class Tier:
    """An award tier: a `count` of places, or a `share` in percent of the ranked results; the last
    tier may have neither and then takes everyone left (优秀奖)."""

    name: str
    count: int | None = None
    share: Decimal | None = None


@dataclass(frozen=True)
class CriterionAward:
    """A single award to the highest trimmed mean in one criterion (最佳风采奖 → 形象风度)."""

    name: str
    criterion: str


@dataclass(frozen=True)
class Awarded:
    """A standing with its tier's name, None when no tier reaches it."""

    standing: Standing
    award: str | None


def default_tiers() -> tuple[Tier, ...]:
    """一等奖 1, 二等奖 2, 三等奖 3, 优秀奖 everyone else."""
    return (Tier(_("一等奖"), 1), Tier(_("二等奖"), 2), Tier(_("三等奖"), 3), Tier(_("优秀奖")))


def tier_limits(tiers: Sequence[Tier], ranked: int) -> list[int]:
    """Each tier's cumulative limit: counts added up, or shares added up and rounded half up against
    `ranked` results; a closing tier without count or share reaches everyone (`ranked`)."""
    if not tiers:
        raise Problem(_("请至少设置一个奖项"), "tiers")
    by_share = any(tier.share is not None for tier in tiers)
    limits, cumulative_count, cumulative_share = [], 0, Decimal(0)
    for position, tier in enumerate(tiers):
        if tier.count is not None and tier.share is not None:
            raise Problem(_("奖项“%(award)s”只能按名额或按比例设置其一", award=tier.name), "tiers")
        if tier.count is None and tier.share is None:
            if position != len(tiers) - 1:
                raise Problem(_("只有最后一个奖项可以不设名额（其余全部获奖）"), "tiers")
            limits.append(ranked)
            continue
        if by_share != (tier.share is not None):
            raise Problem(_("奖项须全部按名额或全部按比例设置"), "tiers")
        if tier.share is not None:
            share = as_decimal(tier.share)
            if share < 0:
                raise Problem(_("奖项“%(award)s”的比例不能为负数", award=tier.name), "tiers")
            cumulative_share += share
            if cumulative_share > 100:
                raise Problem(_("各奖项比例之和不能超过 100%"), "tiers")
            limits.append(int(round_half_up(cumulative_share * ranked / 100, 0)))
        else:
            if not isinstance(tier.count, int) or isinstance(tier.count, bool) or tier.count < 0:
                raise Problem(_("奖项“%(award)s”的名额须为不小于 0 的整数", award=tier.name), "tiers")
            cumulative_count += tier.count
            limits.append(cumulative_count)
    return limits


def assign_awards(standings: Sequence[Standing], tiers: Sequence[Tier]) -> list[Awarded]:
    """A result of rank r gets the first tier whose cumulative limit is at least r, or no award."""
    limits = tier_limits(tiers, len(standings))
    awarded = []
    for standing in standings:
        award = next((tier.name for tier, limit in zip(tiers, limits, strict=True) if standing.rank <= limit),
                     None)
        awarded.append(Awarded(standing, award))
    return awarded


def criterion_awards(results: Sequence[PanelResult], awards: Sequence[CriterionAward]
                     ) -> dict[str, tuple[Hashable, ...]]:
    """Each single award goes to the subject with the highest trimmed mean in its criterion; subjects
    tied for the highest share it (all are named, in the given order)."""
    winners = {}
    for award in awards:
        means = []
        for result in results:
            require_final(result)
            if award.criterion not in result.criterion_means:
                raise Problem(_("“%(award)s”需要每位评委在“%(criterion)s”的分项评分", award=award.name,
                                criterion=award.criterion), "awards")
            means.append((result.subject, result.criterion_means[award.criterion]))
        best = max((mean for _subject, mean in means), default=None)
        winners[award.name] = tuple(subject for subject, mean in means if mean == best)
    return winners
