"""Rounding, display places, ranking with the tie-break chain and shared ranks, award tiers, single
criterion awards and the explanation: against hand-computed tables."""
import itertools
import random
from decimal import Decimal as D

import pytest

from app.common.problems import Problem
from events.judging.awards import (
    CriterionAward,
    Tier,
    assign_awards,
    criterion_awards,
    default_tiers,
    tier_limits,
)
from events.judging.deductions import manual_deduction, overtime_deduction
from events.judging.explain import explanation
from events.judging.numbers import round_half_up, shown
from events.judging.rules import HIGH, LOW, PanelRule, panel_result
from events.judging.standings import (
    HIGHER_UNTRIMMED_MEAN,
    by_criterion,
    display_places,
    rank_results,
)


def result_of(subject, totals, **options):
    panel = list(range(1, len(totals) + 1))
    sheets = {judge: total if isinstance(total, dict) else D(str(total))
              for judge, total in zip(panel, totals, strict=True)}
    return panel_result(subject, panel, sheets, **options)


def ranked(*exacts, **options):
    """Standings of one-judge results S1, S2, … whose scores are `exacts` (a lone judge is their mean)."""
    return rank_results([result_of(f"S{n}", [value]) for n, value in enumerate(exacts, start=1)], **options)


def table(standings):
    return [(s.rank, s.result.subject, s.display) for s in standings]


# ---------------------------------------------------------------- rounding

@pytest.mark.parametrize(("value", "places", "text"), [
    ("85.125", 2, "85.13"), ("85.124", 2, "85.12"), ("85.135", 2, "85.14"), ("85.005", 2, "85.01"),
    ("85.1245", 3, "85.125"), ("85.1244", 3, "85.124"), ("85.1255", 3, "85.126"), ("85", 2, "85.00"),
    ("85.12499999999999999999999999999999", 2, "85.12"), ("-0.125", 2, "-0.13"),
])
def test_display_rounds_half_up_never_half_even(value, places, text):
    assert shown(D(value), places) == text
    assert str(round_half_up(D(value), places)) == text


def test_rounding_edges_computed_by_a_panel():
    half = result_of("甲", ["85.1", "85.1", "85.2", "85.1"])  # 340.5 / 4 = 85.125
    assert half.exact == D("85.125")
    assert (shown(half.exact, 2), shown(half.exact, 3)) == ("85.13", "85.125")
    fine = result_of("乙", ["85.12", "85.12", "85.13", "85.12"])  # 340.49 / 4 = 85.1225
    assert (shown(fine.exact, 2), shown(fine.exact, 3)) == ("85.12", "85.123")
    thirds = result_of("丙", [80, 90, 85, 86, 88])  # 259 / 3
    assert (shown(thirds.exact, 2), shown(thirds.exact, 3)) == ("86.33", "86.333")


# ---------------------------------------------------------------- display places

@pytest.mark.parametrize(("values", "places", "expected"), [
    (["85.125", "85.13", "85.5"], 2, [3, 3, 2]),  # both shown 85.13, exact values differ
    (["85.125", "85.125"], 2, [2, 2]),  # a true tie is not dressed up with decimals
    (["85.1245", "85.125", "90"], 3, [4, 4, 3]),
    (["85.125", "85.1251", "85.13"], 2, [4, 4, 3]),  # 85.125 vs 85.125 at 3 places: one more for those two
    (["85.1250001", "85.125"], 2, [6, 6]),  # extra decimals stop at six
    ([], 2, []),
])
def test_equal_displays_of_different_exact_values_get_more_decimals(values, places, expected):
    assert display_places([D(value) for value in values], places) == expected


def test_only_2_or_3_places_can_be_configured():
    with pytest.raises(Problem, match="小数位数须为 2 或 3"):
        display_places([D(1)], 4)


def test_ranking_is_on_the_exact_value_and_shows_the_difference():
    thirds = result_of("甲", [80, 90, 85, 86, 88])  # 86.333…
    flat = result_of("乙", ["86.33", "86.33", "86.33"])  # 86.33
    low = result_of("丙", [85, 85, 85])
    standings = rank_results([flat, low, thirds])
    assert table(standings) == [(1, "甲", "86.333"), (2, "乙", "86.330"), (3, "丙", "85.00")]
    assert [s.places for s in standings] == [3, 3, 2]
    assert table(rank_results([flat, low, thirds], places=3)) == [
        (1, "甲", "86.333"), (2, "乙", "86.330"), (3, "丙", "85.000")]


