"""Result objects of the participation engine (contract, STATS.md): what every page and export reads."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class ActivityColumn:
    key: str
    group: str
    label: str
    definition: str
    required: bool
    target_rate: Decimal | None
    weight: Decimal
    kind: str = "members"


@dataclass(frozen=True)
class Rate:
    count: int
    of: int

    @property
    def percent(self) -> Decimal | None:
        if self.of == 0:
            return None
        return (Decimal(self.count) * 100 / Decimal(self.of)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class UnitFigures:
    unit_id: int | None
    name: str
    branch_id: int | None
    is_branch: bool
    headcount: int
    exempt: int
    figures: dict[str, Rate]
    offline: dict[str, int]
    attendance: Rate | None
    any_one: Rate
    coverage: Rate
    quiz_average: Decimal | None
    composite: Decimal | None
    rank: int | None
    below_target: set[str]
    branches: list[UnitFigures] = field(default_factory=list)


@dataclass
class CampaignFigures:
    campaign_id: int
    as_of: datetime
    computed_at: datetime
    columns: list[ActivityColumn]
    units: list[UnitFigures]
    total: UnitFigures


@dataclass
class MemberStatus:
    user_id: int
    name: str
    staff_id: str
    mobile: str | None
    unit_id: int | None
    unit_name: str
    branch_id: int | None
    branch_name: str | None
    done: dict[str, datetime | None]
    offline: set[str]
    missing_required: list[str]
    exempt_reason: str | None
    transferred: bool


DailySeries = list[tuple[date, dict[str, Decimal | None]]]
