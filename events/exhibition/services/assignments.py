"""Who judges which work in a round: exclusions, the preview before opening, the balanced
assignment made when the round opens, mid-round changes (add, remove, reassign) and progress.

A judge never gets a work they made (author or co-author) or one from their own unit (the work's
unit is their unit or their branch). Each work gets `quorum` eligible judges (a ranking round: every
eligible judge, since a judge ranks the whole set), the least-loaded first, the most constrained
works placed first; a work with fewer eligible judges than the quorum cannot be staffed and the
round does not open until judges are added. Progress is counted, never shown with scores.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.audit.services import record
from app.common.access import Role
from app.common.clock import utcnow
from app.common.problems import Problem
from app.extensions import db
from events.exhibition.models import REVIEWABLE_STATUSES, Work
from events.exhibition.round_models import (
    MAX_RANKING_WORKS,
    ExhibitionAssignment,
    ExhibitionRound,
    ExhibitionRoundJudge,
    ExhibitionSheet,
)


def exclusion(user: User, work: Work) -> str | None:
    """Why `user` may not judge `work` (None: they may)."""
    if work.author_id == user.id or any(person.id == user.id for person in work.coauthors):
        return _("本人作品")
    if work.unit_id is not None and work.unit_id in {user.unit_id, user.branch_id}:
        return _("本单位作品")
    return None


@dataclass
class PreviewLine:
    work: Work
    reason: str | None  # why the work is left out of the round, None when it is in
    eligible: int = 0
    excluded_judges: list[tuple[User, str]] = field(default_factory=list)

    @property
    def staffed(self) -> bool:
        return self.reason is None


@dataclass
class Preview:
    round: ExhibitionRound
    lines: list[PreviewLine]

    @property
    def included(self) -> list[PreviewLine]:
        return [line for line in self.lines if line.reason is None]

    @property
    def left_out(self) -> list[PreviewLine]:
        return [line for line in self.lines if line.reason is not None]

    @property
    def understaffed(self) -> list[PreviewLine]:
        """Works the round covers that too few eligible judges could score."""
        text = _understaffed_text(self.round)
        return [line for line in self.lines if line.reason == text]


def _understaffed_text(round_: ExhibitionRound) -> str:
    return _("可评审的评委不足 %(quorum)s 人", quorum=round_.quorum)


def active_judges(round_: ExhibitionRound) -> list[ExhibitionRoundJudge]:
    return [judge for judge in round_.judges if judge.active]


def preview_round(round_: ExhibitionRound) -> Preview:
    """Every work of the round's categories that was submitted, with why it is left out: not
    accepted, not advanced from the previous round, or too few eligible judges for the quorum;
    and for each work the judges excluded from it and why."""
    from events.exhibition.services.rounds import candidate_works

    judges = active_judges(round_)
    lines = []
    not_accepted = db.session.scalars(sa.select(Work).where(
        Work.exhibition_id == round_.exhibition_id, Work.category_id.in_(round_.category_ids),
        Work.status.in_([status for status in REVIEWABLE_STATUSES if status != "accepted"]))
        .order_by(Work.number)).all()
    for work in not_accepted:
        lines.append(PreviewLine(work, _("未通过审核") if work.status == "rejected" else _("尚未审核")))
    for work, reason in candidate_works(round_):
        excluded = [(judge.user, why) for judge in judges if (why := exclusion(judge.user, work))]
        eligible = len(judges) - len(excluded)
        if reason is None and eligible < round_.quorum:
            reason = _understaffed_text(round_)
        lines.append(PreviewLine(work, reason, eligible, excluded))
    lines.sort(key=lambda line: line.work.number)
    return Preview(round_, lines)


def _load(round_: ExhibitionRound) -> Counter:
    return Counter(dict(db.session.execute(
        sa.select(ExhibitionAssignment.judge_id, sa.func.count()).where(ExhibitionAssignment.round_id == round_.id)
        .group_by(ExhibitionAssignment.judge_id)).all()))


def open_round(actor, round_: ExhibitionRound) -> int:
    """Open the round: assign every work it covers to `quorum` eligible judges, balanced; refused
    while a work cannot be staffed or a ranking category holds more than MAX_RANKING_WORKS works.
    Returns the number of assignments made."""
    from events.exhibition.services.rounds import check_may_open

    check_may_open(round_)
    preview = preview_round(round_)
    short = preview.understaffed
    if short:
        raise Problem(_("以下作品可评审的评委不足，请先添加评委：%(numbers)s",
                        numbers="、".join(line.work.code for line in short)))
    works = [line.work for line in preview.included]
    if not works:
        raise Problem(_("本轮没有可评审的作品"))
    if round_.method == "ranking":
        per_category = Counter(work.category_id for work in works)
        if max(per_category.values()) > MAX_RANKING_WORKS:
            raise Problem(_("排序评审每个类别最多 %(limit)s 件作品", limit=MAX_RANKING_WORKS))
    judges = active_judges(round_)
    eligible = {work.id: [judge for judge in judges if exclusion(judge.user, work) is None] for work in works}
    load: Counter = Counter()
    made = 0
    for work in sorted(works, key=lambda work: (len(eligible[work.id]), work.number)):
        pool = eligible[work.id]
        wanted = len(pool) if round_.method == "ranking" else round_.quorum
        for judge in sorted(pool, key=lambda judge: (load[judge.id], judge.id))[:wanted]:
            db.session.add(ExhibitionAssignment(round_id=round_.id, work_id=work.id, judge_id=judge.id))
            load[judge.id] += 1
            made += 1
    round_.status, round_.opened_at = "open", utcnow()
    db.session.flush()
    record("exhibition.round.opened", target=round_, summary=round_.name, works=len(works), assignments=made)
    return made


def add_judge(actor, round_: ExhibitionRound, user: User) -> ExhibitionRoundJudge:
    """A judge (an account with the judge role) joins a draft or open round, or comes back after
    being removed; in an open round they get works by reassignment."""
    if round_.status == "closed":
        raise Problem(_("本轮已结束"))
    if not user.is_active or not user.has_any_role((Role.JUDGE,)):
        raise Problem(_("只能添加具有评委角色的账号"), "user_id")
    judge = next((judge for judge in round_.judges if judge.user_id == user.id), None)
    if judge is not None and judge.active:
        raise Problem(_("该评委已在本轮"), "user_id")
    if judge is None:
        judge = ExhibitionRoundJudge(round_id=round_.id, user_id=user.id)
        round_.judges.append(judge)
    else:
        judge.removed_at = None
    db.session.flush()
    record("exhibition.round.judge_added", target=round_, summary=f"{round_.name} · {user.name}")
    return judge


def _unfinished(round_: ExhibitionRound, judge: ExhibitionRoundJudge) -> list[ExhibitionAssignment]:
    done = sa.select(ExhibitionSheet.id).where(ExhibitionSheet.round_id == round_.id,
                                               ExhibitionSheet.work_id == ExhibitionAssignment.work_id,
                                               ExhibitionSheet.judge_id == judge.id)
    return list(db.session.scalars(sa.select(ExhibitionAssignment).where(
        ExhibitionAssignment.round_id == round_.id, ExhibitionAssignment.judge_id == judge.id, ~done.exists())
        .options(selectinload(ExhibitionAssignment.work).selectinload(Work.coauthors))
        .order_by(ExhibitionAssignment.id)))


def _plan_moves(round_: ExhibitionRound, judge: ExhibitionRoundJudge, targets):
    """For each unfinished work of `judge`, the least-loaded eligible target not already on it."""
    load = _load(round_)
    on_work: dict[int, set[int]] = defaultdict(set)
    for work_id, judge_id in db.session.execute(sa.select(ExhibitionAssignment.work_id, ExhibitionAssignment.judge_id)
                                                .where(ExhibitionAssignment.round_id == round_.id)):
        on_work[work_id].add(judge_id)
    moves, stuck = [], []
    for assignment in _unfinished(round_, judge):
        pool = [target for target in targets if target.id not in on_work[assignment.work_id]
                and exclusion(target.user, assignment.work) is None]
        if not pool:
            stuck.append(assignment.work)
            continue
        target = min(pool, key=lambda target: (load[target.id], target.id))
        load[target.id] += 1
        on_work[assignment.work_id].add(target.id)
        moves.append((assignment, target))
    return moves, stuck


def reassign(actor, round_: ExhibitionRound, judge: ExhibitionRoundJudge, to: ExhibitionRoundJudge | None = None,
             *, all_or_nothing: bool = False) -> tuple[int, list[Work]]:
    """Move the judge's unfinished works (no sheet yet) to `to`, or to the least-loaded other active
    judges, never to one excluded from a work or already on it. Returns (moved, works that found
    nobody); with `all_or_nothing` nothing moves when some work would find nobody."""
    if round_.status != "open":
        raise Problem(_("只有进行中的轮次可以重新分配"))
    targets = [to] if to is not None else [other for other in active_judges(round_) if other.id != judge.id]
    targets = [target for target in targets if target.active and target.id != judge.id]
    moves, stuck = _plan_moves(round_, judge, targets)
    if all_or_nothing and stuck:
        raise Problem(_("以下作品没有其他可评审的评委：%(numbers)s", numbers="、".join(w.code for w in stuck)))
    for assignment, target in moves:
        db.session.add(ExhibitionAssignment(round_id=round_.id, work_id=assignment.work_id, judge_id=target.id))
        db.session.delete(assignment)
    db.session.flush()
    if moves:
        record("exhibition.round.reassigned", target=round_, summary=f"{round_.name} · {judge.user.name}",
               moved=len(moves), stuck=[work.code for work in stuck])
    return len(moves), stuck


def remove_judge(actor, round_: ExhibitionRound, judge: ExhibitionRoundJudge) -> int:
    """A draft round simply drops the judge; in an open round the judge stops judging: their
    unfinished works go to other judges (refused when some work would find nobody) and their
    submitted sheets still count. Returns how many works moved."""
    if round_.status == "closed":
        raise Problem(_("本轮已结束"))
    if not judge.active:
        raise Problem(_("该评委已移出本轮"))
    moved = 0
    if round_.status == "draft":
        round_.judges.remove(judge)
    else:
        moved, _stuck = reassign(actor, round_, judge, all_or_nothing=True)
        judge.removed_at = utcnow()
    db.session.flush()
    record("exhibition.round.judge_removed", target=round_, summary=f"{round_.name} · {judge.user.name}",
           moved=moved)
    return moved


@dataclass
class JudgeProgress:
    judge: ExhibitionRoundJudge
    done: int
    assigned: int


@dataclass
class Progress:
    judges: list[JudgeProgress]

    @property
    def totals(self) -> tuple[int, int]:
        return sum(line.done for line in self.judges), sum(line.assigned for line in self.judges)


def progress(round_: ExhibitionRound) -> Progress:
    """Per judge: sheets submitted for their assigned works / works assigned (two grouped queries)."""
    assigned = _load(round_)
    done = Counter(dict(db.session.execute(
        sa.select(ExhibitionSheet.judge_id, sa.func.count()).join(
            ExhibitionAssignment, sa.and_(ExhibitionAssignment.round_id == ExhibitionSheet.round_id,
                                          ExhibitionAssignment.work_id == ExhibitionSheet.work_id,
                                          ExhibitionAssignment.judge_id == ExhibitionSheet.judge_id))
        .where(ExhibitionSheet.round_id == round_.id).group_by(ExhibitionSheet.judge_id)).all()))
    judges = db.session.scalars(sa.select(ExhibitionRoundJudge).where(ExhibitionRoundJudge.round_id == round_.id)
                                .options(selectinload(ExhibitionRoundJudge.user))
                                .order_by(ExhibitionRoundJudge.id)).all()
    return Progress([JudgeProgress(judge, done[judge.id], assigned[judge.id]) for judge in judges
                     if judge.active or assigned[judge.id]])
