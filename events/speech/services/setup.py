"""Contest set-up (比赛设置) by organisers: the contest's facts, its rounds, and its scoring settings.

Scoring settings are validated by events/judging (criteria, panel rule, overtime table, award tiers)
and stored through events/speech/settings.py. The score sheet cannot change once a sheet has been
submitted: sheets store their scores by criterion name.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _

from app.audit.services import record
from app.campaigns.models import Campaign
from app.common.clock import from_local
from app.common.problems import Problem
from app.extensions import db
from events.judging.awards import CriterionAward, Tier, tier_limits
from events.judging.criteria import Criterion
from events.judging.deductions import OvertimeBand
from events.judging.rules import PanelRule
from events.judging.standings import TieBreak, check_places
from events.speech import settings as stored
from events.speech.models import SpeechContest, SpeechEntry, SpeechJudge, SpeechRound, SpeechSheet, SpeechSlot

LIVE_STATUSES = ("registered", "approved")


@dataclass
class ContestFacts:
    """What the contest form edits: everything but the scoring settings."""

    campaign_id: int
    title: str
    venue: str = ""
    held_on: date | None = None
    description: str = ""
    opens_at_local: datetime | None = None  # Asia/Shanghai, as typed
    closes_at_local: datetime | None = None
    quota_per_unit: int | None = None
    allow_self_apply: bool = True
    approval_required: bool = True
    time_limit_seconds: int = 480
    warning_seconds: int | None = 450
    separate_same_unit: bool = False


@dataclass
class Scoring:
    """What the scoring form edits, as events/judging objects."""

    criteria: Sequence[Criterion]
    trim_from: int = 5
    trim_each_end: int = 1
    per_criterion: bool = False
    group_weights: dict[str, Decimal] = field(default_factory=dict)
    overtime_bands: Sequence[OvertimeBand] = ()
    places: int = 2
    tie_breaks: Sequence[TieBreak] = ()
    award_tiers: Sequence[Tier] = ()
    criterion_awards: Sequence[CriterionAward] = ()


def campaign_choices() -> list[tuple[int, str]]:
    """Campaigns a contest may belong to, newest first."""
    return [(campaign.id, campaign.name) for campaign in
            db.session.scalars(sa.select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.id.desc()))]


def organiser_contests() -> list[tuple[SpeechContest, dict[str, int]]]:
    """Every contest with its entry counts by status, newest first (two queries)."""
    contests = list(db.session.scalars(sa.select(SpeechContest).order_by(SpeechContest.id.desc())))
    counts: dict[int, dict[str, int]] = {contest.id: {} for contest in contests}
    for contest_id, status, number in db.session.execute(
            sa.select(SpeechEntry.contest_id, SpeechEntry.status, sa.func.count())
            .group_by(SpeechEntry.contest_id, SpeechEntry.status)):
        counts.setdefault(contest_id, {})[status] = number
    return [(contest, counts[contest.id]) for contest in contests]


def facts_of(contest: SpeechContest) -> ContestFacts:
    """The contest's facts as the form shows them (times in Asia/Shanghai)."""
    from app.common.clock import to_local

    def local(value):
        return to_local(value).replace(tzinfo=None) if value else None

    return ContestFacts(
        campaign_id=contest.campaign_id, title=contest.title, venue=contest.venue, held_on=contest.held_on,
        description=contest.description, opens_at_local=local(contest.registration_opens_at),
        closes_at_local=local(contest.registration_closes_at), quota_per_unit=contest.quota_per_unit,
        allow_self_apply=contest.allow_self_apply, approval_required=contest.approval_required,
        time_limit_seconds=contest.time_limit_seconds, warning_seconds=contest.warning_seconds,
        separate_same_unit=contest.separate_same_unit)


def _check_facts(facts: ContestFacts, contest: SpeechContest | None) -> None:
    """The window closes after it opens, the warning bell rings before the time limit, the title is
    unique in the campaign, and a quota is not below a unit's live entries."""
    if db.session.get(Campaign, facts.campaign_id) is None:
        raise Problem(_("请选择专项活动"), "campaign_id")
    if facts.opens_at_local and facts.closes_at_local and facts.closes_at_local <= facts.opens_at_local:
        raise Problem(_("报名截止时间须晚于开始时间"), "closes_at")
    if facts.time_limit_seconds <= 0:
        raise Problem(_("演讲时限须大于 0"), "time_limit")
    if facts.warning_seconds is not None and not 0 < facts.warning_seconds < facts.time_limit_seconds:
        raise Problem(_("提醒时间须早于演讲时限"), "warning")
    clash = db.session.scalar(sa.select(SpeechContest.id).where(
        SpeechContest.campaign_id == facts.campaign_id, SpeechContest.title == facts.title,
        SpeechContest.id != (contest.id if contest else -1)))
    if clash:
        raise Problem(_("该专项活动中已有同名比赛"), "title")
    if contest is not None and facts.quota_per_unit:
        fullest = db.session.scalar(
            sa.select(sa.func.count()).select_from(SpeechEntry)
            .where(SpeechEntry.contest_id == contest.id, SpeechEntry.status.in_(LIVE_STATUSES))
            .group_by(SpeechEntry.unit_id).order_by(sa.func.count().desc()).limit(1)) or 0
        if fullest > facts.quota_per_unit:
            raise Problem(_("已有单位报名 %(n)s 人，名额不能少于 %(n)s", n=fullest), "quota_per_unit")


