"""What the live pages show, as plain data: the public view (big screen and audience phones) and the
host console's view of a round.

The public view never holds a score that has not been revealed (亮分) or published: progress counts,
then, after the reveal, each judge's total with the struck ones marked, the deductions and the
final score. Its leaderboard is the latest published result version when there is one, else
provisional ranks (暂定) over the revealed contestants only.

Two public views: the big screen's (with the progress line of the contestant on stage) and the
audience's (without it). Each body is a function of its view's version (events/speech/services/state.py:
every change it shows bumps it), so it is built once per view, version and locale in each worker (a
memo of derived data, not state: a new version is a new key) — 300 phones polling after a change
cost one build, not 300.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from app.common.clock import to_local, utcnow
from app.common.problems import Problem
from app.extensions import db
from events.judging.awards import assign_awards
from events.judging.numbers import shown
from events.judging.rules import panel_progress
from events.judging.standings import rank_results
from events.speech.models import SpeechJudge, SpeechResultVersion, SpeechRound, SpeechSlot
from events.speech.services.panels import RoundPanel, load_round_panel, scored_slots, slot_result
from events.speech.services.state import AUDIENCE, SCREEN, VIEW_COLUMNS
from events.speech.settings import award_tiers_of, criteria_of, tie_breaks_of

_MEMO_SIZE = 64
_MEMO_KEY = "speech.public_state_memo"
_memo_lock = threading.Lock()


def _memo() -> OrderedDict:
    """This app's memo of public bodies (per app: two apps in one process, as in tests, never share)."""
    with _memo_lock:
        return current_app.extensions.setdefault(_MEMO_KEY, OrderedDict())


def epoch(moment: datetime | None) -> float | None:
    """A stored naive-UTC time as seconds since the epoch (the page's clock compares with it)."""
    if moment is None:
        return None
    return (moment - datetime(1970, 1, 1)).total_seconds()


def slot_card(slot: SpeechSlot | None) -> dict | None:
    """The public card of a slot: running number, name, unit, speech title (or the rehearsal's name)."""
    if slot is None:
        return None
    if slot.is_rehearsal:
        return {"slot_id": slot.id, "position": slot.position, "rehearsal": True, "name": slot.rehearsal_name or "",
                "unit": "", "title": "", "status": slot.status}
    entry = slot.entry
    return {"slot_id": slot.id, "position": slot.position, "rehearsal": False, "name": entry.member.name,
            "unit": entry.unit.name, "title": entry.speech_title, "status": slot.status}


def revealed_score(panel: RoundPanel, slot: SpeechSlot) -> dict | None:
    """A revealed slot's score as the screen shows it: each judge's total (seat order) with the
    struck ones marked, recused/absent seats, deductions with reasons, the final score shown with the
    contest's places; None unless the slot is revealed and fully scored."""
    if slot.revealed_at is None:
        return None
    result = slot_result(panel, slot)
    if not result.final:
        return None
    places = panel.round.contest.places
    # judge totals with the sheet's own decimals (step 0.1 → "91.5", 0.01 → "91.25")
    step = min(criterion.step for criterion in criteria_of(panel.round.contest))
    lines = {line.judge: line for line in result.judges}
    judges = []
    for seat in panel.judges:
        line = lines.get(seat)
        if line is None:
            judges.append({"seat": seat, "total": None, "struck": None,
                           "out": "recused" if seat in result.recused_judges else "absent"})
        else:
            judges.append({"seat": seat, "total": format(line.total.quantize(step), "f"), "struck": line.struck, "out": None})
    return {
        "slot_id": slot.id,
        "judges": judges,
        "per_criterion": result.rule.per_criterion,
        "trimmed_mean": shown(result.trimmed_mean, places),
        "deductions": [{"points": format(d.points, "f"), "reason": d.reason} for d in result.deductions],
        "final": shown(result.exact, places),
    }


def progress(panel: RoundPanel, slot: SpeechSlot | None) -> dict | None:
    """"评委 7/9 已提交": sheets in and sheets expected for a slot (recused and absent not expected)."""
    if slot is None:
        return None
    submitted, expected = panel_progress(slot_result(panel, slot))
    return {"submitted": submitted, "expected": expected}


def latest_published(round_id: int) -> SpeechResultVersion | None:
    """The round's newest published (or final) result version, if any."""
    return db.session.scalar(sa.select(SpeechResultVersion).where(SpeechResultVersion.round_id == round_id)
                             .order_by(SpeechResultVersion.version.desc()).limit(1))


