"""Judging rounds (初评 → 复评 → 终评): setting a round up, which works it covers, opening and
closing it, and the final standings the awards are made from.

A round covers, in each of its categories, the accepted works when no earlier round covers that
category, else the works that advanced from the latest earlier closed round covering it. A round
opens only after every earlier round is closed; while open its settings are fixed; it closes when
every assigned work is scored, or earlier with a stated reason (the results carry it).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import gettext as _

from app.audit.services import record
from app.common.clock import utcnow
from app.common.problems import Problem
from app.common.text import clean
from app.extensions import db
from events.exhibition.models import Exhibition, Work
from events.exhibition.round_models import (
    ADVANCE_KINDS,
    ROUND_METHODS,
    ExhibitionRound,
    ExhibitionRoundResult,
)
from events.judging.criteria import Criterion, validate_criteria
from events.judging.numbers import round_half_up
from events.judging.rules import PanelRule

SCORE = "得分"  # the score method's one criterion (the sheet key; pages show it translated)
SCORE_STEPS = (Decimal("1"), Decimal("0.5"), Decimal("0.1"), Decimal("0.01"))
CLOSE_REASON_LIMIT = 500


@dataclass(frozen=True)
class WorkStanding:
    """A work's place in its category after the last closed scoring round: `score` as shown (two
    decimals, more where two would tie), `exact` every digit; `final` False when some of its scores
    were missing at close (the close reason in `note`)."""

    work_id: int
    category_id: int
    number: str
    score: Decimal | None
    exact: Decimal | None
    rank: int | None
    final: bool
    note: str


@dataclass(frozen=True)
class RoundSettings:
    """What the round form gives (criteria as Criterion objects for the criteria method)."""

    name: str
    method: str
    category_ids: list[int]
    quorum: int
    advance_kind: str
    advance_value: Decimal | None = None
    step: Decimal = Decimal("0.1")
    criteria: tuple[Criterion, ...] = ()
    trim_from: int = 5
    trim_each_end: int = 1
    shows_names: bool = False
    shows_description: bool = False
    allows_originals: bool = False


def criteria_of(round_: ExhibitionRound) -> tuple[Criterion, ...]:
    """The round's score sheet: one 得分 0–100 on the round's step, the stored criteria, or none
    (shortlist and ranking sheets are checked by their own rule)."""
    if round_.method == "score":
        # the key stored in the sheet is not translated: sheets must read the same in every language
        return (Criterion(SCORE, Decimal(100), Decimal(round_.step)),)
    if round_.method == "criteria":
        return tuple(Criterion(item["name"], Decimal(item["maximum"]), Decimal(item.get("step") or "0.1"),
                               description=item.get("description") or "") for item in round_.criteria or ())
    return ()


def rounds_of(exhibition: Exhibition) -> list[ExhibitionRound]:
    return list(db.session.scalars(sa.select(ExhibitionRound).where(ExhibitionRound.exhibition_id == exhibition.id)
                                   .order_by(ExhibitionRound.position)))


def exhibition_round(exhibition_id: int, round_id: int) -> ExhibitionRound | None:
    round_ = db.session.get(ExhibitionRound, round_id)
    return round_ if round_ is not None and round_.exhibition_id == exhibition_id else None


def _check(exhibition: Exhibition, settings: RoundSettings) -> RoundSettings:
    name = clean(settings.name or "")
    if not name or len(name) > 40:
        raise Problem(_("请填写轮次名称（不超过 40 字）"), "name")
    if settings.method not in ROUND_METHODS:
        raise Problem(_("请选择评审方式"), "method")
    known = {category.id for category in exhibition.categories}
    if not settings.category_ids or not set(settings.category_ids) <= known:
        raise Problem(_("请至少选择一个类别"), "category_ids")
    if not isinstance(settings.quorum, int) or not 1 <= settings.quorum <= 50:
        raise Problem(_("每件作品的评委人数须在 1 至 50 之间"), "quorum")
    if settings.advance_kind not in ADVANCE_KINDS:
        raise Problem(_("请选择晋级方式"), "advance_kind")
    value = settings.advance_value
    if settings.advance_kind != "none":
        if value is None or value < 0:
            raise Problem(_("请填写晋级分数线或名额"), "advance_value")
        if settings.advance_kind == "top" and (value != value.to_integral_value() or value < 1):
            raise Problem(_("晋级名额须为正整数"), "advance_value")
        if settings.method == "shortlist" and settings.advance_kind == "threshold" and (
                value != value.to_integral_value() or value < 1 or value > settings.quorum):
            raise Problem(_("入选票数须为 1 至每件作品评委人数之间的整数"), "advance_value")
    if settings.method == "score" and settings.step not in SCORE_STEPS:
        raise Problem(_("分值步长须为 1、0.5、0.1 或 0.01"), "step")
    if settings.method == "criteria":
        validate_criteria(settings.criteria)
    if settings.method in ("score", "criteria"):
        PanelRule(settings.trim_from, settings.trim_each_end).validate()
    return settings


def _apply(round_: ExhibitionRound, exhibition: Exhibition, settings: RoundSettings) -> None:
    round_.name = clean(settings.name)
    round_.method = settings.method
    round_.categories = [category for category in exhibition.categories if category.id in settings.category_ids]
    round_.quorum = settings.quorum
    round_.advance_kind = settings.advance_kind
    round_.advance_value = None if settings.advance_kind == "none" else settings.advance_value
    round_.step = settings.step
    round_.criteria = [{"name": c.name, "maximum": format(c.maximum, "f"), "step": format(c.step, "f"),
                        "description": c.description} for c in settings.criteria] \
        if settings.method == "criteria" else []
    round_.trim_from, round_.trim_each_end = settings.trim_from, settings.trim_each_end
    round_.shows_names, round_.shows_description = settings.shows_names, settings.shows_description
    round_.allows_originals = settings.allows_originals


def create_round(actor, exhibition: Exhibition, settings: RoundSettings) -> ExhibitionRound:
    """A new round goes after the existing ones, as a draft."""
    _check(exhibition, settings)
    if db.session.scalar(sa.select(ExhibitionRound.id).where(ExhibitionRound.exhibition_id == exhibition.id,
                                                             ExhibitionRound.name == clean(settings.name))):
        raise Problem(_("已有同名轮次"), "name")
    last = db.session.scalar(sa.select(sa.func.max(ExhibitionRound.position))
                             .where(ExhibitionRound.exhibition_id == exhibition.id)) or 0
    round_ = ExhibitionRound(exhibition_id=exhibition.id, position=last + 1)
    _apply(round_, exhibition, settings)
    db.session.add(round_)
    db.session.flush()
    record("exhibition.round.created", target=round_, summary=f"{exhibition.title} · {round_.name}")
    return round_


def update_round(actor, round_: ExhibitionRound, settings: RoundSettings) -> None:
    """Only a draft round's settings change (an open round's judges already see them)."""
    if round_.status != "draft":
        raise Problem(_("轮次已开始，不能再修改设置"))
    _check(round_.exhibition, settings)
    clash = db.session.scalar(sa.select(ExhibitionRound.id).where(
        ExhibitionRound.exhibition_id == round_.exhibition_id, ExhibitionRound.name == clean(settings.name),
        ExhibitionRound.id != round_.id))
    if clash:
        raise Problem(_("已有同名轮次"), "name")
    _apply(round_, round_.exhibition, settings)
    record("exhibition.round.updated", target=round_, summary=round_.name)


def previous_round(round_: ExhibitionRound, category_id: int) -> ExhibitionRound | None:
    """The latest round before this one covering the category (None: the category starts here)."""
    for earlier in reversed(rounds_of(round_.exhibition)):
        if earlier.position < round_.position and category_id in earlier.category_ids:
            return earlier
    return None


def candidate_works(round_: ExhibitionRound) -> list[tuple[Work, str | None]]:
    """Every accepted work of the round's categories with why it is not in the round (None: it is):
    not advanced from the previous round, or that round not yet closed."""
    works = db.session.scalars(sa.select(Work).where(
        Work.exhibition_id == round_.exhibition_id, Work.category_id.in_(round_.category_ids),
        Work.status == "accepted").order_by(Work.number)).all()
    previous = {category_id: previous_round(round_, category_id) for category_id in round_.category_ids}
    advanced: dict[int, set[int]] = {}
    for earlier in {p for p in previous.values() if p is not None}:
        advanced[earlier.id] = set(db.session.scalars(sa.select(ExhibitionRoundResult.work_id).where(
            ExhibitionRoundResult.round_id == earlier.id, ExhibitionRoundResult.advanced.is_(True))))
    out = []
    for work in works:
        earlier = previous[work.category_id]
        if earlier is None:
            out.append((work, None))
        elif earlier.status != "closed":
            out.append((work, _("%(round)s尚未结束", round=earlier.name)))
        elif work.id not in advanced[earlier.id]:
            out.append((work, _("未在%(round)s晋级", round=earlier.name)))
        else:
            out.append((work, None))
    return out


def check_may_open(round_: ExhibitionRound) -> None:
    """A draft round opens when every earlier round is closed, it has judges, and a ranking round
    has at most MAX_RANKING_WORKS works per category."""
    if round_.status != "draft":
        raise Problem(_("该轮次已开始"))
    for earlier in rounds_of(round_.exhibition):
        if earlier.position < round_.position and earlier.status != "closed":
            raise Problem(_("请先结束%(round)s", round=earlier.name))
    if not any(judge.active for judge in round_.judges):
        raise Problem(_("请先为本轮添加评委"))


def close_round(actor, round_: ExhibitionRound, reason: str = "") -> None:
    """Closing freezes the results; with scores missing it needs a reason, stated on the results."""
    from events.exhibition.services.assignments import progress
    from events.exhibition.services.round_results import freeze_results

    if round_.status != "open":
        raise Problem(_("只有进行中的轮次可以结束"))
    reason = clean(reason or "")
    done, assigned = progress(round_).totals
    if done < assigned and not reason:
        raise Problem(_("还有 %(missing)s 份评分未提交，提前结束须填写原因", missing=assigned - done), "reason")
    if len(reason) > CLOSE_REASON_LIMIT:
        raise Problem(_("原因不能超过 %(limit)s 字", limit=CLOSE_REASON_LIMIT), "reason")
    round_.status, round_.closed_at = "closed", utcnow()
    round_.close_reason = reason if done < assigned else ""
    freeze_results(round_)
    record("exhibition.round.closed", target=round_, summary=round_.name, missing=assigned - done,
           reason=round_.close_reason)


def final_standings(exhibition: Exhibition) -> dict[int, list[WorkStanding]]:
    """Per category id, the works in rank order (unscored last) from the last closed scoring round
    (score or criteria) covering that category; a category no such round covers is absent."""
    closed = [round_ for round_ in rounds_of(exhibition) if round_.status == "closed" and round_.is_scoring]
    last: dict[int, ExhibitionRound] = {}
    for round_ in closed:
        for category_id in round_.category_ids:
            last[category_id] = round_
    if not last:
        return {}
    from events.exhibition.services.round_results import stored_results

    out: dict[int, list[WorkStanding]] = {}
    cache: dict[int, dict] = {}
    for category_id, round_ in last.items():
        rows = cache.setdefault(round_.id, stored_results(round_)).get(category_id, [])
        out[category_id] = [WorkStanding(
            work_id=row.work_id, category_id=category_id, number=row.work.code,
            score=None if row.exact is None else _shown_decimal(row),
            exact=row.exact_value, rank=row.rank, final=row.final,
            note="" if row.final else (round_.close_reason or _("评分未齐"))) for row in rows]
    return out


def _shown_decimal(row: ExhibitionRoundResult) -> Decimal:
    try:
        return Decimal(row.display)
    except (InvalidOperation, TypeError):
        return round_half_up(row.exact_value, 2)
