"""The draw (抽签): a round's running order, drawn from a seed anyone can re-run, or typed in from a
physical draw (现场抽签); the resolved order (the slots' positions) is the record.

Algorithm "sha256-shuffle/v1": each contestant's key is SHA-256 of "<seed>:<entry id>", the order is
the keys sorted. With the rule "no two of the same unit next to each other" ("…+separate-units"),
the order is built place by place: the first contestant in key order whose unit differs from the
one before and whose taking the place leaves the rest arrangeable. Both are plain functions of the
seed, the entry ids and their units, so verify_draw re-runs them from what the round stores.
"""
from __future__ import annotations

import hashlib
import secrets
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from app.audit.services import record
from app.common.clock import utcnow
from app.common.problems import Problem
from app.common.text import clean
from app.extensions import db
from events.speech.models import SpeechEntry, SpeechRound, SpeechSheet, SpeechSlot
from events.speech.services.state import bump_state

SHUFFLE = "sha256-shuffle/v1"
SEPARATED = SHUFFLE + "+separate-units"
MANUAL = "manual"
ALGORITHMS = (SHUFFLE, SEPARATED)
SEED_MAX_LENGTH = 64
REASON_MAX_LENGTH = 200
REHEARSAL_POSITION = 0


def new_seed() -> str:
    """A fresh random seed (32 hex digits) when the organiser does not give one."""
    return secrets.token_hex(16)


def draw_key(seed: str, entry_id: int) -> str:
    """A contestant's place in the shuffle: SHA-256 of "<seed>:<entry id>" in hex."""
    return hashlib.sha256(f"{seed}:{entry_id}".encode()).hexdigest()


