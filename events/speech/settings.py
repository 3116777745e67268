"""A contest's scoring settings, between the JSON columns of SpeechContest and events/judging's types.

Readers return judging objects (defaults where a column is empty); writers store what a settings
form produced. Numbers are stored as strings so a Decimal survives the JSON round trip exactly.
"""
from decimal import Decimal

from events.judging.awards import CriterionAward, Tier, default_tiers
from events.judging.criteria import Criterion, default_criteria, validate_criteria
from events.judging.deductions import DEFAULT_OVERTIME, OvertimeBand, validate_overtime_table
from events.judging.rules import PanelRule
from events.judging.standings import HIGHER_UNTRIMMED_MEAN, TieBreak


def _decimal(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def criteria_of(contest) -> tuple[Criterion, ...]:
    """The contest's score sheet: its configured criteria, or the default 40/30/10/20 sheet."""
    if not contest.criteria:
        return default_criteria()
    return tuple(Criterion(item["name"], Decimal(item["maximum"]), Decimal(item.get("step") or "0.1"),
                           _decimal(item.get("soft_minimum")), _decimal(item.get("soft_maximum")),
                           item.get("description") or "") for item in contest.criteria)


def store_criteria(contest, criteria) -> None:
    """Keep a validated score sheet on the contest."""
    contest.criteria = [{
        "name": c.name, "maximum": format(c.maximum, "f"), "step": format(c.step, "f"),
        "soft_minimum": None if c.soft_minimum is None else format(c.soft_minimum, "f"),
        "soft_maximum": None if c.soft_maximum is None else format(c.soft_maximum, "f"),
        "description": c.description,
    } for c in validate_criteria(criteria)]


def panel_rule_of(contest) -> PanelRule:
    """K, D, per-criterion trimming and group weights (percent) as the contest sets them."""
    weights = {name: Decimal(str(weight)) for name, weight in (contest.group_weights or {}).items()}
    return PanelRule(contest.trim_from, contest.trim_each_end, bool(contest.per_criterion), weights).validate()


def overtime_bands_of(contest) -> tuple[OvertimeBand, ...]:
    """The overtime table: the contest's own, or the default (≤ 10 s 0, > 10 s 0.2, ≥ 30 s 0.5)."""
    if not contest.overtime_bands:
        return DEFAULT_OVERTIME
    return validate_overtime_table([OvertimeBand(Decimal(band["seconds"]), Decimal(band["points"]),
                                                 bool(band.get("inclusive"))) for band in contest.overtime_bands])


def store_overtime_bands(contest, bands) -> None:
    """Keep a validated overtime table on the contest."""
    contest.overtime_bands = [{"seconds": format(b.seconds, "f"), "points": format(b.points, "f"),
                               "inclusive": b.inclusive} for b in validate_overtime_table(bands)]


def tie_breaks_of(contest) -> tuple[TieBreak, ...]:
    """The tie-break chain after the exact score; by default the higher untrimmed mean."""
    if not contest.tie_breaks:
        return (HIGHER_UNTRIMMED_MEAN,)
    return tuple(TieBreak(item["kind"], item.get("criterion")) for item in contest.tie_breaks)


def award_tiers_of(contest) -> tuple[Tier, ...]:
    """Award tiers by count or share; by default 一等奖 1, 二等奖 2, 三等奖 3, 优秀奖 the rest."""
    if not contest.award_tiers:
        return default_tiers()
    return tuple(Tier(item["name"], item.get("count"), _decimal(item.get("share"))) for item in contest.award_tiers)


def criterion_awards_of(contest) -> tuple[CriterionAward, ...]:
    """Single awards for the best trimmed mean in one criterion (e.g. 最佳风采奖 → 形象风度)."""
    return tuple(CriterionAward(item["name"], item["criterion"]) for item in contest.criterion_awards or ())
