"""Provisional standings through the database path, against tables computed by hand: panel sizes 3–9,
recusal, missing sheets and 代录, ties at the top and bottom, per-criterion trimming, group weights,
overtime with its grace period, x.xx5 rounding, display ties shown with more decimals, tie-breaks,
shared ranks and award tiers."""
from decimal import Decimal

import pytest

from app.extensions import db
from events.judging.deductions import overtime_deduction
from events.speech.models import SpeechDeduction, SpeechPanelException, SpeechSheet
from events.speech.services.results import provisional_standings


def sheet(total) -> dict[str, str]:
    """A default-criteria sheet (40/30/10/20) adding up to `total`: 27 + 9 + 18 = 54, the rest in 演讲内容."""
    return {"演讲内容": str(Decimal(str(total)) - 54), "语言表达": "27", "形象风度": "9", "综合印象": "18"}


def score_all(hall, slot, totals):
    for judge, total in zip(hall.judges, totals, strict=True):
        if total is not None:
            hall.submit(slot, judge, sheet(total))
    db.session.flush()


# (totals of 1号…n号评委, shown score, struck seats) — K = 5, D = 1 by default.
PANELS = [
    ([90, 85, 80], "85.00", set()),  # fewer than 5: plain mean
    ([90, 85, 80, 81], "84.00", set()),  # 336 / 4
    ([90, 85, 80, 81, 88], "84.67", {1, 3}),  # (85 + 81 + 88) / 3 = 84.666…
    ([90, 85, 80, 81, 88, 86], "85.00", {1, 3}),  # 340 / 4
    ([90, 85, 80, 81, 88, 86, 83], "84.60", {1, 3}),  # 423 / 5
    ([90, 85, 80, 81, 88, 86, 83, 87], "85.00", {1, 3}),  # 510 / 6
    ([90, 85, 80, 81, 88, 86, 83, 87, 89], "85.57", {1, 3}),  # 599 / 7 = 85.571…
]


@pytest.mark.parametrize(("totals", "shown", "struck"), PANELS, ids=lambda value: str(value))
def test_panels_of_three_to_nine_judges(make_contest, totals, shown, struck):
    hall = make_contest(contestants=1, judges=len(totals))
    score_all(hall, hall.slots[0], totals)
    standings = provisional_standings(hall.round)
    assert standings.complete
    row = standings.rows[0]
    assert row["score"] == shown and row["rank"] == 1
    assert {line["seat"] for line in row["judges"] if line["struck"]} == struck


def test_a_recused_judge_reduces_the_panel_below_k_and_the_plain_mean_applies(make_contest):
    hall = make_contest(contestants=1, judges=5)
    slot = hall.slots[0]
    db.session.add(SpeechPanelException(judge_id=hall.judges[4].id, entry_id=slot.entry_id, kind="recused",
                                        reason="同单位"))
    score_all(hall, slot, [90, 85, 80, 81, None])
    row = provisional_standings(hall.round).rows[0]
    assert row["score"] == "84.00" and row["recused"] == [5]
    assert not any(line["struck"] for line in row["judges"])


def test_a_missing_sheet_keeps_the_slot_open_until_entered_from_paper_or_marked_absent(make_contest, organiser):
    hall = make_contest(contestants=2, judges=5)
    first, second = hall.slots
    score_all(hall, first, [90, 85, 80, 81, 88])
    score_all(hall, second, [90, 85, 80, 81, None])
    standings = provisional_standings(hall.round)
    assert not standings.complete
    assert [(item.slot.id, item.missing_seats) for item in standings.open] == [(second.id, (5,))]
    assert [row["slot_id"] for row in standings.rows] == [first.id]
    assert standings.rows[0]["award"] is None  # no awards while a sheet is missing

    paper = hall.submit(second, hall.judges[4], sheet(86))  # 代录 from the judge's paper sheet
    paper.source, paper.entered_by_id = "paper", organiser.id
    db.session.flush()
    standings = provisional_standings(hall.round)
    assert standings.complete
    row = standings.row_for(second.id)
    assert row["score"] == "84.00"  # (85 + 81 + 86) / 3
    assert [line["source"] for line in row["judges"]] == ["device"] * 4 + ["paper"]

    db.session.delete(paper)
    db.session.add(SpeechPanelException(judge_id=hall.judges[4].id, entry_id=second.entry_id, kind="absent"))
    db.session.flush()
    row = provisional_standings(hall.round).row_for(second.id)
    assert row["absent"] == [5] and row["score"] == "84.00"  # four judges: 336 / 4


def test_ties_at_the_top_and_bottom_strike_exactly_one_judge_each_the_lowest_seat(make_contest):
    hall = make_contest(contestants=1, judges=5)
    score_all(hall, hall.slots[0], [90, 90, 85, 80, 80])
    row = provisional_standings(hall.round).rows[0]
    assert {line["seat"]: line["struck"] for line in row["judges"] if line["struck"]} == {1: "high", 4: "low"}
    assert row["score"] == "85.00"  # (90 + 85 + 80) / 3