def _apply_facts(contest: SpeechContest, facts: ContestFacts) -> None:
    contest.campaign_id = facts.campaign_id
    contest.title = facts.title
    contest.venue = facts.venue or ""
    contest.held_on = facts.held_on
    contest.description = facts.description or ""
    contest.registration_opens_at = from_local(facts.opens_at_local) if facts.opens_at_local else None
    contest.registration_closes_at = from_local(facts.closes_at_local) if facts.closes_at_local else None
    contest.quota_per_unit = facts.quota_per_unit or None
    contest.allow_self_apply = facts.allow_self_apply
    contest.approval_required = facts.approval_required
    contest.time_limit_seconds = facts.time_limit_seconds
    contest.warning_seconds = facts.warning_seconds
    contest.separate_same_unit = facts.separate_same_unit


def create_contest(actor, facts: ContestFacts) -> SpeechContest:
    """A new contest with the default score sheet and one round (比赛); audit-logged."""
    _check_facts(facts, None)
    contest = SpeechContest(criteria=[], group_weights={}, overtime_bands=[], tie_breaks=[], award_tiers=[],
                            criterion_awards=[])
    _apply_facts(contest, facts)
    stored.store_criteria(contest, stored.criteria_of(contest))
    contest.rounds = [SpeechRound(position=1, name=_("比赛"))]
    db.session.add(contest)
    db.session.flush()
    record("speech.contest.created", target=contest, actor=actor,
           summary=_("新建演讲比赛「%(title)s」", title=contest.title))
    return contest


def update_contest(contest: SpeechContest, actor, facts: ContestFacts) -> None:
    """Change the contest's facts (not its scoring); audit-logged."""
    _check_facts(facts, contest)
    _apply_facts(contest, facts)
    db.session.flush()
    record("speech.contest.updated", target=contest, actor=actor,
           summary=_("修改演讲比赛「%(title)s」", title=contest.title))


