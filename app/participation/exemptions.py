"""免计 (approved exemptions): who leaves a campaign's denominator, and the rules for entering and deciding.

A liaison enters an exemption for a member of their own unit (an organiser for anyone), with a kind,
a reason and a span, for one campaign or every campaign; an organiser approves or rejects it with a
note; editing sends it back to pending. Only an approved exemption whose span covers the as-of date
takes the member out of the denominator; the member stays on the roster, active. Every action is
audited. Functions never commit.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.audit.services import record
from app.campaigns.models import Campaign
from app.common.clock import local_today, to_local, utcnow
from app.common.problems import Problem
from app.extensions import db
from app.participation.models import EXEMPTION_KINDS, INPUT_STATUSES, NOTE_MAX, ParticipationExemption

PER_PAGE = 50
DECISIONS = ("approved", "rejected")


class InputProblem(Problem):
    """A rule an exemption or offline record broke (message for the user, field it belongs beside)."""


# ---------------------------------------------------------------- what the engine reads

def as_of_date(as_of: datetime | date | None) -> date:
    """The Asia/Shanghai date of an as-of instant (naive UTC), or the date itself; today when None."""
    if as_of is None:
        return local_today()
    if isinstance(as_of, datetime):
        return to_local(as_of).date()
    return as_of


def _covering(campaign: Campaign, as_of: datetime | date | None) -> sa.ColumnElement[bool]:
    day = as_of_date(as_of)
    return sa.and_(
        ParticipationExemption.status == "approved",
        sa.or_(ParticipationExemption.campaign_id == campaign.id, ParticipationExemption.campaign_id.is_(None)),
        ParticipationExemption.starts_on <= day,
        sa.or_(ParticipationExemption.ends_on.is_(None), ParticipationExemption.ends_on >= day),
    )


def covers(campaign_id: int, exemption_campaign_id: int | None, starts_on: date, ends_on: date | None,
           day: date) -> bool:
    """_covering's rule for one approved exemption, in Python (app/participation/tally reads the
    exemptions once and applies it per as-of day): for this campaign or every one, and spanning `day`."""
    return ((exemption_campaign_id is None or exemption_campaign_id == campaign_id) and starts_on <= day
            and (ends_on is None or ends_on >= day))


def approved_exemptions_select(campaign: Campaign, as_of: datetime | date | None = None) -> sa.Select:
    """(user_id, reason, kind): one row per member with an approved exemption for `campaign` (or for
    every campaign) whose span covers the as-of date; the latest-starting one when several do."""
    covering = _covering(campaign, as_of)
    ranked = (sa.select(ParticipationExemption.user_id, ParticipationExemption.reason, ParticipationExemption.kind,
                        sa.func.row_number().over(
                            partition_by=ParticipationExemption.user_id,
                            order_by=(ParticipationExemption.starts_on.desc(), ParticipationExemption.id.desc()),
                        ).label("place"))
              .where(covering).subquery())
    return sa.select(ranked.c.user_id, ranked.c.reason, ranked.c.kind).where(ranked.c.place == 1)


# ---------------------------------------------------------------- who may do what

def may_enter_for(actor: User, member: User) -> bool:
    """Organisers for any roster member; a liaison for the members of their own unit (now)."""
    if member.unit_id is None:
        return False
    if actor.is_organiser:
        return True
    unit_id = actor.liaison_unit_id
    return unit_id is not None and member.unit_id == unit_id


def visible_exemptions(actor: User) -> sa.ColumnElement[bool]:
    """WHERE clause: organisers see every exemption, a liaison those of their unit's members."""
    if actor.is_organiser:
        return sa.true()
    unit_id = actor.liaison_unit_id
    if unit_id is None:
        return sa.false()
    return ParticipationExemption.user_id.in_(sa.select(User.id).where(User.unit_id == unit_id))


def get_visible(actor: User, exemption_id: int) -> ParticipationExemption | None:
    """The exemption if `actor` may see it, else None (the view answers 404: nothing leaks across units)."""
    return db.session.scalar(sa.select(ParticipationExemption).where(
        ParticipationExemption.id == exemption_id, visible_exemptions(actor)))


# ---------------------------------------------------------------- entering and editing

@dataclass
class ExemptionData:
    kind: str
    reason: str
    starts_on: date | None
    ends_on: date | None = None
    campaign_id: int | None = None  # None: every campaign