def test_per_criterion_trimming_strikes_in_each_criterion_then_sums(make_contest):
    hall = make_contest(contestants=1, judges=5, per_criterion=True)
    rows = [  # 演讲内容, 语言表达, 形象风度, 综合印象
        ("36", "27", "9", "18"),
        ("38", "25", "8", "19"),
        ("30", "28", "7", "17"),
        ("35", "29", "10", "16"),
        ("34", "26", "9.5", "20"),
    ]
    for judge, values in zip(hall.judges, rows, strict=True):
        hall.submit(hall.slots[0], judge, dict(zip(("演讲内容", "语言表达", "形象风度", "综合印象"), values, strict=True)))
    db.session.flush()
    row = provisional_standings(hall.round).rows[0]
    # 演讲内容 keeps 36 35 34 → 35; 语言表达 keeps 27 26 28 → 27; 形象风度 keeps 9 8 9.5 → 8.8333…;
    # 综合印象 keeps 18 19 17 → 18: 88.8333… → 88.83
    assert row["score"] == "88.83"
    assert row["criterion_means"]["形象风度"].startswith("8.8333")
    struck_in = {line["seat"]: line["struck_in"] for line in row["judges"]}
    assert struck_in[2]["演讲内容"] == "high" and struck_in[3]["演讲内容"] == "low"
    assert struck_in[4]["形象风度"] == "high" and struck_in[3]["形象风度"] == "low"


def test_group_weights_weigh_each_groups_mean(make_contest):
    hall = make_contest(contestants=1, judges=4, group_weights={"专家评委": "70", "大众评委": "30"})
    for judge, group in zip(hall.judges, ("专家评委", "专家评委", "大众评委", "大众评委"), strict=True):
        judge.group = group
    score_all(hall, hall.slots[0], [90, 86, 80, 70])
    row = provisional_standings(hall.round).rows[0]
    assert row["score"] == "84.10"  # 专家 (90 + 86) / 2 = 88, 大众 (80 + 70) / 2 = 75: 0.7 × 88 + 0.3 × 75
    assert [(group["name"], group["trimmed_mean"]) for group in row["groups"]] == [("专家评委", "88"), ("大众评委", "75")]


@pytest.mark.parametrize(("seconds", "points", "shown"), [
    (10, None, "85.00"),  # within the 10 s grace period: nothing off
    (11, "0.2", "84.80"),
    (29, "0.2", "84.80"),
    (30, "0.5", "84.50"),
])
def test_overtime_comes_off_after_the_trimmed_mean_with_its_grace_period(make_contest, seconds, points, shown):
    hall = make_contest(contestants=1, judges=3)
    slot = hall.slots[0]
    score_all(hall, slot, [90, 85, 80])
    deduction = overtime_deduction(Decimal(seconds))
    assert (deduction.points if deduction else None) == (Decimal(points) if points else None)
    if deduction:
        db.session.add(SpeechDeduction(slot_id=slot.id, kind="overtime", points=deduction.points,
                                       reason=deduction.reason))
        db.session.flush()
    row = provisional_standings(hall.round).rows[0]
    assert row["score"] == shown
    assert row["trimmed_mean"] == "85"
    assert [Decimal(d["points"]) for d in row["deductions"]] == ([Decimal(points)] if points else [])


def test_x_xx5_rounds_half_up(make_contest):
    hall = make_contest(contestants=1, judges=4)
    score_all(hall, hall.slots[0], ["85.1", "85.1", "85.2", "85.1"])  # 340.5 / 4 = 85.125
    row = provisional_standings(hall.round).rows[0]
    assert row["exact"].startswith("85.125") and row["score"] == "85.13" and row["places"] == 2


def test_equal_shown_scores_with_different_exact_values_get_more_decimals(make_contest):
    hall = make_contest(contestants=3, judges=4)
    first, second, third = hall.slots
    score_all(hall, first, ["85.1", "85.1", "85.2", "85.1"])  # 340.5 / 4 = 85.125 → 85.13
    db.session.add(SpeechPanelException(judge_id=hall.judges[3].id, entry_id=second.entry_id, kind="recused"))
    score_all(hall, second, ["85.1", "85.1", "85.2", None])  # 255.4 / 3 = 85.1333… → 85.13
    score_all(hall, third, ["85.1", "85.2", "85.1", "85.2"])  # 340.6 / 4 = 85.15
    rows = provisional_standings(hall.round).rows
    assert [(row["slot_id"], row["score"], row["rank"]) for row in rows] == [
        (third.id, "85.15", 1), (second.id, "85.133", 2), (first.id, "85.125", 3)]