# ---------------------------------------------------------------- tie-break chain and shared ranks

TOP = ("冠", [90, 90, 90])
SPREAD = ("甲", [80, 85, 86, 87, 95])  # trimmed 86, untrimmed 86.6
NARROW = ("乙", [84, 85, 86, 87, 88])  # trimmed 86, untrimmed 86
FLAT = ("丙", [86, 86, 86, 86, 86])  # the same as 乙 in every respect


def test_without_a_tie_break_equal_exact_scores_share_a_rank():
    standings = rank_results([result_of(*TOP), result_of(*SPREAD), result_of(*NARROW), result_of(*FLAT)])
    assert [(s.rank, s.result.subject, s.shared) for s in standings] == [
        (1, "冠", False), (2, "甲", True), (2, "乙", True), (2, "丙", True)]
    assert all(s.decided_by is None and s.display in ("90.00", "86.00") for s in standings)


def test_the_higher_untrimmed_mean_breaks_the_tie_then_the_rest_share():
    standings = rank_results([result_of(*NARROW), result_of(*FLAT), result_of(*SPREAD), result_of(*TOP)],
                             tie_breaks=[HIGHER_UNTRIMMED_MEAN])
    assert [(s.rank, s.result.subject) for s in standings] == [(1, "冠"), (2, "甲"), (3, "乙"), (3, "丙")]
    assert [s.decided_by for s in standings] == [None, HIGHER_UNTRIMMED_MEAN, HIGHER_UNTRIMMED_MEAN,
                                                 HIGHER_UNTRIMMED_MEAN]
    assert [s.shared for s in standings] == [False, False, True, True]
    assert [s.display for s in standings] == ["90.00", "86.00", "86.00", "86.00"]  # exact ties show no extra digits


def _sheets(content, delivery, judges=3):
    return [{"内容": D(content), "表达": D(delivery)}] * judges


def test_a_named_criterion_is_the_next_link_of_the_chain():
    strong = result_of("甲", _sheets(30, 20))
    other = result_of("乙", _sheets(20, 30))
    twin = result_of("丙", _sheets(30, 20))
    chain = [HIGHER_UNTRIMMED_MEAN, by_criterion("内容")]
    standings = rank_results([other, strong, twin], tie_breaks=chain)
    assert [(s.rank, s.result.subject) for s in standings] == [(1, "甲"), (1, "丙"), (3, "乙")]
    assert [s.decided_by for s in standings] == [by_criterion("内容")] * 3
    assert [s.shared for s in standings] == [True, True, False]
    assert by_criterion("内容").label() == "“内容”得分高者在前"
    expressive = rank_results([other, strong], tie_breaks=[by_criterion("表达")])
    assert [s.result.subject for s in expressive] == ["乙", "甲"]


def test_a_criterion_tie_break_needs_criterion_scores():
    with pytest.raises(Problem, match="按“内容”比较需要每位评委的分项评分"):
        rank_results([result_of("甲", [85]), result_of("乙", [85])], tie_breaks=[by_criterion("内容")])


def test_a_result_with_a_missing_sheet_cannot_be_ranked():
    missing = panel_result("乙", [1, 2, 3], {1: D(80), 2: D(85)})
    with pytest.raises(Problem, match="乙 尚有评委未提交评分：3"):
        rank_results([result_of("甲", [85]), missing])


# ---------------------------------------------------------------- award tiers

def awards_of(standings, tiers=None):
    return [entry.award for entry in assign_awards(standings, tiers or default_tiers())]


def test_default_tiers_by_count():
    assert awards_of(ranked(99, 98, 97, 96, 95, 94, 93, 92)) == [
        "一等奖", "二等奖", "二等奖", "三等奖", "三等奖", "三等奖", "优秀奖", "优秀奖"]