def _arrangeable(counts: Counter, previous) -> bool:
    """Whether contestants with these unit counts can follow a contestant of unit `previous` with no
    two of one unit side by side: no unit more than half the places (rounded up), and the previous
    unit, which cannot take the first place, no more than half rounded down."""
    left = sum(counts.values())
    return all(count <= (left // 2 if unit == previous else (left + 1) // 2) for unit, count in counts.items())


def shuffled_order(seed: str, entry_units: Mapping[int, int], *, separate_units: bool = False) -> list[int]:
    """The entry ids in drawn order for `seed`: sorted by draw_key; with `separate_units`, no two of
    one unit adjacent (a Problem when a unit has more than half the contestants)."""
    if not seed:
        raise Problem(_("请填写抽签种子"), "seed")
    keyed = sorted(entry_units, key=lambda entry_id: (draw_key(seed, entry_id), entry_id))
    if not separate_units:
        return keyed
    counts = Counter(entry_units[entry_id] for entry_id in keyed)
    if not _arrangeable(counts, None):
        raise Problem(_("同一单位的选手超过半数，无法做到同单位选手不相邻"), "separate_units")
    order, remaining, previous = [], list(keyed), None
    while remaining:
        for entry_id in remaining:
            unit = entry_units[entry_id]
            if unit == previous:
                continue
            counts[unit] -= 1
            if _arrangeable(+counts, unit):
                break
            counts[unit] += 1
        else:  # pragma: no cover - _arrangeable at the start guarantees a choice at every place
            raise AssertionError("no arrangeable choice")
        order.append(entry_id)
        remaining.remove(entry_id)
        previous = unit
    return order


@dataclass(frozen=True)
class Verification:
    """What re-running a round's seed gives: the order computed, the order stored, whether they match."""

    algorithm: str | None
    seed: str | None
    computed: list[int]
    stored: list[int]

    @property
    def verifiable(self) -> bool:
        return self.algorithm in ALGORITHMS and bool(self.seed)

    @property
    def matches(self) -> bool:
        return self.verifiable and self.computed == self.stored


def _round_slots(round_: SpeechRound) -> list[SpeechSlot]:
    return list(db.session.scalars(sa.select(SpeechSlot).where(SpeechSlot.round_id == round_.id)
                                   .order_by(SpeechSlot.position)))


def contestant_slots(round_: SpeechRound) -> list[SpeechSlot]:
    """The round's contestants' slots (the rehearsal aside) in running order."""
    return [slot for slot in _round_slots(round_) if not slot.is_rehearsal]


def _entry_units(entry_ids: Sequence[int]) -> dict[int, int]:
    if not entry_ids:
        return {}
    return dict(db.session.execute(sa.select(SpeechEntry.id, SpeechEntry.unit_id)
                                   .where(SpeechEntry.id.in_(list(entry_ids)))).all())


def verify_draw(round_: SpeechRound) -> Verification:
    """Re-run the round's stored seed and algorithm over the contestants it holds and compare with the
    stored order (a later change, audit-logged, makes them differ; a typed-in draw has no seed)."""
    stored = [slot.entry_id for slot in contestant_slots(round_)]
    computed: list[int] = []
    if round_.draw_algorithm in ALGORITHMS and round_.draw_seed:
        computed = shuffled_order(round_.draw_seed, _entry_units(stored),
                                  separate_units=round_.draw_algorithm == SEPARATED)
    return Verification(round_.draw_algorithm, round_.draw_seed, computed, stored)


def drawable_entries(round_: SpeechRound) -> list[int]:
    """The contestants a round's draw orders: the slots it already holds (a later round's, created
    when contestants advance), else, for the first round, the contest's approved entries."""
    held = [slot.entry_id for slot in contestant_slots(round_)]
    if held or round_.position != 1:
        return held
    return list(db.session.scalars(sa.select(SpeechEntry.id).where(
        SpeechEntry.contest_id == round_.contest_id, SpeechEntry.status == "approved").order_by(SpeechEntry.id)))


def _check_open_for_draw(round_: SpeechRound) -> None:
    if round_.status != "setup":
        raise Problem(_("本轮已抽签；如需调整顺序，请使用“调整顺序”并填写原因"))


def _place(round_: SpeechRound, order: Sequence[int]) -> None:
    """Give the round's contestants the positions 1..n of `order`, creating the missing slots; in two
    steps, so no intermediate state breaks the (round, position) constraint."""
    slots = {slot.entry_id: slot for slot in contestant_slots(round_)}
    if slots:
        for offset, slot in enumerate(slots.values(), start=1):
            slot.position = -offset  # out of the way of every final position
        db.session.flush()
    for position, entry_id in enumerate(order, start=1):
        slot = slots.get(entry_id)
        if slot is None:
            slot = SpeechSlot(round_id=round_.id, entry_id=entry_id, position=position)
            db.session.add(slot)
        slot.position = position
    db.session.flush()


def draw_round(actor, round_: SpeechRound, *, seed: str | None = None, separate_units: bool = False) -> list[int]:
    """Draw a round not yet drawn from `seed` (a fresh one when blank): the order, seed, algorithm,
    time and who drew are stored and the draw is audit-logged."""
    _check_open_for_draw(round_)
    seed = clean(seed or "") or new_seed()
    if len(seed) > SEED_MAX_LENGTH:
        raise Problem(_("抽签种子不能超过 %(count)s 个字符", count=SEED_MAX_LENGTH), "seed")
    entries = drawable_entries(round_)
    if not entries:
        raise Problem(_("没有可抽签的选手（须为已通过审核的报名）"))
    order = shuffled_order(seed, _entry_units(entries), separate_units=separate_units)
    _place(round_, order)
    _mark_drawn(actor, round_, SEPARATED if separate_units else SHUFFLE, seed)
    record("speech.draw", target=round_, summary=_("抽签：%(count)s 名选手", count=len(order)),
           seed=seed, algorithm=round_.draw_algorithm, order=order)
    return order


def _mark_drawn(actor, round_: SpeechRound, algorithm: str, seed: str | None) -> None:
    round_.draw_seed, round_.draw_algorithm = seed, algorithm
    round_.drawn_at, round_.drawn_by_id = utcnow(), getattr(actor, "id", None)
    round_.status = "drawn"
    bump_state(round_.id)


def manual_draw(actor, round_: SpeechRound, numbers: Mapping[int, int]) -> list[int]:
    """A physical draw (现场抽签) typed in: every contestant gets one of the numbers 1..n, each once;
    stored as the order with algorithm "manual" and audit-logged."""
    _check_open_for_draw(round_)
    entries = drawable_entries(round_)
    if not entries:
        raise Problem(_("没有可抽签的选手（须为已通过审核的报名）"))
    if set(numbers) != set(entries):
        raise Problem(_("请为每位选手填写抽到的序号"))
    wanted = set(range(1, len(entries) + 1))
    if sorted(numbers.values()) != sorted(wanted):
        raise Problem(_("序号须为 1 至 %(count)s，且每个序号只用一次", count=len(entries)))
    order = sorted(entries, key=lambda entry_id: numbers[entry_id])
    _place(round_, order)
    _mark_drawn(actor, round_, MANUAL, None)
    record("speech.draw", target=round_, summary=_("现场抽签录入：%(count)s 名选手", count=len(order)),
           algorithm=MANUAL, order=order)
    return order


def _reason(reason: str | None) -> str:
    reason = clean(reason or "")
    if not reason:
        raise Problem(_("请填写调整原因"), "reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise Problem(_("原因不能超过 %(count)s 个字", count=REASON_MAX_LENGTH), "reason")
    return reason


def move_slot(actor, round_: SpeechRound, slot: SpeechSlot, position: int, reason: str | None) -> list[int]:
    """After the draw a contestant may move to another place (the others close up) before they have
    spoken, with a reason; the change is audit-logged with the order before and after."""
    reason = _reason(reason)
    if round_.status == "setup":
        raise Problem(_("本轮尚未抽签"))
    if slot.round_id != round_.id or slot.is_rehearsal:
        raise Problem(_("只能调整本轮选手的顺序"))
    slots = contestant_slots(round_)
    if not 1 <= position <= len(slots):
        raise Problem(_("序号须为 1 至 %(count)s", count=len(slots)), "position")
    before = [item.entry_id for item in slots]
    moved = sorted({slot.position, position})
    touched = [item for item in slots if moved[0] <= item.position <= moved[1]]
    if any(item.status != "waiting" for item in touched):
        raise Problem(_("已上场的选手不能调整顺序"), "position")
    after = [entry_id for entry_id in before if entry_id != slot.entry_id]
    after.insert(position - 1, slot.entry_id)
    _place(round_, after)
    bump_state(round_.id)
    record("speech.draw_changed", target=round_, summary=_("调整出场顺序：%(reason)s", reason=reason),
           reason=reason, slot_id=slot.id, position=position, before=before, after=after)
    return after


def add_rehearsal(actor, round_: SpeechRound, name: str | None) -> SpeechSlot:
    """A round's rehearsal (试评): one demonstration speaker at position 0, scored by every judge to check
    the panel and the devices, never in the results."""
    name = clean(name or "") or _("试评选手")
    if len(name) > 64:
        raise Problem(_("名称不能超过 %(count)s 个字", count=64), "name")
    existing = db.session.scalar(sa.select(SpeechSlot).where(SpeechSlot.round_id == round_.id,
                                                             SpeechSlot.is_rehearsal.is_(True)))
    if existing is not None:
        raise Problem(_("本轮已有试评"))
    slot = SpeechSlot(round_id=round_.id, entry_id=None, position=REHEARSAL_POSITION, is_rehearsal=True,
                      rehearsal_name=name)
    db.session.add(slot)
    db.session.flush()
    bump_state(round_.id)
    record("speech.rehearsal_added", target=round_, summary=_("添加试评：%(name)s", name=name))
    return slot


def remove_rehearsal(actor, round_: SpeechRound) -> None:
    """The rehearsal can be removed while no judge has scored it and it is not on stage."""
    slot = db.session.scalar(sa.select(SpeechSlot).where(SpeechSlot.round_id == round_.id,
                                                         SpeechSlot.is_rehearsal.is_(True)))
    if slot is None:
        raise Problem(_("本轮没有试评"))
    scored = db.session.scalar(sa.select(sa.func.count()).select_from(SpeechSheet)
                               .where(SpeechSheet.slot_id == slot.id))
    if scored or slot.status == "on_stage" or round_.current_slot_id == slot.id:
        raise Problem(_("试评已开始，不能删除"))
    db.session.delete(slot)
    bump_state(round_.id)
    record("speech.rehearsal_removed", target=round_, summary=_("删除试评"))