def leaderboard(panel: RoundPanel, *, revealed_only: bool = True, results: dict | None = None) -> dict:
    """The standings to show: the latest published version's rows, else provisional ranks (暂定) with
    awards over the final results of the contestants revealed so far (all of them for the host)."""
    published = latest_published(panel.round.id)
    if published is not None:
        rows = [{"rank": row.get("rank"), "position": row.get("position"), "name": row.get("name"),
                 "unit": row.get("unit"), "title": row.get("title"), "score": row.get("score"),
                 "award": row.get("award")} for row in published.standings or []]
        return {"provisional": False, "version": published.version, "status": published.status,
                "published_at": to_local(published.published_at).strftime("%Y-%m-%d %H:%M"),
                "correction": published.correction_note or "", "rows": rows}
    contest = panel.round.contest
    finals, cards = [], {}
    for slot in scored_slots(panel):
        if revealed_only and slot.revealed_at is None:
            continue
        result = results[slot.id] if results is not None and slot.id in results else slot_result(panel, slot)
        if result.final:
            finals.append(result)
            cards[slot.id] = slot_card(slot)
    rows = []
    if finals:
        try:
            standings = rank_results(finals, places=contest.places, tie_breaks=tie_breaks_of(contest))
            awarded = assign_awards(standings, award_tiers_of(contest))
        except Problem:
            awarded = []
        for item in awarded:
            card = cards[item.standing.result.subject]
            rows.append({"rank": item.standing.rank, "position": card["position"], "name": card["name"],
                         "unit": card["unit"], "title": card["title"], "score": item.standing.display,
                         "award": item.award})
    return {"provisional": True, "version": None, "status": None, "published_at": None, "correction": "",
            "rows": rows}


def running_order(panel: RoundPanel) -> list[dict]:
    """The drawn order for the draw screen: contestants only, in position order."""
    return [slot_card(slot) for slot in panel.slots if not slot.is_rehearsal]


def _last_revealed_id(round_id: int) -> int | None:
    return db.session.scalar(sa.select(SpeechSlot.id).where(SpeechSlot.round_id == round_id,
                                                            SpeechSlot.revealed_at.is_not(None))
                             .order_by(SpeechSlot.revealed_at.desc(), SpeechSlot.position.desc()).limit(1))


def _slots_needed(round_: SpeechRound) -> list[int] | None:
    """Which slots the public view of the round's mode needs (None: all of them): the leaderboard
    and the draw need the whole round, the other modes the slot on stage and the last one revealed."""
    mode = round_.screen_mode
    if mode == "draw" or (mode in ("leaderboard", "awards") and latest_published(round_.id) is None):
        return None
    wanted = [round_.current_slot_id] if round_.current_slot_id is not None else []
    if mode == "reveal":
        last = _last_revealed_id(round_.id)
        if last is not None:
            wanted.append(last)
    return wanted


def _version_of(round_: SpeechRound, view: str) -> int:
    return getattr(round_, VIEW_COLUMNS[view].key)


def build_public_state(round_: SpeechRound, view: str = SCREEN) -> dict:
    """A public view of a round's live state, the big screen's or the audience's (no unrevealed
    score anywhere in it; the audience's has no progress line either, so the judges' submits do
    not change it)."""
    if view not in (SCREEN, AUDIENCE):
        raise ValueError(view)
    panel = load_round_panel(round_, _slots_needed(round_))
    contest = round_.contest
    current = next((slot for slot in panel.slots if slot.id == round_.current_slot_id), None)
    mode = round_.screen_mode
    state = {
        "version": _version_of(round_, view),
        "view": view,
        "mode": mode,
        "contest": {"title": contest.title, "venue": contest.venue,
                    "date": contest.held_on.isoformat() if contest.held_on else None},
        "round": {"id": round_.id, "name": round_.name, "status": round_.status,
                  "reveal_policy": round_.reveal_policy},
        "current": slot_card(current),
        "progress": progress(panel, current) if view == SCREEN and current is not None and panel.judges else None,
        "reveal": None,
        "leaderboard": None,
        "order": None,
    }
    if mode == "reveal":
        revealed = [slot for slot in panel.slots if slot.revealed_at is not None]
        target = current if current is not None and current.revealed_at is not None else (
            max(revealed, key=lambda slot: (slot.revealed_at, slot.position)) if revealed else None)
        if target is not None:
            state["reveal"] = revealed_score(panel, target)
            state["reveal_card"] = slot_card(target)
    elif current is not None and current.revealed_at is not None:
        state["reveal"] = revealed_score(panel, current)
    if mode in ("leaderboard", "awards"):
        state["leaderboard"] = leaderboard(panel)
    if mode == "draw" and round_.status != "setup":
        state["order"] = running_order(panel)
        state["draw"] = {"seed": round_.draw_seed, "algorithm": round_.draw_algorithm}
    return state


