"""The host console's rules and the public state: on stage, no-shows, reveal only when scored, the
timekeeper's overtime deduction from the contest's table, manual deductions, and a public view that
never holds an unrevealed score."""
import json
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.common.problems import Problem
from app.extensions import db
from events.speech.models import SpeechDeduction, SpeechPanelException, SpeechResultVersion
from events.speech.services import live, screen
from events.speech.services.state import state_version

SHEET = {"演讲内容": "36", "语言表达": "27", "形象风度": "9", "综合印象": "18"}  # 90


def _sheet(offset: int) -> dict[str, str]:
    return {**SHEET, "演讲内容": str(36 + offset)}


def _score_all(hall, slot, offsets=(0, 1, 2, -3, 4)):
    for judge, offset in zip(hall.judges, offsets, strict=False):
        hall.submit(slot, judge, _sheet(offset))


def test_putting_on_stage_moves_the_previous_to_done_and_bumps_the_version(make_contest, organiser):
    hall = make_contest(contestants=3)
    first, second, _third = hall.slots
    version = state_version(hall.round.id)
    live.put_on_stage(organiser, hall.round, first)
    live.put_on_stage(organiser, hall.round, second)
    db.session.flush()
    db.session.refresh(hall.round)
    assert (first.status, second.status) == ("done", "on_stage")
    assert hall.round.current_slot_id == second.id and hall.round.status == "live"
    assert hall.round.screen_mode == "on_stage"
    assert state_version(hall.round.id) == version + 2
    assert live.next_slot(hall.round) == hall.slots[2]


def test_the_rehearsal_comes_first_and_a_skipped_contestant_is_still_next(make_contest, organiser):
    from events.speech.services.draw import add_rehearsal

    hall = make_contest(contestants=3)
    rehearsal = add_rehearsal(organiser, hall.round, "演示选手")
    db.session.flush()
    db.session.refresh(hall.round)
    assert live.next_slot(hall.round) == rehearsal
    live.put_on_stage(organiser, hall.round, hall.slots[1])
    db.session.flush()
    db.session.refresh(hall.round)
    assert live.next_slot(hall.round) == hall.slots[2]
    live.put_on_stage(organiser, hall.round, hall.slots[2])
    db.session.flush()
    db.session.refresh(hall.round)
    assert live.next_slot(hall.round) in (rehearsal, hall.slots[0])


def test_a_no_show_needs_no_sheets_and_is_logged(make_contest, organiser):
    hall = make_contest(contestants=2, judges=3)
    first, second = hall.slots
    hall.submit(first, hall.judges[0], SHEET)
    db.session.refresh(first)
    with pytest.raises(Problem, match="已有评委"):
        live.mark_no_show(organiser, hall.round, first, "缺席")
    live.mark_no_show(organiser, hall.round, second, "缺席")
    assert second.status == "no_show" and second.no_show_reason == "缺席"
    with pytest.raises(Problem):
        live.put_on_stage(organiser, hall.round, second)
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "speech.no_show")) is not None
    live.undo_no_show(organiser, hall.round, second)
    assert second.status == "waiting"


def test_reveal_waits_for_every_scoring_judge(make_contest, organiser):
    hall = make_contest(contestants=1, judges=5)
    slot = hall.slots[0]
    live.put_on_stage(organiser, hall.round, slot)
    for judge in hall.judges[:4]:
        hall.submit(slot, judge, SHEET)
    with pytest.raises(Problem, match="1 位评委未提交"):
        live.reveal(organiser, hall.round, slot)
    db.session.add(SpeechPanelException(judge_id=hall.judges[4].id, entry_id=slot.entry_id, kind="absent"))
    db.session.flush()
    live.reveal(organiser, hall.round, slot)
    assert slot.revealed_at is not None and hall.round.screen_mode == "reveal"


def test_the_public_state_holds_no_score_before_the_reveal_and_the_struck_ones_after(make_contest, organiser):
    hall = make_contest(contestants=2, judges=5)
    slot = hall.slots[0]
    live.put_on_stage(organiser, hall.round, slot)
    _score_all(hall, slot)  # totals 90 91 92 87 94
    live.finish_current(organiser, hall.round)
    db.session.flush()
    before = json.dumps(screen.build_public_state(hall.round), ensure_ascii=False)
    assert "90.8" not in before and "91" not in before and "94" not in before
    assert screen.build_public_state(hall.round)["progress"] == {"submitted": 5, "expected": 5}
    db.session.add(SpeechDeduction(slot_id=slot.id, kind="manual", points=Decimal("0.20"), reason="道具违规"))
    db.session.flush()
    live.reveal(organiser, hall.round, slot)
    db.session.flush()
    state = screen.build_public_state(hall.round)
    reveal = state["reveal"]
    assert reveal["final"] == "90.80" and reveal["trimmed_mean"] == "91.00"
    struck = {judge["seat"]: judge["struck"] for judge in reveal["judges"]}
    assert struck == {1: None, 2: None, 3: None, 4: "low", 5: "high"}
    assert reveal["deductions"] == [{"points": "0.20", "reason": "道具违规"}]