def test_a_tie_across_a_boundary_shares_the_higher_award_and_the_next_tier_shrinks():
    # ranks 1, 2, 3, 3, 5, 6, 7: the two at rank 3 both get 二等奖 (three of them), 三等奖 keeps two places
    assert awards_of(ranked(99, 98, 97, 97, 95, 94, 93)) == [
        "一等奖", "二等奖", "二等奖", "二等奖", "三等奖", "三等奖", "优秀奖"]
    # a tie for first: two 一等奖, one 二等奖 left
    assert awards_of(ranked(99, 99, 97, 96, 95, 94, 93)) == [
        "一等奖", "一等奖", "二等奖", "三等奖", "三等奖", "三等奖", "优秀奖"]
    # four tied at rank 2 use up 二等奖 and two of 三等奖's places
    assert awards_of(ranked(99, 98, 98, 98, 98, 94, 93)) == [
        "一等奖", "二等奖", "二等奖", "二等奖", "二等奖", "三等奖", "优秀奖"]


def test_without_a_closing_tier_the_rest_get_no_award():
    tiers = (Tier("一等奖", 1), Tier("二等奖", 2), Tier("三等奖", 3))
    assert awards_of(ranked(99, 98, 97, 96, 95, 94, 93, 92), tiers)[-3:] == ["三等奖", None, None]


SHARES = (Tier("一等奖", share=D(10)), Tier("二等奖", share=D(20)), Tier("三等奖", share=D(30)), Tier("优秀奖"))


@pytest.mark.parametrize(("ranked_count", "limits"), [
    (25, [3, 8, 15, 25]),  # 2.5 → 3, 7.5 → 8, 15: counts 3, 5, 7 and 10 left
    (10, [1, 3, 6, 10]),
    (4, [0, 1, 2, 4]),  # 0.4 → 0: a small field leaves 一等奖 empty, as stated
    (0, [0, 0, 0, 0]),
])
def test_tiers_by_proportion_round_the_cumulative_share_half_up(ranked_count, limits):
    assert tier_limits(SHARES, ranked_count) == limits


def test_tiers_by_proportion_with_a_tie_at_a_boundary():
    standings = ranked(99, 98, 97, 97, 95, 94, 93, 92, 91, 90)  # limits 1, 3, 6
    assert awards_of(standings, SHARES) == [
        "一等奖", "二等奖", "二等奖", "二等奖", "三等奖", "三等奖", "优秀奖", "优秀奖", "优秀奖", "优秀奖"]


@pytest.mark.parametrize(("tiers", "message"), [
    ((), "请至少设置一个奖项"),
    ((Tier("一等奖"), Tier("二等奖", 2)), "只有最后一个奖项可以不设名额（其余全部获奖）"),
    ((Tier("一等奖", 1), Tier("二等奖", share=D(20))), "奖项须全部按名额或全部按比例设置"),
    ((Tier("一等奖", 1, share=D(10)),), "奖项“一等奖”只能按名额或按比例设置其一"),
    ((Tier("一等奖", share=D(60)), Tier("二等奖", share=D(50))), "各奖项比例之和不能超过 100%"),
    ((Tier("一等奖", share=D(-1)),), "奖项“一等奖”的比例不能为负数"),
    ((Tier("一等奖", -1),), "奖项“一等奖”的名额须为不小于 0 的整数"),
])
def test_badly_configured_tiers_are_refused(tiers, message):
    with pytest.raises(Problem) as refused:
        tier_limits(tiers, 10)
    assert refused.value.message == message


# ---------------------------------------------------------------- single criterion awards

def test_a_single_award_goes_to_the_highest_trimmed_mean_in_its_criterion():
    def sheets(presence):
        return [{"内容": D(30), "风度": D(value)} for value in presence]

    results = [
        result_of("甲", sheets(["9", "9.5", "6", "8", "8"])),  # 风度 trimmed: (9 + 8 + 8) / 3 = 8.333…
        result_of("乙", sheets(["8.5", "8.5", "8.5", "8.5", "10"])),  # (8.5 × 3) / 3 = 8.5
        result_of("丙", sheets(["8", "8", "8"])),
    ]
    best = CriterionAward("最佳风采奖", "风度")
    assert criterion_awards(results, [best]) == {"最佳风采奖": ("乙",)}
    results.append(result_of("丁", sheets(["8.5", "8.5", "8.5"])))
    assert criterion_awards(results, [best]) == {"最佳风采奖": ("乙", "丁")}  # a tie shares the award
    assert criterion_awards(results, [CriterionAward("最佳内容奖", "内容")]) == {"最佳内容奖": ("甲", "乙", "丙", "丁")}
    with pytest.raises(Problem, match="“最佳风采奖”需要每位评委在“风度”的分项评分"):
        criterion_awards([result_of("戊", [85])], [best])


