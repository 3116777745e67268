"""Offline participation (书面答题, 纸质签到表 …): a member's part in an activity that left no online trace.

A liaison enters it for members of their own unit (an organiser for anyone), by a form or an xlsx
import, naming the activity (one of the registered participation providers), the date (within the
campaign, not in the future) and a source; the record keeps the unit the member was in. It counts
only once an organiser approves it; editing an approved record sends it back to pending. One record
per (campaign, activity, member). Every action is audited. Functions never commit.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.audit.services import record
from app.campaigns.models import Campaign
from app.common.clock import from_local, local_today, utcnow
from app.extensions import db
from app.hooks import hooks_of
from app.participation.exemptions import InputFilters, InputProblem, checked_decision_note
from app.participation.models import INPUT_STATUSES, NOTE_MAX, OFFLINE_SOURCES, OfflineParticipation

PER_PAGE = 50
MAX_MEMBERS_PER_ENTRY = 500
NOON = time(12, 0)


# ---------------------------------------------------------------- what the engine reads

def approved_offline_select(campaign: Campaign) -> sa.Select:
    """(key, user_id, unit_id, took_part_at, source): the approved offline records of `campaign` dated
    within it (source, e.g. written_quiz, for the exports' source column)."""
    return (sa.select(OfflineParticipation.provider_key.label("key"), OfflineParticipation.user_id,
                      OfflineParticipation.unit_id, OfflineParticipation.took_part_at, OfflineParticipation.source)
            .where(OfflineParticipation.campaign_id == campaign.id, OfflineParticipation.status == "approved",
                   OfflineParticipation.took_part_on >= campaign.starts_on,
                   OfflineParticipation.took_part_on <= campaign.ends_on))


def took_part_at(day: date) -> datetime:
    """The stored instant of an offline record: noon of its day in Asia/Shanghai, as naive UTC."""
    return from_local(datetime.combine(day, NOON))


# ---------------------------------------------------------------- activities

def activities() -> list[tuple[str, str]]:
    """(provider key, label) of every registered participation provider, in registration order."""
    return [(provider.key, str(provider.label)) for provider in hooks_of().participation_providers]


def activity_label(key: str) -> str:
    return dict(activities()).get(key, key)


# ---------------------------------------------------------------- who may do what

def may_enter_for(actor: User, member: User) -> bool:
    """Organisers for any active roster member; a liaison for the active members of their own unit."""
    if member.unit_id is None or not member.active:
        return False
    if actor.is_organiser:
        return True
    unit_id = actor.liaison_unit_id
    return unit_id is not None and member.unit_id == unit_id


def visible_offline(actor: User) -> sa.ColumnElement[bool]:
    """WHERE clause: organisers see every record; a liaison those credited to their unit or of its
    members now."""
    if actor.is_organiser:
        return sa.true()
    unit_id = actor.liaison_unit_id
    if unit_id is None:
        return sa.false()
    return sa.or_(OfflineParticipation.unit_id == unit_id,
                  OfflineParticipation.user_id.in_(sa.select(User.id).where(User.unit_id == unit_id)))


def get_visible(actor: User, record_id: int) -> OfflineParticipation | None:
    return db.session.scalar(sa.select(OfflineParticipation).where(
        OfflineParticipation.id == record_id, visible_offline(actor)))


def may_edit(actor: User, item: OfflineParticipation) -> bool:
    """Organisers; the liaison of the unit the record credits."""
    if actor.is_organiser:
        return True
    unit_id = actor.liaison_unit_id
    return unit_id is not None and item.unit_id == unit_id


# ---------------------------------------------------------------- entering and editing

@dataclass
class OfflineData:
    key: str
    took_part_on: date | None
    source: str
    note: str = ""


def check_data(campaign: Campaign, data: OfflineData, *, today: date | None = None) -> OfflineData:
    """`data` tidied, or InputProblem naming the field: a known activity and source, a date within the
    campaign and not after today, a note of at most NOTE_MAX characters."""
    note = " ".join((data.note or "").split())
    if data.key not in dict(activities()):
        raise InputProblem(_("请选择活动。"), "key")
    if data.source not in OFFLINE_SOURCES:
        raise InputProblem(_("请选择来源。"), "source")
    if data.took_part_on is None:
        raise InputProblem(_("请填写参与日期。"), "took_part_on")
    problem = date_problem(campaign, data.took_part_on, today=today)
    if problem:
        raise InputProblem(problem, "took_part_on")
    if len(note) > NOTE_MAX:
        raise InputProblem(_("备注不能超过 %(n)s 字。", n=NOTE_MAX), "note")
    return OfflineData(data.key, data.took_part_on, data.source, note)


def date_problem(campaign: Campaign, day: date, *, today: date | None = None) -> str | None:
    """Why `day` cannot be an offline record's date in `campaign`, or None."""
    if day < campaign.starts_on or day > campaign.ends_on:
        return _("日期应在专项活动期间（%(start)s 至 %(end)s）。", start=campaign.starts_on.isoformat(),
                 end=campaign.ends_on.isoformat())
    if day > (today or local_today()):
        return _("日期不能晚于今天。")
    return None


def existing_for(campaign: Campaign, key: str, member_ids) -> dict[int, OfflineParticipation]:
    """The campaign's records for activity `key` of these members, by member id (one query)."""
    ids = list(member_ids)
    if not ids:
        return {}
    return {item.user_id: item for item in db.session.scalars(sa.select(OfflineParticipation).where(
        OfflineParticipation.campaign_id == campaign.id, OfflineParticipation.provider_key == key,
        OfflineParticipation.user_id.in_(ids)))}


def enter_offline(actor: User, campaign: Campaign, members: list[User], data: OfflineData, *,
                  audit_action: str = "participation.offline.entered") -> list[OfflineParticipation]:
    """Pending records for `members` in one activity, all or none: refused for a member outside the
    actor's unit or inactive, or one who already has a pending or approved record of this activity.
    A rejected record is entered again in place (back to pending, the new details)."""
    if not members:
        raise InputProblem(_("请选择人员。"), "members")
    if len(members) > MAX_MEMBERS_PER_ENTRY:
        raise InputProblem(_("一次最多录入 %(n)s 人。", n=MAX_MEMBERS_PER_ENTRY), "members")
    data = check_data(campaign, data)
    refused = [member.name for member in members if not may_enter_for(actor, member)]
    if refused:
        raise InputProblem(_("只能为本单位在册人员录入：%(names)s", names="、".join(refused)), "members")
    existing = existing_for(campaign, data.key, (member.id for member in members))
    taken = [member.name for member in members if member.id in existing and existing[member.id].status != "rejected"]
    if taken:
        raise InputProblem(_("以下人员已有该活动的线下参与记录：%(names)s", names="、".join(taken)), "members")
    now, entered = utcnow(), []
    for member in members:
        item = existing.get(member.id)
        if item is None:
            item = OfflineParticipation(campaign_id=campaign.id, provider_key=data.key, user_id=member.id,
                                        entered_at=now)
            db.session.add(item)
        item.unit_id = member.unit_id
        apply_data(item, data, actor, now)
        entered.append(item)
    db.session.flush()
    for item, member in zip(entered, members, strict=True):
        record(audit_action, target=item, actor=actor, campaign_id=campaign.id, key=data.key, user_id=member.id,
               unit_id=member.unit_id, took_part_on=data.took_part_on.isoformat(), source=data.source,
               summary=_("录入线下参与：%(name)s（%(activity)s）", name=member.name,
                         activity=activity_label(data.key)))
    return entered


def apply_data(item: OfflineParticipation, data: OfflineData, actor: User, now: datetime) -> None:
    """Write checked `data` into `item`, entered by `actor`: pending again, any decision cleared."""
    item.provider_key, item.took_part_on, item.took_part_at = data.key, data.took_part_on, took_part_at(data.took_part_on)
    item.source, item.note, item.status = data.source, data.note, "pending"
    item.entered_by_id, item.updated_at = actor.id, now
    item.decided_by_id, item.decided_at, item.decision_note = None, None, ""


def update_offline(actor: User, item: OfflineParticipation, data: OfflineData) -> OfflineParticipation:
    """Change a record (activity, date, source, note); it goes back to pending, whatever it was."""
    if not may_edit(actor, item):
        raise InputProblem(_("只能修改本单位的线下参与记录。"))
    data = check_data(item.campaign, data)
    if data.key != item.provider_key:
        clash = existing_for(item.campaign, data.key, [item.user_id]).get(item.user_id)
        if clash is not None:
            raise InputProblem(_("该人员已有这项活动的线下参与记录。"), "key")
    before = item.status
    apply_data(item, data, actor, utcnow())
    record("participation.offline.updated", target=item, actor=actor, status_before=before, key=data.key,
           took_part_on=data.took_part_on.isoformat(), source=data.source,
           summary=_("修改线下参与：%(name)s（%(activity)s）", name=item.user.name, activity=activity_label(data.key)))
    return item


def delete_offline(actor: User, item: OfflineParticipation) -> None:
    """Withdraw a record: a liaison while it is pending or rejected, an organiser at any time."""
    if not may_edit(actor, item):
        raise InputProblem(_("只能撤回本单位的线下参与记录。"))
    if item.status == "approved" and not actor.is_organiser:
        raise InputProblem(_("已通过的记录只能由组织者撤销。"))
    record("participation.offline.deleted", target=item, actor=actor, user_id=item.user_id, key=item.provider_key,
           status_before=item.status,
           summary=_("撤回线下参与：%(name)s（%(activity)s）", name=item.user.name,
                     activity=activity_label(item.provider_key)))
    db.session.delete(item)


# ---------------------------------------------------------------- deciding

def decide_offline(actor: User, items: list[OfflineParticipation], decision: str, note: str = "") -> int:
    """Approve or reject records (organisers only; a rejection needs a note); returns how many changed."""
    if not actor.is_organiser:
        raise InputProblem(_("只有组织者可以审核线下参与记录。"))
    note = checked_decision_note(decision, note)
    now, changed = utcnow(), 0
    action = "participation.offline.approved" if decision == "approved" else "participation.offline.rejected"
    for item in items:
        if item.status == decision:
            continue
        before = item.status
        item.status, item.decided_by_id, item.decided_at, item.decision_note = decision, actor.id, now, note
        record(action, target=item, actor=actor, user_id=item.user_id, key=item.provider_key, status_before=before,
               note=note, summary=_("线下参与审核：%(name)s（%(activity)s）%(status)s", name=item.user.name,
                                    activity=activity_label(item.provider_key), status=item.status_label))
        changed += 1
    return changed


# ---------------------------------------------------------------- lists

@dataclass
class OfflineFilters(InputFilters):
    key: str | None = None


def offline_conditions(actor: User, filters: OfflineFilters, *, with_status: bool = True) -> list:
    """WHERE conditions (over OfflineParticipation joined to its User) for `actor`'s list."""
    conditions = [visible_offline(actor)]
    if with_status and filters.status in INPUT_STATUSES:
        conditions.append(OfflineParticipation.status == filters.status)
    if filters.unit_id is not None:
        conditions.append(OfflineParticipation.unit_id == filters.unit_id)
    if filters.campaign_id is not None:
        conditions.append(OfflineParticipation.campaign_id == filters.campaign_id)
    if filters.key:
        conditions.append(OfflineParticipation.provider_key == filters.key)
    if filters.q:
        conditions.append(sa.or_(User.name == filters.q, User.staff_id == filters.q))
    return conditions


def offline_query(actor: User, filters: OfflineFilters) -> sa.Select:
    """The records `actor` may see matching `filters`, pending first then newest, with what the list shows."""
    return (sa.select(OfflineParticipation).join(User, User.id == OfflineParticipation.user_id)
            .where(*offline_conditions(actor, filters))
            .options(joinedload(OfflineParticipation.user), joinedload(OfflineParticipation.unit),
                     joinedload(OfflineParticipation.campaign), joinedload(OfflineParticipation.decided_by))
            .order_by(OfflineParticipation.status != "pending", OfflineParticipation.id.desc()))


def offline_counts(actor: User, filters: OfflineFilters) -> dict[str, int]:
    """How many of the listed records are in each status, the other filters applied (one query)."""
    counts = dict(db.session.execute(
        sa.select(OfflineParticipation.status, sa.func.count(OfflineParticipation.id))
        .join(User, User.id == OfflineParticipation.user_id)
        .where(*offline_conditions(actor, filters, with_status=False))
        .group_by(OfflineParticipation.status)).all())
    return {status: counts.get(status, 0) for status in INPUT_STATUSES}
