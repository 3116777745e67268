"""The participation engine: a campaign's figures per unit and branch, computed on each view in a fixed
number of statements (grouped in the database) whatever the number of units and members.

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

import sqlalchemy as sa
from flask_babel import gettext as _

from app.accounts.models import User
from app.common.clock import utcnow
from app.common.ranking import competition_ranks
from app.extensions import db
from app.participation.exemptions import approved_exemptions_select
from app.participation.figures import ActivityColumn, CampaignFigures, MemberStatus, Rate, UnitFigures
from app.participation.models import MemberPeriod
from app.participation.offline import approved_offline_select
from app.participation.settings import ATTENDANCE, MEMBERS, column_specs, columns_for
from app.units.models import Unit

ANY, COVERAGE = "*any", "*coverage"
CENT = Decimal("0.01")


# ---------------------------------------------------------------- the building blocks (selects)

def _covering(period, instant):
    return sa.and_(period.c.valid_from <= instant,
                   sa.or_(period.c.valid_to.is_(None), period.c.valid_to > instant))


def _no_history(users):
    """The user has no period at all (written before record_membership saw them): users.* stands in."""
    mp = MemberPeriod.__table__
    return ~sa.select(mp.c.id).where(mp.c.user_id == users.c.id).correlate(users).exists()


def _placed_at(user_id, as_of: datetime, *, active_only: bool = True):
    """(period, users, unit, branch, on_roster): outer joins from `user_id` to the period covering
    `as_of` (an active one with a unit when `active_only`) and to users, the unit and branch then (the
    users row when the history has nothing for them), and whether they were an active member then."""
    period, users = sa.alias(MemberPeriod.__table__), sa.alias(User.__table__)
    condition = sa.and_(period.c.user_id == user_id, _covering(period, as_of))
    if active_only:
        condition = sa.and_(condition, period.c.active.is_(True), period.c.unit_id.is_not(None))
    fallback = sa.and_(period.c.user_id.is_(None), _no_history(users), users.c.created_at <= as_of)
    if active_only:
        fallback = sa.and_(fallback, users.c.active.is_(True), users.c.unit_id.is_not(None))
    unit = sa.case((period.c.user_id.is_not(None), period.c.unit_id), (fallback, users.c.unit_id), else_=sa.null())
    branch = sa.case((period.c.user_id.is_not(None), period.c.branch_id), (fallback, users.c.branch_id),
                     else_=sa.null())
    return period, users, condition, unit, branch


def roster_at(as_of: datetime):
    """(user_id, unit_id, branch_id) of every active member with a unit at `as_of`."""
    period, users, condition, unit, branch = _placed_at(User.id, as_of)
    query = (sa.select(User.id.label("user_id"), unit.label("unit_id"), branch.label("branch_id"))
             .outerjoin(period, condition).join(users, users.c.id == User.id))
    return query.where(unit.is_not(None))


def _exempt_ids(campaign, as_of: datetime):
    exempt = approved_exemptions_select(campaign, as_of).subquery("exempt_ids")
    return sa.select(exempt.c.user_id)


def counted_members(campaign, as_of: datetime):
    """The denominator's members: (user_id, unit_id, branch_id) active at `as_of` and not exempt then."""
    roster = roster_at(as_of).subquery("roster")
    return (sa.select(roster.c.user_id, roster.c.unit_id, roster.c.branch_id)
            .where(roster.c.user_id.not_in(_exempt_ids(campaign, as_of))))


