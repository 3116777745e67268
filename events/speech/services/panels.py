"""A round's panel results from the database: for each slot, the judges who score it (the round's
panel less recused and absent judges), their sheets and the slot's deductions, put through
events/judging's panel_result. A fixed number of queries whatever the round's size.

Judges are keyed by seat number (1号评委 …) inside judging, so a tie at the top or bottom strikes
the lowest seat, and the explanation reads "3号评委".
"""
from collections.abc import Collection
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.extensions import db
from events.judging.deductions import Deduction
from events.judging.rules import PanelResult, panel_result
from events.judging.sheets import loaded_scores
from events.speech.models import (
    SpeechDeduction,
    SpeechEntry,
    SpeechJudge,
    SpeechPanelException,
    SpeechRound,
    SpeechSheet,
    SpeechSlot,
)
from events.speech.settings import criteria_of, panel_rule_of


@dataclass
class RoundPanel:
    """Everything scoring one round needs, loaded once: judges by seat, slots in running order,
    sheets by (slot id, seat), exceptions by (entry id, seat) → kind, deductions by slot id."""

    round: SpeechRound
    judges: dict[int, SpeechJudge]
    slots: list[SpeechSlot]
    sheets: dict[tuple[int, int], SpeechSheet]
    exceptions: dict[tuple[int, int], SpeechPanelException]
    deductions: dict[int, list[SpeechDeduction]]

    def exception(self, slot: SpeechSlot, seat: int) -> str | None:
        """"recused", "absent" or None: whether the judge in `seat` scores this slot."""
        if slot.entry_id is None:
            return None
        found = self.exceptions.get((slot.entry_id, seat))
        return found.kind if found else None

    def panel_for(self, slot: SpeechSlot) -> list[int]:
        """The seats that score this slot, in seat order."""
        return [seat for seat in self.judges if self.exception(slot, seat) is None]


def load_round_panel(round_: SpeechRound, slot_ids: Collection[int] | None = None) -> RoundPanel:
    """Load a round's judges, slots (with entry, member and unit), sheets, exceptions and deductions;
    with `slot_ids`, only those slots and their sheets and deductions (a live page showing one slot
    need not load the whole round)."""
    judges = db.session.scalars(sa.select(SpeechJudge).where(SpeechJudge.round_id == round_.id)
                                .options(selectinload(SpeechJudge.user)).order_by(SpeechJudge.seat)).all()
    seat_of = {judge.id: judge.seat for judge in judges}
    wanted = sa.true() if slot_ids is None else SpeechSlot.id.in_(list(slot_ids))
    slots = db.session.scalars(
        sa.select(SpeechSlot).where(SpeechSlot.round_id == round_.id, wanted)
        .options(selectinload(SpeechSlot.entry).selectinload(SpeechEntry.member),
                 selectinload(SpeechSlot.entry).selectinload(SpeechEntry.unit))
        .order_by(SpeechSlot.position)).all()
    slot_ids = [slot.id for slot in slots]
    sheets, deductions, exceptions = {}, {}, {}
    if slot_ids:
        for sheet in db.session.scalars(sa.select(SpeechSheet).where(SpeechSheet.slot_id.in_(slot_ids))):
            sheets[(sheet.slot_id, seat_of[sheet.judge_id])] = sheet
        for deduction in db.session.scalars(sa.select(SpeechDeduction).where(SpeechDeduction.slot_id.in_(slot_ids))
                                            .order_by(SpeechDeduction.id)):
            deductions.setdefault(deduction.slot_id, []).append(deduction)
    if judges:
        for exception in db.session.scalars(sa.select(SpeechPanelException)
                                            .where(SpeechPanelException.judge_id.in_(list(seat_of)))):
            exceptions[(exception.entry_id, seat_of[exception.judge_id])] = exception
    return RoundPanel(round_, {judge.seat: judge for judge in judges}, list(slots), sheets, exceptions, deductions)


def slot_result(panel: RoundPanel, slot: SpeechSlot) -> PanelResult:
    """One slot's result under the contest's rule: not final while a scoring judge's sheet is missing."""
    contest = panel.round.contest
    seats = list(panel.judges)
    recused = [seat for seat in seats if panel.exception(slot, seat) == "recused"]
    absent = [seat for seat in seats if panel.exception(slot, seat) == "absent"]
    sheets = {seat: loaded_scores(sheet.scores) for (slot_id, seat), sheet in panel.sheets.items()
              if slot_id == slot.id and seat not in recused and seat not in absent}
    groups = {seat: judge.group for seat, judge in panel.judges.items()} if contest.group_weights else None
    deductions = [Deduction(row.points, row.reason, row.kind) for row in panel.deductions.get(slot.id, [])]
    return panel_result(slot.id, seats, sheets, rule=panel_rule_of(contest), recused=recused, absent=absent,
                        groups=groups, deductions=deductions, criteria=criteria_of(contest))


def scored_slots(panel: RoundPanel) -> list[SpeechSlot]:
    """The slots that take part in the results: contestants who spoke (not the rehearsal, not 弃权/缺席)."""
    return [slot for slot in panel.slots if not slot.is_rehearsal and slot.status != "no_show"]


def round_results(panel: RoundPanel) -> dict[int, PanelResult]:
    """Each scored slot's result, by slot id, in running order."""
    return {slot.id: slot_result(panel, slot) for slot in scored_slots(panel)}
