"""Where each member stands, for the participation engine (app/participation/services.py): each input
is read in one statement whatever the number of members, and the rest is dicts in Python (a derived
table cannot be indexed in SQLite, and ranking or joining ~50,000 rows there costs seconds).

Rule: a member is on the roster at an instant when their period covering it is active with a unit (a
user with no history at all: their users row, from when it was created); each figure they took part in
by the as-of instant is credited from their first online record (else their first approved offline
one) to the unit the activity gave, else their unit in the history at that moment, else their current
unit.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

import sqlalchemy as sa

from app.accounts.models import User
from app.extensions import db
from app.participation.exemptions import approved_exemptions_select
from app.participation.models import MemberPeriod
from app.participation.offline import approved_offline_select
from app.participation.settings import MEMBERS

# Up to this many user ids go into an IN list; a wider scope reads every row and filters in Python
# (the statement count stays the same, and SQLite's bound-parameter limit is never reached).
IN_LIMIT = 500


class Credit(NamedTuple):
    """A member's first participation in one figure: when, the credited unit and branch, offline or not."""

    took_part_at: datetime
    unit_id: int | None
    branch_id: int | None
    offline: bool


def _among(column, user_ids):
    """A WHERE clause restricting `column` to `user_ids` (None or a wide scope: no restriction)."""
    if user_ids is None or len(user_ids) > IN_LIMIT:
        return sa.true()
    return column.in_(sorted(user_ids))


class History:
    """Every user's roster row and membership periods (one statement), to place them at any instant."""

    def __init__(self, user_ids=None):
        users, period = User.__table__, MemberPeriod.__table__
        self.users: dict[int, tuple] = {}  # user_id: (unit_id, branch_id, active, created_at)
        self.periods: dict[int, list[tuple]] = {}  # user_id: [(valid_from, valid_to, unit, branch, active)]
        for row in db.session.execute(
                sa.select(users.c.id, users.c.unit_id, users.c.branch_id, users.c.active, users.c.created_at,
                          period.c.valid_from, period.c.valid_to, period.c.unit_id, period.c.branch_id,
                          period.c.active)
                .select_from(users.outerjoin(period, period.c.user_id == users.c.id))
                .where(_among(users.c.id, user_ids))):
            user_id = row[0]
            if user_id not in self.users:
                self.users[user_id] = row[1:5]
            if row[5] is not None:
                self.periods.setdefault(user_id, []).append(row[5:])

    def period_at(self, user_id: int, instant: datetime) -> tuple | None:
        """The period covering `instant` (valid_from <= instant < valid_to, open when NULL)."""
        for period in self.periods.get(user_id, ()):
            if period[0] <= instant and (period[1] is None or period[1] > instant):
                return period
        return None

    def roster(self, as_of: datetime) -> dict[int, tuple[int, int | None]]:
        """{user_id: (unit_id, branch_id)} of the members active with a unit at `as_of`."""
        placed = {}
        periods = self.periods
        for user_id, (unit_id, branch_id, active, created_at) in self.users.items():
            mine = periods.get(user_id)
            if mine is None:
                if active and unit_id is not None and created_at is not None and created_at <= as_of:
                    placed[user_id] = (unit_id, branch_id)
                continue
            for valid_from, valid_to, unit, branch, on in mine:
                if valid_from <= as_of and (valid_to is None or valid_to > as_of) and on and unit is not None:
                    placed[user_id] = (unit, branch)
                    break
        return placed

    def credited_unit(self, user_id: int, instant: datetime, given: int | None) -> tuple[int | None, int | None]:
        """(unit, branch) credited for taking part at `instant`: the unit the activity gave, else the
        period's unit then, else the current unit; the branch of whichever row names that unit."""
        unit_id, branch_id = self.users[user_id][:2]
        period = self.period_at(user_id, instant)
        if period is not None:
            unit = given if given is not None else period[2] if period[2] is not None else unit_id
            return unit, period[3] if period[2] is not None and period[2] == unit else None
        unit = given if given is not None else unit_id
        return unit, branch_id if unit_id is not None and unit_id == unit else None


