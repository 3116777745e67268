"""Where each member stands and what they are credited with, for the participation engine
(services.py): the dashboard's tallies (Tally rows grouped by unit and branch) and the member lists'
credits, worked out in Python from what the engine reads, each part kept in the worker for as long as
it stays right:

- the people (users, membership history, approved exemptions), each figure's records and the offline
  records are read with no as-of instant and kept under the data version of the tables they come from
  (freshness.py): a view after a quiz submission reads the quiz's records again, never the roster, the
  check-ins or the exhibition;
- what the clock changes is worked out from them and kept with the window it holds for: the roster at
  as-of until the next start or end of a membership period (or midnight, for exemptions by day), each
  member's first record per figure until the next record dated after as-of.

So the statements per view stay the same few whatever the number of units and members, and a view
after one write does the work of that write's figure only. tests/participation/reference_tallies.py
writes the same rule as SQL, and a test compares the two.

Rule: a member is on the roster at an instant when their period covering it is active with a unit (a
user with no history at all: their users row, from when it was created); each figure they took part in
by the as-of instant is credited from their first online record (else their first approved offline
one; ties: the earliest, then the given unit) to the unit the activity gave, else their unit in the
history at that moment, else their current unit; they are counted at as-of where the roster puts
them, unless exempt.
"""
from __future__ import annotations

import itertools
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

import sqlalchemy as sa
from flask import current_app

from app.accounts.models import User
from app.common import data_versions
from app.common.clock import from_local
from app.extensions import db
from app.participation.exemptions import approved_exemptions_select, as_of_date
from app.participation.freshness import OFFLINE_DATA, PEOPLE_DATA, figure_data
from app.participation.models import MemberPeriod, ParticipationExemption
from app.participation.offline import approved_offline_select
from app.participation.settings import MEMBERS

CENT = Decimal("0.01")
STORE = "participation.tally"
# The campaigns whose parts a worker keeps (about 40 MB each at 20,000 members): the least recently
# viewed one beyond this is dropped. Running campaigns are few; an old one is read again when opened.
CAMPAIGNS_KEPT = 3
SLOTS = 512  # a bound on kept parts whatever happens (a campaign keeps about five per figure)
_serial = itertools.count(1)


# Up to this many user ids go into an IN list; a wider scope reads every row and filters in Python
# (the statement count stays the same, and SQLite's bound-parameter limit is never reached).
IN_LIMIT = 500

# The measures beside the figures in a Tally's key (figure keys are 0, 1, …).
ANY_INDEX, COVERAGE_INDEX = -1, -2


class Credit(NamedTuple):
    """A member's first participation in one figure: when, the credited unit and branch, offline or not."""

    took_part_at: datetime
    unit_id: int | None
    branch_id: int | None
    offline: bool


class Tally(NamedTuple):
    """One grouped row of the dashboard's tallies."""

    part: str  # "head": roster members (flag 1: exempt); "credit": credited members (flag 1: offline),
    # with where they are counted at as-of (here_*; NULL: nowhere); "score": score cents of credited members
    key: int | None  # the key index, ANY_INDEX or COVERAGE_INDEX
    unit_id: int | None
    branch_id: int | None
    flag: int
    here_unit: int | None
    here_branch: int | None
    number: int
    cents: int | None


def member_keys(specs) -> list[str]:
    """The members figures' keys in string order: their index is a Tally's key, so comparing it breaks
    ties "by key" as the rules say."""
    return sorted(spec.key for spec in specs if spec.kind == MEMBERS)


def exemption_reasons(campaign, as_of: datetime) -> dict[int, str]:
    """{user_id: reason} of the approved exemptions for `campaign` covering the as-of date."""
    exempt = approved_exemptions_select(campaign, as_of).subquery("exempt")
    return {user_id: reason for user_id, reason in db.session.execute(sa.select(exempt.c.user_id, exempt.c.reason))}


# ---------------------------------------------------------------- what is read

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


# ---------------------------------------------------------------- what the clock changes

