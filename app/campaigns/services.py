"""Campaigns (专项活动) and their ordered phases (阶段): dates, ordering and what is current."""
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.audit.services import record
from app.campaigns.models import Campaign, CampaignPhase
from app.common.problems import Problem
from app.common.text import clean
from app.extensions import db

NAME_MAX_LENGTH = 120
DESCRIPTION_MAX_LENGTH = 4000

UPCOMING, CURRENT, ONGOING, FINISHED = "upcoming", "current", "ongoing", "finished"


class CampaignProblem(Problem):
    """A campaign rule the request broke; `field` names the form field the message belongs beside."""


# ---------------------------------------------------------------- reading

def campaigns_in_order() -> list[Campaign]:
    """Every campaign, latest start first, phases loaded (two queries)."""
    return list(db.session.scalars(
        sa.select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.id.desc())
        .options(selectinload(Campaign.phases))
    ))


def campaign_status(campaign: Campaign, today: date) -> str:
    """'upcoming', 'current' or 'finished' for `today`."""
    if today < campaign.starts_on:
        return UPCOMING
    if today > campaign.ends_on:
        return FINISHED
    return CURRENT


def current_phase(campaign: Campaign, today: date) -> CampaignPhase | None:
    """The phase running on `today` (the latest-starting one when phases overlap), or None."""
    running = [phase for phase in campaign.phases if phase.starts_on <= today <= phase.ends_on]
    if not running:
        return None
    return max(running, key=lambda phase: (phase.starts_on, phase.position))


@dataclass(frozen=True)
class TimelineStep:
    phase: CampaignPhase
    status: str  # upcoming | current | ongoing (overlaps the current one) | finished


def timeline(campaign: Campaign, today: date) -> list[TimelineStep]:
    """The phases in order, each marked finished, current (at most one), ongoing or upcoming."""
    current = current_phase(campaign, today)
    steps = []
    for phase in campaign.phases:
        if phase is current:
            status = CURRENT
        elif phase.ends_on < today:
            status = FINISHED
        elif phase.starts_on > today:
            status = UPCOMING
        else:
            status = ONGOING
        steps.append(TimelineStep(phase, status))
    return steps


def current_campaign(today: date) -> Campaign | None:
    """The campaign to feature on the home page: the latest-started running one, else the next to start."""
    running = db.session.scalars(
        sa.select(Campaign).where(Campaign.starts_on <= today, Campaign.ends_on >= today)
        .order_by(Campaign.starts_on.desc(), Campaign.id.desc()).limit(1)
    ).first()
    if running is not None:
        return running
    return db.session.scalars(
        sa.select(Campaign).where(Campaign.starts_on > today)
        .order_by(Campaign.starts_on, Campaign.id).limit(1)
    ).first()


# ---------------------------------------------------------------- checks

def _checked_text(name: str, description: str | None) -> tuple[str, str]:
    name = clean(name or "")
    if not name:
        raise CampaignProblem(_("请输入名称"), "name")
    if len(name) > NAME_MAX_LENGTH:
        raise CampaignProblem(_("名称不能超过 %(n)s 个字", n=NAME_MAX_LENGTH), "name")
    if any(ord(char) < 32 or ord(char) == 127 for char in name):
        raise CampaignProblem(_("名称不能包含控制字符"), "name")
    description = (description or "").strip().replace("\r\n", "\n")
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise CampaignProblem(_("说明不能超过 %(n)s 个字", n=DESCRIPTION_MAX_LENGTH), "description")
    if any((ord(char) < 32 and char not in "\n\t") or ord(char) == 127 for char in description):
        raise CampaignProblem(_("说明不能包含控制字符"), "description")
    return name, description


def _checked_dates(starts_on, ends_on) -> None:
    if not isinstance(starts_on, date):
        raise CampaignProblem(_("请输入开始日期"), "starts_on")
    if not isinstance(ends_on, date):
        raise CampaignProblem(_("请输入结束日期"), "ends_on")
    if ends_on < starts_on:
        raise CampaignProblem(_("结束日期不能早于开始日期"), "ends_on")


def _campaign_name_taken(name: str, except_id: int | None = None) -> bool:
    query = sa.select(Campaign.id).where(Campaign.name == name)
    if except_id is not None:
        query = query.where(Campaign.id != except_id)
    return db.session.scalar(query.limit(1)) is not None


def _in_savepoint(change, problem: CampaignProblem) -> None:
    """Apply `change()` and flush it in a savepoint: a concurrent conflict becomes `problem`, not a 500."""
    try:
        with db.session.begin_nested():
            change()
    except IntegrityError as error:
        raise problem from error


def _fmt(day: date) -> str:
    return day.isoformat()


# ---------------------------------------------------------------- campaigns

def create_campaign(actor: User, *, name: str, description: str, starts_on: date, ends_on: date) -> Campaign:
    """Add a campaign; names are unique and the end is not before the start."""
    name, description = _checked_text(name, description)
    _checked_dates(starts_on, ends_on)
    taken = CampaignProblem(_("已有名为“%(name)s”的专项活动", name=name), "name")
    if _campaign_name_taken(name):
        raise taken
    campaign = Campaign(name=name, description=description, starts_on=starts_on, ends_on=ends_on)
    _in_savepoint(lambda: db.session.add(campaign), taken)
    record("campaign.created", target=campaign, actor=actor, summary=name,
           starts_on=_fmt(starts_on), ends_on=_fmt(ends_on))
    return campaign


