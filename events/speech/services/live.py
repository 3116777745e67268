"""The hall, run from the host console and the timekeeper's view: who is on stage, 弃权/缺席, 亮分
(reveal), what the big screen shows, judges' problem flags, the speaking time and deductions.

Every change here bumps the round's state version (the screens, tablets and audience poll it), and
the changes people argue about afterwards (no-shows, times corrected, deductions) are audit-logged.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import gettext as _

from app.audit.services import record
from app.common.clock import utcnow
from app.common.problems import Problem
from app.common.text import clean
from app.common.upsert import insert_or_update
from app.extensions import db
from events.judging.deductions import manual_deduction, overtime_deduction, overtime_seconds
from events.speech.models import (
    REVEAL_POLICIES,
    SCREEN_MODES,
    SpeechDeduction,
    SpeechJudge,
    SpeechRound,
    SpeechSlot,
)
from events.speech.services.panels import load_round_panel, slot_result
from events.speech.services.state import bump_host, bump_scores, bump_state
from events.speech.settings import overtime_bands_of

MAX_SPOKEN_SECONDS = Decimal(3600)
SECONDS_STEP = Decimal("0.1")
REASON_MAX_LENGTH = 120


def slot_label(slot: SpeechSlot) -> str:
    """How a slot is named in messages and the audit log: 试评 name, or "3号 张三"."""
    if slot.is_rehearsal:
        return _("试评：%(name)s", name=slot.rehearsal_name or "")
    return _("%(position)s号 %(name)s", position=slot.position, name=slot.entry.member.name)


def _own_slot(round_: SpeechRound, slot: SpeechSlot) -> SpeechSlot:
    if slot.round_id != round_.id:
        raise Problem(_("该选手不在本轮"))
    return slot


def _check_drawn(round_: SpeechRound) -> None:
    if round_.status == "setup":
        raise Problem(_("本轮尚未抽签"))
    if round_.status == "closed":
        raise Problem(_("本轮已结束"))


def current_slot(round_: SpeechRound) -> SpeechSlot | None:
    """The slot the host put on stage, if any."""
    if round_.current_slot_id is None:
        return None
    return db.session.get(SpeechSlot, round_.current_slot_id)


def next_slot(round_: SpeechRound, slots=None) -> SpeechSlot | None:
    """Who comes next: the first waiting slot after the current one in running order (the rehearsal,
    at position 0, comes first), else the first waiting slot anywhere (one passed over earlier)."""
    slots = slots if slots is not None else round_.slots
    current = round_.current_slot_id
    position = next((slot.position for slot in slots if slot.id == current), -1)
    waiting = [slot for slot in slots if slot.status == "waiting" and slot.id != current]
    return next((slot for slot in waiting if slot.position > position), None) or (waiting[0] if waiting else None)


def put_on_stage(actor, round_: SpeechRound, slot: SpeechSlot) -> SpeechSlot:
    """The host puts a waiting slot on stage: the one there before is done, the round is live, the
    screen shows the contestant, and the tablets follow (their drafts stay with the earlier slot)."""
    _check_drawn(round_)
    _own_slot(round_, slot)
    if slot.status == "no_show":
        raise Problem(_("该选手已标记为弃权/缺席"))
    if slot.id == round_.current_slot_id:
        return slot
    previous = current_slot(round_)
    if previous is not None and previous.status == "on_stage":
        previous.status = "done"
    slot.status = "on_stage"
    slot.on_stage_at = slot.on_stage_at or utcnow()
    round_.current_slot_id = slot.id
    round_.status = "live"
    round_.screen_mode = "on_stage"
    bump_state(round_.id)
    return slot


def finish_current(actor, round_: SpeechRound) -> SpeechSlot | None:
    """The contestant on stage has finished speaking: done, and the screen shows the judges' progress."""
    slot = current_slot(round_)
    if slot is None:
        raise Problem(_("当前没有选手在台上"))
    if slot.status == "on_stage":
        slot.status = "done"
    round_.screen_mode = "progress"
    bump_state(round_.id)
    return slot


def mark_no_show(actor, round_: SpeechRound, slot: SpeechSlot, reason: str | None) -> SpeechSlot:
    """A contestant who withdrew on the day or did not come (弃权/缺席, with a reason) is out of scoring
    and ranking; one a judge has scored already cannot be, and the rehearsal is not a contestant."""
    _check_drawn(round_)
    _own_slot(round_, slot)
    if slot.is_rehearsal:
        raise Problem(_("试评不是参赛选手"))
    reason = clean(reason or "") or _("弃权")
    if len(reason) > REASON_MAX_LENGTH:
        raise Problem(_("原因不能超过 %(count)s 个字", count=REASON_MAX_LENGTH), "reason")
    if slot.sheets:
        raise Problem(_("已有评委为该选手评分，不能标记为弃权/缺席"))
    slot.status, slot.no_show_reason = "no_show", reason
    if round_.current_slot_id == slot.id:
        round_.current_slot_id = None
        round_.screen_mode = "standby"
    bump_state(round_.id)
    record("speech.no_show", target=slot, summary=_("%(slot)s：%(reason)s", slot=slot_label(slot), reason=reason),
           round_id=round_.id, reason=reason)
    return slot