def credited(campaign, as_of: datetime, specs, *, only=None):
    """(key, user_id, took_part_at, unit_id, branch_id, offline): one row per member and figure — their
    first online participation by `as_of` (else their first approved offline record), credited to the
    unit the activity gave, else their unit in the history at that moment, else their current unit.
    `only`: a select of user ids to restrict the rows to (before ranking them)."""
    keys = [spec.key for spec in specs if spec.kind == MEMBERS]
    parts = []
    for spec in specs:
        if spec.kind != MEMBERS:
            continue
        source = spec.provider.participants(campaign).subquery()
        columns = list(source.c)
        unit = columns[2] if len(columns) > 2 else sa.null()
        parts.append(sa.select(sa.literal(spec.key, sa.String).label("key"), columns[0].label("user_id"),
                               columns[1].label("took_part_at"), sa.cast(unit, sa.Integer).label("unit_id"),
                               sa.literal(0, sa.Integer).label("offline")))
    offline = approved_offline_select(campaign).subquery()
    parts.append(sa.select(offline.c.key, offline.c.user_id, offline.c.took_part_at,
                           sa.cast(offline.c.unit_id, sa.Integer), sa.literal(1, sa.Integer))
                 .where(offline.c.key.in_(keys or [""])))
    raw = sa.union_all(*parts).subquery("raw")
    users, period = User.__table__, MemberPeriod.__table__
    unit = sa.func.coalesce(raw.c.unit_id, period.c.unit_id, users.c.unit_id)
    branch = sa.case((period.c.unit_id == unit, period.c.branch_id),
                     (sa.and_(period.c.user_id.is_(None), users.c.unit_id == unit), users.c.branch_id),
                     else_=sa.null())
    place = sa.func.row_number().over(partition_by=(raw.c.key, raw.c.user_id),
                                      order_by=(raw.c.offline, raw.c.took_part_at))
    ranked = (sa.select(raw.c.key, raw.c.user_id, raw.c.took_part_at, unit.label("unit_id"),
                        branch.label("branch_id"), raw.c.offline, place.label("place"))
              .join(users, users.c.id == raw.c.user_id)
              .outerjoin(period, sa.and_(period.c.user_id == raw.c.user_id, _covering(period, raw.c.took_part_at)))
              .where(raw.c.took_part_at.is_not(None), raw.c.took_part_at <= as_of,
                     raw.c.user_id.in_(only) if only is not None else sa.true())
              .subquery("ranked"))
    return (sa.select(ranked.c.key, ranked.c.user_id, ranked.c.took_part_at, ranked.c.unit_id, ranked.c.branch_id,
                      ranked.c.offline).where(ranked.c.place == 1))


# ---------------------------------------------------------------- the denominator

def _headcount_rows(campaign, as_of: datetime):
    """(unit_id, branch_id, exempt, n) of the members active at `as_of` (one grouped statement)."""
    roster = roster_at(as_of).subquery("roster")
    flag = roster.c.user_id.in_(_exempt_ids(campaign, as_of))
    return db.session.execute(
        sa.select(roster.c.unit_id, roster.c.branch_id, flag.label("exempt"), sa.func.count())
        .group_by(roster.c.unit_id, roster.c.branch_id, flag)).all()


def headcount(campaign, *, as_of: datetime, unit_ids=None) -> dict[int, int]:
    """The one denominator: per unit, the members active in it at `as_of` and not exempt then (the
    dashboard, the drill-down and the export all read it)."""
    units = _unit_catalogue()
    totals: dict[int, int] = defaultdict(int)
    for unit_id, branch_id, exempt, number in _headcount_rows(campaign, as_of):
        place = units.place(unit_id, branch_id)
        if place is not None and not exempt:
            totals[place[0]] += number
    wanted = set(unit_ids) if unit_ids is not None else None
    return {unit_id: number for unit_id, number in totals.items() if wanted is None or unit_id in wanted}


# ---------------------------------------------------------------- units

class _Units:
    """Every unit and branch by id (one query), and the (unit, branch) a credited row belongs to."""

    def __init__(self, rows):
        self.rows = {row.id: row for row in rows}

    def place(self, unit_id, branch_id) -> tuple[int, int | None] | None:
        row = self.rows.get(unit_id)
        if row is None:
            return None
        if row.parent_id is not None:  # a branch given as the unit
            return row.parent_id, row.id
        branch = self.rows.get(branch_id)
        return unit_id, branch_id if branch is not None and branch.parent_id == unit_id else None

    def tops(self):
        return [row for row in self.rows.values() if row.parent_id is None]

    def branches_of(self, unit_id):
        return sorted((row for row in self.rows.values() if row.parent_id == unit_id),
                      key=lambda row: (row.sort_order, row.name, row.id))

    def name(self, unit_id) -> str:
        row = self.rows.get(unit_id)
        return row.name if row is not None else _("（单位已删除）")


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


