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

from datetime import datetime

from flask import current_app

from app.common import data_versions, worker_memo
from app.common.heap import collector_paused
from app.participation.freshness import OFFLINE_DATA, PEOPLE_DATA, figure_data
from app.participation.tally.parts import (
    ANY_INDEX,
    COVERAGE_INDEX,
    IN_LIMIT,
    Combined,
    Credit,
    Credited,
    Roster,
    Tally,
    exempt_on,
    member_keys,
    scores_rows,
)
from app.participation.tally.reading import (
    People,
    Records,
    driver_rows,
    exemption_reasons,
    figure_records,
    offline_records,
)

__all__ = ["ANY_INDEX", "COVERAGE_INDEX", "IN_LIMIT", "Credit", "Tally", "driver_rows", "exempt_on",
           "exemption_reasons", "kept_people", "member_credits", "member_keys", "roster_places", "tallies"]

STORE = "participation.tally"
# The campaigns whose parts a worker keeps (about 40 MB each at 20,000 members): the least recently
# viewed one beyond this is dropped. Running campaigns are few; an old one is read again when opened.
CAMPAIGNS_KEPT = 3


def _store() -> dict:
    return worker_memo.slots(STORE)


def _latest(slot: tuple, version, build, *, keep: bool = True):
    return worker_memo.latest(STORE, slot, version, build, keep=keep)


def _window(slot: tuple, version, as_of: datetime, build, until, *, derive=None):
    return worker_memo.windowed(STORE, slot, version, as_of, build, until, derive=derive)


def _touch(campaign_id: int) -> None:
    """Note a view of the campaign; drop the parts of the least recently viewed beyond CAMPAIGNS_KEPT."""
    store = _store()
    order = store.setdefault(("campaigns",), {})  # campaign id -> None, least recently viewed first
    order.pop(campaign_id, None)
    order[campaign_id] = None
    while len(order) > CAMPAIGNS_KEPT:
        dropped = next(iter(order))
        order.pop(dropped, None)
        for slot in [slot for slot in list(store) if len(slot) > 1 and slot[1] == dropped]:
            store.pop(slot, None)  # pop: another thread of a threaded server may drop it too


def _parts(campaign, as_of: datetime, specs):
    """(keys, roster, [(Credited, Records)] per key) at `as_of`, from the parts kept in this worker
    (those for an earlier instant than the ones kept are worked out without replacing them)."""
    with collector_paused():  # tens of thousands of tuples beside the hundreds of thousands kept
        return _parts_now(campaign, as_of, specs)


def _parts_now(campaign, as_of: datetime, specs):
    keys = member_keys(specs)
    by_key = {spec.key: spec for spec in specs}
    names = {key: figure_data(key) for key in keys}
    _touch(campaign.id)
    # The versions are read before anything the parts are made of (data_versions' rule).
    versions = data_versions.current_many([PEOPLE_DATA, OFFLINE_DATA, *names.values()])
    people_version = versions[PEOPLE_DATA]
    people = kept_people(people_version)

    def patched_roster(held_version, held: Roster) -> Roster | None:
        """The held roster carried over to these people when they were made from the held ones."""
        if people.base is not None and people.base[0] == held_version:
            return held.patched(people, people.base[2], campaign.id, as_of)
        return None

    roster = _window(("roster", campaign.id), people_version, as_of, lambda: Roster(people, campaign.id, as_of),
                     lambda value: people.next_change(as_of), derive=patched_roster)
    return keys, roster, _credited(campaign, as_of, keys, by_key, names, versions, people)


def kept_people(version) -> People:
    """The people at the people's data `version` (read by the caller before), kept in this worker."""
    return _latest(("people",), version, lambda: _people_since(_store().get(("people",)), version))


def _people_since(held: tuple | None, version) -> People:
    """The people at `version`: the held ones (version, People) with the members the people's change
    log names read again (a move, an exemption: a few rows), else every row read; either way with
    `base` saying what changed since the held ones and `prior` where the changed stood in them."""
    if held is None:
        return People()
    before_version, before = held
    logged = data_versions.changed_keys(PEOPLE_DATA, before_version, version)
    if logged is not None and len(logged) <= IN_LIMIT:
        people = before.patched(logged)
        changed, touched = people.changes_from(before, among=logged)
    else:
        people = People()
        changed, touched = people.changes_from(before)
    people.base = (before_version, changed, touched)
    people.prior = {user_id: (before.users.get(user_id), before.exemptions.get(user_id, ())) for user_id in touched}
    return people


def tallies(campaign, as_of: datetime, specs, *, required: list[str], coverage_keys: set[str]) -> list[Tally]:
    """The rule above as the dashboard's Tally rows at `as_of`, grouped by (unit, branch), from the
    parts kept in this worker."""
    keys, roster, figures = _parts(campaign, as_of, specs)
    # The rows themselves, kept while the same parts make them (the first view of a new minute with
    # no write since: nothing to work out).
    made_of = (tuple(keys), tuple(required), tuple(sorted(coverage_keys)), roster.serial,
               tuple(credited.serial for credited, _records in figures))
    held = _store().get(("roster", campaign.id))
    current = held is not None and held[3] is roster  # an earlier instant's rows never replace today's
    # The slot per set of figures: the head count alone (headcount()) does not push out the dashboard's.
    with collector_paused():
        return _latest(("tallies", campaign.id, tuple(keys)), made_of,
                       lambda: _tally_rows(campaign.id, keys, roster, figures, required=required,
                                           coverage_keys=coverage_keys, keep=current and not current_app.debug),
                       keep=current)


def roster_places(campaign, as_of: datetime) -> dict[int, tuple[int, int | None]]:
    """{user_id: (unit_id, branch_id)} of the members on the roster at `as_of` (exempt ones included)."""
    return _parts(campaign, as_of, [])[1].places


def member_credits(campaign, as_of: datetime, specs, user_ids=None) -> dict[int, dict[str, Credit]]:
    """{user_id: {key: Credit}}: each member's credited participation per figure at `as_of` (among
    `user_ids`, default everyone), the same credits the tallies count."""
    keys, _roster, figures = _parts(campaign, as_of, specs)
    with collector_paused():
        return _credits_of(keys, figures, set(user_ids) if user_ids is not None else None)


def _credits_of(keys, figures, wanted: set[int] | None) -> dict[int, dict[str, Credit]]:
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


def _credited(campaign, as_of, keys, by_key, names, versions, people) -> list[tuple[Credited, Records]]:
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
                           lambda value: value.later, derive=derived)
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
    rows.extend(scores_rows(credits, [records.scores for _credited, records in figures]))
    return rows