class Roster:
    """The roster at as-of: where each member stands, who is exempt, where each is counted (exempt
    members nowhere), and the head count rows."""

    def __init__(self, people: People, campaign_id: int, as_of: datetime):
        self.serial = next(_serial)
        day = as_of_date(as_of)
        self.exempt = {user_id for user_id, spans in people.exemptions.items()
                       if any((campaign is None or campaign == campaign_id) and starts_on <= day
                              and (ends_on is None or ends_on >= day) for campaign, starts_on, ends_on in spans)}
        places: dict[int, tuple[int, int | None]] = {}
        for user_id, (unit_id, branch_id) in people.users.items():
            unrecorded = people.unrecorded.get(user_id)
            if unrecorded is None:
                period = people.period_at(user_id, as_of)
                if period is not None and period[4] and period[2] is not None:
                    places[user_id] = (period[2], period[3])
            elif unrecorded[0] and unrecorded[1] <= as_of and unit_id is not None:
                places[user_id] = (unit_id, branch_id)
        self.places = places
        exempt = self.exempt
        self.counted = {user_id: place for user_id, place in places.items() if user_id not in exempt}
        head: dict[tuple, int] = defaultdict(int)
        for user_id, (unit_id, branch_id) in places.items():
            head[unit_id, branch_id, 1 if user_id in exempt else 0] += 1
        self.head = dict(head)
        self._moved: tuple[dict, set[int]] | None = None

    def moved_since(self, counted: dict) -> set[int]:
        """The members counted elsewhere (or no longer, or newly) here than in `counted`, an earlier
        roster's (worked out once per earlier roster)."""
        if counted is self.counted:
            return set()
        if self._moved is None or self._moved[0] is not counted:
            self._moved = (counted, {user_id for user_id, _place in counted.items() ^ self.counted.items()})
        return self._moved[1]


def _credit(people: People, user_id: int, rank: tuple) -> tuple | None:
    """(took_part_at, offline 0/1, unit_id, branch_id) of a member's first record `rank` (offline,
    took_part_at, given unit or 0): the unit the activity gave, else their period's at that moment,
    else their current one; None for a user who is gone (a deleted user counts nowhere)."""
    user = people.users.get(user_id)
    if user is None:
        return None
    flag, took_part_at, given = rank
    current_unit, current_branch = user
    then = people.period_at(user_id, took_part_at)
    if given:
        unit = given
    elif then is not None and then[2] is not None:
        unit = then[2]
    else:
        unit = current_unit
    if then is not None:
        branch = then[3] if then[2] is not None and then[2] == unit else None
    else:
        branch = current_branch if current_unit is not None and current_unit == unit else None
    return took_part_at, flag, unit, branch


def _count(counts: dict[tuple, int], entry: tuple | None, here: tuple, step: int) -> None:
    """Add `step` to the group of a credit `entry` (took_part_at, offline, unit, branch) counted `here`."""
    if entry is None:
        return
    group = (entry[2], entry[3], entry[1], *here)
    number = counts.get(group, 0) + step
    if number:
        counts[group] = number
    else:
        counts.pop(group, None)


