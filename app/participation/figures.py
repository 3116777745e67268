"""The result objects of the participation engine: what the dashboard, the charts, the notice and the
workbook all draw from (built by app/participation/services.py)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property


@dataclass(frozen=True)
class ActivityColumn:
    """One figure on the dashboard (one provider key)."""

    key: str
    group: str
    label: str
    definition: str
    required: bool
    target_rate: Decimal | None
    weight: Decimal
    kind: str  # "members" | "attendance"
    counts_for_coverage: bool = True  # added by core: whether it counts towards "at least one"


@dataclass(frozen=True)
class Rate:
    """A count over a denominator; n is shown beside every rate."""

    count: int
    of: int

    @cached_property  # read several times per cell (sorting, targets, composite, the page)
    def percent(self) -> Decimal | None:
        """count ÷ of as a percentage with one decimal (half up), None when nobody is counted."""
        if not self.of:
            return None
        return (Decimal(self.count) * 100 / Decimal(self.of)).quantize(Decimal("0.1"), ROUND_HALF_UP)

    def __add__(self, other: Rate) -> Rate:
        return Rate(self.count + other.count, self.of + other.of)


@dataclass
class UnitFigures:
    unit_id: int | None
    name: str
    branch_id: int | None
    is_branch: bool
    headcount: int
    exempt: int
    figures: dict[str, Rate]  # per column key (online + approved offline)
    offline: dict[str, int]  # of which offline, per key
    attendance: Rate | None  # check-in present / invited
    any_one: Rate  # took part in at least one activity
    coverage: Rate  # did every required activity (any_one when none is required)
    quiz_average: Decimal | None
    composite: Decimal | None  # the weighted index, 0–100, 2 dp
    rank: int | None  # app/common/ranking.py competition ranks (ties share a rank)
    below_target: set[str] = field(default_factory=set)  # column keys below their target
    branches: list[UnitFigures] = field(default_factory=list)  # branch rows rolled up into this unit


@dataclass
class CampaignFigures:
    campaign_id: int
    as_of: datetime  # UTC
    computed_at: datetime  # UTC
    columns: list[ActivityColumn]
    units: list[UnitFigures]  # one per unit (units with no members included), sorted by name
    total: UnitFigures  # the campaign total (sums of the unit rows)


@dataclass
class MemberStatus:
    """One member in a drill-down or a chase list."""

    user_id: int
    name: str
    staff_id: str
    mobile: str | None
    unit_id: int | None
    unit_name: str
    branch_id: int | None
    branch_name: str | None
    done: dict[str, datetime | None]  # per column key: when they took part (None = not)
    offline: set[str]  # keys credited from offline records
    missing_required: list[str]  # required column keys not done
    exempt_reason: str | None  # listed as 免计 (exempt members are not in the chase list)
    transferred: bool  # credited here but now in another unit (or the reverse)