def exemptions(campaign, as_of: datetime) -> dict[int, str]:
    """{user_id: reason} of the approved exemptions for `campaign` covering the as-of date."""
    exempt = approved_exemptions_select(campaign, as_of).subquery("exempt")
    return dict(db.session.execute(sa.select(exempt.c.user_id, exempt.c.reason)).all())


def _records(campaign, as_of: datetime, specs, user_ids) -> tuple[list[str], sa.Select]:
    """The figure keys and a select of every record by `as_of`: (key index, user_id, offline, the unit
    the activity gave, took_part_at) — online from each provider, approved offline records."""
    keys = [spec.key for spec in specs if spec.kind == MEMBERS]
    parts = []
    for spec in specs:
        if spec.kind != MEMBERS:
            continue
        source = spec.provider.participants(campaign).subquery()
        columns = list(source.c)
        unit = columns[2] if len(columns) > 2 else sa.null()
        parts.append(sa.select(sa.literal(keys.index(spec.key), sa.Integer).label("key"),
                               columns[0].label("user_id"), columns[1].label("took_part_at"),
                               sa.cast(unit, sa.Integer).label("unit_id"), sa.literal(0, sa.Integer).label("offline")))
    offline = approved_offline_select(campaign).subquery()
    parts.append(sa.select(sa.case({key: index for index, key in enumerate(keys)}, value=offline.c.key),
                           offline.c.user_id, offline.c.took_part_at, sa.cast(offline.c.unit_id, sa.Integer),
                           sa.literal(1, sa.Integer))
                 .where(offline.c.key.in_(keys or [""])))
    raw = sa.union_all(*parts).subquery("records")
    return keys, (sa.select(raw.c.key, raw.c.user_id, raw.c.offline, raw.c.unit_id,
                            sa.type_coerce(raw.c.took_part_at, sa.DateTime))
                  .where(raw.c.took_part_at.is_not(None), raw.c.took_part_at <= as_of,
                         _among(raw.c.user_id, user_ids)))


def credits(campaign, as_of: datetime, specs, history: History, user_ids=None) -> dict[int, dict[str, Credit]]:
    """{user_id: {key: Credit}}: each member's credited participation per figure by `as_of` (among
    `user_ids`; members unknown to `history` are left out, as deleted users are)."""
    if not any(spec.kind == MEMBERS for spec in specs):
        return {}
    wanted = set(user_ids) if user_ids is not None else None
    keys, records = _records(campaign, as_of, specs, wanted)
    first: dict[tuple[int, int], tuple] = {}  # (user_id, key index): (offline, took_part_at, given unit)
    known = history.users
    for key, user_id, offline, given, took_part_at in db.session.execute(records):
        if user_id not in known or (wanted is not None and user_id not in wanted):
            continue
        best = first.get((user_id, key))
        if best is None or (offline, took_part_at) < best[:2]:
            first[user_id, key] = (offline, took_part_at, given)
    found: dict[int, dict[str, Credit]] = {}
    for (user_id, key), (offline, took_part_at, given) in first.items():
        unit_id, branch_id = history.credited_unit(user_id, took_part_at, given)
        mine = found.get(user_id)
        if mine is None:
            mine = found[user_id] = {}
        mine[keys[key]] = Credit(took_part_at, unit_id, branch_id, bool(offline))
    return found


def scores(campaign, specs) -> dict[tuple[str, int], tuple[Decimal, int]]:
    """{(key, user_id): (sum of the scores, how many)} of the figures that give scores."""
    parts = []
    for spec in specs:
        if spec.kind != MEMBERS or spec.provider.score is None:
            continue
        source = spec.provider.score(campaign).subquery()
        columns = list(source.c)
        parts.append(sa.select(sa.literal(spec.key, sa.String).label("key"), columns[0].label("user_id"),
                               sa.cast(columns[1], sa.Numeric(12, 2)).label("score")))
    if not parts:
        return {}
    rows = sa.union_all(*parts).subquery("score_rows")
    return {(key, user_id): (total if isinstance(total, Decimal) else Decimal(str(total)), int(number))
            for key, user_id, total, number in db.session.execute(
                sa.select(rows.c.key, rows.c.user_id, sa.func.sum(rows.c.score), sa.func.count(rows.c.score))
                .group_by(rows.c.key, rows.c.user_id)
                .having(sa.func.count(rows.c.score) > 0))}