def update_campaign(actor: User, campaign: Campaign, *, name: str, description: str,
                    starts_on: date, ends_on: date) -> None:
    """Change a campaign's name, description or dates; its phases must still fit inside the dates."""
    name, description = _checked_text(name, description)
    _checked_dates(starts_on, ends_on)
    taken = CampaignProblem(_("已有名为“%(name)s”的专项活动", name=name), "name")
    if _campaign_name_taken(name, except_id=campaign.id):
        raise taken
    outside = [phase.name for phase in campaign.phases
               if phase.starts_on < starts_on or phase.ends_on > ends_on]
    if outside:
        raise CampaignProblem(
            _("以下阶段将超出活动日期，请先调整阶段日期：%(names)s", names="、".join(outside)), "starts_on")
    before = {"name": campaign.name, "starts_on": _fmt(campaign.starts_on), "ends_on": _fmt(campaign.ends_on)}

    def change():
        campaign.name, campaign.description = name, description
        campaign.starts_on, campaign.ends_on = starts_on, ends_on

    _in_savepoint(change, taken)
    record("campaign.updated", target=campaign, actor=actor, summary=name, before=before,
           after={"name": name, "starts_on": _fmt(starts_on), "ends_on": _fmt(ends_on)})


def delete_campaign(actor: User, campaign: Campaign) -> None:
    """Delete a campaign and its phases; refused while other records (e.g. quizzes) still refer to it."""
    name = campaign.name
    _in_savepoint(lambda: db.session.delete(campaign),
                  CampaignProblem(_("“%(name)s”下已有相关活动或数据，不能删除。", name=name)))
    record("campaign.deleted", target=campaign, actor=actor, summary=name)


# ---------------------------------------------------------------- phases

def _checked_phase(campaign: Campaign, name: str, description: str, starts_on: date, ends_on: date):
    name, description = _checked_text(name, description)
    _checked_dates(starts_on, ends_on)
    if starts_on < campaign.starts_on or starts_on > campaign.ends_on:
        raise CampaignProblem(
            _("阶段日期须在活动日期（%(start)s 至 %(end)s）之内",
              start=_fmt(campaign.starts_on), end=_fmt(campaign.ends_on)), "starts_on")
    if ends_on > campaign.ends_on:
        raise CampaignProblem(
            _("阶段日期须在活动日期（%(start)s 至 %(end)s）之内",
              start=_fmt(campaign.starts_on), end=_fmt(campaign.ends_on)), "ends_on")
    return name, description


def _renumber(campaign: Campaign, phases: list[CampaignPhase]) -> None:
    """Give `phases` positions 1..n in list order without ever breaking UNIQUE(campaign, position)."""
    for index, phase in enumerate(phases, start=1):
        phase.position = -index
    db.session.flush()
    for index, phase in enumerate(phases, start=1):
        phase.position = index
    db.session.flush()


def add_phase(actor: User, campaign: Campaign, *, name: str, description: str,
              starts_on: date, ends_on: date) -> CampaignPhase:
    """Append a phase to the campaign; its dates must lie within the campaign's."""
    name, description = _checked_phase(campaign, name, description, starts_on, ends_on)
    last = db.session.scalar(
        sa.select(sa.func.max(CampaignPhase.position)).where(CampaignPhase.campaign_id == campaign.id))
    phase = CampaignPhase(campaign_id=campaign.id, position=(last or 0) + 1, name=name,
                          description=description, starts_on=starts_on, ends_on=ends_on)
    _in_savepoint(lambda: db.session.add(phase),
                  CampaignProblem(_("阶段已被他人修改，请刷新后重试。"), "name"))
    db.session.expire(campaign, ["phases"])
    record("campaign.phase_added", target=phase, actor=actor, summary=f"{campaign.name} / {name}",
           campaign_id=campaign.id, starts_on=_fmt(starts_on), ends_on=_fmt(ends_on))
    return phase


def update_phase(actor: User, phase: CampaignPhase, *, name: str, description: str,
                 starts_on: date, ends_on: date) -> None:
    """Change a phase's name, description or dates (within the campaign's dates)."""
    campaign = phase.campaign
    name, description = _checked_phase(campaign, name, description, starts_on, ends_on)
    before = {"name": phase.name, "starts_on": _fmt(phase.starts_on), "ends_on": _fmt(phase.ends_on)}
    phase.name, phase.description, phase.starts_on, phase.ends_on = name, description, starts_on, ends_on
    record("campaign.phase_updated", target=phase, actor=actor, summary=f"{campaign.name} / {name}",
           campaign_id=campaign.id, before=before,
           after={"name": name, "starts_on": _fmt(starts_on), "ends_on": _fmt(ends_on)})


def remove_phase(actor: User, phase: CampaignPhase) -> None:
    """Remove a phase and close the gap in the order."""
    campaign = phase.campaign
    record("campaign.phase_removed", target=phase, actor=actor, summary=f"{campaign.name} / {phase.name}",
           campaign_id=campaign.id)
    remaining = [other for other in campaign.phases if other is not phase]
    campaign.phases.remove(phase)  # delete-orphan cascade deletes it
    db.session.flush()
    _renumber(campaign, remaining)


def move_phase(actor: User, phase: CampaignPhase, direction: str) -> bool:
    """Move a phase one place up or down; False when it is already first or last."""
    if direction not in ("up", "down"):
        raise CampaignProblem(_("无效的移动方向"))
    campaign = phase.campaign
    phases = list(campaign.phases)
    index = phases.index(phase)
    other = index - 1 if direction == "up" else index + 1
    if other < 0 or other >= len(phases):
        return False
    phases[index], phases[other] = phases[other], phases[index]
    _renumber(campaign, phases)
    db.session.expire(campaign, ["phases"])
    record("campaign.phases_reordered", target=campaign, actor=actor, summary=campaign.name,
           moved=phase.name, direction=direction, order=[item.id for item in phases])
    return True