def _score(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def campaign_figures(campaign, *, as_of: datetime | None = None) -> CampaignFigures:
    """The figures of every unit (branches rolled up) and the total, at `as_of` (default now)."""
    as_of = as_of or utcnow()
    specs = column_specs()
    columns = columns_for(campaign, specs)
    units = _unit_catalogue()
    cells: dict[tuple[int, int | None], _Cell] = defaultdict(_Cell)

    for unit_id, branch_id, exempt, number in _headcount_rows(campaign, as_of):
        place = units.place(unit_id, branch_id)
        if place is None:
            continue
        if exempt:
            cells[place].exempt += number
        else:
            cells[place].headcount += number

    required = [column.key for column in columns if column.required and column.kind == MEMBERS]
    coverage_keys = [column.key for column in columns if column.counts_for_coverage and column.kind == MEMBERS]
    if any(spec.kind == MEMBERS for spec in specs):
        for measure, unit_id, branch_id, d_unit, d_branch, offline, number in db.session.execute(
                _tallies(campaign, as_of, specs, required, coverage_keys)):
            place = units.place(unit_id, branch_id)
            if place is not None:
                cells[place].count[measure] += number
                if offline:
                    cells[place].offline[measure] += number
            counted_place = units.place(d_unit, d_branch) if d_unit is not None else None
            if counted_place is not None:
                cells[counted_place].overlap[measure] += number
        _add_scores(campaign, as_of, specs, units, cells)
    _add_attendance(campaign, as_of, specs, units, cells)

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


def _tallies(campaign, as_of, specs, required, coverage_keys):
    """One statement: per figure, "at least one" and coverage, the credited (unit, branch), the
    (unit, branch) the member is counted in at as-of (NULL when not counted), offline, how many."""
    done = credited(campaign, as_of, specs).cte("done").prefix_with("MATERIALIZED")
    exempt = _exempt_ids(campaign, as_of).cte("exempt_now").prefix_with("MATERIALIZED")

    def grouped(rows, measure, offline):
        period, users, condition, unit, branch = _placed_at(rows.c.user_id, as_of)
        counted = sa.and_(unit.is_not(None), rows.c.user_id.not_in(sa.select(exempt.c.user_id)))
        d_unit = sa.case((counted, unit), else_=sa.null())
        d_branch = sa.case((counted, branch), else_=sa.null())
        return (sa.select(measure.label("measure"), rows.c.unit_id, rows.c.branch_id, d_unit.label("d_unit"),
                          d_branch.label("d_branch"), offline.label("offline"), sa.func.count().label("number"))
                .select_from(rows.outerjoin(period, condition).join(users, users.c.id == rows.c.user_id))
                .group_by(measure, rows.c.unit_id, rows.c.branch_id, d_unit, d_branch, offline))

    parts = [grouped(done, done.c.key, done.c.offline)]
    first = sa.func.row_number().over(partition_by=done.c.user_id, order_by=(done.c.took_part_at, done.c.key))
    any_rows = (sa.select(done.c.user_id, done.c.unit_id, done.c.branch_id, first.label("place"))
                .where(done.c.key.in_(coverage_keys or [""])).subquery("any_rows"))
    any_first = sa.select(any_rows).where(any_rows.c.place == 1).subquery("any_first")
    parts.append(grouped(any_first, sa.literal(ANY, sa.String), sa.literal(0, sa.Integer)))
    if required:
        last = sa.func.row_number().over(partition_by=done.c.user_id,
                                         order_by=(done.c.took_part_at.desc(), done.c.key))
        how_many = sa.func.count().over(partition_by=done.c.user_id)
        covered = (sa.select(done.c.user_id, done.c.unit_id, done.c.branch_id, last.label("place"),
                             how_many.label("how_many"))
                   .where(done.c.key.in_(required)).subquery("covered"))
        completed = (sa.select(covered).where(covered.c.place == 1, covered.c.how_many == len(required))
                     .subquery("completed"))
        parts.append(grouped(completed, sa.literal(COVERAGE, sa.String), sa.literal(0, sa.Integer)))
    return sa.union_all(*parts)


def _add_scores(campaign, as_of, specs, units, cells) -> None:
    """Average score: every score row of a member credited for that figure, in the credited unit. The
    score rows meet the credited rows in a GROUP BY over their UNION ALL, not a join of two derived
    tables (which SQLite would scan pairwise)."""
    scored = [spec for spec in specs if spec.kind == MEMBERS and spec.provider.score is not None]
    if not scored:
        return
    done = credited(campaign, as_of, scored).subquery("scored_done")
    parts = [sa.select(done.c.key, done.c.user_id, done.c.unit_id, done.c.branch_id,
                       sa.cast(sa.null(), sa.Numeric(12, 2)).label("score"), sa.literal(1, sa.Integer).label("done"))]
    for spec in scored:
        source = spec.provider.score(campaign).subquery()
        columns = list(source.c)
        parts.append(sa.select(sa.literal(spec.key, sa.String), columns[0], sa.cast(sa.null(), sa.Integer),
                               sa.cast(sa.null(), sa.Integer), sa.cast(columns[1], sa.Numeric(12, 2)),
                               sa.literal(0, sa.Integer)))
    rows = sa.union_all(*parts).subquery("score_rows")
    per_member = (sa.select(sa.func.max(rows.c.unit_id).label("unit_id"), sa.func.max(rows.c.branch_id).label("branch_id"),
                            sa.func.sum(rows.c.score).label("total"), sa.func.count(rows.c.score).label("number"),
                            sa.func.max(rows.c.done).label("done"))
                  .group_by(rows.c.key, rows.c.user_id).subquery("per_member"))
    for unit_id, branch_id, total, number in db.session.execute(
            sa.select(per_member.c.unit_id, per_member.c.branch_id, sa.func.sum(per_member.c.total),
                      sa.func.sum(per_member.c.number))
            .where(per_member.c.done == 1, per_member.c.number > 0)
            .group_by(per_member.c.unit_id, per_member.c.branch_id)):
        place = units.place(unit_id, branch_id)
        if place is not None and number:
            cells[place].score_sum += _score(total)
            cells[place].score_n += int(number)


def _add_attendance(campaign, as_of, specs, units, cells) -> None:
    """Attendance: invitations and attendances of members not exempt at as-of, in the invitation's unit."""
    attending = [spec for spec in specs if spec.kind == ATTENDANCE]
    if not attending:
        return
    parts = []
    for spec in attending:
        source = spec.provider.attendance(campaign).subquery()
        columns = list(source.c)
        unit = columns[3] if len(columns) > 3 else sa.null()
        parts.append(sa.select(sa.literal(spec.key, sa.String).label("key"), columns[0].label("user_id"),
                               columns[1].label("invited"), columns[2].label("present"),
                               sa.cast(unit, sa.Integer).label("unit_id")))
    rows = sa.union_all(*parts).subquery("attendance")
    users = User.__table__
    unit = sa.func.coalesce(rows.c.unit_id, users.c.unit_id)
    branch = sa.case((users.c.unit_id == unit, users.c.branch_id), else_=sa.null())
    for key, unit_id, branch_id, invited, present in db.session.execute(
            sa.select(rows.c.key, unit, branch, sa.func.sum(rows.c.invited), sa.func.sum(rows.c.present))
            .join(users, users.c.id == rows.c.user_id)
            .where(rows.c.user_id.not_in(_exempt_ids(campaign, as_of)))
            .group_by(rows.c.key, unit, branch)):
        place = units.place(unit_id, branch_id)
        if place is not None:
            cells[place].invited[key] += int(invited or 0)
            cells[place].present[key] += int(present or 0)


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

def _statuses(campaign, as_of: datetime, scope, *, unit_id=None) -> list[MemberStatus]:
    """MemberStatus of every user in the `scope` select of user ids (three statements)."""
    specs = column_specs()
    columns = columns_for(campaign, specs)
    member_keys = [column.key for column in columns if column.kind == MEMBERS]
    required = [column.key for column in columns if column.required and column.kind == MEMBERS]
    units = _unit_catalogue()
    period, users, condition, roster_unit, roster_branch = _placed_at(User.id, as_of)
    exempt = approved_exemptions_select(campaign, as_of).subquery("exempt")
    scope = scope.subquery("scope")
    people = db.session.execute(
        sa.select(User.id, User.name, User.staff_id, User.mobile, User.unit_id, User.branch_id,
                  roster_unit.label("roster_unit"), roster_branch.label("roster_branch"),
                  exempt.c.reason, exempt.c.user_id.is_not(None).label("is_exempt"))
        .join(scope, scope.c.user_id == User.id)
        .outerjoin(period, condition).join(users, users.c.id == User.id)
        .outerjoin(exempt, exempt.c.user_id == User.id)).all()
    took_part: dict[int, dict[str, tuple]] = defaultdict(dict)
    for key, user_id, at, credit_unit, credit_branch, offline in db.session.execute(
            credited(campaign, as_of, specs, only=sa.select(scope.c.user_id))):
        took_part[user_id][key] = (at, units.place(credit_unit, credit_branch), offline)
    statuses = []
    for person in people:
        on_roster = person.roster_unit is not None
        place = (units.place(person.roster_unit, person.roster_branch) if on_roster
                 else units.place(person.unit_id, person.branch_id)) or (None, None)
        mine = took_part.get(person.id, {})
        done_at = {key: mine[key][0] if key in mine else None for key in member_keys}
        credited_units = {entry[1][0] for entry in mine.values() if entry[1] is not None}
        transferred = bool(credited_units - {place[0]}) if place[0] is not None else bool(credited_units)
        statuses.append(MemberStatus(
            person.id, person.name, person.staff_id, person.mobile, place[0],
            units.name(place[0]) if place[0] is not None else "", place[1],
            units.name(place[1]) if place[1] is not None else None, done_at,
            {key for key, entry in mine.items() if entry[2] and key in done_at},
            [key for key in required if done_at.get(key) is None],
            (person.reason or _("免计")) if person.is_exempt and on_roster else None, transferred))
    statuses.sort(key=lambda status: (status.unit_id != unit_id, status.branch_name or "", status.name,
                                      status.staff_id))
    return statuses


def _unit_scope(campaign, as_of, unit_id, branch_id=None):
    """Users counted in the unit at as-of (exempt included) or credited to it for any figure."""
    roster = roster_at(as_of).subquery("roster_scope")
    on_roster = sa.select(roster.c.user_id).where(roster.c.unit_id == unit_id)
    done = credited(campaign, as_of, column_specs()).subquery("done_scope")
    in_unit = sa.select(done.c.user_id).where(done.c.unit_id == unit_id)
    if branch_id is not None:
        on_roster = on_roster.where(roster.c.branch_id == branch_id)
        in_unit = in_unit.where(done.c.branch_id == branch_id)
    return sa.union(on_roster, in_unit)


def unit_members(campaign, unit_id: int, *, as_of: datetime | None = None,
                 branch_id: int | None = None) -> list[MemberStatus]:
    """Each member of the unit (or branch) at as-of, and each member credited to it, with what they did
    (whichever unit credited it); exempt members carry their reason."""
    as_of = as_of or utcnow()
    scope = _unit_scope(campaign, as_of, unit_id, branch_id).subquery("unit_scope")
    return _statuses(campaign, as_of, sa.select(scope.c.user_id.label("user_id")), unit_id=unit_id)


def chase_list(campaign, unit_id: int, *, as_of: datetime | None = None, key: str | None = None) -> list[MemberStatus]:
    """The unit's members at as-of (not exempt) who did no figure that counts for coverage (key None),
    or who have not done `key`."""
    as_of = as_of or utcnow()
    counted = counted_members(campaign, as_of).subquery("counted")
    scope = sa.select(counted.c.user_id.label("user_id")).where(counted.c.unit_id == unit_id)
    columns = columns_for(campaign)
    coverage_keys = [column.key for column in columns if column.counts_for_coverage and column.kind == MEMBERS]
    chased = []
    for status in _statuses(campaign, as_of, scope, unit_id=unit_id):
        if status.exempt_reason is not None:
            continue
        if (key is None and all(status.done.get(item) is None for item in coverage_keys)) or (key is not None and status.done.get(key) is None):
            chased.append(status)
    return chased


def exempt_members(campaign, *, as_of: datetime | None = None, unit_id: int | None = None) -> list[MemberStatus]:
    """Members active at as-of with an approved exemption covering it (免计名单), with the reason."""
    as_of = as_of or utcnow()
    roster = roster_at(as_of).subquery("roster_exempt")
    exempt = approved_exemptions_select(campaign, as_of).subquery("exempt_scope")
    scope = sa.select(roster.c.user_id.label("user_id")).join(exempt, exempt.c.user_id == roster.c.user_id)
    if unit_id is not None:
        scope = scope.where(roster.c.unit_id == unit_id)
    statuses = [status for status in _statuses(campaign, as_of, scope, unit_id=unit_id)
                if status.exempt_reason is not None]
    statuses.sort(key=lambda status: (status.unit_name, status.branch_name or "", status.name, status.staff_id))
    return statuses


def campaign_members(campaign, *, as_of: datetime | None = None) -> list[MemberStatus]:
    """Every member counted in any unit at as-of, and every member credited to one, with what they did:
    the whole campaign's unit_members (the workbook's 未参与名单, the notice), in the same statements."""
    as_of = as_of or utcnow()
    roster = roster_at(as_of).subquery("roster_all")
    done = credited(campaign, as_of, column_specs()).subquery("done_all")
    scope = sa.union(sa.select(roster.c.user_id).where(roster.c.unit_id.is_not(None)),
                     sa.select(done.c.user_id).where(done.c.unit_id.is_not(None))).subquery("campaign_scope")
    statuses = _statuses(campaign, as_of, sa.select(scope.c.user_id.label("user_id")))
    statuses.sort(key=lambda status: (status.unit_name, status.branch_name or "", status.name, status.staff_id))
    return statuses


from app.participation.snapshots import daily_series, snapshot_figures, take_snapshot  # noqa: E402, F401
