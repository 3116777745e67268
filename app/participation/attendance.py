"""The attendance figures' rows for the dashboard (present and invited per attendance figure, unit and
branch, of members not exempt), kept in the worker under the check-in tables' data version and the
people's, until the providers say the rows next change with no write (check-in: the next meeting
starts); a quiz submission reads nothing here, and a roster write reads only the invitations of the
members it changed.

Rule (one statement, attendance_rows): each attendance provider's rows (user_id, invited, present[,
unit]) count in the unit the provider gives, else the member's current unit, and in the member's
current branch when that is a branch of that unit; members exempt at as-of, and users who are gone,
count nowhere. Rows held for a window are carried over a roster write only within that window (no
meeting has started since they were read), so the changed members' invitations read now are the ones
the held rows counted.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from app.accounts.models import User
from app.common import data_versions, worker_memo
from app.extensions import db
from app.participation import tally
from app.participation.exemptions import approved_exemptions_select, as_of_date
from app.participation.freshness import ATTENDANCE_DATA, PEOPLE_DATA
from app.participation.settings import ATTENDANCE

STORE = "participation.attendance"

Row = tuple[str, int | None, int | None, int, int]  # (key, unit_id, branch_id, invited, present)


def _provider_rows(campaign, attending, user_ids: list[int] | None = None):
    """The attending providers' rows (key, user_id, invited, present, unit_id or NULL) as one subquery,
    of `user_ids` only when given (filtered inside each provider's select, where its index is)."""
    parts = []
    for spec in attending:
        source = spec.provider.attendance(campaign).subquery()
        columns = list(source.c)
        unit = columns[3] if len(columns) > 3 else sa.null()
        part = sa.select(sa.literal(spec.key, sa.String).label("key"), columns[0].label("user_id"),
                         columns[1].label("invited"), columns[2].label("present"),
                         sa.cast(unit, sa.Integer).label("unit_id"))
        parts.append(part.where(columns[0].in_(user_ids)) if user_ids is not None else part)
    return sa.union_all(*parts).subquery("attendance")


def attendance_rows(campaign, as_of: datetime, specs) -> list[Row]:
    """The rule's rows at `as_of`, per attendance figure and (unit, branch) (one statement; none
    without an attendance figure)."""
    attending = [spec for spec in specs if spec.kind == ATTENDANCE]
    if not attending:
        return []
    rows = _provider_rows(campaign, attending)
    exempt = approved_exemptions_select(campaign, as_of).subquery("exempt_attending")
    users = User.__table__
    unit = sa.func.coalesce(rows.c.unit_id, users.c.unit_id)
    branch = sa.case((users.c.unit_id == unit, users.c.branch_id), else_=sa.null())
    return [(key, unit_id, branch_id, int(invited or 0), int(present or 0)) for key, unit_id, branch_id, invited, present
            in db.session.execute(
                sa.select(rows.c.key, unit, branch, sa.func.sum(rows.c.invited), sa.func.sum(rows.c.present))
                .join(users, users.c.id == rows.c.user_id)
                .where(rows.c.user_id.not_in(sa.select(exempt.c.user_id)))
                .group_by(rows.c.key, unit, branch))]


def kept_attendance(campaign, now: datetime, minute: datetime, specs) -> list[Row]:
    """attendance_rows for `now`, kept while no write to the check-in tables has committed, until the
    providers say the rows next change with no write (an event starting), else for `minute`; after a
    roster write the rows held for the people before it are carried over, with only the members it
    changed (tally's people say which, and where they stood) counted again."""
    attending = [spec for spec in specs if spec.kind == ATTENDANCE]
    if not attending:
        return []
    # The versions are read before anything the rows are made of (data_versions' rule).
    versions = data_versions.current_many([ATTENDANCE_DATA, PEOPLE_DATA])
    people_version = versions[PEOPLE_DATA]

    def until() -> datetime | None:
        changes = [spec.provider.attendance_changes for spec in attending]
        if any(change is None for change in changes):
            return minute + timedelta(minutes=1)
        found = [at for at in (change(campaign, now) for change in changes) if at is not None]
        return min(found) if found else None

    def carried_over(held_version, held):
        people = tally.kept_people(people_version)
        base = people.base
        if (held_version[0] == versions[ATTENDANCE_DATA] and base is not None and base[0] == held_version[1]
                and len(base[2]) <= tally.IN_LIMIT):
            return _carried_over(held[0], campaign, attending, people, sorted(base[2]), now), held[1]
        return None

    def build():
        tally.kept_people(people_version)  # held from now on (the dashboard's tallies read them next), so
        # that the rows can be carried over the next roster write
        return attendance_rows(campaign, now, specs), until()

    rows, _until = worker_memo.windowed(STORE, ("attendance", campaign.id), (versions[ATTENDANCE_DATA], people_version),
                                        now, build, lambda value: value[1], derive=carried_over)
    return rows


def _carried_over(rows: list[Row], campaign, attending, people, user_ids: list[int], now: datetime) -> list[Row]:
    """`rows`, made from the people before a write, for the people after it: the invitations of
    `user_ids` (the members it changed) taken out where they counted then and put in where they count
    now (one statement, on those members' invitations only)."""
    if not user_ids:
        return rows
    sums = {(key, unit_id, branch_id): [invited, present] for key, unit_id, branch_id, invited, present in rows}
    day = as_of_date(now)
    source = _provider_rows(campaign, attending, user_ids)
    for key, user_id, invited, present, given in db.session.execute(sa.select(*source.c)):
        invited, present = int(invited or 0), int(present or 0)
        for step, (user, spans) in ((-1, people.prior[user_id]),
                                    (1, (people.users.get(user_id), people.exemptions.get(user_id, ())))):
            if user is None or tally.exempt_on(spans, campaign.id, day):
                continue
            unit_id = given if given is not None else user[0]
            branch_id = user[1] if user[0] is not None and user[0] == unit_id else None
            cell = sums.setdefault((key, unit_id, branch_id), [0, 0])
            cell[0] += step * invited
            cell[1] += step * present
    return [(key, unit_id, branch_id, invited, present)
            for (key, unit_id, branch_id), (invited, present) in sums.items() if invited or present]
