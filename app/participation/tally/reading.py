"""What the participation engine reads, once each and with no as-of instant (the clock is applied in
parts.py): the people, each figure's records, the approved offline records, the exemptions' reasons.
Tens of thousands of rows each, read as the driver gives them."""
from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

import sqlalchemy as sa

from app.accounts.models import User
from app.common.clock import from_local
from app.extensions import db
from app.participation.exemptions import approved_exemptions_select, as_of_date
from app.participation.models import MemberPeriod, ParticipationExemption
from app.participation.offline import approved_offline_select

CENT = Decimal("0.01")

def exemption_reasons(campaign, as_of: datetime) -> dict[int, str]:
    """{user_id: reason} of the approved exemptions for `campaign` covering the as-of date."""
    exempt = approved_exemptions_select(campaign, as_of).subquery("exempt")
    return {user_id: reason for user_id, reason in db.session.execute(sa.select(exempt.c.user_id, exempt.c.reason))}


def _to_instant(value):
    """A stored instant as the driver gives it (text on SQLite), as a naive datetime; a provider's date,
    as its midnight."""
    if isinstance(value, str):
        return datetime.fromisoformat(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, time())
    return value


def _to_day(value):
    """A stored date as the driver gives it (text on SQLite), as a date."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def driver_rows(statement) -> list[tuple]:
    """The rows of a Core select as the driver gives them, through the session's connection: the ORM's
    and the result's per-row handling cost microseconds a row, and these reads are tens of thousands of
    rows. Only for columns converted here as needed: integers, booleans (read with bool()), text, numbers
    (_cents), instants (_to_instant) and dates (_to_day)."""
    result = db.session.connection().execute(statement)
    try:
        return result.cursor.fetchall()
    finally:
        result.close()


class People:
    """Every user's unit and branch, membership history and approved exemptions (three statements, no
    as-of instant: the clock is applied later, so these stay right until a write moves them); or, by
    patched(), the people before a write with the members it changed read again."""

    def __init__(self):
        self.users: dict[int, tuple[int | None, int | None]] = {}
        # Users with no history are placed by their own row: only theirs need active and created_at.
        self.unrecorded: dict[int, tuple[bool, datetime]] = {}
        self.periods: dict[int, list] = {}
        # Most members have one period: theirs is checked straight, without a search.
        self.single: dict[int, tuple] = {}
        self.starts: dict[int, list[datetime]] = {}
        self.exemptions: dict[int, list[tuple[int | None, date, date | None]]] = defaultdict(list)
        # The instants at which someone's roster place changes (sorted), with how many rows give each.
        self.boundaries: list[datetime] = []
        self._boundary_count: dict[datetime, int] = defaultdict(int)
        # (the people version before, the users whose unit, branch or history changed since, every user
        # read again or changed: exemptions too), when these were made from the people before a write.
        self.base: tuple[Any, set[int], set[int]] | None = None
        # Where the users read again or changed stood in the people before (their users row and
        # exemptions), for what is patched from those (attendance.py).
        self.prior: dict[int, tuple] = {}
        self._fill(*_people_rows(None))
        self.boundaries = sorted(self._boundary_count)

    def _fill(self, users, periods, exemptions) -> set[datetime]:
        """Add the rows of _people_rows; returns the boundary instants that are new."""
        counts, added = self._boundary_count, set()

        def count(instant):
            if not counts.get(instant):
                added.add(instant)
            counts[instant] += 1

        for user_id, unit_id, branch_id, active, created_at in users:
            self.users[user_id] = (unit_id, branch_id)
            if created_at is not None:
                created_at = _to_instant(created_at)
                self.unrecorded[user_id] = (bool(active), created_at)
                count(created_at)
        grouped: dict[int, list] = defaultdict(list)
        for user_id, valid_from, valid_to, unit_id, branch_id, active in periods:
            valid_from, valid_to = _to_instant(valid_from), _to_instant(valid_to)
            grouped[user_id].append((valid_from, valid_to, unit_id, branch_id, bool(active)))
            count(valid_from)
            if valid_to is not None:
                count(valid_to)
        for user_id, rows in grouped.items():
            self.periods[user_id] = rows
            if len(rows) == 1:
                self.single[user_id] = rows[0]
            else:
                self.starts[user_id] = [row[0] for row in rows]
        for user_id, campaign_id, starts_on, ends_on in exemptions:
            self.exemptions[user_id].append((campaign_id, _to_day(starts_on), _to_day(ends_on)))
        return added

    def _forget(self, user_id: int) -> set[datetime]:
        """Take one user's rows out; returns the boundary instants no one gives any more."""
        counts, gone = self._boundary_count, set()
        instants = [instant for row in self.periods.get(user_id, ()) for instant in row[:2] if instant is not None]
        unrecorded = self.unrecorded.pop(user_id, None)
        if unrecorded is not None:
            instants.append(unrecorded[1])
        for instant in instants:
            counts[instant] -= 1
            if not counts[instant]:
                del counts[instant]
                gone.add(instant)
        for held in (self.users, self.periods, self.single, self.starts, self.exemptions):
            held.pop(user_id, None)
        return gone

    def patched(self, user_ids: set[int]) -> People:
        """These people with the rows of `user_ids` read again (three statements, on those users only):
        what the people's change log says a write changed (data_versions.changed_keys)."""
        other = object.__new__(People)
        other.users, other.unrecorded, other.periods = dict(self.users), dict(self.unrecorded), dict(self.periods)
        other.single, other.starts = dict(self.single), dict(self.starts)
        other.exemptions = defaultdict(list, self.exemptions)
        other._boundary_count = defaultdict(int, self._boundary_count)
        other.base, other.prior = None, {}
        gone = set()
        for user_id in user_ids:
            gone |= other._forget(user_id)
        added = other._fill(*_people_rows(sorted(user_ids)))
        boundaries = list(self.boundaries)
        for instant in gone - added:
            del boundaries[bisect_left(boundaries, instant)]
        for instant in added - gone:
            insort(boundaries, instant)
        other.boundaries = boundaries
        return other

    def changes_from(self, other: People, among: set[int] | None = None) -> tuple[set[int], set[int]]:
        """(the users whose row (unit, branch) or history differs between `other` and these people,
        those whose anything the roster reads differs: exemptions too), among `among` when given (what
        moving, adding or removing members changes: a few, among thousands)."""
        tables = (self.users, other.users), (self.periods, other.periods)
        extra = (self.unrecorded, other.unrecorded), (self.exemptions, other.exemptions)
        if among is None:
            def differing(mine, theirs):
                return {user_id for user_id in mine.keys() | theirs.keys() if mine.get(user_id) != theirs.get(user_id)}

            changed = {user_id for user_id, _place in self.users.items() ^ other.users.items()}
            changed |= differing(self.periods, other.periods)
            return changed, changed.union(*(differing(mine, theirs) for mine, theirs in extra))
        changed = {user_id for user_id in among if any(mine.get(user_id) != theirs.get(user_id) for mine, theirs in tables)}
        return changed, set(among)

    def period_at(self, user_id: int, moment: datetime):
        """The user's period covering `moment` (the latest-starting one), or None."""
        row = self.single.get(user_id)
        if row is not None:
            return row if row[0] <= moment and (row[1] is None or row[1] > moment) else None
        rows = self.periods.get(user_id)
        if rows is None:
            return None
        index = bisect_right(self.starts[user_id], moment) - 1
        while index >= 0:
            row = rows[index]
            if row[1] is None or row[1] > moment:
                return row
            index -= 1
        return None

    def next_change(self, as_of: datetime) -> datetime:
        """The first instant after `as_of` at which a roster place or an exemption can change."""
        index = bisect_right(self.boundaries, as_of)
        midnight = from_local(datetime.combine(as_of_date(as_of) + timedelta(days=1), time()))
        return min(self.boundaries[index], midnight) if index < len(self.boundaries) else midnight


