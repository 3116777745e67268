"""The engine's working parts, worked out in Python from what reading.py reads: the roster at an
instant (Roster), each figure's credits (Credited) and "at least one" and coverage (Combined), each of
which can be carried over from the one before a write, patched for the members the write changed.
The rule they follow is in the package's docstring."""
from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import datetime
from typing import NamedTuple

from app.participation.exemptions import as_of_date, covers
from app.participation.settings import MEMBERS
from app.participation.tally.reading import People, Records

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


class Roster:
    """The roster at as-of: where each member stands, who is exempt, where each is counted (exempt
    members nowhere), and the head count rows."""

    def __init__(self, people: People, campaign_id: int, as_of: datetime):
        self.serial = next(_serial)
        day = as_of_date(as_of)
        self.exempt = {user_id for user_id, spans in people.exemptions.items()
                       if exempt_on(spans, campaign_id, day)}
        places: dict[int, tuple[int, int | None]] = {}
        for user_id in people.users:
            place = _place(people, user_id, as_of)
            if place is not None:
                places[user_id] = place
        self.places = places
        exempt = self.exempt
        self.counted = {user_id: place for user_id, place in places.items() if user_id not in exempt}
        head: dict[tuple, int] = defaultdict(int)
        for user_id, (unit_id, branch_id) in places.items():
            head[unit_id, branch_id, 1 if user_id in exempt else 0] += 1
        self.head = dict(head)
        self._moved: tuple[dict, set[int]] | None = None

    def patched(self, people: People, user_ids: set[int], campaign_id: int, as_of: datetime) -> Roster:
        """This roster for `people`, which differ from the people it was made from only for the members
        in `user_ids`, at an `as_of` within the window it holds for."""
        other = object.__new__(Roster)
        other.serial = next(_serial)
        day = as_of_date(as_of)
        exempt, places, counted, head = set(self.exempt), dict(self.places), dict(self.counted), dict(self.head)
        moved = set()
        for user_id in user_ids:
            was = places.pop(user_id, None)
            if was is not None:
                _step(head, (*was, 1 if user_id in exempt else 0), -1)
            exempt.discard(user_id)
            if exempt_on(people.exemptions.get(user_id, ()), campaign_id, day):
                exempt.add(user_id)
            place = _place(people, user_id, as_of)
            if place is not None:
                places[user_id] = place
                _step(head, (*place, 1 if user_id in exempt else 0), 1)
            here = place if place is not None and user_id not in exempt else None
            if here != counted.get(user_id):
                moved.add(user_id)
                if here is None:
                    del counted[user_id]
                else:
                    counted[user_id] = here
        other.exempt, other.places, other.counted, other.head = exempt, places, counted, head
        other._moved = (self.counted, moved)
        return other

    def moved_since(self, counted: dict) -> set[int]:
        """The members counted elsewhere (or no longer, or newly) here than in `counted`, an earlier
        roster's (worked out once per earlier roster)."""
        if counted is self.counted:
            return set()
        if self._moved is None or self._moved[0] is not counted:
            self._moved = (counted, {user_id for user_id, _place in counted.items() ^ self.counted.items()})
        return self._moved[1]


def exempt_on(spans, campaign_id: int, day) -> bool:
    """Whether one member's approved exemptions (campaign, starts_on, ends_on) cover the campaign on `day`."""
    return any(covers(campaign_id, campaign, starts_on, ends_on, day) for campaign, starts_on, ends_on in spans)


def _place(people: People, user_id: int, as_of: datetime) -> tuple[int, int | None] | None:
    """(unit, branch) where a user stands on the roster at `as_of`, or None: their period covering it if
    active with a unit (a user with no history: their own row, from when it was created)."""
    unrecorded = people.unrecorded.get(user_id)
    if unrecorded is None:
        period = people.period_at(user_id, as_of)
        if period is not None and period[4] and period[2] is not None:
            return period[2], period[3]
        return None
    unit_id, branch_id = people.users[user_id]
    if unrecorded[0] and unrecorded[1] <= as_of and unit_id is not None:
        return unit_id, branch_id
    return None


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


def _step(counts: dict[tuple, int], group: tuple, step: int) -> None:
    """Add `step` to the members counted in `group` (a group that reaches none is dropped)."""
    number = counts.get(group, 0) + step
    if number:
        counts[group] = number
    else:
        counts.pop(group, None)


def _count(counts: dict[tuple, int], entry: tuple | None, here: tuple, step: int) -> None:
    """Add `step` to the group of a credit `entry` (took_part_at, offline, unit, branch) counted `here`."""
    if entry is not None:
        _step(counts, (entry[2], entry[3], entry[1], *here), step)


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
        # Read once each: under a threaded server another view may derive from this one meanwhile.
        grouped, base = self.grouped, self.base
        if grouped is not None and grouped[0] is counted:
            return grouped[1]
        source, changed, before = None, set(), self.by_user
        if grouped is not None:
            source = grouped
        elif base is not None and base[0].grouped is not None:
            source, changed, before = base[0].grouped, base[1], base[0].by_user
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
            base = figure.base  # read once (see grouped_for)
            if base is None or base[0] is not held:
                return None
            changed |= base[1]
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
                    _step(counts, (before[2], before[3], *was), -1)
                if after is None:
                    entries.pop(user_id, None)
                else:
                    entries[user_id] = after
                    _step(counts, (after[2], after[3], *here), 1)
        return other

    def rows(self) -> list[Tally]:
        return ([Tally("credit", ANY_INDEX, unit, branch, 0, here_unit, here_branch, number, None)
                 for (unit, branch, here_unit, here_branch), number in self.any_counts.items()]
                + [Tally("credit", COVERAGE_INDEX, unit, branch, 0, here_unit, here_branch, number, None)
                   for (unit, branch, here_unit, here_branch), number in self.coverage_counts.items()])


def scores_rows(figures: list[Credited], scores: list[list | None]) -> list[Tally]:
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