class Credited:
    """Each member's credited participation in one figure at as-of: {user_id: (took_part_at, offline
    0/1, unit_id, branch_id)}, and its grouped rows per roster (kept on it, by the roster's serial)."""

    def __init__(self, people: People, records: Records, offline, as_of: datetime):
        self.serial = next(_serial)
        # Each member's first record (by the rule's order), whoever the people are: where it is
        # credited is worked out from the people below, so a roster change re-credits only the members
        # it changed (rebased).
        best: dict[int, tuple] = {}
        later = None  # the first record dated after as-of: the figure changes then
        for flag, rows in ((0, records.online), (1, offline)):
            for user_id, took_part_at, given in rows:
                if took_part_at > as_of:
                    if later is None or took_part_at < later:
                        later = took_part_at
                    continue
                rank = (flag, took_part_at, given or 0)
                held = best.get(user_id)
                if held is None or rank < held:
                    best[user_id] = rank
        self.best, self.later, self.records = best, later, records
        by_user = {}
        for user_id, rank in best.items():
            credit = _credit(people, user_id, rank)
            if credit is not None:
                by_user[user_id] = credit
        self._start(by_user, None)

    def _start(self, by_user: dict[int, tuple], base: tuple[Credited, set[int]] | None) -> None:
        self.by_user = by_user
        # (the Credited this one was derived from, the members whose credit differs): what depends on
        # the credits (grouped_for, Combined) is patched for those members instead of worked out again.
        self.base = base
        self.grouped: tuple[dict, dict[tuple, int]] | None = None  # (the roster's counted, the counts)
        self._entries: tuple[int, dict[int, tuple]] | None = None

    def _derived(self, best, later, records, people: People, users) -> Credited:
        other = object.__new__(Credited)
        other.serial, other.best, other.later, other.records = next(_serial), best, later, records
        by_user, changed = dict(self.by_user), set()
        for user_id in users:
            rank = best.get(user_id)
            credit = _credit(people, user_id, rank) if rank is not None else None
            if credit == by_user.get(user_id):
                continue
            changed.add(user_id)
            if credit is None:
                by_user.pop(user_id, None)
            else:
                by_user[user_id] = credit
        self.base = None  # one step of history is all that is patched from: no chain is kept alive
        other._start(by_user, (self, changed))
        return other

    def rebased(self, people: People, changed: set[int]) -> Credited:
        """This figure credited from `people`, which differ from the people it was made from only for
        the members in `changed`."""
        return self._derived(self.best, self.later, self.records, people, changed)

    def extended(self, people: People, records: Records, added, as_of: datetime) -> Credited:
        """This figure at `as_of` once `records` hold the records it was made from and `added` (a
        submission, a check-in: the usual write), with only the members of `added` worked out again."""
        best, later, touched = dict(self.best), self.later, set()
        for user_id, took_part_at, given in added:
            if took_part_at > as_of:
                if later is None or took_part_at < later:
                    later = took_part_at
                continue
            rank = (0, took_part_at, given or 0)
            held = best.get(user_id)
            if held is None or rank < held:
                best[user_id] = rank
                touched.add(user_id)
        return self._derived(best, later, records, people, touched)

    def entries(self, index: int) -> dict[int, tuple]:
        """{user_id: (took_part_at, index, unit_id, branch_id)}: what "at least one" compares (kept)."""
        if self._entries is None or self._entries[0] != index:
            self._entries = (index, {user_id: (at, index, unit, branch)
                                     for user_id, (at, _flag, unit, branch) in self.by_user.items()})
        return self._entries[1]

    def grouped_for(self, roster: Roster) -> dict[tuple, int]:
        """{(unit, branch, offline, here_unit, here_branch): members} for `roster`: patched from the
        counts of this figure for an earlier roster, or of the figure it was derived from, for the
        members that differ (moved, or credited differently); else counted whole."""
        counted, nowhere = roster.counted, (None, None)
        if self.grouped is not None and self.grouped[0] is counted:
            return self.grouped[1]
        source, changed, before = None, set(), self.by_user
        if self.grouped is not None:
            source = self.grouped
        elif self.base is not None and self.base[0].grouped is not None:
            source, changed, before = self.base[0].grouped, self.base[1], self.base[0].by_user
        if source is not None:
            counts = dict(source[1])
            for user_id in changed | roster.moved_since(source[0]):
                _count(counts, before.get(user_id), source[0].get(user_id, nowhere), -1)
                _count(counts, self.by_user.get(user_id), counted.get(user_id, nowhere), 1)
        else:
            counts = defaultdict(int)
            for user_id, (_at, flag, unit, branch) in self.by_user.items():
                counts[(unit, branch, flag, *counted.get(user_id, nowhere))] += 1
            counts = dict(counts)
        self.grouped = (counted, counts)  # one roster at a time is enough
        return counts


# ---------------------------------------------------------------- kept in the worker

def _store() -> dict:
    store = current_app.extensions.setdefault(STORE, {})
    if len(store) > SLOTS:
        store.clear()
    return store


def _touch(campaign_id: int) -> None:
    """Note a view of the campaign; drop the parts of the least recently viewed beyond CAMPAIGNS_KEPT."""
    store = _store()
    order = store.setdefault(("campaigns",), {})  # campaign id -> None, least recently viewed first
    order.pop(campaign_id, None)
    order[campaign_id] = None
    while len(order) > CAMPAIGNS_KEPT:
        dropped = next(iter(order))
        del order[dropped]
        for slot in [slot for slot in store if len(slot) > 1 and slot[1] == dropped]:
            del store[slot]