def _people_rows(user_ids: list[int] | None) -> tuple[list, list, list]:
    """The rows People is made of (for `user_ids` only, when given): users (id, unit, branch, active,
    created_at or None when they have history), periods in order, approved exemptions."""
    period = MemberPeriod.__table__
    has_history = sa.select(period.c.id).where(period.c.user_id == User.id).exists()
    users = sa.select(User.id, User.unit_id, User.branch_id, User.active,
                      sa.case((has_history, None), else_=User.created_at))
    periods = (sa.select(MemberPeriod.user_id, MemberPeriod.valid_from, MemberPeriod.valid_to, MemberPeriod.unit_id,
                         MemberPeriod.branch_id, MemberPeriod.active)
               .order_by(MemberPeriod.user_id, MemberPeriod.valid_from, MemberPeriod.id))
    exemptions = (sa.select(ParticipationExemption.user_id, ParticipationExemption.campaign_id,
                            ParticipationExemption.starts_on, ParticipationExemption.ends_on)
                  .where(ParticipationExemption.status == "approved"))
    if user_ids is not None:
        users = users.where(User.id.in_(user_ids))
        periods = periods.where(MemberPeriod.user_id.in_(user_ids))
        exemptions = exemptions.where(ParticipationExemption.user_id.in_(user_ids))
    return driver_rows(users), driver_rows(periods), driver_rows(exemptions)


class Records(NamedTuple):
    """One figure's online records (user_id, took_part_at, given unit or None) and score rows (user_id,
    cents or None; None: the figure gives no score)."""

    online: list[tuple[int, datetime, int | None]]
    scores: list[tuple[int, int | None]] | None


def figure_records(campaign, spec) -> Records:
    """The records of one provider for `campaign` (one statement, two with a score)."""
    source = spec.provider.participants(campaign).subquery()
    columns = list(source.c)
    unit = sa.cast(columns[2], sa.Integer) if len(columns) > 2 else sa.cast(sa.null(), sa.Integer)
    online = [(user_id, _to_instant(at), given) for user_id, at, given in driver_rows(
        sa.select(columns[0], columns[1], unit).where(columns[1].is_not(None)))]
    scores = None
    if spec.provider.score is not None:
        scored = list(spec.provider.score(campaign).subquery().c)
        scores = [(user_id, _cents(score)) for user_id, score in driver_rows(
            sa.select(scored[0], scored[1]))]
    return Records(online, scores)


def _cents(score) -> int | None:
    """A score in whole cents (half up), so that the sums are exact."""
    if score is None:
        return None
    if score == int(score):
        return int(score) * 100
    return int(Decimal(str(score)).quantize(CENT, ROUND_HALF_UP) * 100)


def offline_records(campaign) -> dict[str, list[tuple[int, datetime, int | None]]]:
    """{key: [(user_id, took_part_at, unit_id)]} of the campaign's approved offline records."""
    offline = approved_offline_select(campaign).subquery()
    found: dict[str, list] = defaultdict(list)
    for key, user_id, took_part_at, unit_id in driver_rows(
            sa.select(offline.c.key, offline.c.user_id, offline.c.took_part_at, offline.c.unit_id)
            .where(offline.c.took_part_at.is_not(None))):
        found[key].append((user_id, _to_instant(took_part_at), unit_id))
    return dict(found)


