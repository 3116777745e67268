"""The speech contest's sheets: who may submit which sheet, the submit payload, and the lifecycle
of events/judging/sheets.py on SpeechSheet / SpeechSheetVersion (submit = lock, safe retry, 409 after
lock, unlock with a reason by the organiser or the chief judge, 代录 from the paper sheet, absent).

Every service here leaves the commit to the view, bumps the round's live state when a live page
would show the change, and writes the audit entry of what it did.
"""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from app.audit.services import record
from app.common.problems import Problem
from app.common.text import clean
from app.extensions import db
from events.judging.criteria import SheetProblem, check_sheet, sheet_total
from events.judging.sheets import (
    SheetLocked,
    SheetOutcome,
    SheetPayload,
    problems_body,
    read_payload,
    submit_sheet,
    unlock_sheet,
)
from events.speech.models import (
    SpeechEntry,
    SpeechJudge,
    SpeechPanelException,
    SpeechRound,
    SpeechSheet,
    SpeechSheetVersion,
    SpeechSlot,
)
from events.speech.services.state import bump_scores
from events.speech.settings import criteria_of

__all__ = ["ScoringRefused", "SheetLocked", "SheetOutcome", "SheetPayload", "SheetProblem", "problems_body",
           "read_payload"]


class ScoringRefused(Problem):
    """This judge may not score this slot (recused, absent, 弃权/缺席, the round is closed)."""


def checked_scores(contest, payload: SheetPayload) -> tuple[dict[str, Decimal], dict[str, str]]:
    """The sheet's Decimal scores and the notes that count: every criterion filled, in range, on its
    step; a score outside the soft range counts only when confirmed a second time with a note."""
    notes = {name: note for name, note in payload.notes.items() if name in payload.confirmed}
    scores = check_sheet(payload.scores, criteria_of(contest), notes=notes)
    return scores, {name: note for name, note in notes.items() if name in scores}


def seat_of(round_id: int, user_id: int) -> SpeechJudge | None:
    """The user's seat on the round's panel (with its round and contest, in one query), or None when
    they are not on it."""
    return db.session.scalars(sa.select(SpeechJudge).where(SpeechJudge.round_id == round_id,
                                                           SpeechJudge.user_id == user_id)
                              .options(joinedload(SpeechJudge.round).joinedload(SpeechRound.contest))).first()


def round_slot(round_id: int, slot_id: int) -> SpeechSlot | None:
    """The slot (with its contestant's name) when it belongs to the round, else None."""
    slot = db.session.get(SpeechSlot, slot_id, options=[joinedload(SpeechSlot.entry).joinedload(SpeechEntry.member)])
    return slot if slot is not None and slot.round_id == round_id else None


def exception_of(judge: SpeechJudge, slot: SpeechSlot) -> SpeechPanelException | None:
    """The judge's recusal or absence for the slot's contestant (the rehearsal has none)."""
    if slot.entry_id is None:
        return None
    return db.session.scalars(sa.select(SpeechPanelException).where(
        SpeechPanelException.judge_id == judge.id, SpeechPanelException.entry_id == slot.entry_id)).first()


def scoring_refusal(round_: SpeechRound, slot: SpeechSlot, judge: SpeechJudge) -> str | None:
    """Why this judge does not score this slot (None: they do): a closed round, a contestant marked
    弃权/缺席, a recusal, or the judge marked absent for them. The rehearsal is scored by everyone."""
    if round_.status == "closed":
        return _("本轮比赛已结束，不能再提交评分")
    if slot.status == "no_show":
        return _("该选手弃权/缺席，不评分")
    exception = exception_of(judge, slot)
    if exception is not None and exception.kind == "recused":
        return _("您已回避该选手，不评分")
    if exception is not None:
        return _("组织者已将您标记为对该选手缺席，如需评分请联系组织者")
    return None


def _sheet_summary(slot: SpeechSlot, judge: SpeechJudge) -> str:
    who = slot.rehearsal_name or _("试评") if slot.is_rehearsal else (slot.entry.member.name if slot.entry else "")
    return _("%(seat)s号评委 · %(position)s号 %(name)s", seat=judge.seat, position=slot.position, name=who)


def submit_judge_sheet(round_: SpeechRound, slot: SpeechSlot, judge: SpeechJudge, data, *,
                       actor, source: str = "device", paper: str = "") -> SheetOutcome:
    """A judge's sheet for a slot of their round: refused when they do not score it (ScoringRefused),
    invalid scores raise SheetProblem, a change after lock SheetLocked; a new version bumps the live
    state and is audit-logged (代录 names the paper it was copied from)."""
    refusal = scoring_refusal(round_, slot, judge)
    if refusal:
        raise ScoringRefused(refusal)
    scores, notes = checked_scores(round_.contest, read_payload(data))
    outcome = submit_sheet(SpeechSheet, SpeechSheetVersion, {"slot_id": slot.id, "judge_id": judge.id}, scores,
                           notes=notes, entered_by_id=getattr(actor, "id", None), source=source)
    if not outcome.same:
        sheet = outcome.sheet
        bump_scores(round_.id, slot.id, progress=True)
        details = {"round_id": round_.id, "slot_id": slot.id, "seat": judge.seat, "version": sheet.version,
                   "total": format(sheet_total(sheet.score_values), "f"), "source": source}
        if source == "paper":
            details["paper"] = paper
            record("speech.sheet_entered", target=sheet, summary=_sheet_summary(slot, judge), **details)
        else:
            record("speech.sheet_submitted", target=sheet, summary=_sheet_summary(slot, judge), **details)
    return outcome