def _latest(slot: tuple, version: Any, build: Callable[[], Any], *, keep: bool = True):
    """`build()`, kept in `slot` while `version` stays the same (one value per slot: a newer version
    replaces the older at once)."""
    if current_app.debug:
        keep = False
    store = _store()
    held = store.get(slot)
    if held is not None and held[0] == version:
        return held[1]
    value = build()
    if keep:
        store[slot] = (version, value)
    return value


def _window(slot: tuple, version: Any, as_of: datetime, build: Callable[[], Any], until: Callable[[Any], Any],
            *, keep: bool = True, derive: Callable[[Any, Any], Any] | None = None):
    """`build()` for `as_of`, kept in `slot` under `version` and reused for any as-of from the one it
    was built for until `until(value)` (None: no end); `derive(held version, held value)` may give the
    value for a new version from the one held for the same window (None: build it)."""
    if current_app.debug:
        keep = False
    store = _store()
    held = store.get(slot)
    covers = held is not None and held[1] <= as_of and (held[2] is None or as_of < held[2])
    if covers and held[0] == version:
        return held[3]
    value = derive(held[0], held[3]) if covers and derive is not None else None
    if value is not None:
        if keep:
            store[slot] = (version, as_of, until(value), value)
        return value
    value = build()
    if keep and (held is None or held[0] != version or held[1] <= as_of):
        store[slot] = (version, as_of, until(value), value)
    return value


def _parts(campaign, as_of: datetime, specs, *, keep: bool = True):
    """(keys, roster, [(Credited, Records)] per key) at `as_of`, from the parts kept in this worker
    (`keep` False: the clock's parts are worked out for `as_of` without being kept)."""
    keys = member_keys(specs)
    by_key = {spec.key: spec for spec in specs}
    names = {key: figure_data(key) for key in keys}
    _touch(campaign.id)
    # The versions are read before anything the parts are made of (data_versions' rule).
    versions = data_versions.current_many([PEOPLE_DATA, OFFLINE_DATA, *names.values()])
    people_version = versions[PEOPLE_DATA]
    before = _store().get(("people",))
    people = _latest(("people",), people_version, People)
    if before is not None and before[1] is not people and people.base is None:
        people.base = (before[0], people.changes_from(before[1]))
    roster = _window(("roster", campaign.id), people_version, as_of, lambda: Roster(people, campaign.id, as_of),
                     lambda value: people.next_change(as_of), keep=keep)
    return keys, roster, _credited(campaign, as_of, keys, by_key, names, versions, people, keep=keep)


def tallies(campaign, as_of: datetime, specs, *, required: list[str], coverage_keys: set[str],
            keep: bool = True) -> list[Tally]:
    """The rule above as the dashboard's Tally rows at `as_of`, grouped by (unit, branch), from the
    parts kept in this worker."""
    keys, roster, figures = _parts(campaign, as_of, specs, keep=keep)
    # The rows themselves, kept while the same parts make them (the first view of a new minute with
    # no write since: nothing to work out).
    made_of = (tuple(keys), tuple(required), tuple(sorted(coverage_keys)), roster.serial,
               tuple(credited.serial for credited, _records in figures))
    held = _store().get(("roster", campaign.id))
    current = held is not None and held[3] is roster  # an earlier instant's rows never replace today's
    return _latest(("tallies", campaign.id), made_of,
                   lambda: _tally_rows(campaign.id, keys, roster, figures, required=required,
                                       coverage_keys=coverage_keys, keep=keep and current and not current_app.debug),
                   keep=keep and current)


def roster_places(campaign, as_of: datetime) -> dict[int, tuple[int, int | None]]:
    """{user_id: (unit_id, branch_id)} of the members on the roster at `as_of` (exempt ones included)."""
    return _parts(campaign, as_of, [])[1].places


