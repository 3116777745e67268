"""A judge's sheets in a round: which works they see (by number only unless the round shows more),
and submitting a sheet through the shared lifecycle (events/judging/sheets.py: submit = lock, the
same scores again answer with the stored sheet, different scores are refused until an organiser
unlocks with a reason, then version N+1).

Per method: score and criteria sheets are checked by events/judging/criteria (blank, range, step);
a shortlist sheet is {"入选": 1 or 0}; a ranking round is submitted whole — every assigned work gets
a distinct place 1..n, stored as one sheet {"名次": n} per work, all or nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.audit.services import record
from app.common.problems import Problem
from app.extensions import db
from events.exhibition.models import Work, WorkImage
from events.exhibition.round_models import (
    ExhibitionAssignment,
    ExhibitionRound,
    ExhibitionRoundJudge,
    ExhibitionSheet,
    ExhibitionSheetVersion,
)
from events.exhibition.services.round_results import PLACE, YES
from events.exhibition.services.rounds import criteria_of
from events.judging.criteria import SheetProblem, check_sheet
from events.judging.sheets import SheetLocked, SheetOutcome, read_payload, submit_sheet, unlock_sheet

__all__ = ["ScoringRefused", "SheetLocked", "SheetOutcome", "SheetProblem"]


class ScoringRefused(Problem):
    """The judge may not score now (round not open, removed from the round)."""


def judge_of(round_id: int, user_id: int) -> ExhibitionRoundJudge | None:
    """The user's judge row in the round (with the round), or None."""
    return db.session.scalars(sa.select(ExhibitionRoundJudge).where(
        ExhibitionRoundJudge.round_id == round_id, ExhibitionRoundJudge.user_id == user_id)
        .options(selectinload(ExhibitionRoundJudge.round))).first()


def judge_rounds(user) -> list[ExhibitionRoundJudge]:
    """The user's rounds that are open or closed (a draft round is not shown to judges yet)."""
    return list(db.session.scalars(sa.select(ExhibitionRoundJudge).join(ExhibitionRoundJudge.round).where(
        ExhibitionRoundJudge.user_id == user.id, ExhibitionRound.status != "draft")
        .options(selectinload(ExhibitionRoundJudge.round).selectinload(ExhibitionRound.exhibition))
        .order_by(ExhibitionRound.exhibition_id.desc(), ExhibitionRound.position)))


@dataclass
class JudgeWork:
    """A work as a judge sees it: the number always; title, author, unit and 创作说明 only when the
    round shows names / description; the judge's own sheet if submitted."""

    work: Work
    sheet: ExhibitionSheet | None

    @property
    def done(self) -> bool:
        return self.sheet is not None and self.sheet.locked


def my_works(round_: ExhibitionRound, judge: ExhibitionRoundJudge) -> list[JudgeWork]:
    """The judge's assigned works in number order, with their own sheets (three queries)."""
    works = db.session.scalars(sa.select(Work).join(ExhibitionAssignment, ExhibitionAssignment.work_id == Work.id)
                               .where(ExhibitionAssignment.round_id == round_.id,
                                      ExhibitionAssignment.judge_id == judge.id)
                               .options(selectinload(Work.images), selectinload(Work.category))
                               .order_by(Work.number)).all()
    sheets = {sheet.work_id: sheet for sheet in db.session.scalars(sa.select(ExhibitionSheet).where(
        ExhibitionSheet.round_id == round_.id, ExhibitionSheet.judge_id == judge.id))}
    return [JudgeWork(work, sheets.get(work.id)) for work in works]


def assigned_work(round_: ExhibitionRound, judge: ExhibitionRoundJudge, work_id: int) -> Work | None:
    """The work when it is assigned to this judge in this round, else None (the view answers 404)."""
    return db.session.scalar(sa.select(Work).join(ExhibitionAssignment, ExhibitionAssignment.work_id == Work.id)
                             .where(ExhibitionAssignment.round_id == round_.id,
                                    ExhibitionAssignment.judge_id == judge.id, Work.id == work_id))


def judge_image(round_: ExhibitionRound, judge: ExhibitionRoundJudge, image_id: int) -> WorkImage | None:
    """An image of a work assigned to this judge in this round (the only images a judge may load)."""
    image = db.session.get(WorkImage, image_id)
    if image is None or assigned_work(round_, judge, image.work_id) is None:
        return None
    return image


def own_sheet(round_: ExhibitionRound, judge: ExhibitionRoundJudge, work_id: int) -> ExhibitionSheet | None:
    return db.session.scalars(sa.select(ExhibitionSheet).filter_by(round_id=round_.id, work_id=work_id,
                                                                   judge_id=judge.id)).first()