def enter_paper_sheet(round_: SpeechRound, slot: SpeechSlot, judge: SpeechJudge, data, *, actor,
                      paper: str) -> SheetOutcome:
    """代录: the organiser enters a judge's paper sheet on their behalf, the same rules as the tablet
    (locked once stored), source "paper", and the audit entry names the paper it came from."""
    paper = clean(paper or "")
    if not paper:
        raise Problem(_("请注明纸质评分表（如“3号评委纸质评分表”）"), "paper")
    return submit_judge_sheet(round_, slot, judge, data, actor=actor, source="paper", paper=paper[:200])


def may_unlock(round_: SpeechRound, user) -> bool:
    """Organisers (and admins) unlock any sheet of the round; a judge only as its chief judge (总评委)."""
    if user.is_organiser:
        return True
    seat = seat_of(round_.id, user.id)
    return seat is not None and seat.is_chief


def unlock_judge_sheet(round_: SpeechRound, sheet: SpeechSheet, *, actor, reason: str) -> None:
    """Unlocking a sheet for a correction needs the organiser or the round's chief judge and a reason;
    the next submit becomes a new version, the unlock is audit-logged."""
    if not may_unlock(round_, actor):
        raise ScoringRefused(_("只有组织者或总评委可以解锁评分表"))
    unlock_sheet(sheet, actor_id=actor.id, reason=reason)
    bump_scores(round_.id, sheet.slot_id, progress=True)
    record("speech.sheet_unlocked", target=sheet, summary=_sheet_summary(sheet.slot, sheet.judge),
           round_id=round_.id, slot_id=sheet.slot_id, seat=sheet.judge.seat, version=sheet.version,
           reason=sheet.unlock_reason)


def round_sheet(round_: SpeechRound, sheet_id: int) -> SpeechSheet | None:
    """The sheet when it belongs to a slot of the round, else None."""
    sheet = db.session.get(SpeechSheet, sheet_id)
    return sheet if sheet is not None and sheet.slot.round_id == round_.id else None


def mark_absent(round_: SpeechRound, slot: SpeechSlot, judge: SpeechJudge, *, actor, reason: str) -> None:
    """A judge whose sheet is missing is marked absent for that contestant (the reduced panel then
    applies): only without a sheet, only for a contestant (not the rehearsal), with a reason."""
    reason = clean(reason or "")
    if not reason:
        raise Problem(_("请填写缺席原因"), "reason")
    if slot.entry_id is None:
        raise Problem(_("试评不计成绩，无需标记缺席"))
    if db.session.scalar(sa.select(SpeechSheet.id).where(SpeechSheet.slot_id == slot.id,
                                                         SpeechSheet.judge_id == judge.id)) is not None:
        raise Problem(_("该评委已提交评分，不能标记缺席"))
    existing = exception_of(judge, slot)
    if existing is not None:
        raise Problem(_("该评委对该选手已是“%(kind)s”", kind=exception_label(existing.kind)))
    from events.speech.services.judging import check_someone_scores  # judging imports this module

    check_someone_scores(round_, slot.entry_id)
    db.session.add(SpeechPanelException(judge_id=judge.id, entry_id=slot.entry_id, kind="absent",
                                        reason=reason[:200], created_by_id=actor.id))
    bump_scores(round_.id, slot.id, progress=True)
    record("speech.judge_absent", target=slot, summary=_sheet_summary(slot, judge), round_id=round_.id,
           seat=judge.seat, reason=reason[:200])


def exception_label(kind: str) -> str:
    """回避 / 缺席 for a panel exception's kind."""
    return _("回避") if kind == "recused" else _("缺席")


def sheets_of_judge(round_id: int, judge_id: int) -> dict[int, SpeechSheet]:
    """The judge's own sheets in the round, by slot id (a judge never reads another's)."""
    rows = db.session.scalars(sa.select(SpeechSheet).join(SpeechSlot, SpeechSlot.id == SpeechSheet.slot_id)
                              .where(SpeechSlot.round_id == round_id, SpeechSheet.judge_id == judge_id))
    return {sheet.slot_id: sheet for sheet in rows}


def outcome_body(outcome: SheetOutcome) -> dict:
    """The submit endpoint's 200 answer."""
    total = sheet_total(outcome.sheet.score_values)  # exact, as the judge typed it ("85.5", not "85.500")
    return {"status": "submitted", "version": outcome.sheet.version, "total": format(total, "f"), "same": outcome.same}


def paper_scores(form_values: Mapping[str, str]) -> dict:
    """The organiser's 代录 form as a submit payload (every note confirms its criterion)."""
    scores = {key[len("score:"):]: value for key, value in form_values.items() if key.startswith("score:")}
    notes = {key[len("note:"):]: value for key, value in form_values.items()
             if key.startswith("note:") and value.strip()}
    return {"scores": scores, "notes": notes, "confirmed": list(notes)}