def test_equal_exact_scores_go_to_the_tie_break_chain_then_share_the_rank(make_contest):
    hall = make_contest(contestants=4, judges=5)
    a, b, c, d = hall.slots
    score_all(hall, a, [90, 85, 85, 85, 80])  # trimmed 85, untrimmed 85
    score_all(hall, b, [94, 85, 85, 85, 80])  # trimmed 85, untrimmed 85.8: wins the tie-break
    score_all(hall, c, [90, 85, 85, 85, 80])  # the same as a in everything: shares a's rank
    score_all(hall, d, [80, 80, 80, 80, 80])
    rows = provisional_standings(hall.round).rows
    assert [(row["slot_id"], row["rank"], row["shared"]) for row in rows] == [
        (b.id, 1, False), (a.id, 2, True), (c.id, 2, True), (d.id, 4, False)]
    assert rows[0]["score"] == rows[1]["score"] == "85.00"
    assert rows[0]["decided_by"] == "未去分平均分高者在前"


def test_a_named_criterion_breaks_the_tie_when_configured(make_contest):
    hall = make_contest(contestants=2, judges=3, tie_breaks=[{"kind": "criterion", "criterion": "语言表达"}])
    a, b = hall.slots
    for judge in hall.judges:
        hall.submit(a, judge, {"演讲内容": "36", "语言表达": "27", "形象风度": "9", "综合印象": "18"})
        hall.submit(b, judge, {"演讲内容": "35", "语言表达": "28", "形象风度": "9", "综合印象": "18"})
    db.session.flush()
    rows = provisional_standings(hall.round).rows
    assert [row["slot_id"] for row in rows] == [b.id, a.id] and [row["rank"] for row in rows] == [1, 2]


def test_default_award_tiers_by_count_and_a_criterion_award(make_contest):
    hall = make_contest(contestants=8, judges=3, criterion_awards=[{"name": "最佳风采奖", "criterion": "形象风度"}])
    for index, slot in enumerate(hall.slots):
        for judge in hall.judges:
            values = sheet(90 - index)
            if index == 5:
                values = {**values, "形象风度": "10", "演讲内容": str(Decimal(values["演讲内容"]) - 1)}
            hall.submit(slot, judge, values)
    db.session.flush()
    rows = provisional_standings(hall.round).rows
    assert [row["award"] for row in rows] == ["一等奖", "二等奖", "二等奖", "三等奖", "三等奖", "三等奖",
                                              "优秀奖", "优秀奖"]
    assert [row["criterion_awards"] for row in rows][5] == ["最佳风采奖"]
    assert sum(bool(row["criterion_awards"]) for row in rows) == 1


def test_award_tiers_by_share_round_half_up_and_ties_share_the_higher_award(make_contest):
    hall = make_contest(contestants=5, judges=3,
                        award_tiers=[{"name": "一等奖", "share": "10"}, {"name": "二等奖", "share": "30"}])
    for slot, total in zip(hall.slots, (90, 88, 88, 85, 80), strict=True):
        score_all(hall, slot, [total] * 3)
    rows = provisional_standings(hall.round).rows
    # 10 % of 5 = 0.5 → 1 place; 40 % of 5 = 2 places, but the two 88s share rank 2: both 二等奖
    assert [row["award"] for row in rows] == ["一等奖", "二等奖", "二等奖", None, None]


def test_no_shows_and_the_rehearsal_stay_out_of_the_ranking(make_contest):
    from events.speech.models import SpeechSlot

    hall = make_contest(contestants=2, judges=3)
    first, second = hall.slots
    second.status, second.no_show_reason = "no_show", "弃权"
    rehearsal = SpeechSlot(round_id=hall.round.id, entry_id=None, position=0, is_rehearsal=True,
                           rehearsal_name="试评选手")
    db.session.add(rehearsal)
    db.session.flush()
    score_all(hall, first, [90, 85, 80])
    score_all(hall, rehearsal, [99, 99, 99])
    standings = provisional_standings(hall.round)
    assert standings.complete
    assert [row["slot_id"] for row in standings.rows] == [first.id]
    assert [slot.id for slot in standings.no_shows] == [second.id]


def test_a_weighted_group_with_nobody_scoring_is_shown_as_a_problem_not_a_crash(make_contest):
    hall = make_contest(contestants=1, judges=2, group_weights={"专家评委": "70", "大众评委": "30"})
    for judge in hall.judges:
        judge.group = "专家评委"
    score_all(hall, hall.slots[0], [90, 80])
    standings = provisional_standings(hall.round)
    assert not standings.complete and standings.open[0].problem


def test_sheets_are_read_as_stored_decimals(make_contest):
    hall = make_contest(contestants=1, judges=3)
    score_all(hall, hall.slots[0], ["85.1", "85.1", "85.2"])
    stored = db.session.query(SpeechSheet).first()
    assert stored.score_values["演讲内容"] == Decimal("31.1")
    assert provisional_standings(hall.round).rows[0]["exact"].startswith("85.1333333")
