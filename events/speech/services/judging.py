"""Judging a round: the panel the organiser seats (judges with seat, group, chief; recusals by unit
suggested, conflicts declared with a reason; the tablet-binding QR revoked and reissued) and what
a judge's tablet reads (the contestant on stage, the judge's own sheets, 已评 N / 共 M).

A judge's tablet only ever reads the judge's own sheets: other judges' scores never leave here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.accounts.models import RoleGrant, User
from app.audit.services import record
from app.common.access import Role
from app.common.clock import utcnow
from app.common.problems import Problem
from app.common.text import clean, scrub
from app.extensions import db
from events.judging.criteria import sheet_total
from events.speech.models import (
    SpeechContest,
    SpeechEntry,
    SpeechJudge,
    SpeechPanelException,
    SpeechRound,
    SpeechSheet,
    SpeechSlot,
)
from events.speech.services.binding import new_binding_secret
from events.speech.services.sheets import sheets_of_judge
from events.speech.services.state import bump_host, bump_state

LAST_SEEN_EVERY = timedelta(seconds=5)  # a tablet's poll writes its last contact at most this often
MAX_SEATS = 30


# ---------------------------------------------------------------- lists

def organiser_rounds() -> list[SpeechRound]:
    """Every round of every contest, newest contest first, for the organiser's judging index."""
    return list(db.session.scalars(sa.select(SpeechRound).join(SpeechContest)
                                   .options(selectinload(SpeechRound.contest), selectinload(SpeechRound.judges))
                                   .order_by(SpeechContest.id.desc(), SpeechRound.position)))


def judge_rounds(user) -> list[SpeechJudge]:
    """The seats the user holds, newest round first (a judge's index: where to score)."""
    return list(db.session.scalars(sa.select(SpeechJudge).where(SpeechJudge.user_id == user.id)
                                   .options(selectinload(SpeechJudge.round).selectinload(SpeechRound.contest))
                                   .order_by(SpeechJudge.round_id.desc())))


# ---------------------------------------------------------------- the tablet's state

NOT_REPORTED = object()  # a poll that says nothing about drafts (an older page): leave the draft as it is


def touch_judge(judge_id: int, draft_slot_id: int | object | None = NOT_REPORTED) -> None:
    """Record a tablet's contact and the slot it holds an unsent draft for (None: no draft): one
    UPDATE, written only when the last contact is older than 5 s or the draft changed (the host
    console shows "last contact N s ago", not a live connection count, and 草稿未提交). A slot that
    is not in the judge's round counts as no draft; `draft_seen_at` moves only when the draft does."""
    now = utcnow()
    throttle = sa.or_(SpeechJudge.last_seen_at.is_(None), SpeechJudge.last_seen_at <= now - LAST_SEEN_EVERY)
    values = {"last_seen_at": now}
    if draft_slot_id is not NOT_REPORTED:
        reported = (sa.select(SpeechSlot.id).where(SpeechSlot.id == draft_slot_id,
                                                   SpeechSlot.round_id == SpeechJudge.round_id)
                    .scalar_subquery() if draft_slot_id is not None else sa.null())
        changed = SpeechJudge.draft_slot_id.is_distinct_from(reported)
        values.update(draft_slot_id=reported,
                      draft_seen_at=sa.case((changed, now), else_=SpeechJudge.draft_seen_at))
        throttle = sa.or_(throttle, changed)
    db.session.execute(sa.update(SpeechJudge).where(SpeechJudge.id == judge_id, throttle).values(**values))


def slot_label(slot: SpeechSlot) -> dict:
    """Number, name, unit and title of a slot as the tablet's banner shows them."""
    if slot.is_rehearsal:
        return {"position": slot.position, "name": slot.rehearsal_name or _("试评选手"), "unit": "",
                "title": _("试评（不计成绩）")}
    entry = slot.entry
    return {"position": slot.position, "name": entry.member.name, "unit": entry.unit.name,
            "title": entry.speech_title}


