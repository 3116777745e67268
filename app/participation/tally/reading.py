"""What the participation engine reads, once each and with no as-of instant (the clock is applied in
parts.py): the people, each figure's records, the approved offline records, the exemptions' reasons.
Tens of thousands of rows each, read as the driver gives them."""
from __future__ import annotations

from bisect import bisect_right
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
    as-of instant: the clock is applied later, so these stay right until a write moves them)."""

    def __init__(self):
        period = MemberPeriod.__table__
        has_history = sa.select(period.c.id).where(period.c.user_id == User.id).exists()
        self.users: dict[int, tuple[int | None, int | None]] = {}
        # Users with no history are placed by their own row: only theirs need active and created_at.
        self.unrecorded: dict[int, tuple[bool, datetime]] = {}
        for user_id, unit_id, branch_id, active, created_at in driver_rows(
                sa.select(User.id, User.unit_id, User.branch_id, User.active,
                          sa.case((has_history, None), else_=User.created_at))):
            self.users[user_id] = (unit_id, branch_id)
            if created_at is not None:
                self.unrecorded[user_id] = (bool(active), _to_instant(created_at))
        periods: dict[int, list] = defaultdict(list)
        boundaries = set()
        for user_id, valid_from, valid_to, unit_id, branch_id, active in driver_rows(
                sa.select(MemberPeriod.user_id, MemberPeriod.valid_from, MemberPeriod.valid_to, MemberPeriod.unit_id,
                          MemberPeriod.branch_id, MemberPeriod.active)
                .order_by(MemberPeriod.user_id, MemberPeriod.valid_from, MemberPeriod.id)):
            valid_from, valid_to = _to_instant(valid_from), _to_instant(valid_to)
            periods[user_id].append((valid_from, valid_to, unit_id, branch_id, bool(active)))
            boundaries.add(valid_from)
            if valid_to is not None:
                boundaries.add(valid_to)
        boundaries.update(created_at for _active, created_at in self.unrecorded.values())
        self.periods = dict(periods)
        # Most members have one period: theirs is checked straight, without a search.
        self.single = {user_id: rows[0] for user_id, rows in self.periods.items() if len(rows) == 1}
        self.starts = {user_id: [row[0] for row in rows] for user_id, rows in self.periods.items() if len(rows) > 1}
        self.boundaries = sorted(boundaries)  # the instants at which someone's roster place changes
        self.base: tuple[Any, set[int]] | None = None  # (the people version before, the users changed since)
        self.exemptions: dict[int, list[tuple[int | None, date, date | None]]] = defaultdict(list)
        for user_id, campaign_id, starts_on, ends_on in driver_rows(
                sa.select(ParticipationExemption.user_id, ParticipationExemption.campaign_id,
                          ParticipationExemption.starts_on, ParticipationExemption.ends_on)
                .where(ParticipationExemption.status == "approved")):
            self.exemptions[user_id].append((campaign_id, _to_day(starts_on), _to_day(ends_on)))

    def changes_from(self, other: People) -> set[int]:
        """The users whose row (unit, branch) or history differs between `other` and these people
        (what moving, adding or removing members changes: a few, among thousands)."""
        changed = {user_id for user_id, _place in self.users.items() ^ other.users.items()}
        mine, theirs = self.periods, other.periods
        changed.update(user_id for user_id in mine.keys() | theirs.keys() if mine.get(user_id) != theirs.get(user_id))
        return changed

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