def member_credits(campaign, as_of: datetime, specs, user_ids=None) -> dict[int, dict[str, Credit]]:
    """{user_id: {key: Credit}}: each member's credited participation per figure at `as_of` (among
    `user_ids`, default everyone), the same credits the tallies count."""
    keys, _roster, figures = _parts(campaign, as_of, specs)
    wanted = set(user_ids) if user_ids is not None else None
    found: dict[int, dict[str, Credit]] = {}
    for key, (credited, _records) in zip(keys, figures, strict=True):
        for user_id, (at, flag, unit, branch) in credited.by_user.items():
            if wanted is not None and user_id not in wanted:
                continue
            mine = found.get(user_id)
            if mine is None:
                mine = found[user_id] = {}
            mine[key] = Credit(at, unit, branch, bool(flag))
    return found


def _credited(campaign, as_of, keys, by_key, names, versions, people, *, keep) -> list[tuple[Credited, Records]]:
    """Each figure's Credited at `as_of` and its Records, from the parts kept (or read now)."""
    offline_version = (versions[OFFLINE_DATA], campaign.starts_on, campaign.ends_on)
    offline = _latest(("offline", campaign.id), offline_version, lambda: offline_records(campaign))
    found = []
    for key in keys:
        version = (versions[names[key]], campaign.starts_on, campaign.ends_on)
        records = _latest(("records", campaign.id, key), version, lambda key=key: figure_records(campaign, by_key[key]))
        def derived(held_version, held, version=version, records=records):
            """The held figure carried over when one thing moved since it was made: the people (the
            members they changed are re-credited) or the figure's records, only added to (the members
            with a new record are)."""
            if people.base is not None and held_version == (version, offline_version, people.base[0]):
                return held.rebased(people, people.base[1])
            if held_version[1:] == (offline_version, versions[PEOPLE_DATA]) and held.records is not records:
                before, now = set(held.records.online), set(records.online)
                if before <= now:
                    return held.extended(people, records, now - before, as_of)
            return None

        credited = _window(("credited", campaign.id, key), (version, offline_version, versions[PEOPLE_DATA]), as_of,
                           lambda records=records, key=key: Credited(people, records, offline.get(key, ()), as_of),
                           lambda value: value.later, keep=keep, derive=derived)
        found.append((credited, records))
    return found


def _tally_rows(campaign_id: int, keys, roster: Roster, figures: list[tuple[Credited, Records]], *, required,
                coverage_keys, keep: bool) -> list[Tally]:
    rows = [Tally("head", None, unit_id, branch_id, flag, None, None, number, None)
            for (unit_id, branch_id, flag), number in roster.head.items()]
    if not keys:
        return rows
    for index, (credited, _records) in enumerate(figures):
        rows.extend(Tally("credit", index, unit, branch, flag, here_unit, here_branch, number, None)
                    for (unit, branch, flag, here_unit, here_branch), number in credited.grouped_for(roster).items())
    credits = [credited for credited, _records in figures]
    config = (tuple(keys), tuple(required), tuple(sorted(coverage_keys)))
    held = _store().get(("combined", campaign_id))
    combined = held[1].updated(credits, roster) if held is not None and held[0] == config else None
    if combined is None:
        combined = Combined(keys, credits, roster, required=required, coverage_keys=coverage_keys)
    if keep:
        _store()[("combined", campaign_id)] = (config, combined)
    rows.extend(combined.rows())
    rows.extend(_scores(credits, [records.scores for _credited, records in figures]))
    return rows