def tablet_state(round_: SpeechRound, judge: SpeechJudge) -> dict:
    """What the judge's tablet shows: the round, the slot on stage, every slot with the judge's own
    sheet state (submitted / unlocked / none) and own total, who they do not score, and 已评 N / 共 M
    over the contestants they score (the rehearsal and 弃权/缺席 aside)."""
    slots = db.session.scalars(sa.select(SpeechSlot).where(SpeechSlot.round_id == round_.id)
                               .options(selectinload(SpeechSlot.entry).selectinload(SpeechEntry.member),
                                        selectinload(SpeechSlot.entry).selectinload(SpeechEntry.unit))
                               .order_by(SpeechSlot.position)).all()
    sheets = sheets_of_judge(round_.id, judge.id)
    exceptions = dict(db.session.execute(sa.select(SpeechPanelException.entry_id, SpeechPanelException.kind)
                                         .where(SpeechPanelException.judge_id == judge.id)).all())
    rows, scored, done = [], 0, 0
    for slot in slots:
        sheet = sheets.get(slot.id)
        excluded = exceptions.get(slot.entry_id) if slot.entry_id else None
        if slot.status == "no_show":
            excluded = "no_show"
        row = {"id": slot.id, **slot_label(slot), "rehearsal": slot.is_rehearsal, "status": slot.status,
               "excluded": excluded, "sheet": None}
        if sheet is not None:
            row["sheet"] = {"state": "submitted" if sheet.locked else "unlocked", "version": sheet.version,
                            "total": format(sheet_total(sheet.score_values), "f"), "scores": sheet.scores,
                            "source": sheet.source}
        if not slot.is_rehearsal and excluded is None:
            scored += 1
            done += 1 if sheet is not None and sheet.locked else 0
        rows.append(row)
    current = next((row for row in rows if row["id"] == round_.current_slot_id), None)
    return {"round": {"id": round_.id, "name": round_.name, "status": round_.status,
                      "contest": round_.contest.title},
            "judge": {"id": judge.id, "seat": judge.seat, "chief": judge.is_chief, "problem": judge.problem},
            "current_slot_id": current["id"] if current else None, "slots": rows,
            "done": done, "total": scored, "version": round_.state_version}


def raise_problem(round_: SpeechRound, judge: SpeechJudge, text: str) -> None:
    """A judge's "problem" flag from the tablet (shown on the host console until the host clears it);
    a blank text clears it."""
    text = clean(scrub(text or "", line_breaks=False))[:200]  # typed on a tablet: cleaned, never refused
    judge.problem = text or None
    judge.problem_raised_at = utcnow() if text else None
    bump_host(round_.id)
    if text:
        record("speech.judge_problem", target=judge, summary=_("%(seat)s号评委：%(text)s", seat=judge.seat, text=text),
               round_id=round_.id)


# ---------------------------------------------------------------- panel set-up

def judge_candidates() -> list[User]:
    """Accounts holding the judge role, by name: the people who can be seated."""
    return list(db.session.scalars(sa.select(User).join(RoleGrant).where(RoleGrant.role == Role.JUDGE,
                                                                         User.active.is_(True))
                                   .order_by(User.name, User.id)))


@dataclass(frozen=True)
class SeatInput:
    user_id: int
    seat: int
    group: str = ""
    is_chief: bool = False