def has_sheets(contest: SpeechContest) -> bool:
    """Whether any judge has submitted a sheet in any round of the contest."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(SpeechSheet).join(SpeechSlot, SpeechSlot.id == SpeechSheet.slot_id)
        .join(SpeechRound, SpeechRound.id == SpeechSlot.round_id).where(SpeechRound.contest_id == contest.id)) > 0


def save_scoring(contest: SpeechContest, actor, scoring: Scoring) -> None:
    """Store validated scoring settings; the criteria cannot change once a sheet exists; tie-breaks
    and criterion awards must name criteria on the sheet; audit-logged."""
    criteria = tuple(scoring.criteria)
    before = stored.criteria_of(contest)
    if has_sheets(contest) and criteria != before:
        raise Problem(_("已有评委提交评分，评分项不能再修改"), "criteria")
    names = {criterion.name for criterion in criteria}
    rule = PanelRule(scoring.trim_from, scoring.trim_each_end, scoring.per_criterion,
                     dict(scoring.group_weights)).validate()
    check_places(scoring.places)
    for tie_break in scoring.tie_breaks:
        if tie_break.kind == "criterion" and tie_break.criterion not in names:
            raise Problem(_("同分比较项“%(criterion)s”不在评分表中", criterion=tie_break.criterion), "tie_breaks")
    for award in scoring.criterion_awards:
        if award.criterion not in names:
            raise Problem(_("单项奖“%(award)s”对应的评分项不在评分表中", award=award.name), "criterion_awards")
    if scoring.award_tiers:
        tier_limits(scoring.award_tiers, 10)
    stored.store_criteria(contest, criteria)
    contest.trim_from, contest.trim_each_end, contest.per_criterion = rule.trim_from, rule.trim_each_end, rule.per_criterion
    contest.group_weights = {name: format(weight, "f") for name, weight in rule.group_weights.items()}
    stored.store_overtime_bands(contest, scoring.overtime_bands)
    contest.places = scoring.places
    contest.tie_breaks = [{"kind": item.kind, "criterion": item.criterion} for item in scoring.tie_breaks]
    contest.award_tiers = [{"name": tier.name, "count": tier.count,
                            "share": None if tier.share is None else format(tier.share, "f")}
                           for tier in scoring.award_tiers]
    contest.criterion_awards = [{"name": award.name, "criterion": award.criterion} for award in scoring.criterion_awards]
    db.session.flush()
    record("speech.contest.scoring_saved", target=contest, actor=actor,
           summary=_("保存演讲比赛「%(title)s」的评分规则", title=contest.title),
           criteria=contest.criteria, trim_from=contest.trim_from, trim_each_end=contest.trim_each_end,
           per_criterion=contest.per_criterion, group_weights=contest.group_weights, places=contest.places)


# ---------------------------------------------------------------- rounds

def _check_round(contest: SpeechContest, name: str, advance_count: int | None, round_: SpeechRound | None) -> None:
    if not name:
        raise Problem(_("请填写轮次名称"), "name")
    if any(other.name == name and other is not round_ for other in contest.rounds):
        raise Problem(_("已有同名轮次"), "name")
    if advance_count is not None and advance_count <= 0:
        raise Problem(_("晋级人数须大于 0"), "advance_count")


def add_round(contest: SpeechContest, actor, name: str, advance_count: int | None = None) -> SpeechRound:
    """A new last round (决赛 after 初赛); the round before it names how many advance; audit-logged."""
    _check_round(contest, name, advance_count, None)
    position = max((other.position for other in contest.rounds), default=0) + 1
    round_ = SpeechRound(contest_id=contest.id, position=position, name=name, advance_count=None)
    contest.rounds.append(round_)
    if advance_count is not None and len(contest.rounds) > 1:
        contest.rounds[-2].advance_count = advance_count
    db.session.flush()
    record("speech.round.created", target=round_, actor=actor,
           summary=_("演讲比赛「%(title)s」新增轮次「%(name)s」", title=contest.title, name=name))
    return round_


def update_round(round_: SpeechRound, actor, name: str, advance_count: int | None) -> None:
    """Rename a round or change how many of it advance (only a round with a next one advances)."""
    contest = round_.contest
    _check_round(contest, name, advance_count, round_)
    if advance_count is not None and round_.position == max(other.position for other in contest.rounds):
        raise Problem(_("最后一轮没有晋级人数"), "advance_count")
    round_.name, round_.advance_count = name, advance_count
    db.session.flush()
    record("speech.round.updated", target=round_, actor=actor,
           summary=_("修改轮次「%(name)s」", name=name), advance_count=advance_count)


def delete_round(round_: SpeechRound, actor) -> None:
    """Delete the last round while it has no running order and no judges; never the only round."""
    contest = round_.contest
    if len(contest.rounds) <= 1:
        raise Problem(_("比赛至少要有一个轮次"))
    if round_.position != max(other.position for other in contest.rounds):
        raise Problem(_("只能删除最后一个轮次"))
    in_use = db.session.scalar(sa.select(sa.func.count()).select_from(SpeechSlot).where(SpeechSlot.round_id == round_.id)) \
        + db.session.scalar(sa.select(sa.func.count()).select_from(SpeechJudge).where(SpeechJudge.round_id == round_.id))
    if in_use:
        raise Problem(_("该轮次已有出场顺序或评委，不能删除"))
    record("speech.round.deleted", target=round_, actor=actor, summary=_("删除轮次「%(name)s」", name=round_.name))
    contest.rounds.remove(round_)
    remaining = sorted(contest.rounds, key=lambda other: other.position)
    if remaining:
        remaining[-1].advance_count = None
    db.session.flush()


def parse_duration(text: str | None) -> int | None:
    """Seconds from "8:00", "7:30" or "480"; None when blank; a Problem otherwise."""
    text = (text or "").strip().replace("：", ":")
    if not text:
        return None
    minutes, colon, seconds = text.partition(":")
    try:
        if colon:
            if not (minutes.isdigit() and seconds.isdigit() and len(seconds) == 2 and int(seconds) < 60):
                raise ValueError
            value = int(minutes) * 60 + int(seconds)
        else:
            if not text.isdigit():
                raise ValueError
            value = int(text)
    except ValueError as error:
        raise Problem(_("请按“分:秒”填写，例如 8:00")) from error
    if value > 24 * 3600:
        raise Problem(_("时间过长"))
    return value


def format_duration(seconds: int | None) -> str:
    """"8:00" for 480 seconds; "" for None."""
    if seconds is None:
        return ""
    return f"{seconds // 60}:{seconds % 60:02d}"