class Combined:
    """"At least one" and coverage: per member, the credit each is counted by ("at least one": the
    earliest figure, by time then key; coverage, for members who did every required figure: the last
    one done, by time then key), and the grouped counts, for one roster and one set of figures."""

    def __init__(self, keys, figures: list[Credited], roster: Roster, *, required, coverage_keys):
        self.figures, self.counted = tuple(figures), roster.counted
        self.indices = [keys.index(key) for key in sorted(coverage_keys) if key in keys]
        needed = [keys.index(key) for key in required if key in keys]
        self.needed = needed if needed and len(needed) == len(required) else []
        counted, nowhere = roster.counted, (None, None)
        self.first: dict[int, tuple] = {}
        self.last: dict[int, tuple] = {}
        if self.indices:
            # The largest figure is copied in whole (its entries carry their key index already, see
            # Credited.entries); the others are merged in member by member.
            indices = sorted(self.indices, key=lambda index: -len(figures[index].by_user))
            first = dict(figures[indices[0]].entries(indices[0]))
            get = first.get
            for index in indices[1:]:
                for user_id, entry in figures[index].entries(index).items():
                    held = get(user_id)
                    if held is None or entry < held:
                        first[user_id] = entry
            self.first = first
        if self.needed:
            done = [figures[index].by_user for index in self.needed]
            for user_id in set(done[0]).intersection(*done[1:]):
                self.last[user_id] = self._last(user_id)
        self.any_counts: dict[tuple, int] = defaultdict(int)
        for user_id, entry in self.first.items():
            self.any_counts[(entry[2], entry[3], *counted.get(user_id, nowhere))] += 1
        self.coverage_counts: dict[tuple, int] = defaultdict(int)
        for user_id, entry in self.last.items():
            self.coverage_counts[(entry[2], entry[3], *counted.get(user_id, nowhere))] += 1

    def _first(self, user_id: int) -> tuple | None:
        found = None
        for index in self.indices:
            credit = self.figures[index].by_user.get(user_id)
            if credit is not None:
                entry = (credit[0], index, credit[2], credit[3])
                if found is None or entry < found:
                    found = entry
        return found

    def _last(self, user_id: int) -> tuple | None:
        found = None
        for index in self.needed:
            credit = self.figures[index].by_user.get(user_id)
            if credit is None:
                return None
            entry = (credit[0], -index, credit[2], credit[3])  # the latest, then the first key
            if found is None or entry > found:
                found = entry
        return found

    def updated(self, figures: list[Credited], roster: Roster) -> Combined | None:
        """These counts for `figures` and `roster` when each figure is the one held here or derived from
        it (Credited.base), with only the members whose credits or roster place differ worked out
        again; None otherwise."""
        changed: set[int] = set(roster.moved_since(self.counted))
        for held, figure in zip(self.figures, figures, strict=True):
            if figure is held:
                continue
            if figure.base is None or figure.base[0] is not held:
                return None
            changed |= figure.base[1]
        other = object.__new__(Combined)
        other.figures, other.counted, other.indices, other.needed = tuple(figures), roster.counted, self.indices, self.needed
        other.first, other.last = dict(self.first), dict(self.last)
        other.any_counts, other.coverage_counts = dict(self.any_counts), dict(self.coverage_counts)
        nowhere = (None, None)
        for user_id in changed:
            was, here = self.counted.get(user_id, nowhere), roster.counted.get(user_id, nowhere)
            for entries, counts, work in ((other.first, other.any_counts, other._first),
                                          (other.last, other.coverage_counts, other._last)):
                before, after = entries.get(user_id), work(user_id)
                if before == after and was == here:
                    continue
                if before is not None:
                    group = (before[2], before[3], *was)
                    counts[group] -= 1
                    if not counts[group]:
                        del counts[group]
                if after is None:
                    entries.pop(user_id, None)
                else:
                    entries[user_id] = after
                    group = (after[2], after[3], *here)
                    counts[group] = counts.get(group, 0) + 1
        return other

    def rows(self) -> list[Tally]:
        return ([Tally("credit", ANY_INDEX, unit, branch, 0, here_unit, here_branch, number, None)
                 for (unit, branch, here_unit, here_branch), number in self.any_counts.items()]
                + [Tally("credit", COVERAGE_INDEX, unit, branch, 0, here_unit, here_branch, number, None)
                   for (unit, branch, here_unit, here_branch), number in self.coverage_counts.items()])


def _scores(figures: list[Credited], scores: list[list | None]) -> list[Tally]:
    """The score cents of the credited members, by the unit and branch they are credited to."""
    sums: dict[tuple, list[int]] = {}
    for figure, rows in zip(figures, scores, strict=True):
        credited = figure.by_user
        for user_id, cents in rows or ():
            found = credited.get(user_id)
            if found is None or cents is None:
                continue
            cell = sums.get((found[2], found[3]))
            if cell is None:
                cell = sums[found[2], found[3]] = [0, 0]
            cell[0] += 1
            cell[1] += cents
    return [Tally("score", None, unit, branch, 0, None, None, number, cents)
            for (unit, branch), (number, cents) in sums.items()]
