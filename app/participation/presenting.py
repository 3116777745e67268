"""How the participation figures are shown: sorting the dashboard, the charts drawn from the same
result object as the table beside them, the ranking, the chase message. Plain functions of
CampaignFigures / MemberStatus (app/participation/figures.py); no queries here."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.common.svgchart import Bar, Series
from app.participation.figures import ActivityColumn, CampaignFigures, MemberStatus, Rate, UnitFigures

# Columns the dashboard sorts by (?sort=…); a figure's column is "f:<key>".
FIXED_SORTS = ("name", "headcount", "any_one", "coverage", "attendance", "quiz_average", "composite")
COVERAGE = "coverage"
ANY_ONE = "any_one"


def percent_text(value: Decimal | None) -> str:
    """Decimal("85.0") -> "85.0%"; None (nobody expected) -> "—"."""
    return "—" if value is None else f"{value:.1f}%"


def rate_text(rate: Rate | None) -> str:
    """"85.0%（34/40）": the rate with its n, as every page and the notice print it."""
    if rate is None:
        return "—"
    return _("%(percent)s（%(count)s/%(of)s）", percent=percent_text(rate.percent), count=rate.count, of=rate.of)


@dataclass(frozen=True)
class Sorting:
    key: str
    descending: bool

    def link_args(self, key: str) -> dict:
        """The query arguments of a column header's link: sort by it, or flip it when it is the current one."""
        if key == self.key:
            return {"sort": key, "dir": "asc" if self.descending else "desc"}
        return {"sort": key, "dir": "asc" if key == "name" else "desc"}

    def aria(self, key: str) -> str | None:
        if key != self.key:
            return None
        return "descending" if self.descending else "ascending"


def read_sorting(columns: Sequence[ActivityColumn], sort: str | None, direction: str | None) -> Sorting:
    """The sort the query asks for, if it names a real column; else by name, ascending."""
    keys = {*FIXED_SORTS, *(f"f:{column.key}" for column in columns)}
    key = sort if sort in keys else "name"
    descending = direction == "desc" if direction in ("asc", "desc") else key != "name"
    return Sorting(key, descending)


def _sort_value(row: UnitFigures, key: str):
    if key == "headcount":
        return Decimal(row.headcount)
    if key in ("any_one", "coverage", "attendance"):
        rate = getattr(row, key)
        return rate.percent if rate is not None else None
    if key in ("quiz_average", "composite"):
        return getattr(row, key)
    rate = row.figures.get(key[2:])
    return rate.percent if rate is not None else None


def sort_units(rows: Sequence[UnitFigures], sorting: Sorting) -> list[UnitFigures]:
    """Rows in the asked order. "name" keeps the engine's order (the units' own order, as everywhere
    else) or reverses it; by a figure, rows without a value (nobody expected) come last, ties in the
    engine's order."""
    if sorting.key == "name":
        return list(reversed(rows)) if sorting.descending else list(rows)
    with_value = [row for row in rows if _sort_value(row, sorting.key) is not None]
    without = [row for row in rows if _sort_value(row, sorting.key) is None]
    with_value.sort(key=lambda row: _sort_value(row, sorting.key), reverse=sorting.descending)
    return with_value + without


def figure_rate(row: UnitFigures, key: str) -> Rate | None:
    """A row's rate for a column key, or for the fixed figures "coverage" / "any_one"."""
    if key == COVERAGE:
        return row.coverage
    if key == ANY_ONE:
        return row.any_one
    return row.figures.get(key)


def column_by_key(figures: CampaignFigures, key: str) -> ActivityColumn | None:
    return next((column for column in figures.columns if column.key == key), None)


def chart_choices(figures: CampaignFigures) -> list[tuple[str, str]]:
    """What the bar chart can show: coverage, any one, and each figure."""
    return [(COVERAGE, _("覆盖率")), (ANY_ONE, _("至少参与一项")),
            *((column.key, column.label) for column in figures.columns)]


def unit_bars(figures: CampaignFigures, key: str, rows: Sequence[UnitFigures] | None = None) -> list[Bar]:
    """One bar per row of the table beside it (its order), the rate of `key` with its n."""
    bars = []
    for row in figures.units if rows is None else rows:
        rate = figure_rate(row, key)
        bars.append(Bar(row.name, rate.percent if rate else None, f"{rate.count}/{rate.of}" if rate else "",
                        below_target=key in row.below_target, key=str(row.unit_id)))
    return bars


def chart_target(figures: CampaignFigures, key: str) -> Decimal | None:
    column = column_by_key(figures, key)
    return column.target_rate if column is not None else None


def trend_series(columns: Sequence[ActivityColumn], series: Sequence[tuple[date, dict]]) -> list[Series]:
    """Lines of the daily series: coverage first, then each figure (members figures only)."""
    lines = [Series(_("覆盖率"), [(day, values.get(COVERAGE)) for day, values in series])]
    for column in columns:
        if any(column.key in values for _day, values in series):
            lines.append(Series(column.label, [(day, values.get(column.key)) for day, values in series]))
    return lines


def ranked_units(figures: CampaignFigures) -> list[UnitFigures]:
    """Units by their shared rank (best first); units with no composite (nobody expected) last."""
    ranked = [row for row in figures.units if row.rank is not None]
    ranked.sort(key=lambda row: (row.rank, row.name))
    return ranked + sorted((row for row in figures.units if row.rank is None), key=lambda row: row.name)


def weighted_columns(figures: CampaignFigures) -> list[ActivityColumn]:
    return [column for column in figures.columns if column.weight > 0]


