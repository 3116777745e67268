"""Helpers for the participation engine tests: providers fed from literal rows, members with a history."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from app.accounts.models import User
from app.extensions import db
from app.hooks import ParticipationProvider
from app.participation.models import MemberPeriod


def _values(name, columns, rows):
    if not rows:
        return sa.select(*(sa.cast(sa.null(), type_).label(column) for column, type_ in columns)).where(sa.false())
    # Literal rows as a UNION ALL (SQLite has no VALUES with column names in FROM, and its CAST AS
    # DATETIME would turn the text into a number, so values are typed binds, not casts).
    selects = [sa.select(*((sa.literal(value, type_) if value is not None else sa.cast(sa.null(), type_)).label(column)
                           for value, (column, type_) in zip(row, columns, strict=True))) for row in rows]
    table = (sa.union_all(*selects) if len(selects) > 1 else selects[0]).subquery(name)
    return sa.select(*table.c)


def literal_provider(key, rows, *, group=None, scores=None, attendance=None, counts_for_coverage=True,
                     label=None) -> ParticipationProvider:
    """A provider whose participants are `rows` of (user_id, took_part_at, unit_id or None)."""
    participants = [(user.id, at, unit.id if unit is not None else None) for user, at, unit in rows]

    def select_participants(_campaign):
        return _values(f"v_{key}", (("user_id", sa.Integer), ("took_part_at", sa.DateTime),
                                    ("unit_id", sa.Integer)), participants)

    score = None
    if scores is not None:
        score_rows = [(user.id, value) for user, value in scores]

        def score(_campaign):
            return _values(f"s_{key}", (("user_id", sa.Integer), ("score", sa.Numeric(10, 2))), score_rows)

    attend = None
    if attendance is not None:
        attendance_rows = [(user.id, invited, present, unit.id if unit else None)
                           for user, invited, present, unit in attendance]

        def attend(_campaign):
            return _values(f"a_{key}", (("user_id", sa.Integer), ("invited", sa.Integer), ("present", sa.Integer),
                                        ("unit_id", sa.Integer)), attendance_rows)

    return ParticipationProvider(key, label or key, f"{key} 的定义", select_participants, group=group, score=score,
                                 attendance=attend, counts_for_coverage=counts_for_coverage)


def member_with_history(make_member, name, history: list[tuple[datetime, object, object, bool]]) -> User:
    """A member whose history is `history` [(from, unit, branch, active), …]; the roster holds the last."""
    _start, unit, branch, active = history[-1]
    user = make_member(unit=unit, branch=branch, name=name, active=active)
    user.created_at = history[0][0]
    for index, (start, unit, branch, active) in enumerate(history):
        end = history[index + 1][0] if index + 1 < len(history) else None
        db.session.add(MemberPeriod(user_id=user.id, unit_id=unit.id if unit else None,
                                    branch_id=branch.id if branch else None, active=active, valid_from=start,
                                    valid_to=end))
    db.session.commit()
    return user


def approved_exemption(organiser, member, campaign, starts_on, ends_on=None):
    """An exemption (长期病休) for `member` from `starts_on`, entered and approved as the pages do (committed)."""
    from app.participation import exemptions
    from app.participation.exemptions import ExemptionData

    entered = exemptions.enter_exemption(organiser, member, ExemptionData(
        "sick_leave", "长期病休", starts_on, ends_on, campaign.id))
    exemptions.decide_exemptions(organiser, [entered], "approved")
    db.session.commit()
    return entered
