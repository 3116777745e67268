"""Numbers in judging: Decimal in and out, exact fractions in between, rounding half up for display.

A mean of 3, 7 or 9 judges does not terminate in decimal, and two contestants whose true results are
equal must compare equal to the last digit (otherwise a rounding crumb, not the tie-break chain,
would decide the rank). So sums, means, weights and deductions are computed as exact fractions of
Decimals, and each result is turned into a Decimal once, by one correctly rounded division at
EXACT_DIGITS significant digits: equal true values give equal Decimals, and different true values
(which differ by far more than 10^-40 for any real panel) stay different. Floats never enter.
"""
from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from fractions import Fraction

EXACT_DIGITS = 50
_EXACT = Context(prec=EXACT_DIGITS)


def as_decimal(value) -> Decimal:
    """A finite Decimal (or int) passes unchanged as a Decimal; a float, bool, NaN or infinity is a
    programming error and raises TypeError/ValueError (forms give strings: see criteria.check_score)."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"judging takes Decimal or int, not {type(value).__name__}: {value!r}")
    value = Decimal(value)
    if not value.is_finite():
        raise ValueError(f"judging takes finite numbers, not {value}")
    return value


def fraction_sum(values: Iterable[Decimal]) -> Fraction:
    """The exact sum of Decimals as a fraction (no context precision applies)."""
    return sum((Fraction(as_decimal(value)) for value in values), Fraction(0))


def fraction_mean(values: Iterable[Decimal]) -> Fraction:
    """The exact mean of Decimals as a fraction."""
    values = list(values)
    return fraction_sum(values) / len(values)


def decimal_sum(values: Iterable[Decimal]) -> Decimal:
    """The sum of Decimals keeping their decimals ("58.0"), at EXACT_DIGITS digits: exact for scores."""
    with localcontext(_EXACT):
        return sum((as_decimal(value) for value in values), Decimal(0))


def exact(value: Fraction) -> Decimal:
    """The Decimal of an exact fraction: one correctly rounded division at EXACT_DIGITS digits."""
    return _EXACT.divide(Decimal(value.numerator), Decimal(value.denominator))


def round_half_up(value: Decimal, places: int) -> Decimal:
    """`value` rounded to `places` decimals, halves away from zero (85.125 → 85.13, 85.124 → 85.12)."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=_EXACT)


def shown(value: Decimal, places: int) -> str:
    """The text of `value` rounded half up to exactly `places` decimals ("85.10", not "85.1")."""
    return f"{round_half_up(value, places):.{places}f}"
