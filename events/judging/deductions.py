"""Deductions (扣分): overtime from a threshold table with a grace period, and manual ones with a reason.

They come off the panel's trimmed mean (rules.panel_result), and each result lists them with their
reasons, so nobody has to guess why 85.60 became 85.40.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _

from app.common.problems import Problem
from app.common.text import clean
from events.judging.numbers import as_decimal, decimal_sum

DEDUCTION_STEP = Decimal("0.01")
REASON_MAX_LENGTH = 200


@dataclass(frozen=True)
class Deduction:
    """Points taken off a result (always positive), why, and where from ("overtime" or "manual")."""

    points: Decimal
    reason: str
    kind: str = "manual"


@dataclass(frozen=True)
class OvertimeBand:
    """Overtime beyond `seconds` (or at `seconds` too, when `inclusive`) costs `points`."""

    seconds: Decimal
    points: Decimal
    inclusive: bool = False

    def reached_by(self, over: Decimal) -> bool:
        """Overtime reaches the band beyond its seconds, or at them when the band is inclusive."""
        return over >= self.seconds if self.inclusive else over > self.seconds


# Up to 10 s over: nothing (the grace period); over 10 s: −0.2; 30 s and more: −0.5.
DEFAULT_OVERTIME: tuple[OvertimeBand, ...] = (
    OvertimeBand(Decimal(10), Decimal("0.2")),
    OvertimeBand(Decimal(30), Decimal("0.5"), inclusive=True),
)


def validate_overtime_table(bands: Sequence[OvertimeBand]) -> tuple[OvertimeBand, ...]:
    """A table's bands have non-negative, strictly increasing seconds and positive points on the
    deduction step that never decrease as the overtime grows."""
    previous: OvertimeBand | None = None
    for band in bands:
        seconds, points = as_decimal(band.seconds), as_decimal(band.points)
        if seconds < 0 or points <= 0 or points % DEDUCTION_STEP != 0:
            raise Problem(_("超时扣分表中的秒数不能为负，扣分须大于 0 且为 0.01 的整数倍"), "overtime")
        if previous is not None and (seconds <= previous.seconds or points < previous.points):
            raise Problem(_("超时扣分表须按秒数从小到大排列，扣分不能随超时减少"), "overtime")
        previous = band
    return tuple(bands)


def overtime_seconds(spoken_seconds, limit_seconds) -> Decimal:
    """Overtime is the time spoken beyond the limit, never negative (finishing early is 0 over)."""
    return max(as_decimal(spoken_seconds) - as_decimal(limit_seconds), Decimal(0))


def overtime_deduction(over_seconds, bands: Sequence[OvertimeBand] = DEFAULT_OVERTIME) -> Deduction | None:
    """Overtime costs the points of the last band it reaches; within the grace period (no band
    reached) there is no deduction (default: 10 s → none, 11 s → 0.2, 30 s → 0.5)."""
    over = as_decimal(over_seconds)
    if over < 0:
        raise Problem(_("超时秒数不能为负数"), "overtime")
    reached = [band for band in validate_overtime_table(bands) if band.reached_by(over)]
    if not reached:
        return None
    return Deduction(reached[-1].points, _("超时 %(seconds)s 秒", seconds=over), "overtime")


def manual_deduction(points, reason: str | None) -> Deduction:
    """A manual deduction is a positive number on the 0.01 step with a non-blank reason."""
    reason = clean(reason or "")
    if not reason:
        raise Problem(_("请填写扣分原因"), "reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise Problem(_("扣分原因不能超过 %(count)s 个字", count=REASON_MAX_LENGTH), "reason")
    points = as_decimal(points)
    if points <= 0 or points % DEDUCTION_STEP != 0:
        raise Problem(_("扣分须大于 0，且为 0.01 的整数倍"), "points")
    return Deduction(points, reason, "manual")


def total_deduction(deductions: Sequence[Deduction]) -> Decimal:
    """The points off a result are the sum of its deductions."""
    return decimal_sum(deduction.points for deduction in deductions)