def seat_judge(round_: SpeechRound, data: SeatInput, *, actor) -> SpeechJudge:
    """Seat a judge on the round: an account with the judge role, once per round, on a free seat
    1..30 (both held by unique constraints too); the tablet binding gets a fresh secret."""
    user = db.session.get(User, data.user_id)
    if user is None or not user.has_role(Role.JUDGE):
        raise Problem(_("请选择一位评委"), "user_id")
    if not 1 <= data.seat <= MAX_SEATS:
        raise Problem(_("席位号应在 1 至 %(max)s 之间", max=MAX_SEATS), "seat")
    taken = db.session.execute(sa.select(SpeechJudge.user_id, SpeechJudge.seat)
                               .where(SpeechJudge.round_id == round_.id)).all()
    if any(user_id == user.id for user_id, _seat in taken):
        raise Problem(_("%(name)s已在本轮评委席中", name=user.name), "user_id")
    if any(seat == data.seat for _user, seat in taken):
        raise Problem(_("%(seat)s号席位已有评委", seat=data.seat), "seat")
    judge = SpeechJudge(round_id=round_.id, user_id=user.id, seat=data.seat, group=clean(data.group)[:20],
                        is_chief=data.is_chief, binding_secret=new_binding_secret())
    db.session.add(judge)
    db.session.flush()
    bump_state(round_.id)
    record("speech.judge_seated", target=judge, summary=_("%(round)s %(seat)s号评委：%(name)s", round=round_.name,
                                                           seat=data.seat, name=user.name),
           round_id=round_.id, user_id=user.id, group=judge.group, chief=judge.is_chief)
    return judge


def update_judge(judge: SpeechJudge, *, group: str, is_chief: bool, actor) -> None:
    """Change a seated judge's group (weighted panels) and chief-judge flag, audit-logged."""
    before = {"group": judge.group, "chief": judge.is_chief}
    judge.group, judge.is_chief = clean(group or "")[:20], bool(is_chief)
    bump_state(judge.round_id)
    record("speech.judge_updated", target=judge, summary=_("%(seat)s号评委：%(name)s", seat=judge.seat,
                                                            name=judge.user.name),
           before=before, after={"group": judge.group, "chief": judge.is_chief})


def unseat_judge(judge: SpeechJudge, *, actor) -> None:
    """Remove a judge from the panel, only while they have no sheet in the round (sheets are kept)."""
    if db.session.scalar(sa.select(sa.func.count()).select_from(SpeechSheet)
                         .where(SpeechSheet.judge_id == judge.id)):
        raise Problem(_("该评委已有评分记录，不能移出评委席"))
    record("speech.judge_unseated", target=judge, summary=_("%(seat)s号评委：%(name)s", seat=judge.seat,
                                                             name=judge.user.name), round_id=judge.round_id)
    bump_state(judge.round_id)
    db.session.delete(judge)


def reissue_binding(judge: SpeechJudge, *, actor) -> None:
    """A new binding secret for the seat: every QR printed before stops working."""
    judge.binding_secret = new_binding_secret()
    record("speech.binding_reissued", target=judge, summary=_("%(seat)s号评委：%(name)s", seat=judge.seat,
                                                               name=judge.user.name), round_id=judge.round_id)


def round_entries(round_: SpeechRound) -> list[SpeechEntry]:
    """The contestants with a slot in the round, in running order (the rehearsal has none)."""
    return list(db.session.scalars(sa.select(SpeechEntry).join(SpeechSlot, SpeechSlot.entry_id == SpeechEntry.id)
                                   .where(SpeechSlot.round_id == round_.id)
                                   .options(selectinload(SpeechEntry.member), selectinload(SpeechEntry.unit))
                                   .order_by(SpeechSlot.position)))


def round_exceptions(round_: SpeechRound) -> list[SpeechPanelException]:
    """The round's recusals and absences, by seat then contestant."""
    return list(db.session.scalars(sa.select(SpeechPanelException).join(SpeechJudge)
                                   .where(SpeechJudge.round_id == round_.id)
                                   .options(selectinload(SpeechPanelException.judge).selectinload(SpeechJudge.user))
                                   .order_by(SpeechJudge.seat, SpeechPanelException.entry_id)))


def same_unit_suggestions(round_: SpeechRound) -> list[tuple[SpeechJudge, SpeechEntry]]:
    """Recusals to suggest: a judge whose unit is the unit a contestant represents, not recorded yet."""
    judges = db.session.scalars(sa.select(SpeechJudge).where(SpeechJudge.round_id == round_.id)
                                .options(selectinload(SpeechJudge.user)).order_by(SpeechJudge.seat)).all()
    recorded = {(row.judge_id, row.entry_id) for row in round_exceptions(round_)}
    entries = round_entries(round_)
    return [(judge, entry) for judge in judges for entry in entries
            if judge.user.unit_id is not None and judge.user.unit_id == entry.unit_id
            and (judge.id, entry.id) not in recorded]