def undo_no_show(actor, round_: SpeechRound, slot: SpeechSlot) -> SpeechSlot:
    """A no-show marked by mistake goes back to waiting (audit-logged)."""
    _own_slot(round_, slot)
    if slot.status != "no_show":
        raise Problem(_("该选手未标记为弃权/缺席"))
    slot.status, slot.no_show_reason = "waiting", None
    bump_state(round_.id)
    record("speech.no_show_undone", target=slot, summary=slot_label(slot), round_id=round_.id)
    return slot


def reveal(actor, round_: SpeechRound, slot: SpeechSlot) -> SpeechSlot:
    """亮分: a slot's score shows on the big screen and audience pages once every scoring judge has
    submitted (absent judges marked by the organiser do not count); not one by one when the round
    withholds scores to the end (the rehearsal, which is no score, always can be)."""
    _own_slot(round_, slot)
    if round_.reveal_policy == "end" and not slot.is_rehearsal:
        raise Problem(_("本轮设为全部结束后统一亮分"))
    if slot.status == "no_show":
        raise Problem(_("该选手已标记为弃权/缺席"))
    result = slot_result(load_round_panel(round_), slot)
    if not result.final:
        raise Problem(_("还有 %(count)s 位评委未提交，不能亮分", count=len(result.missing_judges)))
    slot.revealed_at = slot.revealed_at or utcnow()
    if slot.status == "on_stage":
        slot.status = "done"
    round_.screen_mode = "reveal"
    bump_state(round_.id)
    record("speech.revealed", target=slot, summary=slot_label(slot), round_id=round_.id)
    return slot


def reveal_all(actor, round_: SpeechRound) -> list[SpeechSlot]:
    """When scores are withheld to the end: every contestant who spoke and is fully scored is revealed
    at once, and the screen shows the leaderboard; those still missing a sheet are named."""
    panel = load_round_panel(round_)
    missing = []
    revealed = []
    for slot in panel.slots:
        if slot.status == "no_show" or slot.status == "waiting":
            continue
        if not slot_result(panel, slot).final:
            missing.append(slot_label(slot))
            continue
        slot.revealed_at = slot.revealed_at or utcnow()
        revealed.append(slot)
    if missing:
        raise Problem(_("以下选手尚有评委未提交：%(names)s", names="、".join(missing)))
    round_.screen_mode = "leaderboard"
    bump_state(round_.id)
    record("speech.revealed_all", target=round_, summary=_("全部亮分：%(count)s 名", count=len(revealed)))
    return revealed


def set_screen_mode(actor, round_: SpeechRound, mode: str) -> None:
    """The host picks what the big screen shows (standby, draw, on stage, progress, reveal, leaderboard,
    awards)."""
    if mode not in SCREEN_MODES:
        raise Problem(_("未知的大屏显示内容"), "mode")
    if mode == "draw" and round_.status == "setup":
        raise Problem(_("本轮尚未抽签"), "mode")
    round_.screen_mode = mode
    bump_state(round_.id)


def set_reveal_policy(actor, round_: SpeechRound, policy: str) -> None:
    """亮分 after each contestant, or withheld until the end of the round."""
    if policy not in REVEAL_POLICIES:
        raise Problem(_("未知的亮分方式"), "policy")
    round_.reveal_policy = policy
    bump_state(round_.id)
    record("speech.reveal_policy", target=round_, summary=policy, policy=policy)


def clear_problem(actor, round_: SpeechRound, judge: SpeechJudge) -> None:
    """The host has dealt with a judge's raised problem flag and clears it."""
    if judge.round_id != round_.id:
        raise Problem(_("该评委不在本轮"))
    judge.problem, judge.problem_raised_at = None, None
    bump_host(round_.id)


# ---------------------------------------------------------------- timekeeper and deductions

def parse_seconds(value) -> Decimal:
    """Seconds spoken as typed ("485", "485.3", "8:05" or "8:05.3"): 0 to an hour, to 0.1 s."""
    text = clean(str(value or ""))
    if not text:
        raise Problem(_("请填写用时"), "seconds")
    try:
        if ":" in text:
            minutes, _sep, seconds = text.partition(":")
            if not minutes.isdigit() or len(minutes) > 2:
                raise InvalidOperation
            number = Decimal(int(minutes) * 60) + Decimal(seconds)
            if not Decimal(0) <= Decimal(seconds) < 60:
                raise InvalidOperation
        else:
            if len(text) > 12:
                raise InvalidOperation
            number = Decimal(text)
    except (InvalidOperation, ValueError):
        raise Problem(_("用时格式不正确（如 485 或 8:05）"), "seconds") from None
    if not number.is_finite() or not Decimal(0) <= number <= MAX_SPOKEN_SECONDS:
        raise Problem(_("用时须在 0 至 3600 秒之间"), "seconds")
    return number.quantize(SECONDS_STEP, rounding=ROUND_HALF_UP)


