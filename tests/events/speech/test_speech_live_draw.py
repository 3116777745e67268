"""The draw: reproducible from its seed, the same-unit rule, a typed-in physical draw, changes with a
reason in the audit log, the rehearsal slot."""
from collections import Counter
from itertools import pairwise

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.common.problems import Problem
from app.extensions import db
from events.speech.models import SpeechEntry, SpeechSlot
from events.speech.services import draw


def _undrawn(make_contest, contestants=6, units=3):
    """A hall whose round is not drawn yet and has no slots (round 1 draws the approved entries)."""
    hall = make_contest(contestants=contestants, judges=3, units=units)
    for slot in hall.slots:
        db.session.delete(slot)
    hall.round.status = "setup"
    db.session.flush()
    return hall


def _order(round_):
    return [slot.entry_id for slot in draw.contestant_slots(round_)]


def test_the_same_seed_gives_the_same_order_and_another_seed_another():
    units = {entry_id: entry_id % 3 for entry_id in range(1, 21)}
    first = draw.shuffled_order("seed-1", units)
    assert first == draw.shuffled_order("seed-1", units)
    assert sorted(first) == list(units)
    assert first != draw.shuffled_order("seed-2", units)
    assert first != sorted(units)


def test_separated_orders_never_put_two_of_one_unit_side_by_side():
    units = {entry_id: (0 if entry_id <= 5 else entry_id % 3 + 1) for entry_id in range(1, 11)}  # unit 0: half
    for seed in (f"s{n}" for n in range(40)):
        order = draw.shuffled_order(seed, units, separate_units=True)
        assert sorted(order) == list(units)
        assert all(units[a] != units[b] for a, b in pairwise(order)), seed


def test_a_unit_with_more_than_half_the_contestants_cannot_be_separated():
    units = {1: 1, 2: 1, 3: 1, 4: 2}
    with pytest.raises(Problem):
        draw.shuffled_order("x", units, separate_units=True)


def test_drawing_a_round_creates_its_order_and_verifies(make_contest, organiser):
    hall = _undrawn(make_contest)
    order = draw.draw_round(organiser, hall.round, seed="公开种子2026", separate_units=True)
    db.session.flush()
    assert _order(hall.round) == order
    assert [slot.position for slot in draw.contestant_slots(hall.round)] == list(range(1, 7))
    assert hall.round.status == "drawn" and hall.round.draw_seed == "公开种子2026"
    assert hall.round.draw_algorithm == draw.SEPARATED
    check = draw.verify_draw(hall.round)
    assert check.matches and check.computed == order
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "speech.draw"))
    assert entry.details["order"] == order and entry.details["seed"] == "公开种子2026"


def test_only_approved_entries_are_drawn_and_a_blank_seed_is_made_up(make_contest, organiser):
    hall = _undrawn(make_contest, contestants=4)
    hall.entries[0].status = "withdrawn"
    db.session.flush()
    order = draw.draw_round(organiser, hall.round, seed="")
    assert hall.entries[0].id not in order and len(order) == 3
    assert len(hall.round.draw_seed) == 32


def test_a_drawn_round_is_not_drawn_again(make_contest, organiser):
    hall = make_contest(contestants=3)
    with pytest.raises(Problem, match="已抽签"):
        draw.draw_round(organiser, hall.round, seed="again")


def test_a_later_round_reorders_the_slots_it_was_given(make_contest, organiser):
    hall = make_contest(contestants=5)
    hall.round.status = "setup"
    before = sorted(_order(hall.round))
    draw.draw_round(organiser, hall.round, seed="r2")
    db.session.flush()
    assert sorted(_order(hall.round)) == before
    assert draw.verify_draw(hall.round).matches
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SpeechSlot)
                             .where(SpeechSlot.round_id == hall.round.id)) == 5


def test_a_physical_draw_is_typed_in_as_a_permutation(make_contest, organiser):
    hall = _undrawn(make_contest, contestants=3)
    ids = [entry.id for entry in hall.entries]
    with pytest.raises(Problem, match="每个序号只用一次"):
        draw.manual_draw(organiser, hall.round, {ids[0]: 1, ids[1]: 1, ids[2]: 3})
    with pytest.raises(Problem):
        draw.manual_draw(organiser, hall.round, {ids[0]: 1, ids[1]: 2})
    order = draw.manual_draw(organiser, hall.round, {ids[0]: 3, ids[1]: 1, ids[2]: 2})
    assert order == [ids[1], ids[2], ids[0]] == _order(hall.round)
    assert hall.round.draw_algorithm == "manual" and hall.round.draw_seed is None
    assert not draw.verify_draw(hall.round).verifiable


def test_moving_a_contestant_needs_a_reason_is_logged_and_no_longer_matches_the_seed(make_contest, organiser):
    hall = _undrawn(make_contest, contestants=4)
    order = draw.draw_round(organiser, hall.round, seed="move")
    db.session.flush()
    last = draw.contestant_slots(hall.round)[-1]
    with pytest.raises(Problem, match="原因"):
        draw.move_slot(organiser, hall.round, last, 1, "  ")
    after = draw.move_slot(organiser, hall.round, last, 1, "选手临时需提前离场")
    db.session.flush()
    assert after == [order[-1], *order[:-1]] == _order(hall.round)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "speech.draw_changed"))
    assert entry.details["reason"] == "选手临时需提前离场" and entry.details["before"] == order
    assert not draw.verify_draw(hall.round).matches


def test_a_contestant_who_has_spoken_does_not_move(make_contest, organiser):
    hall = make_contest(contestants=3)
    hall.slots[0].status = "done"
    db.session.flush()
    with pytest.raises(Problem, match="已上场"):
        draw.move_slot(organiser, hall.round, hall.slots[2], 1, "reason")


def test_one_rehearsal_per_round_at_position_zero(make_contest, organiser):
    hall = make_contest(contestants=2)
    slot = draw.add_rehearsal(organiser, hall.round, "")
    assert slot.position == 0 and slot.is_rehearsal and slot.entry_id is None and slot.rehearsal_name == "试评选手"
    with pytest.raises(Problem, match="已有试评"):
        draw.add_rehearsal(organiser, hall.round, "again")
    assert _order(hall.round) == [s.entry_id for s in hall.slots]  # the rehearsal is not a contestant
    draw.remove_rehearsal(organiser, hall.round)
    db.session.flush()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SpeechSlot)
                             .where(SpeechSlot.is_rehearsal.is_(True))) == 0


def test_units_in_a_separated_real_draw(make_contest, organiser):
    hall = _undrawn(make_contest, contestants=7, units=3)
    order = draw.draw_round(organiser, hall.round, seed="units", separate_units=True)
    unit_of = {entry.id: entry.unit_id for entry in db.session.scalars(sa.select(SpeechEntry))}
    assert max(Counter(unit_of[e] for e in order).values()) == 3  # 3 of 7 from one unit: arrangeable
    assert all(unit_of[a] != unit_of[b] for a, b in pairwise(order))


def test_the_command_line_re_runs_the_seed(app, make_contest, organiser):
    hall = _undrawn(make_contest, contestants=3)
    draw.draw_round(organiser, hall.round, seed="cli")
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["speech-verify-draw", str(hall.round.id)])
    assert result.exit_code == 0 and "MATCH" in result.output
    last = draw.contestant_slots(hall.round)[-1]
    draw.move_slot(organiser, hall.round, last, 1, "临时调整")
    db.session.commit()
    result = runner.invoke(args=["speech-verify-draw", str(hall.round.id)])
    assert result.exit_code == 1 and "DIFFERENT" in result.output
