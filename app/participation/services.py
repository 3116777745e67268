"""The participation engine: a campaign's figures per unit and branch, computed in a fixed number of
statements whatever the number of units and members, and kept in the worker until a write moves one
(freshness.py). app/participation/tally/ groups the roster, the exemptions and each member's first
participation per figure by (unit, branch) from parts it keeps under their own data versions, so a
view after one submission reads that activity's records again and nothing else.

Rule: for each figure a member counts once — in the unit credited with their participation if they
took part by the as-of instant (the unit the activity snapshotted, else their unit in the membership
history when they took part; approved offline records count like online ones), otherwise in their
unit at the as-of instant if they were an active member then and not exempt — so rates never exceed
100 % and the unit rows sum to the total; coverage = did every required figure (when none is
required: at least one figure that counts for coverage).
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import get_locale
from flask_babel import gettext as _

from app.accounts.models import User
from app.common import data_versions
from app.common.clock import utcnow
from app.common.heap import collector_paused
from app.common.ranking import competition_ranks
from app.common.worker_memo import kept
from app.extensions import db
from app.participation import tally
from app.participation.attendance import attendance_rows, kept_attendance
from app.participation.figures import ActivityColumn, CampaignFigures, MemberStatus, Rate, UnitFigures
from app.participation.freshness import FIGURES_DATA
from app.participation.settings import ATTENDANCE, MEMBERS, column_specs, columns_for
from app.units.models import Unit

ANY, COVERAGE = "*any", "*coverage"
CENT = Decimal("0.01")


# ---------------------------------------------------------------- the denominator

def headcount(campaign, *, as_of: datetime, unit_ids=None) -> dict[int, int]:
    """The one denominator: per unit, the members active in it at `as_of` and not exempt then (the
    dashboard, the drill-down and the export all read it)."""
    units = _unit_catalogue()
    cells: dict[tuple[int, int | None], _Cell] = defaultdict(_Cell)
    _add_tallies(tally.tallies(campaign, as_of, [], required=[], coverage_keys=set()), [], units, cells)
    totals: dict[int, int] = defaultdict(int)
    for (unit_id, _branch_id), cell in cells.items():
        totals[unit_id] += cell.headcount
    wanted = set(unit_ids) if unit_ids is not None else None
    return {unit_id: number for unit_id, number in totals.items()
            if number and (wanted is None or unit_id in wanted)}


# ---------------------------------------------------------------- units

class _Units:
    """Every unit and branch by id (one query), and the (unit, branch) a credited row belongs to."""

    def __init__(self, rows):
        self.rows = {row.id: row for row in rows}
        self.children: dict[int, list] = defaultdict(list)  # by parent: branches_of per unit without a scan
        for row in self.rows.values():
            if row.parent_id is not None:
                self.children[row.parent_id].append(row)

    def place(self, unit_id, branch_id) -> tuple[int, int | None] | None:
        row = self.rows.get(unit_id)
        if row is None:
            return None
        if row.parent_id is not None:  # a branch given as the unit
            return row.parent_id, row.id
        branch = self.rows.get(branch_id)
        return unit_id, branch_id if branch is not None and branch.parent_id == unit_id else None

    def places(self) -> _Places:
        """place() remembered per (unit_id, branch_id): index it with the pair."""
        return _Places(self)

    def tops(self):
        return [row for row in self.rows.values() if row.parent_id is None]

    def branches_of(self, unit_id):
        return sorted(self.children.get(unit_id, ()), key=lambda row: (row.sort_order, row.name, row.id))

    def name(self, unit_id) -> str:
        row = self.rows.get(unit_id)
        return row.name if row is not None else _("（单位已删除）")


class _Places(dict):
    def __init__(self, units: _Units):
        super().__init__()
        self.units = units

    def __missing__(self, key):
        value = self[key] = self.units.place(*key)
        return value


def _unit_catalogue() -> _Units:
    return _Units(db.session.execute(sa.select(Unit.id, Unit.name, Unit.parent_id, Unit.sort_order)).all())


# ---------------------------------------------------------------- the figures

class _Cell:
    """The tallies of one (unit, branch)."""

    def __init__(self):
        self.headcount = self.exempt = 0
        self.count: dict[str, int] = defaultdict(int)
        self.offline: dict[str, int] = defaultdict(int)
        self.overlap: dict[str, int] = defaultdict(int)  # counted here and credited (anywhere) for the key
        self.invited: dict[str, int] = defaultdict(int)
        self.present: dict[str, int] = defaultdict(int)
        self.score_sum = Decimal(0)
        self.score_n = 0

    def add(self, other: _Cell) -> None:
        self.headcount += other.headcount
        self.exempt += other.exempt
        for mine, theirs in ((self.count, other.count), (self.offline, other.offline), (self.overlap, other.overlap),
                             (self.invited, other.invited), (self.present, other.present)):
            for key, number in theirs.items():
                mine[key] += number
        self.score_sum += other.score_sum
        self.score_n += other.score_n

    def rate(self, key: str) -> Rate:
        count = self.count.get(key, 0)
        return Rate(count, count + self.headcount - self.overlap.get(key, 0))


FIGURES_KEPT = 8  # campaigns' figures a worker keeps (a few hundred KB each at 100 units)


def campaign_figures(campaign, *, as_of: datetime | None = None) -> CampaignFigures:
    """The figures of every unit (branches rolled up) and the total, at `as_of` (default now); the
    figures now are kept in the worker while no write that moves a figure has committed (freshness.py),
    within the minute (what the clock alone changes, a meeting closing, shows by the next minute, as
    the page's 数据截至 HH:MM stamp says)."""
    if as_of is not None:
        return _figures_at(campaign, as_of)
    # The version is read before anything the figures are made of: what those reads see is at least
    # that new, so figures kept under it are never older than their key says.
    version = data_versions.current(FIGURES_DATA)
    now = utcnow()
    minute = now.replace(second=0, microsecond=0)
    key = (campaign.id, version, minute, str(get_locale()))
    return kept(key, lambda: _figures_at(campaign, now, attendance=kept_attendance(campaign, now, minute, column_specs())),
                store="participation.figures", limit=FIGURES_KEPT)


def _figures_at(campaign, as_of: datetime, *, attendance: list | None = None) -> CampaignFigures:
    """campaign_figures' computation: every unit's figures at `as_of`, in a fixed number of statements
    (`attendance`: attendance_rows at `as_of`, when kept elsewhere)."""
    with collector_paused():  # the parts and the rows are many small objects (app/common/heap.py)
        return _figures_now(campaign, as_of, attendance)


def _figures_now(campaign, as_of: datetime, attendance: list | None) -> CampaignFigures:
    specs = column_specs()
    columns = columns_for(campaign, specs)
    units = _unit_catalogue()
    cells: dict[tuple[int, int | None], _Cell] = defaultdict(_Cell)
    required = [column.key for column in columns if column.required and column.kind == MEMBERS]
    coverage_keys = {column.key for column in columns if column.counts_for_coverage and column.kind == MEMBERS}
    member_specs = [spec for spec in specs if spec.kind == MEMBERS]
    _add_tallies(tally.tallies(campaign, as_of, member_specs, required=required, coverage_keys=coverage_keys),
                 tally.member_keys(member_specs), units, cells)
    _add_attendance(attendance if attendance is not None else attendance_rows(campaign, as_of, specs), units, cells)

    rows = []
    for top in units.tops():
        unit_cell = _Cell()
        branch_rows = []
        branch_ids = [branch.id for branch in units.branches_of(top.id)]
        if (top.id, None) in cells:
            branch_ids.append(None)
        for branch_id in branch_ids:
            cell = cells.get((top.id, branch_id), _Cell())
            unit_cell.add(cell)
            name = units.name(branch_id) if branch_id is not None else _("未分支部")
            branch_rows.append(_row(top.id, name, branch_id, True, cell, columns, required))
        row = _row(top.id, top.name, None, False, unit_cell, columns, required)
        row.branches = branch_rows
        rows.append(row)
    rows.sort(key=lambda row: (row.name, row.unit_id))
    ranked = [row for row in rows if row.composite is not None]
    for rank, row in competition_ranks(ranked, key=lambda row: -row.composite):
        row.rank = rank
    total_cell = _Cell()
    for cell in cells.values():
        total_cell.add(cell)
    total = _row(None, _("合计"), None, False, total_cell, columns, required)
    return CampaignFigures(campaign.id, as_of, utcnow(), columns, rows, total)


def _add_tallies(tallies, keys: list[str], units, cells) -> None:
    """The grouped rows of tally.tallies into the cells of their (unit, branch); rows whose unit
    is gone (or names none) count nowhere, as their members would not."""
    names = {tally.ANY_INDEX: ANY, tally.COVERAGE_INDEX: COVERAGE, **dict(enumerate(keys))}
    places = units.places()
    for row in tallies:
        if row.part == "credit" and row.here_unit is not None:
            # Counted at as-of where they stand, whichever unit (if any still) is credited.
            here = places[row.here_unit, row.here_branch]
            if here is not None:
                cells[here].overlap[names[row.key]] += row.number
        place = places[row.unit_id, row.branch_id]
        if place is None:
            continue
        cell = cells[place]
        if row.part == "head":
            if row.flag:
                cell.exempt += row.number
            else:
                cell.headcount += row.number
        elif row.part == "credit":
            cell.count[names[row.key]] += row.number
            if row.flag:
                cell.offline[names[row.key]] += row.number
        else:
            cell.score_sum += Decimal(row.cents) / 100
            cell.score_n += row.number


def _add_attendance(rows, units, cells) -> None:
    """Attendance rows (attendance_rows) into the cells of their (unit, branch)."""
    for key, unit_id, branch_id, invited, present in rows:
        place = units.place(unit_id, branch_id)
        if place is not None:
            cells[place].invited[key] += invited
            cells[place].present[key] += present


def _row(unit_id, name, branch_id, is_branch, cell: _Cell, columns: list[ActivityColumn],
         required: list[str]) -> UnitFigures:
    figures, offline = {}, {}
    attendance = None
    for column in columns:
        if column.kind == ATTENDANCE:
            figures[column.key] = Rate(cell.present.get(column.key, 0), cell.invited.get(column.key, 0))
            offline[column.key] = 0
            attendance = attendance + figures[column.key] if attendance is not None else figures[column.key]
        else:
            figures[column.key] = cell.rate(column.key)
            offline[column.key] = cell.offline.get(column.key, 0)
    any_one = cell.rate(ANY)
    coverage = cell.rate(COVERAGE) if required else any_one
    average = (cell.score_sum / cell.score_n).quantize(CENT, ROUND_HALF_UP) if cell.score_n else None
    below = {column.key for column in columns if column.target_rate is not None
             and figures[column.key].percent is not None and figures[column.key].percent < column.target_rate}
    return UnitFigures(unit_id, name, branch_id, is_branch, cell.headcount, cell.exempt, figures, offline,
                       attendance, any_one, coverage, average, composite(figures, columns), None, below, [])


def composite(figures: dict[str, Rate], columns: list[ActivityColumn]) -> Decimal | None:
    """The weighted mean of the rates (0–100, 2 dp) over the weighted figures that have a rate."""
    weighted = [(column.weight, figures[column.key].percent) for column in columns
                if column.weight > 0 and figures[column.key].percent is not None]
    weights = sum((weight for weight, _percent in weighted), Decimal(0))
    if not weights:
        return None
    return (sum((weight * percent for weight, percent in weighted), Decimal(0)) / weights).quantize(
        CENT, ROUND_HALF_UP)


# ---------------------------------------------------------------- members

class _Scene:
    """What the member lists read, each once: the columns, the units, the roster and the exemptions at
    as-of (the credits are read per list, for the members it needs)."""

    def __init__(self, campaign, as_of: datetime):
        self.campaign, self.as_of = campaign, as_of
        self.specs = column_specs()
        self.columns = columns_for(campaign, self.specs)
        self.units = _unit_catalogue()
        self.roster = tally.roster_places(campaign, as_of)
        self.exempt = tally.exemption_reasons(campaign, as_of)

    def credits(self, user_ids=None) -> dict[int, dict[str, tally.Credit]]:
        return tally.member_credits(self.campaign, self.as_of, self.specs, user_ids)


class _Person(NamedTuple):
    id: int
    name: str
    staff_id: str
    mobile: str | None
    unit_id: int | None
    branch_id: int | None


def _people(user_ids: set[int]):
    """(id, name, staff_id, mobile, unit_id, branch_id) of the users in `user_ids` (one statement)."""
    query = sa.select(User.id, User.name, User.staff_id, User.mobile, User.unit_id, User.branch_id)
    if len(user_ids) <= tally.IN_LIMIT:
        query = query.where(User.id.in_(sorted(user_ids)))
    return [_Person(*person) for person in tally.driver_rows(query) if person[0] in user_ids]


def _statuses(scene: _Scene, scope: set[int], credits, *, unit_id=None, order=None) -> list[MemberStatus]:
    """MemberStatus of every user in `scope` (one statement beside what `scene` and `credits` hold),
    sorted by `order` (default: `unit_id`'s own members first, then by branch and name)."""
    with collector_paused():  # up to 20,000 statuses (app/common/heap.py)
        return _statuses_now(scene, scope, credits, unit_id=unit_id, order=order)


def _statuses_now(scene: _Scene, scope: set[int], credits, *, unit_id, order) -> list[MemberStatus]:
    member_keys = [column.key for column in scene.columns if column.kind == MEMBERS]
    required = [column.key for column in scene.columns if column.required and column.kind == MEMBERS]
    units = scene.units
    places = units.places()  # ~20,000 members in a few hundred (unit, branch) pairs: look each up once
    names: dict[int | None, str | None] = {None: None}  # unit and branch names, looked up once each
    nowhere = dict.fromkeys(member_keys)
    roster, exempt_reasons = scene.roster, scene.exempt
    statuses = []
    for person in _people(scope):
        spot = roster.get(person.id)
        unit, branch = places[spot if spot is not None else (person.unit_id, person.branch_id)] or (None, None)
        done_at = dict(nowhere)
        offline, credited_units = set(), set()
        for key, credit in (credits.get(person.id) or {}).items():
            credited = places[credit.unit_id, credit.branch_id]
            if credited is not None:
                credited_units.add(credited[0])
            if key in done_at:
                done_at[key] = credit.took_part_at
                if credit.offline:
                    offline.add(key)
        transferred = bool(credited_units - {unit}) if unit is not None else bool(credited_units)
        exempt = spot is not None and person.id in exempt_reasons
        if unit not in names:
            names[unit] = units.name(unit)
        if branch not in names:
            names[branch] = units.name(branch)
        statuses.append(MemberStatus(
            person.id, person.name, person.staff_id, person.mobile, unit, names[unit] if unit is not None else "",
            branch, names[branch], done_at, offline, [key for key in required if done_at[key] is None],
            (exempt_reasons[person.id] or _("免计")) if exempt else None, transferred))
    statuses.sort(key=order or (lambda status: (status.unit_id != unit_id, status.branch_name or "", status.name,
                                                status.staff_id)))
    return statuses


def unit_members(campaign, unit_id: int, *, as_of: datetime | None = None,
                 branch_id: int | None = None) -> list[MemberStatus]:
    """Each member of the unit (or branch) at as-of, and each member credited to it, with what they did
    (whichever unit credited it); exempt members carry their reason."""
    scene = _Scene(campaign, as_of or utcnow())
    credits = scene.credits()
    scope = {user_id for user_id, (unit, branch) in scene.roster.items()
             if unit == unit_id and (branch_id is None or branch == branch_id)}
    scope.update(user_id for user_id, mine in credits.items()
                 if any(credit.unit_id == unit_id and (branch_id is None or credit.branch_id == branch_id)
                        for credit in mine.values()))
    return _statuses(scene, scope, credits, unit_id=unit_id)


def chase_list(campaign, unit_id: int, *, as_of: datetime | None = None, key: str | None = None) -> list[MemberStatus]:
    """The unit's members at as-of (not exempt) who did no figure that counts for coverage (key None),
    or who have not done `key`."""
    scene = _Scene(campaign, as_of or utcnow())
    scope = {user_id for user_id, (unit, _branch) in scene.roster.items()
             if unit == unit_id and user_id not in scene.exempt}
    coverage_keys = [column.key for column in scene.columns
                     if column.counts_for_coverage and column.kind == MEMBERS]
    chased = []
    for status in _statuses(scene, scope, scene.credits(scope), unit_id=unit_id):
        if status.exempt_reason is not None:
            continue
        if (key is None and all(status.done.get(item) is None for item in coverage_keys)) or (key is not None and status.done.get(key) is None):
            chased.append(status)
    return chased


def exempt_members(campaign, *, as_of: datetime | None = None, unit_id: int | None = None) -> list[MemberStatus]:
    """Members active at as-of with an approved exemption covering it (免计名单), with the reason."""
    scene = _Scene(campaign, as_of or utcnow())
    scope = {user_id for user_id, (unit, _branch) in scene.roster.items()
             if user_id in scene.exempt and (unit_id is None or unit == unit_id)}
    statuses = [status for status in _statuses(scene, scope, scene.credits(scope), unit_id=unit_id)
                if status.exempt_reason is not None]
    statuses.sort(key=lambda status: (status.unit_name, status.branch_name or "", status.name, status.staff_id))
    return statuses


def campaign_members(campaign, *, as_of: datetime | None = None) -> list[MemberStatus]:
    """Every member counted in any unit at as-of, and every member credited to one, with what they did:
    the whole campaign's unit_members (the workbook's 未参与名单, the notice), in the same statements."""
    scene = _Scene(campaign, as_of or utcnow())
    credits = scene.credits()
    scope = set(scene.roster)
    scope.update(user_id for user_id, mine in credits.items()
                 if any(credit.unit_id is not None for credit in mine.values()))
    return _statuses(scene, scope, credits, order=lambda status: (status.unit_name, status.branch_name or "",
                                                                  status.name, status.staff_id))


from app.participation.snapshots import daily_series, snapshot_figures, take_snapshot  # noqa: E402, F401