def public_state(round_id: int, view: str, version: int, locale: str) -> dict:
    """build_public_state of `view` at `version`, built once per (round, view, version, locale) in this
    worker (the caller forces `locale`): a poll after a change finds the body without loading
    anything (the round is read only to build it)."""
    key = (round_id, view, version, locale)
    memo = _memo()
    with _memo_lock:
        if key in memo:
            memo.move_to_end(key)
            return memo[key]
    round_ = db.session.get(SpeechRound, round_id)
    state = build_public_state(round_, view)
    if _version_of(round_, view) != version:  # changed meanwhile: not this version's body, do not keep it
        return state
    with _memo_lock:
        memo[key] = state
        while len(memo) > _MEMO_SIZE:
            memo.popitem(last=False)
    return state


def forget_memo() -> None:
    """Tests: start from an empty memo."""
    _memo().clear()


def judge_states(panel: RoundPanel, slot: SpeechSlot | None) -> list[dict]:
    """For the host: each judge's state for `slot` — submitted (with time), unlocked, recused, absent,
    draft (the tablet reports an unsent draft for it) or waiting — their last contact, any problem
    they raised, and a draft left on another contestant they have not submitted (the host moved on).
    A submitted sheet wins over a stale draft report."""
    now = utcnow()
    positions = {other.id: other for other in panel.slots}
    rows = []
    for seat, judge in panel.judges.items():
        state = "waiting"
        sheet = panel.sheets.get((slot.id, seat)) if slot is not None else None
        exception = panel.exception(slot, seat) if slot is not None else None
        drafting = slot is not None and judge.draft_slot_id == slot.id
        if exception:
            state = exception
        elif sheet is not None:
            state = "submitted" if sheet.locked else "unlocked"
        elif drafting:
            state = "draft"
        left = positions.get(judge.draft_slot_id) if judge.draft_slot_id is not None and not drafting else None
        if left is not None:
            left_sheet = panel.sheets.get((left.id, seat))
            if (left_sheet is not None and left_sheet.locked) or panel.exception(left, seat):
                left = None
        seen = judge.last_seen_at
        rows.append({
            "judge_id": judge.id, "seat": seat, "name": judge.user.name, "group": judge.group,
            "chief": judge.is_chief, "state": state,
            "submitted_at": to_local(sheet.submitted_at).strftime("%H:%M:%S") if sheet is not None else None,
            "draft_elsewhere": None if left is None else {"position": left.position, "rehearsal": left.is_rehearsal},
            "seen_epoch": epoch(seen), "seen_ago": int((now - seen).total_seconds()) if seen else None,
            "problem": judge.problem,
            "problem_at": to_local(judge.problem_raised_at).strftime("%H:%M:%S") if judge.problem_raised_at else None,
        })
    return rows


def host_view(round_: SpeechRound) -> dict:
    """Everything the host console shows: current and next, each judge's state for the current
    contestant, the current contestant's deductions, time and score (the host sees it before the
    reveal), the running order with statuses, and the leaderboard over every scored contestant."""
    from events.speech.services.live import next_slot

    panel = load_round_panel(round_)
    current = next((slot for slot in panel.slots if slot.id == round_.current_slot_id), None)
    following = next_slot(round_, panel.slots)
    results = {slot.id: slot_result(panel, slot) for slot in panel.slots} if panel.judges else {}
    result = results.get(current.id) if current is not None else None
    return {
        "panel": panel,
        "current": current,
        "next": following,
        "judges": judge_states(panel, current),
        "progress": panel_progress(result) if result is not None else None,
        "result": result,
        "results": results,
        "places": round_.contest.places,
        "deductions": panel.deductions.get(current.id, []) if current is not None else [],
        "problems": [judge for judge in panel.judges.values() if judge.problem],
        "leaderboard": leaderboard(panel, revealed_only=False, results=results),
    }


CONTACT_BUCKET_SECONDS = 5  # the tablets touch last_seen_at at most this often


def host_etag_marker(round_id: int) -> str:
    """What else changes the host console without a state bump: the judges' last contact, as the
    newest contact time in 5-second steps (the console counts the seconds itself in between), and
    the drafts their tablets report (the newest change, how many and which), in one read. Neither
    moves the big screen's or the audience's version: they never show contact or drafts."""
    newest, changed, drafts, slots = db.session.execute(
        sa.select(sa.func.max(SpeechJudge.last_seen_at), sa.func.max(SpeechJudge.draft_seen_at),
                  sa.func.count(SpeechJudge.draft_slot_id), sa.func.coalesce(sa.func.sum(SpeechJudge.draft_slot_id), 0))
        .where(SpeechJudge.round_id == round_id)).one()
    contact = str(int(epoch(newest) // CONTACT_BUCKET_SECONDS)) if newest else "0"
    return f"{contact}.{epoch(changed) or 0:.6f}.{drafts}.{slots}"