def _checked(data: ExemptionData) -> ExemptionData:
    reason = " ".join((data.reason or "").split())
    if data.kind not in EXEMPTION_KINDS:
        raise InputProblem(_("请选择免计类型。"), "kind")
    if not reason:
        raise InputProblem(_("请填写免计原因。"), "reason")
    if len(reason) > NOTE_MAX:
        raise InputProblem(_("原因不能超过 %(n)s 字。", n=NOTE_MAX), "reason")
    if data.starts_on is None:
        raise InputProblem(_("请填写开始日期。"), "starts_on")
    if data.ends_on is not None and data.ends_on < data.starts_on:
        raise InputProblem(_("结束日期不能早于开始日期。"), "ends_on")
    if data.campaign_id is not None and db.session.get(Campaign, data.campaign_id) is None:
        raise InputProblem(_("所选专项活动不存在。"), "campaign_id")
    return ExemptionData(data.kind, reason, data.starts_on, data.ends_on, data.campaign_id)


def _overlapping(member_id: int, data: ExemptionData, exclude_id: int | None = None) -> ParticipationExemption | None:
    """A pending or approved exemption of the member whose campaign and span overlap `data`'s."""
    far = date.max
    query = sa.select(ParticipationExemption).where(
        ParticipationExemption.user_id == member_id,
        ParticipationExemption.status.in_(("pending", "approved")),
        ParticipationExemption.starts_on <= (data.ends_on or far),
        sa.or_(ParticipationExemption.ends_on.is_(None), ParticipationExemption.ends_on >= data.starts_on),
    )
    if data.campaign_id is not None:
        query = query.where(sa.or_(ParticipationExemption.campaign_id.is_(None),
                                   ParticipationExemption.campaign_id == data.campaign_id))
    if exclude_id is not None:
        query = query.where(ParticipationExemption.id != exclude_id)
    return db.session.scalar(query.limit(1))


def enter_exemption(actor: User, member: User, data: ExemptionData) -> ParticipationExemption:
    """A new pending exemption for `member`: refused outside the actor's unit, with an invalid kind,
    reason or span, or overlapping a pending or approved one of the same member."""
    if not may_enter_for(actor, member):
        raise InputProblem(_("只能为本单位在册人员申请免计。"), "member")
    data = _checked(data)
    if _overlapping(member.id, data) is not None:
        raise InputProblem(_("%(name)s 在这段时间已有待审核或已通过的免计申请。", name=member.name), "starts_on")
    now = utcnow()
    exemption = ParticipationExemption(
        user_id=member.id, campaign_id=data.campaign_id, kind=data.kind, reason=data.reason,
        starts_on=data.starts_on, ends_on=data.ends_on, status="pending", entered_by_id=actor.id,
        entered_at=now, updated_at=now, decision_note="")
    db.session.add(exemption)
    db.session.flush()
    record("participation.exemption.entered", target=exemption, actor=actor,
           summary=_("申请免计：%(name)s（%(kind)s）", name=member.name, kind=exemption.kind_label),
           user_id=member.id, kind=data.kind, campaign_id=data.campaign_id,
           starts_on=data.starts_on.isoformat(), ends_on=data.ends_on.isoformat() if data.ends_on else None)
    return exemption


def may_edit(actor: User, exemption: ParticipationExemption) -> bool:
    return may_enter_for(actor, exemption.user)


def update_exemption(actor: User, exemption: ParticipationExemption, data: ExemptionData) -> ParticipationExemption:
    """Change an exemption; a decided one goes back to pending (the decision is cleared and audited)."""
    if not may_edit(actor, exemption):
        raise InputProblem(_("只能修改本单位人员的免计申请。"))
    data = _checked(data)
    if _overlapping(exemption.user_id, data, exclude_id=exemption.id) is not None:
        raise InputProblem(_("%(name)s 在这段时间已有待审核或已通过的免计申请。", name=exemption.user.name), "starts_on")
    before = exemption.status
    exemption.kind, exemption.reason = data.kind, data.reason
    exemption.starts_on, exemption.ends_on, exemption.campaign_id = data.starts_on, data.ends_on, data.campaign_id
    exemption.status, exemption.decided_by_id, exemption.decided_at, exemption.decision_note = "pending", None, None, ""
    exemption.updated_at = utcnow()
    record("participation.exemption.updated", target=exemption, actor=actor,
           summary=_("修改免计申请：%(name)s", name=exemption.user.name), status_before=before,
           kind=data.kind, campaign_id=data.campaign_id, starts_on=data.starts_on.isoformat(),
           ends_on=data.ends_on.isoformat() if data.ends_on else None)
    return exemption