def _refusal(round_: ExhibitionRound, judge: ExhibitionRoundJudge) -> None:
    if round_.status == "draft":
        raise ScoringRefused(_("本轮尚未开始"))
    if round_.status == "closed":
        raise ScoringRefused(_("本轮已结束，不能再提交评分"))
    if not judge.active:
        raise ScoringRefused(_("您已被移出本轮评审"))


def checked_scores(round_: ExhibitionRound, data) -> tuple[dict[str, Decimal], dict[str, str]]:
    """The sheet's Decimal scores by the round's method (SheetProblem beside the field if not)."""
    if round_.method == "shortlist":
        scores = data.get("scores") if isinstance(data, dict) else None
        value = scores.get(YES) if isinstance(scores, dict) else None
        if str(value) not in ("0", "1"):
            raise SheetProblem([Problem(_("请选择“入选”或“不入选”"), YES)])
        return {YES: Decimal(str(value))}, {}
    payload = read_payload(data)
    notes = {name: note for name, note in payload.notes.items() if name in payload.confirmed}
    scores = check_sheet(payload.scores, criteria_of(round_), notes=notes)
    return scores, {name: note for name, note in notes.items() if name in scores}


def _keys(round_, work_id, judge) -> dict:
    return {"round_id": round_.id, "work_id": work_id, "judge_id": judge.id}


def submit_work_sheet(round_: ExhibitionRound, judge: ExhibitionRoundJudge, work: Work, data, *,
                      actor) -> SheetOutcome:
    """A judge's sheet for one assigned work (not for a ranking round, which is submitted whole)."""
    _refusal(round_, judge)
    if round_.method == "ranking":
        raise ScoringRefused(_("排序评审请一次提交全部作品的名次"))
    scores, notes = checked_scores(round_, data)
    outcome = submit_sheet(ExhibitionSheet, ExhibitionSheetVersion, _keys(round_, work.id, judge), scores,
                           notes=notes, entered_by_id=getattr(actor, "id", None))
    if not outcome.same:
        record("exhibition.sheet.submitted", target=outcome.sheet, summary=f"{round_.name} · {work.code}",
               round_id=round_.id, version=outcome.sheet.version)
    return outcome


def submit_ranking(round_: ExhibitionRound, judge: ExhibitionRoundJudge, data, *, actor) -> list[SheetOutcome]:
    """A ranking judge's whole order: {"places": {work_id: place}} for exactly their assigned works,
    places 1..n each used once; every sheet goes through the lifecycle (a changed place after
    locking refuses the whole submit, which the view rolls back)."""
    _refusal(round_, judge)
    if round_.method != "ranking":
        raise ScoringRefused(_("本轮不是排序评审"))
    places = data.get("places") if isinstance(data, dict) else None
    assigned = {work.work.id: work.work for work in my_works(round_, judge)}
    if not isinstance(places, dict):
        raise SheetProblem([Problem(_("评分格式不正确"), None)])
    parsed: dict[int, int] = {}
    problems = []
    for key, value in places.items():
        try:
            work_id, place = int(key), int(str(value).strip())
        except (TypeError, ValueError):
            problems.append(Problem(_("名次须为整数"), str(key)))
            continue
        if work_id not in assigned:
            problems.append(Problem(_("作品不在您的评审名单中"), str(key)))
        elif not 1 <= place <= len(assigned):
            problems.append(Problem(_("名次须在 1 至 %(count)s 之间", count=len(assigned)), str(key)))
        else:
            parsed[work_id] = place
    if not problems and set(parsed) != set(assigned):
        problems.append(Problem(_("请为每件作品排出名次"), None))
    if not problems and len(set(parsed.values())) != len(parsed):
        problems.append(Problem(_("每个名次只能用一次"), None))
    if problems:
        raise SheetProblem(problems)
    outcomes = []
    for work_id in sorted(parsed):
        outcomes.append(submit_sheet(ExhibitionSheet, ExhibitionSheetVersion, _keys(round_, work_id, judge),
                                     {PLACE: Decimal(parsed[work_id])}, entered_by_id=getattr(actor, "id", None)))
    if not all(outcome.same for outcome in outcomes):
        record("exhibition.sheet.submitted", target=round_, summary=f"{round_.name} · {_('排序')}",
               round_id=round_.id, works=len(outcomes))
    return outcomes


def unlock_work_sheet(round_: ExhibitionRound, sheet: ExhibitionSheet, *, actor, reason: str) -> None:
    """An organiser unlocks a sheet of an open round for a correction, with a reason (version N+1)."""
    if round_.status != "open":
        raise Problem(_("只有进行中的轮次可以解锁评分表"))
    unlock_sheet(sheet, actor_id=actor.id, reason=reason)
    record("exhibition.sheet.unlocked", target=sheet, summary=round_.name, round_id=round_.id,
           version=sheet.version, reason=sheet.unlock_reason)


def outcome_body(outcome: SheetOutcome) -> dict:
    return {"status": "submitted", "version": outcome.sheet.version, "same": outcome.same}