def test_the_public_leaderboard_ranks_only_revealed_contestants_and_says_provisional(make_contest, organiser):
    hall = make_contest(contestants=2, judges=3)
    first, second = hall.slots
    for slot, offset in ((first, 0), (second, 3)):
        for judge in hall.judges:
            hall.submit(slot, judge, _sheet(offset))
        slot.status = "done"
    db.session.flush()
    live.reveal(organiser, hall.round, first)
    live.set_screen_mode(organiser, hall.round, "leaderboard")
    db.session.flush()
    board = screen.build_public_state(hall.round)["leaderboard"]
    assert board["provisional"] is True
    assert [row["name"] for row in board["rows"]] == [first.entry.member.name]
    assert "93" not in json.dumps(board, ensure_ascii=False)
    host = screen.host_view(hall.round)["leaderboard"]
    assert [row["score"] for row in host["rows"]] == ["93.00", "90.00"]


def test_a_published_version_replaces_the_provisional_leaderboard(make_contest, organiser):
    hall = make_contest(contestants=1, judges=3)
    db.session.add(SpeechResultVersion(round_id=hall.round.id, version=2, status="published", standings=[
        {"rank": 1, "position": 1, "name": "张三", "unit": "甲", "title": "t", "score": "88.00", "award": "一等奖"}]))
    live.set_screen_mode(organiser, hall.round, "awards")
    db.session.flush()
    board = screen.build_public_state(hall.round)["leaderboard"]
    assert board["provisional"] is False and board["version"] == 2
    assert board["rows"][0]["award"] == "一等奖"


def test_withheld_to_the_end_means_no_reveal_one_by_one(make_contest, organiser):
    hall = make_contest(contestants=1, judges=3)
    for judge in hall.judges:
        hall.submit(hall.slots[0], judge, SHEET)
    live.set_reveal_policy(organiser, hall.round, "end")
    with pytest.raises(Problem, match="统一亮分"):
        live.reveal(organiser, hall.round, hall.slots[0])
    assert hall.slots[0].revealed_at is None


def test_reveal_all_refuses_while_a_sheet_is_missing(make_contest, organiser):
    hall = make_contest(contestants=2, judges=3)
    first, second = hall.slots
    for slot in hall.slots:
        slot.status = "done"
    for judge in hall.judges:
        hall.submit(first, judge, SHEET)
    hall.submit(second, hall.judges[0], SHEET)
    with pytest.raises(Problem, match="尚有评委未提交"):
        live.reveal_all(organiser, hall.round)
    for judge in hall.judges[1:]:
        hall.submit(second, judge, SHEET)
    live.reveal_all(organiser, hall.round)
    assert first.revealed_at and second.revealed_at and hall.round.screen_mode == "leaderboard"


@pytest.mark.parametrize(("typed", "points"), [("490", None), ("8:10", None), ("491", Decimal("0.2")),
                                              ("509.9", Decimal("0.2")), ("510", Decimal("0.5")),
                                              ("400", None)])
def test_the_time_spoken_sets_the_overtime_deduction_from_the_table(make_contest, organiser, typed, points):
    hall = make_contest(contestants=1, judges=3)  # limit 480 s, default table
    slot = hall.slots[0]
    live.record_time(organiser, hall.round, slot, typed)
    rows = list(db.session.scalars(sa.select(SpeechDeduction).where(SpeechDeduction.slot_id == slot.id)))
    assert [row.points for row in rows] == ([points] if points else [])


def test_a_corrected_time_replaces_the_one_overtime_deduction(make_contest, organiser):
    hall = make_contest(contestants=1, judges=3)
    slot = hall.slots[0]
    live.record_time(organiser, hall.round, slot, "520")
    live.record_time(organiser, hall.round, slot, "500")
    rows = list(db.session.scalars(sa.select(SpeechDeduction).where(SpeechDeduction.slot_id == slot.id)))
    assert [(row.kind, row.points) for row in rows] == [("overtime", Decimal("0.2"))]
    live.record_time(organiser, hall.round, slot, "470")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SpeechDeduction)) == 0
    logged = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "speech.timed")
                                .order_by(AuditEntry.id)).all()
    assert [entry.details["before"] for entry in logged] == [None, "520.0", "500.0"]


def test_the_clock_runs_from_start_to_stop(make_contest, organiser):
    from datetime import timedelta

    from app.common import clock

    hall = make_contest(contestants=1, judges=3)
    slot = hall.slots[0]
    with pytest.raises(Problem, match="计时尚未开始"):
        live.record_time(organiser, hall.round, slot)
    with clock.frozen_at(clock.utcnow()):
        live.start_timing(organiser, hall.round, slot)
        clock.advance(timedelta(seconds=495, milliseconds=260))
        live.record_time(organiser, hall.round, slot)
    assert slot.spoken_seconds == Decimal("495.3") and slot.timing_started_at is None