def recuse(round_: SpeechRound, judge: SpeechJudge, entry: SpeechEntry, *, reason: str, actor) -> SpeechPanelException:
    """Record a recusal (回避) of a judge of the round for one of its contestants, with a reason
    (同单位, or the conflict declared); one exception per judge and contestant."""
    reason = clean(reason or "")
    if not reason:
        raise Problem(_("请填写回避原因"), "reason")
    if judge.round_id != round_.id:
        raise Problem(_("请选择本轮的评委"), "judge_id")
    if entry.id not in {row.id for row in round_entries(round_)}:
        raise Problem(_("请选择本轮的选手"), "entry_id")
    if db.session.scalar(sa.select(SpeechPanelException.id).where(SpeechPanelException.judge_id == judge.id,
                                                                  SpeechPanelException.entry_id == entry.id)):
        raise Problem(_("已记录该评委对该选手的回避或缺席"), "entry_id")
    check_someone_scores(round_, entry.id)
    exception = SpeechPanelException(judge_id=judge.id, entry_id=entry.id, kind="recused", reason=reason[:200],
                                     created_by_id=actor.id)
    db.session.add(exception)
    db.session.flush()
    bump_state(round_.id)
    record("speech.judge_recused", target=exception,
           summary=_("%(seat)s号评委回避 %(name)s：%(reason)s", seat=judge.seat, name=entry.member.name,
                     reason=reason[:200]), round_id=round_.id)
    return exception


def check_someone_scores(round_: SpeechRound, entry_id: int) -> None:
    """A contestant keeps at least one judge who scores them: recusing or marking absent the last
    one is refused (a result needs a panel)."""
    seated = db.session.scalar(sa.select(sa.func.count()).select_from(SpeechJudge)
                               .where(SpeechJudge.round_id == round_.id))
    excluded = db.session.scalar(sa.select(sa.func.count()).select_from(SpeechPanelException).join(SpeechJudge)
                                 .where(SpeechJudge.round_id == round_.id, SpeechPanelException.entry_id == entry_id))
    if seated - excluded <= 1:
        raise Problem(_("该选手至少要有一位评委计分，不能再回避或缺席"), "judge_id")


def apply_suggestions(round_: SpeechRound, *, actor) -> int:
    """Record every same-unit suggestion as a recusal (reason 同单位), except one that would leave a
    contestant without a scoring judge; the number recorded."""
    recorded = 0
    for judge, entry in same_unit_suggestions(round_):
        try:
            recuse(round_, judge, entry, reason=_("同单位"), actor=actor)
        except Problem:
            continue
        recorded += 1
    return recorded


def remove_exception(round_: SpeechRound, exception: SpeechPanelException, *, actor) -> None:
    """Withdraw a recusal or an absence mark: the judge scores that contestant again."""
    record("speech.exception_removed", target=exception.judge,
           summary=_("%(seat)s号评委：撤销%(kind)s", seat=exception.judge.seat,
                     kind=_("回避") if exception.kind == "recused" else _("缺席")),
           round_id=round_.id, entry_id=exception.entry_id, kind=exception.kind, reason=exception.reason)
    db.session.delete(exception)
    bump_state(round_.id)


def round_exception(round_: SpeechRound, exception_id: int) -> SpeechPanelException | None:
    """The exception when its judge sits on the round, else None."""
    exception = db.session.get(SpeechPanelException, exception_id)
    return exception if exception is not None and exception.judge.round_id == round_.id else None


def round_judge(round_: SpeechRound, judge_id: int) -> SpeechJudge | None:
    """The seat when it belongs to the round, else None."""
    judge = db.session.get(SpeechJudge, judge_id)
    return judge if judge is not None and judge.round_id == round_.id else None
