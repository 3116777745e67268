"""The engine's rule written a second, independent way, as SQL (how the engine placed members and
grouped the dashboard's tallies in the database before app/participation/tally/): a test compares the
two on data with transfers, exemptions, offline records and records dated after the view.

Rule: a member is on the roster at an instant when their period covering it is active with a unit (a
user with no history at all: their users row, from when it was created); each figure they took part in
by the as-of instant is credited from their first online record (else their first approved offline
one) to the unit the activity gave, else their unit in the history at that moment, else their current
unit.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from app.accounts.models import User
from app.extensions import db
from app.participation.exemptions import approved_exemptions_select
from app.participation.models import MemberPeriod
from app.participation.offline import approved_offline_select
from app.participation.settings import MEMBERS
from app.participation.tally import ANY_INDEX, COVERAGE_INDEX, IN_LIMIT, Credit, Tally, member_keys


def exempt_clause(campaign, as_of: datetime, user_id):
    """The member `user_id` (a column) has an approved exemption covering the as-of date."""
    return user_id.in_(sa.select(approved_exemptions_select(campaign, as_of).subquery().c.user_id))


def _among(column, user_ids):
    """A WHERE clause restricting `column` to `user_ids` (None or a wide scope: no restriction)."""
    if user_ids is None or len(user_ids) > IN_LIMIT:
        return sa.true()
    return column.in_(sorted(user_ids))



# ---------------------------------------------------------------- the roster

def _place_at(as_of: datetime, users):
    """How `users` (the table in the FROM) stand at `as_of`, by indexed lookups per user (a derived
    table cannot be indexed in SQLite): the period to outer-join, its ON clause, and the unit and
    branch on the roster (NULL: not on it)."""
    period = MemberPeriod.__table__
    now = period.alias("period_now")
    on = sa.and_(now.c.user_id == users.c.id, now.c.valid_from <= as_of,
                 sa.or_(now.c.valid_to.is_(None), now.c.valid_to > as_of),
                 now.c.active.is_(True), now.c.unit_id.is_not(None))
    has_history = sa.select(period.c.id).where(period.c.user_id == users.c.id).correlate(users).exists()
    unrecorded = sa.and_(~has_history, users.c.active.is_(True), users.c.created_at <= as_of)
    unit = sa.case((now.c.id.is_not(None), now.c.unit_id), (unrecorded, users.c.unit_id))
    branch = sa.case((now.c.id.is_not(None), now.c.branch_id), (unrecorded, users.c.branch_id))
    return now, on, unit, branch


def roster_select(as_of: datetime, user_ids=None) -> sa.Select:
    """(user_id, unit_id, branch_id) of the members active with a unit at `as_of`."""
    users = User.__table__
    now, on, unit, branch = _place_at(as_of, users)
    return (sa.select(users.c.id, unit, branch).select_from(users.outerjoin(now, on))
            .where(unit.is_not(None), _among(users.c.id, user_ids)))


def roster(as_of: datetime) -> dict[int, tuple[int, int | None]]:
    """{user_id: (unit_id, branch_id)} of the members active with a unit at `as_of` (one statement)."""
    return {user_id: (unit_id, branch_id)
            for user_id, unit_id, branch_id in db.session.execute(roster_select(as_of))}


# ---------------------------------------------------------------- credits

def _records(campaign, as_of: datetime, keys: list[str], specs, user_ids) -> sa.Subquery:
    """Every record by `as_of`: (key index, user_id, offline, the unit the activity gave, took_part_at)
    — online from each provider, approved offline records."""
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
    return (sa.select(raw.c.key, raw.c.user_id, raw.c.offline, raw.c.unit_id, raw.c.took_part_at)
            .where(raw.c.took_part_at.is_not(None), raw.c.took_part_at <= as_of, _among(raw.c.user_id, user_ids))
            .subquery("records_by_as_of"))


def _ranked(campaign, as_of: datetime, specs, user_ids) -> sa.Subquery:
    """Each member's records per figure by `as_of`, numbered (nth 1: online before offline, then the
    earliest)."""
    records = _records(campaign, as_of, member_keys(specs), specs, user_ids)
    # Ties (same member, figure, kind and instant) are broken by the given unit, the same way in both
    # dialects (COALESCE: NULLs sort first in SQLite and last in PostgreSQL).
    return sa.select(records, sa.func.row_number().over(
        partition_by=(records.c.user_id, records.c.key),
        order_by=(records.c.offline, records.c.took_part_at, sa.func.coalesce(records.c.unit_id, 0))).label("nth")
    ).subquery("ranked")


def _credited(ranked, people, *extra) -> sa.Select:
    """The first records of `ranked` credited to the unit the activity gave, else the unit of the
    member's period covering that moment, else their current unit (`people`: id, unit_id, branch_id, one
    row per user); the branch of whichever row names that unit. Users missing from `people` drop out."""
    then = MemberPeriod.__table__.alias("period_then")
    unit = sa.func.coalesce(ranked.c.unit_id, then.c.unit_id, people.c.unit_id)
    branch = sa.case((then.c.id.is_not(None), sa.case((then.c.unit_id == unit, then.c.branch_id))),
                     else_=sa.case((people.c.unit_id == unit, people.c.branch_id)))
    return (sa.select(ranked.c.user_id, ranked.c.key, sa.type_coerce(ranked.c.took_part_at, sa.DateTime)
                      .label("took_part_at"), ranked.c.offline, unit.label("unit_id"), branch.label("branch_id"),
                      *extra)
            .select_from(ranked.join(people, people.c.id == ranked.c.user_id)
                         .outerjoin(then, sa.and_(then.c.user_id == ranked.c.user_id,
                                                  then.c.valid_from <= ranked.c.took_part_at,
                                                  sa.or_(then.c.valid_to.is_(None),
                                                         then.c.valid_to > ranked.c.took_part_at))))
            .where(ranked.c.nth == 1))


def credits_select(campaign, as_of: datetime, specs, user_ids=None) -> sa.Select:
    """(user_id, key index, took_part_at, offline, unit_id, branch_id): each member's first record per
    figure by `as_of` (online before offline, then the earliest), credited as _credited says. Deleted
    users drop out with the join."""
    return _credited(_ranked(campaign, as_of, specs, user_ids), User.__table__)


def credits(campaign, as_of: datetime, specs, user_ids=None) -> dict[int, dict[str, Credit]]:
    """{user_id: {key: Credit}}: each member's credited participation per figure by `as_of` (among
    `user_ids`), one statement."""
    if not any(spec.kind == MEMBERS for spec in specs):
        return {}
    wanted = set(user_ids) if user_ids is not None else None
    keys = member_keys(specs)
    found: dict[int, dict[str, Credit]] = {}
    for user_id, key, took_part_at, offline, unit_id, branch_id in db.session.execute(
            credits_select(campaign, as_of, specs, wanted)):
        if wanted is not None and user_id not in wanted:
            continue
        mine = found.get(user_id)
        if mine is None:
            mine = found[user_id] = {}
        mine[keys[key]] = Credit(took_part_at, unit_id, branch_id, bool(offline))
    return found


def _score_rows(campaign, specs, keys: list[str]):
    """(key index, user_id, score in cents) of the figures that give scores, or None."""
    parts = []
    for spec in specs:
        if spec.kind != MEMBERS or spec.provider.score is None:
            continue
        source = spec.provider.score(campaign).subquery()
        columns = list(source.c)
        # Whole cents, so that the sums are exact in both dialects (SQLite would add floats).
        cents = sa.cast(sa.func.round(sa.cast(columns[1], sa.Numeric(12, 2)) * 100), sa.BigInteger)
        parts.append(sa.select(sa.literal(keys.index(spec.key), sa.Integer).label("key"),
                               columns[0].label("user_id"), cents.label("cents")))
    return sa.union_all(*parts).subquery("score_rows") if parts else None


def _no_key():
    return sa.cast(sa.null(), sa.Integer)


def _none():
    # Typed NULLs: PostgreSQL types a UNION pairwise from the left, and two bare NULLs would make text.
    return sa.cast(sa.null(), sa.BigInteger)


def reference_tallies(campaign, as_of: datetime, specs, *, required: list[str], coverage_keys: set[str]) -> list[Tally]:
    """The dashboard's counts grouped by (unit, branch) in one statement, whatever the number of members:
    the roster's headcount and exempt members; per figure, "at least one" and coverage, the members
    credited there (of which offline) with where they are counted at as-of (so the denominator takes
    each member once); the score cents of the credited members. "At least one" is credited like its
    earliest figure (by time, then key), coverage like the last required one done."""
    keys = member_keys(specs)
    users = User.__table__
    now, on, unit, branch = _place_at(as_of, users)
    # Where each user stands at as-of, worked out once per user (not once per credited record): their
    # current unit for _credited, their roster place and whether they are exempt for the head count and
    # for where a credited member is counted.
    who = (sa.select(users.c.id, users.c.unit_id, users.c.branch_id, unit.label("here_unit"),
                     branch.label("here_branch"),
                     sa.case((exempt_clause(campaign, as_of, users.c.id), 1), else_=0).label("exempt"))
           .select_from(users.outerjoin(now, on)).cte("who"))
    head = (sa.select(sa.literal("head").label("part"), _no_key().label("key"), who.c.here_unit.label("unit_id"),
                      who.c.here_branch.label("branch_id"), who.c.exempt.label("flag"), _none().label("here_unit"),
                      _none().label("here_branch"), sa.func.count().label("number"), _none().label("cents"))
            .where(who.c.here_unit.is_not(None))
            .group_by(who.c.here_unit, who.c.here_branch, who.c.exempt))
    if not keys:
        return [Tally(*row) for row in db.session.execute(head)]
    ranked = _ranked(campaign, as_of, specs, None)
    if db.engine.dialect.name == "postgresql":
        # A hash join with `who`: per-row lookups into users, periods and exemptions for every credited
        # record were two thirds of the statement (the planner expects a few hundred ranked rows).
        counted = sa.case((who.c.exempt == 1, None), else_=who.c.here_unit)
        counted_branch = sa.case((counted.is_(None), None), else_=who.c.here_branch)
        credit = _credited(ranked, who, counted.label("here_unit"), counted_branch.label("here_branch")).cte("credit")
    else:
        # SQLite builds no index on a materialized CTE and would scan `who` once per credited record:
        # there, indexed lookups per record (users by key, the period covering as-of).
        found = _credited(ranked, users).subquery("found")
        counted = sa.case((exempt_clause(campaign, as_of, users.c.id), None), else_=unit)
        counted_branch = sa.case((counted.is_(None), None), else_=branch)
        credit = (sa.select(found, counted.label("here_unit"), counted_branch.label("here_branch"))
                  .select_from(found.join(users, users.c.id == found.c.user_id).outerjoin(now, on))
                  .cte("credit"))
    parts = [head]

    def grouped(source, key, by_key=True):
        by = [key] if by_key else []  # a constant key is left out of GROUP BY (a literal there is a position)
        parts.append(sa.select(sa.literal("credit"), key, source.c.unit_id, source.c.branch_id, source.c.offline,
                               source.c.here_unit, source.c.here_branch, sa.func.count(), _none())
                     .group_by(*by, source.c.unit_id, source.c.branch_id, source.c.offline, source.c.here_unit,
                               source.c.here_branch))

    grouped(credit, credit.c.key)
    indices = [keys.index(key) for key in sorted(coverage_keys) if key in keys]
    if indices:
        first = (sa.select(credit.c.unit_id, credit.c.branch_id, sa.literal(0).label("offline"), credit.c.here_unit,
                           credit.c.here_branch, sa.func.row_number().over(
                               partition_by=credit.c.user_id, order_by=(credit.c.took_part_at, credit.c.key))
                           .label("nth"))
                 .where(credit.c.key.in_(indices)).subquery("first_done"))
        grouped(sa.select(first).where(first.c.nth == 1).subquery("any_one"), sa.literal(ANY_INDEX), by_key=False)
    needed = [keys.index(key) for key in required if key in keys]
    if needed and len(needed) == len(required):
        last = (sa.select(credit.c.unit_id, credit.c.branch_id, sa.literal(0).label("offline"), credit.c.here_unit,
                          credit.c.here_branch,
                          sa.func.row_number().over(partition_by=credit.c.user_id,
                                                    order_by=(credit.c.took_part_at.desc(), credit.c.key))
                          .label("nth"),
                          sa.func.count().over(partition_by=credit.c.user_id).label("done"))
                .where(credit.c.key.in_(needed)).subquery("last_done"))
        grouped(sa.select(last).where(last.c.nth == 1, last.c.done == len(needed)).subquery("covered"),
                sa.literal(COVERAGE_INDEX), by_key=False)
    scores = _score_rows(campaign, specs, keys)
    if scores is not None:
        parts.append(sa.select(sa.literal("score"), _no_key(), credit.c.unit_id, credit.c.branch_id, sa.literal(0),
                               _none(), _none(), sa.func.count(scores.c.cents),
                               sa.cast(sa.func.sum(scores.c.cents), sa.BigInteger))
                     .select_from(scores.join(credit, sa.and_(credit.c.user_id == scores.c.user_id,
                                                              credit.c.key == scores.c.key)))
                     .group_by(credit.c.unit_id, credit.c.branch_id).having(sa.func.count(scores.c.cents) > 0))
    return [Tally(*row) for row in db.session.execute(sa.union_all(*parts))]