def delete_exemption(actor: User, exemption: ParticipationExemption) -> None:
    """Withdraw an exemption: a liaison while it is pending or rejected, an organiser at any time."""
    if not may_edit(actor, exemption):
        raise InputProblem(_("只能撤回本单位人员的免计申请。"))
    if exemption.status == "approved" and not actor.is_organiser:
        raise InputProblem(_("已通过的免计只能由组织者撤销。"))
    record("participation.exemption.deleted", target=exemption, actor=actor,
           summary=_("撤回免计申请：%(name)s", name=exemption.user.name), user_id=exemption.user_id,
           status_before=exemption.status)
    db.session.delete(exemption)


# ---------------------------------------------------------------- deciding

def checked_decision_note(decision: str, note: str) -> str:
    """An organiser's decision is approved or rejected, its note one line of at most NOTE_MAX
    characters, and a rejection carries a note the liaison will read; returns the tidied note."""
    if decision not in DECISIONS:
        raise InputProblem(_("请选择审核结果。"), "decision")
    note = " ".join((note or "").split())
    if len(note) > NOTE_MAX:
        raise InputProblem(_("审核意见不能超过 %(n)s 字。", n=NOTE_MAX), "note")
    if decision == "rejected" and not note:
        raise InputProblem(_("不通过时请填写审核意见，联络员会看到。"), "note")
    return note


def decide_exemptions(actor: User, exemptions: list[ParticipationExemption], decision: str, note: str = "") -> int:
    """Approve or reject exemptions (organisers only; a rejection needs a note); returns how many
    changed. Those already so decided are left alone; each change is audited."""
    if not actor.is_organiser:
        raise InputProblem(_("只有组织者可以审核免计申请。"))
    note = checked_decision_note(decision, note)
    now, changed = utcnow(), 0
    action = "participation.exemption.approved" if decision == "approved" else "participation.exemption.rejected"
    for exemption in exemptions:
        if exemption.status == decision:
            continue
        before = exemption.status
        exemption.status, exemption.decided_by_id, exemption.decided_at = decision, actor.id, now
        exemption.decision_note = note
        record(action, target=exemption, actor=actor, user_id=exemption.user_id, status_before=before, note=note,
               summary=_("免计审核：%(name)s %(status)s", name=exemption.user.name, status=exemption.status_label))
        changed += 1
    return changed


# ---------------------------------------------------------------- lists

@dataclass
class InputFilters:
    status: str | None = None
    unit_id: int | None = None
    campaign_id: int | None = None
    q: str = ""


def exemption_conditions(actor: User, filters: InputFilters, *, with_status: bool = True) -> list:
    """WHERE conditions (over ParticipationExemption joined to its User) for `actor`'s list. A campaign
    filter includes the exemptions that hold for every campaign."""
    conditions = [visible_exemptions(actor)]
    if with_status and filters.status in INPUT_STATUSES:
        conditions.append(ParticipationExemption.status == filters.status)
    if filters.unit_id is not None:
        conditions.append(User.unit_id == filters.unit_id)
    if filters.campaign_id is not None:
        conditions.append(sa.or_(ParticipationExemption.campaign_id == filters.campaign_id,
                                 ParticipationExemption.campaign_id.is_(None)))
    if filters.q:
        conditions.append(sa.or_(User.name == filters.q, User.staff_id == filters.q))
    return conditions


def exemption_query(actor: User, filters: InputFilters) -> sa.Select:
    """The exemptions `actor` may see matching `filters`, pending first then newest, with what the list shows."""
    return (sa.select(ParticipationExemption).join(User, User.id == ParticipationExemption.user_id)
            .where(*exemption_conditions(actor, filters))
            .options(joinedload(ParticipationExemption.user).joinedload(User.unit),
                     joinedload(ParticipationExemption.campaign),
                     joinedload(ParticipationExemption.decided_by), joinedload(ParticipationExemption.entered_by))
            .order_by(ParticipationExemption.status != "pending", ParticipationExemption.id.desc()))


def exemption_counts(actor: User, filters: InputFilters) -> dict[str, int]:
    """How many of the listed exemptions are in each status, the other filters applied (one query)."""
    return _counts(sa.select(ParticipationExemption.status, sa.func.count(ParticipationExemption.id))
                   .join(User, User.id == ParticipationExemption.user_id)
                   .where(*exemption_conditions(actor, filters, with_status=False))
                   .group_by(ParticipationExemption.status))


def _counts(query) -> dict[str, int]:
    counts = dict(db.session.execute(query).all())
    return {status: counts.get(status, 0) for status in INPUT_STATUSES}