@pytest.mark.parametrize("typed", ["", "abc", "-3", "3601", "1:75", "NaN", "1e9"])
def test_a_time_that_is_not_one_is_refused(make_contest, organiser, typed):
    hall = make_contest(contestants=1, judges=3)
    with pytest.raises(Problem):
        live.record_time(organiser, hall.round, hall.slots[0], typed)


def test_a_manual_deduction_needs_points_and_a_reason_and_can_be_withdrawn(make_contest, organiser):
    hall = make_contest(contestants=1, judges=3)
    slot = hall.slots[0]
    with pytest.raises(Problem, match="原因"):
        live.add_deduction(organiser, hall.round, slot, "0.5", "")
    with pytest.raises(Problem):
        live.add_deduction(organiser, hall.round, slot, "0.005", "超出")
    with pytest.raises(Problem):
        live.add_deduction(organiser, hall.round, slot, "abc", "超出")
    row = live.add_deduction(organiser, hall.round, slot, "0.5", "使用道具")
    assert row.points == Decimal("0.5") and row.reason == "使用道具"
    with pytest.raises(Problem):
        live.remove_deduction(organiser, hall.round, row, "")
    live.remove_deduction(organiser, hall.round, row, "录错了")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SpeechDeduction)) == 0
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "speech.deduction_removed")) is not None


def test_the_host_sees_each_judges_state_and_problem(make_contest, organiser):
    from app.common.clock import utcnow

    hall = make_contest(contestants=1, judges=3)
    slot = hall.slots[0]
    live.put_on_stage(organiser, hall.round, slot)
    hall.submit(slot, hall.judges[0], SHEET)
    hall.judges[1].last_seen_at = utcnow()
    hall.judges[2].problem, hall.judges[2].problem_raised_at = "平板没电", utcnow()
    db.session.flush()
    view = screen.host_view(hall.round)
    states = {row["seat"]: row["state"] for row in view["judges"]}
    assert states == {1: "submitted", 2: "waiting", 3: "waiting"}
    assert view["judges"][1]["seen_ago"] == 0 and view["judges"][0]["seen_ago"] is None
    assert view["progress"] == (1, 3)
    assert [judge.seat for judge in view["problems"]] == [3]
    live.clear_problem(organiser, hall.round, hall.judges[2])
    assert hall.judges[2].problem is None


def test_screen_modes_are_checked(make_contest, organiser):
    hall = make_contest(contestants=1)
    with pytest.raises(Problem):
        live.set_screen_mode(organiser, hall.round, "disco")
    live.set_screen_mode(organiser, hall.round, "draw")
    db.session.flush()
    state = screen.build_public_state(hall.round)
    assert [card["position"] for card in state["order"]] == [1]


def test_the_public_state_costs_the_same_queries_for_a_small_or_a_large_round(make_contest, organiser,
                                                                              count_queries):
    counts = []
    for size in (3, 15):
        hall = make_contest(contestants=size, judges=5)
        for slot in hall.slots:
            for judge in hall.judges:
                hall.submit(slot, judge, SHEET)
        live.put_on_stage(organiser, hall.round, hall.slots[1])
        db.session.flush()
        db.session.expire_all()
        with count_queries() as queries:
            state = screen.build_public_state(hall.round)
        assert state["progress"] == {"submitted": 5, "expected": 5}
        counts.append(queries.count)
    assert counts[0] == counts[1]


def test_the_public_state_is_built_once_per_version(make_contest, organiser):
    hall = make_contest(contestants=2, judges=3)
    screen.forget_memo()
    version = hall.round.screen_version
    first = screen.public_state(hall.round.id, "screen", version, "zh")
    assert screen.public_state(hall.round.id, "screen", version, "zh") is first
    live.put_on_stage(organiser, hall.round, hall.slots[0])
    db.session.flush()
    db.session.refresh(hall.round)
    fresh = screen.public_state(hall.round.id, "screen", hall.round.screen_version, "zh")
    assert fresh["current"]["slot_id"] == hall.slots[0].id and first["current"] is None


def test_two_timekeepers_stopping_the_clock_at_once_leave_one_overtime_deduction(make_contest, organiser,
                                                                                 run_concurrently):
    from events.speech.models import SpeechRound, SpeechSlot

    hall = make_contest(contestants=1, judges=3)
    round_id, slot_id, organiser_id = hall.round.id, hall.slots[0].id, organiser.id
    db.session.commit()

    def stop_clock(index):
        from app.accounts.models import User

        round_ = db.session.get(SpeechRound, round_id)
        live.record_time(db.session.get(User, organiser_id), round_, db.session.get(SpeechSlot, slot_id),
                         "520" if index == 0 else "495")
        db.session.commit()
        return "ok"

    results = run_concurrently(stop_clock, 2)
    assert results == ["ok", "ok"], results
    rows = db.session.scalars(sa.select(SpeechDeduction).where(SpeechDeduction.slot_id == slot_id)).all()
    assert len(rows) == 1 and rows[0].kind == "overtime"