def start_timing(actor, round_: SpeechRound, slot: SpeechSlot) -> SpeechSlot:
    """The timekeeper starts the clock at the first word (again, if restarted)."""
    _own_slot(round_, slot)
    if slot.status == "no_show":
        raise Problem(_("该选手已标记为弃权/缺席"))
    slot.timing_started_at = utcnow()
    bump_host(round_.id)
    return slot


def record_time(actor, round_: SpeechRound, slot: SpeechSlot, seconds=None) -> SpeechDeduction | None:
    """The time spoken (typed in, or the clock stopped at 谢谢: from its start to now) is kept, and the
    slot's one overtime deduction follows the contest's table (none within the grace period);
    a changed time is audit-logged with the old and the new figure."""
    _own_slot(round_, slot)
    if slot.status == "no_show":
        raise Problem(_("该选手已标记为弃权/缺席"))
    if seconds is None or seconds == "":
        if slot.timing_started_at is None:
            raise Problem(_("计时尚未开始"), "seconds")
        elapsed = Decimal((utcnow() - slot.timing_started_at).total_seconds())
        spoken = parse_seconds(elapsed.quantize(SECONDS_STEP, rounding=ROUND_HALF_UP))
    else:
        spoken = parse_seconds(seconds)
    before = slot.spoken_seconds
    slot.spoken_seconds, slot.timed_by_id = spoken, getattr(actor, "id", None)
    slot.timing_started_at = None
    contest = round_.contest
    deduction = overtime_deduction(overtime_seconds(spoken, contest.time_limit_seconds), overtime_bands_of(contest))
    # One overtime row per slot, settled by its partial unique index (two timekeepers stopping the
    # clock at once update one row; never two rows, never an IntegrityError).
    overtime = (SpeechDeduction.slot_id == slot.id) & (SpeechDeduction.kind == "overtime")
    if deduction is None:
        db.session.execute(sa.delete(SpeechDeduction).where(overtime))
        row = None
    else:
        insert_or_update(SpeechDeduction, {
            "slot_id": slot.id, "kind": "overtime", "points": deduction.points, "reason": deduction.reason,
            "created_by_id": getattr(actor, "id", None), "created_at": utcnow(),
        }, ["slot_id"], ["points", "reason", "created_by_id", "created_at"], index_where=sa.text("kind = 'overtime'"))
        row = db.session.scalar(sa.select(SpeechDeduction).where(overtime)
                                .execution_options(populate_existing=True))
    db.session.flush()
    bump_scores(round_.id, slot.id, progress=False)
    record("speech.timed", target=slot, summary=_("%(slot)s 用时 %(seconds)s 秒", slot=slot_label(slot),
                                                  seconds=spoken),
           round_id=round_.id, seconds=str(spoken), before=None if before is None else str(before),
           deduction=None if deduction is None else str(deduction.points))
    return row


def add_deduction(actor, round_: SpeechRound, slot: SpeechSlot, points, reason: str | None) -> SpeechDeduction:
    """A manual deduction: positive points on the 0.01 step with a reason, audit-logged."""
    _own_slot(round_, slot)
    if slot.is_rehearsal:
        raise Problem(_("试评不计成绩，不能扣分"))
    try:
        points = Decimal(str(points)) if points is not None else None
    except InvalidOperation:
        points = None
    if points is None or not points.is_finite() or abs(points) > 100:
        raise Problem(_("请填写扣分（如 0.5）"), "points")
    deduction = manual_deduction(points, reason)
    row = SpeechDeduction(slot_id=slot.id, kind="manual", points=deduction.points, reason=deduction.reason,
                          created_by_id=getattr(actor, "id", None))
    db.session.add(row)
    db.session.flush()
    bump_scores(round_.id, slot.id, progress=False)
    record("speech.deducted", target=slot, summary=_("%(slot)s 扣 %(points)s 分：%(reason)s", slot=slot_label(slot),
                                                     points=deduction.points, reason=deduction.reason),
           round_id=round_.id, points=str(deduction.points), reason=deduction.reason)
    return row


def remove_deduction(actor, round_: SpeechRound, deduction: SpeechDeduction, reason: str | None) -> None:
    """A deduction entered by mistake is removed with a reason (audit-logged with what it was)."""
    slot = _own_slot(round_, deduction.slot)
    reason = clean(reason or "")
    if not reason:
        raise Problem(_("请填写撤销原因"), "reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise Problem(_("原因不能超过 %(count)s 个字", count=REASON_MAX_LENGTH), "reason")
    record("speech.deduction_removed", target=slot,
           summary=_("%(slot)s 撤销扣分 %(points)s：%(reason)s", slot=slot_label(slot), points=deduction.points,
                     reason=reason),
           round_id=round_.id, points=str(deduction.points), was=deduction.reason, kind=deduction.kind, reason=reason)
    db.session.delete(deduction)
    db.session.flush()
    bump_scores(round_.id, slot.id, progress=False)