# ---------------------------------------------------------------- explanation

def test_the_explanation_shows_every_judge_the_struck_ones_deductions_and_the_rounding():
    deductions = [overtime_deduction(12), manual_deduction(D("0.3"), "使用道具")]
    standing = rank_results([result_of("张三", [80, 90, 85, 86, 88], deductions=deductions)])[0]
    data = explanation(standing)
    assert [(j["judge"], j["total"], j["struck"]) for j in data["judges"]] == [
        (1, 80, LOW), (2, 90, HIGH), (3, 85, None), (4, 86, None), (5, 88, None)]
    assert data["rule"] == {"trim_from": 5, "trim_each_end": 1, "per_criterion": False, "group_weights": {}}
    assert shown(data["trimmed_mean"], 3) == "86.333"
    assert [(d["points"], d["reason"]) for d in data["deductions"]] == [(D("0.2"), "超时 12 秒"),
                                                                       (D("0.3"), "使用道具")]
    assert data["deducted"] == D("0.5")
    rounding = data["rounding"]
    assert (rounding["places"], rounding["rounded"], rounding["display"]) == (2, D("85.83"), "85.83")
    assert shown(rounding["exact"], 4) == "85.8333"
    assert (data["rank"], data["shared_rank"], data["decided_by"]) == (1, False, None)


def test_the_explanation_of_an_unfinished_result_names_the_missing_judges():
    data = explanation(panel_result("李四", [1, 2, 3], {1: D(80), 3: D(85)}, recused=[]), places=3)
    assert data["final"] is False and data["missing_judges"] == [2]
    assert [j["judge"] for j in data["judges"]] == [1, 3] and "rounding" not in data


def test_the_explanation_of_weighted_groups_and_per_criterion_trimming():
    sheets = {1: {"内容": D(38), "表达": D(20)}, 2: {"内容": D(30), "表达": D(29)}, 3: {"内容": D(35), "表达": D(25)},
              4: {"内容": D(36), "表达": D(22)}, 5: {"内容": D(33), "表达": D(27)}, 6: {"内容": D(30), "表达": D(20)}}
    groups = {judge: "专家评委" for judge in range(1, 6)} | {6: "大众评委"}
    result = panel_result("王五", list(sheets), sheets, groups=groups, rule=PanelRule(
        per_criterion=True, group_weights={"专家评委": D(80), "大众评委": D(20)}))
    data = explanation(result, places=3)
    assert [(g["name"], g["weight"], g["scoring"], g["kept"]) for g in data["groups"]] == [
        ("专家评委", 80, 5, 3), ("大众评委", 20, 1, 1)]
    assert data["judges"][0]["struck_in"] == {"内容": HIGH, "表达": LOW}
    assert data["judges"][5]["struck_in"] == {}  # a group of one strikes nothing
    assert data["rounding"]["display"] == "57.467"  # 0.8 × 178/3 + 0.2 × 50 = 57.4666…


def test_ranks_and_awards_are_monotonic_on_random_fields():
    generator = random.Random(1201)
    order = [tier.name for tier in default_tiers()]
    for _field in range(150):
        exacts = [D(generator.randint(850, 870)) / 10 for _contestant in range(generator.randint(1, 14))]
        standings = ranked(*exacts)
        awarded = assign_awards(standings, default_tiers())
        for better, worse in itertools.pairwise(awarded):
            assert better.standing.result.exact >= worse.standing.result.exact
            assert better.standing.rank <= worse.standing.rank
            assert order.index(better.award) <= order.index(worse.award)
            if better.standing.result.exact == worse.standing.result.exact:  # equals share rank and award
                assert (better.standing.rank, better.award) == (worse.standing.rank, worse.award)
        for standing in standings:  # competition rank: one more than the number strictly ahead
            assert standing.rank == 1 + sum(value > standing.result.exact for value in exacts)
        first = [entry for entry in awarded if entry.award == "一等奖"]
        assert len(first) == sum(value == max(exacts) for value in exacts)  # 一等奖 1, or all tied for first