def required_columns(figures: CampaignFigures) -> list[ActivityColumn]:
    return [column for column in figures.columns if column.required]


def did_none(member: MemberStatus, columns: Sequence[ActivityColumn]) -> bool:
    """Whether the member did no figure that counts towards "at least one" (the engine's chase_list rule)."""
    keys = [column.key for column in columns if column.counts_for_coverage and column.key in member.done]
    return all(member.done.get(key) is None for key in keys)


def missing_labels(member: MemberStatus, columns: Sequence[ActivityColumn]) -> list[str]:
    """What a member has not done: the required figures they miss (each by its label), or 一项都未参与."""
    return missing_labeller(columns)(member)


def missing_labeller(columns: Sequence[ActivityColumn]):
    """missing_labels for many members with the same columns (the workbook's 20,000): the labels and the
    keys that count towards "at least one" looked up once."""
    labels = {column.key: column.label for column in columns}
    counting = [column.key for column in columns if column.counts_for_coverage]
    did_nothing = [_("一项都未参与")]

    def missing(member: MemberStatus) -> list[str]:
        if member.missing_required:
            return [labels.get(key, key) for key in member.missing_required]
        done = member.done
        if all(done.get(key) is None for key in counting):
            return did_nothing
        return []

    return missing


def chase_message(campaign_name: str, unit_name: str, label: str, names: Sequence[str]) -> str:
    """The ready-to-copy reminder for one activity: who in the unit has still not taken part."""
    if not names:
        return ""
    return _("【%(campaign)s】%(unit)s 尚未参加“%(activity)s”的同志（%(count)s 人）：%(names)s。请抓紧参加，谢谢！",
             campaign=campaign_name, unit=unit_name, activity=label, count=len(names), names="、".join(names))


@dataclass
class ChaseGroup:
    """One block of the chase list: an activity (or "did none") and who is missing it."""

    key: str | None
    label: str
    members: list[MemberStatus]
    message: str


def chase_groups(campaign_name: str, unit_name: str, columns: Sequence[ActivityColumn],
                 members: Sequence[MemberStatus]) -> list[ChaseGroup]:
    """The chase list by activity: those who did none, then per required activity those missing it."""
    groups = []
    none = [member for member in members if did_none(member, columns)]
    groups.append(ChaseGroup(None, _("一项都未参与"), none,
                             chase_message(campaign_name, unit_name, _("任何一项活动"), [m.name for m in none])))
    for column in columns:
        if not column.required:
            continue
        missing = [member for member in members if column.key in member.missing_required]
        groups.append(ChaseGroup(column.key, column.label, missing,
                                 chase_message(campaign_name, unit_name, column.label, [m.name for m in missing])))
    return groups


class RowCells:
    """The cells of the dashboard's rows (a unit, a branch or the total) in the header's order, written
    once per row here: a macro and an include per cell cost ~250 ms of Jinja for ~300 rows × 17 cells.
    The labels are translated once per page; every value is escaped."""

    def __init__(self, columns: Sequence[ActivityColumn], has_attendance: bool):
        self.columns, self.has_attendance = list(columns), has_attendance
        self.labels = {column.key: escape(column.label) for column in self.columns}
        self.headcount, self.attendance = escape(_("应参与人数")), escape(_("签到出勤率"))
        self.average, self.any_one = escape(_("答题平均分")), escape(_("至少参与一项"))
        self.coverage, self.composite = escape(_("覆盖率")), escape(_("综合指数"))
        below = escape(_("低于目标"))
        self.flag = f'<span class="pt-flag" title="{below}">▼<span class="visually-hidden">{below}</span></span>'

    def _rate(self, label: str, rate: Rate | None, below: bool) -> str:
        value = ('<span class="pt-value">—</span>' if rate is None else
                 f'<span class="pt-value">{percent_text(rate.percent)}</span>'
                 f'<span class="pt-n">{rate.count}/{rate.of}</span>')
        return (f'<span class="pt-cell{" is-below" if below else ""}"><span class="pt-label">{label}</span>'
                f'{value}{self.flag if below else ""}</span>')

    def __call__(self, row: UnitFigures, name_html=None) -> Markup:
        parts = [f'<span class="pt-cell pt-name">{escape(row.name) if name_html is None else escape(name_html)}</span>',
                 f'<span class="pt-cell"><span class="pt-label">{self.headcount}</span>'
                 f'<span class="pt-value">{row.headcount}</span>'
                 + (f'<span class="pt-n">{escape(_("免计 %(n)s", n=row.exempt))}</span>' if row.exempt else "")
                 + "</span>"]
        for column in self.columns:
            parts.append(self._rate(self.labels[column.key], row.figures.get(column.key),
                                    column.key in row.below_target))
        if self.has_attendance:
            parts.append(self._rate(self.attendance, row.attendance, False))
        average = row.quiz_average if row.quiz_average is not None else "—"
        parts.append(f'<span class="pt-cell"><span class="pt-label">{self.average}</span>'
                     f'<span class="pt-value">{average}</span></span>')
        parts.append(self._rate(self.any_one, row.any_one, False))
        parts.append(self._rate(self.coverage, row.coverage, False))
        composite = row.composite if row.composite is not None else "—"
        rank = (f'<span class="pt-n">{escape(_("第 %(rank)s 名", rank=row.rank))}</span>' if row.rank else "")
        parts.append(f'<span class="pt-cell"><span class="pt-label">{self.composite}</span>'
                     f'<span class="pt-value">{composite}</span>{rank}</span>')
        return Markup("".join(parts))
