"""The panel rule against hand-computed tables: trimming by panel size, ties, recusal, absent and
missing judges, per-criterion trimming, weighted judge groups, deductions, exactness."""
import random
from decimal import Decimal as D
from fractions import Fraction

import pytest

from app.common.problems import Problem
from events.judging.criteria import Criterion
from events.judging.deductions import manual_deduction, overtime_deduction
from events.judging.numbers import EXACT_DIGITS, exact, shown
from events.judging.rules import (
    HIGH,
    LOW,
    PanelRule,
    panel_progress,
    panel_result,
    require_final,
    trim,
    trimmed_mean,
)


def result_of(totals, **options):
    """A panel of judges 1..n in seat order, judge i giving totals[i-1]."""
    panel = list(range(1, len(totals) + 1))
    return panel_result("选手", panel, {judge: D(str(total)) for judge, total in zip(panel, totals, strict=True)}, **options)


def is_exactly(value, fraction):
    return value == exact(Fraction(fraction))


# ---------------------------------------------------------------- panel sizes 3 to 9

PANELS = [
    # totals, struck (judge, side), exact, shown at 2 places
    ([80, 90, 85], (), Fraction(85), "85.00"),
    ([80, 90, 85, 86], (), Fraction(341, 4), "85.25"),
    ([80, 90, 85, 86, 88], ((2, HIGH), (1, LOW)), Fraction(259, 3), "86.33"),
    ([80, 90, 85, 86, 88, 84], ((2, HIGH), (1, LOW)), Fraction(343, 4), "85.75"),
    ([80, 90, 85, 86, 88, 84, 87], ((2, HIGH), (1, LOW)), Fraction(86), "86.00"),
    ([80, 90, 85, 86, 88, 84, 87, 83], ((2, HIGH), (1, LOW)), Fraction(171, 2), "85.50"),
    (["80", "90", "85", "86", "88", "84", "87", "83", "89.5"], ((2, HIGH), (1, LOW)), Fraction(6025, 70), "86.07"),
]


@pytest.mark.parametrize(("totals", "struck", "expected", "text"), PANELS, ids=[f"{len(p[0])}-judges" for p in PANELS])
def test_five_or_more_judges_drop_one_highest_and_one_lowest_fewer_average_all(totals, struck, expected, text):
    result = result_of(totals)
    assert result.final
    assert sorted(result.struck) == sorted(struck)
    assert is_exactly(result.exact, expected)
    assert shown(result.exact, 2) == text
    assert result.groups[0].kept == len(totals) - 2 * bool(struck)


def test_k_and_d_are_configurable():
    totals = [70, 95, 80, 85, 90, 75, 88, 82, 99]  # 9 judges, drop 2 highest (99, 95) and 2 lowest (70, 75)
    result = result_of(totals, rule=PanelRule(trim_from=7, trim_each_end=2))
    assert sorted(result.struck) == [(1, LOW), (2, HIGH), (6, LOW), (9, HIGH)]
    assert is_exactly(result.exact, Fraction(80 + 85 + 90 + 88 + 82, 5))
    six = result_of(totals[:6], rule=PanelRule(trim_from=7, trim_each_end=2))
    assert six.struck == () and is_exactly(six.exact, Fraction(495, 6))
    assert result_of(totals, rule=PanelRule(trim_each_end=0, trim_from=1)).struck == ()


@pytest.mark.parametrize("rule", [PanelRule(trim_from=4, trim_each_end=2), PanelRule(trim_each_end=-1),
                                  PanelRule(trim_from=2, trim_each_end=1)])
def test_a_rule_that_could_strike_everyone_is_refused(rule):
    with pytest.raises(Problem, match="至少要留下一个评分"):
        result_of([80, 85, 90], rule=rule)


# ---------------------------------------------------------------- ties at the top or bottom

def test_a_tie_at_the_top_strikes_exactly_one_judge_the_first_in_seat_order():
    result = result_of([90, 85, 90, 80, 86])
    assert result.struck == ((1, HIGH), (4, LOW))
    assert is_exactly(result.exact, Fraction(85 + 90 + 86, 3))


def test_a_tie_at_the_bottom_strikes_exactly_one_judge_the_first_in_seat_order():
    result = result_of([86, 80, 90, 80, 85])
    assert result.struck == ((2, LOW), (3, HIGH))
    assert is_exactly(result.exact, Fraction(86 + 80 + 85, 3))


def test_seat_order_not_judge_id_decides_which_tied_judge_is_struck():
    panel = [17, 4, 9, 2, 30]
    sheets = {17: D(85), 4: D(90), 9: D(80), 2: D(90), 30: D(80)}
    result = panel_result("选手", panel, sheets)
    assert result.struck == ((4, HIGH), (9, LOW))
    assert [line.judge for line in result.judges] == panel


def test_when_every_judge_agrees_one_is_struck_each_way_and_the_score_is_unchanged():
    result = result_of([85] * 5)
    assert result.struck == ((1, LOW), (2, HIGH))
    assert result.exact == 85


# ---------------------------------------------------------------- recusal, absent, missing

def test_a_recused_judge_leaves_the_panel_and_the_reduced_panel_applies():
    six = panel_result("选手", [1, 2, 3, 4, 5, 6], {1: D(80), 2: D(90), 3: D(85), 4: D(86), 5: D(88)},
                       recused=[6])  # five remain: still trimmed
    assert six.recused_judges == (6,) and six.struck == ((1, LOW), (2, HIGH))
    assert is_exactly(six.exact, Fraction(259, 3))
    five = panel_result("选手", [1, 2, 3, 4, 5], {1: D(80), 2: D(90), 3: D(85), 4: D(86)}, recused=[5])
    assert five.final and five.struck == ()  # four remain: below K, all averaged
    assert is_exactly(five.exact, Fraction(341, 4))
    assert panel_progress(five) == (4, 4)


def test_a_missing_sheet_makes_the_result_not_final_and_names_the_judge():
    panel = [1, 2, 3, 4, 5]
    sheets = {1: D(80), 2: D(90), 4: D(86), 5: D(88)}
    result = panel_result("张三", panel, sheets)
    assert not result.final and result.missing_judges == (3,)
    assert result.exact is None and result.trimmed_mean is None
    assert panel_progress(result) == (4, 5)
    with pytest.raises(Problem, match="张三 尚有评委未提交评分：3"):
        require_final(result)
    # the organiser enters the paper sheet (代录): the full panel applies
    entered = panel_result("张三", panel, {**sheets, 3: D(85)})
    assert entered.final and is_exactly(entered.exact, Fraction(259, 3))
    # or marks the judge absent: the reduced panel of four applies, untrimmed
    reduced = panel_result("张三", panel, sheets, absent=[3])
    assert reduced.final and reduced.absent_judges == (3,) and reduced.struck == ()
    assert is_exactly(reduced.exact, Fraction(344, 4))


def test_missing_is_not_recusal_with_several_missing_judges():
    result = panel_result("选手", [1, 2, 3, 4, 5, 6], {1: D(80), 4: D(85)}, recused=[2])
    assert result.missing_judges == (3, 5, 6) and result.recused_judges == (2,)


@pytest.mark.parametrize(("panel", "sheets", "options", "message"), [
    ([1, 2, 3], {1: D(80), 2: D(80), 3: D(80)}, {"recused": [3]}, "评委 3 已回避或缺席，其评分不能计入"),
    ([1, 2, 3], {1: D(80), 2: D(80), 3: D(80)}, {"absent": [2]}, "评委 2 已回避或缺席，其评分不能计入"),
    ([1, 2], {1: D(80), 2: D(80), 7: D(80)}, {}, "评委 7 不在本场评委名单中"),
    ([1, 2], {1: D(80)}, {"recused": [9]}, "评委 9 不在本场评委名单中"),
    ([1, 1, 2], {1: D(80), 2: D(80)}, {}, "评委名单中有重复的评委"),
    ([1, 2], {}, {"recused": [1], "absent": [2]}, "没有可计分的评委"),
    ([1, 2], {1: D(80), 2: D(-1)}, {}, "评委 2 的总分超出范围"),
])
def test_inconsistent_panels_are_refused(panel, sheets, options, message):
    with pytest.raises(Problem) as refused:
        panel_result("选手", panel, sheets, **options)
    assert refused.value.message == message


def test_floats_never_enter():
    with pytest.raises(TypeError):
        panel_result("选手", [1, 2, 3], {1: 85.5, 2: D(80), 3: D(80)})
    with pytest.raises(TypeError):
        trimmed_mean([85.5, D(80), D(80)])


# ---------------------------------------------------------------- per-criterion trimming

CRITERIA = (Criterion("内容", D(40)), Criterion("表达", D(30)))
SHEETS = {
    1: {"内容": D(38), "表达": D(20)},  # 58
    2: {"内容": D(30), "表达": D(29)},  # 59
    3: {"内容": D(35), "表达": D(25)},  # 60
    4: {"内容": D(36), "表达": D(22)},  # 58
    5: {"内容": D(33), "表达": D(27)},  # 60
}


def test_trimming_totals_strikes_whole_sheets():
    result = panel_result("选手", [1, 2, 3, 4, 5], SHEETS, criteria=CRITERIA)
    assert result.struck == ((1, LOW), (3, HIGH))  # 58 and 60 are tied: the first in seat order
    assert is_exactly(result.exact, Fraction(59 + 58 + 60, 3))
    assert [line.total for line in result.judges] == [58, 59, 60, 58, 60]


def test_trimming_per_criterion_strikes_per_criterion_then_sums():
    result = panel_result("选手", [1, 2, 3, 4, 5], SHEETS, criteria=CRITERIA, rule=PanelRule(per_criterion=True))
    assert result.struck == ()
    assert result.judges[0].struck_in == {"内容": HIGH, "表达": LOW}
    assert result.judges[1].struck_in == {"内容": LOW, "表达": HIGH}
    assert all(not line.struck_in for line in result.judges[2:])
    assert is_exactly(result.criterion_means["内容"], Fraction(104, 3))
    assert is_exactly(result.criterion_means["表达"], Fraction(74, 3))
    assert is_exactly(result.exact, Fraction(178, 3)) and shown(result.exact, 2) == "59.33"


def test_per_criterion_trimming_needs_criterion_scores_and_matching_sheets():
    with pytest.raises(Problem, match="需要每位评委的分项评分"):
        result_of([80, 85, 90], rule=PanelRule(per_criterion=True))
    odd = {**SHEETS, 5: {"内容": D(33)}}
    with pytest.raises(Problem, match="评委 5 的评分表与评分项不一致"):
        panel_result("选手", [1, 2, 3, 4, 5], odd, rule=PanelRule(per_criterion=True))
    with pytest.raises(Problem, match="应在 0 至 30 分之间"):  # sheets are re-checked against the criteria
        panel_result("选手", [1, 2], {1: {"内容": D(30), "表达": D(31)}, 2: {"内容": D(30), "表达": D(20)}},
                     criteria=CRITERIA)


# ---------------------------------------------------------------- judge groups

GROUP_RULE = PanelRule(group_weights={"专家评委": D(70), "大众评委": D(30)})
GROUPS = {1: "专家评委", 2: "专家评委", 3: "专家评委", 4: "专家评委", 5: "专家评委",
          6: "大众评委", 7: "大众评委", 8: "大众评委"}
GROUP_SHEETS = {1: D(90), 2: D(88), 3: D(86), 4: D(84), 5: D(80), 6: D(70), 7: D(75), 8: D(80)}


def test_weighted_groups_are_each_trimmed_then_weighted():
    result = panel_result("选手", list(GROUP_SHEETS), GROUP_SHEETS, rule=GROUP_RULE, groups=GROUPS)
    experts, public = result.groups
    assert (experts.name, experts.scoring, experts.kept, experts.trimmed_mean) == ("专家评委", 5, 3, 86)
    assert (public.name, public.scoring, public.kept, public.trimmed_mean) == ("大众评委", 3, 3, 75)
    assert result.struck == ((1, HIGH), (5, LOW))  # 80 among the public judges is not struck: 3 < K
    assert result.exact == D("82.7")  # 0.7 × 86 + 0.3 × 75
    assert result.untrimmed_mean == D("82.42")  # 0.7 × 85.6 + 0.3 × 75


def test_a_recusal_inside_a_group_reduces_that_group_only():
    result = panel_result("选手", list(GROUP_SHEETS), {k: v for k, v in GROUP_SHEETS.items() if k != 2},
                          rule=GROUP_RULE, groups=GROUPS, recused=[2])
    experts, _public = result.groups
    assert experts.scoring == 4 and experts.kept == 4 and experts.trimmed_mean == 85  # 340 / 4
    assert result.exact == D("82")  # 0.7 × 85 + 0.3 × 75


@pytest.mark.parametrize(("rule", "groups", "message"), [
    (PanelRule(group_weights={"专家评委": D(70), "大众评委": D(20)}), GROUPS, "各评委组权重之和须为 100%，现为 90%"),
    (PanelRule(group_weights={"专家评委": D(100), "大众评委": D(0)}), GROUPS, "评委组权重须大于 0，且最多两位小数"),
    (PanelRule(group_weights={"专家评委": D("66.667"), "大众评委": D("33.333")}), GROUPS, "评委组权重须大于 0，且最多两位小数"),
    (GROUP_RULE, {**GROUPS, 8: "嘉宾"}, "评委 8 不属于任何有权重的评委组"),
    (GROUP_RULE, {judge: "专家评委" for judge in GROUPS}, "评委组“大众评委”没有可计分的评委"),
])
def test_group_weights_are_checked(rule, groups, message):
    with pytest.raises(Problem) as refused:
        panel_result("选手", list(GROUP_SHEETS), GROUP_SHEETS, rule=rule, groups=groups)
    assert refused.value.message == message


# ---------------------------------------------------------------- deductions

def test_deductions_come_off_after_the_trimmed_mean_and_are_listed_with_reasons():
    deductions = [overtime_deduction(11), manual_deduction(D("0.5"), "使用道具")]
    result = result_of([80, 90, 85, 86, 88], deductions=deductions)
    assert is_exactly(result.trimmed_mean, Fraction(259, 3))
    assert result.deducted == D("0.7")
    assert is_exactly(result.exact, Fraction(259, 3) - Fraction(7, 10))
    assert shown(result.exact, 2) == "85.63"
    assert [(d.points, d.reason) for d in result.deductions] == [(D("0.2"), "超时 11 秒"), (D("0.5"), "使用道具")]


@pytest.mark.parametrize(("over", "text"), [(9, "86.33"), (10, "86.33"), (11, "86.13"), (30, "85.83")])
def test_the_overtime_grace_threshold_in_a_result(over, text):
    deduction = overtime_deduction(over)
    result = result_of([80, 90, 85, 86, 88], deductions=[deduction] if deduction else [])
    assert shown(result.exact, 2) == text


# ---------------------------------------------------------------- exactness and properties

def test_equal_true_results_are_equal_to_the_last_digit_whatever_the_route():
    """240.1 / 3 on one panel equals ½ × 240.2 / 3 + ½ × 80 on a weighted one; with 28-digit Decimal
    arithmetic the second would come out one unit in the last place higher."""
    single = result_of(["80", "80", "80.1"])
    weighted = panel_result("乙", [1, 2, 3, 4, 5, 6],
                            {1: D(80), 2: D(80), 3: D("80.2"), 4: D(80), 5: D(80), 6: D(80)},
                            rule=PanelRule(group_weights={"专家评委": D(50), "大众评委": D(50)}),
                            groups={1: "专家评委", 2: "专家评委", 3: "专家评委", 4: "大众评委", 5: "大众评委",
                                    6: "大众评委"})
    assert single.exact == weighted.exact
    assert len(single.exact.as_tuple().digits) == EXACT_DIGITS
    naive = D("0.5") * (D("240.2") / 3) + D("0.5") * 80
    assert naive != D("240.1") / 3  # what this design avoids


def test_trimmed_mean_properties_on_random_panels():
    generator = random.Random(20261201)
    for _case in range(400):
        size = generator.randint(1, 9)
        values = [D(generator.randint(600, 1000)) / 10 for _judge in range(size)]
        cut = trim(values)
        mean = trimmed_mean(values)
        assert min(values) <= mean <= max(values)
        assert len(cut.struck_low) == len(cut.struck_high) == (1 if size >= 5 else 0)
        kept = [values[i] for i in cut.kept]
        assert all(values[i] <= min(kept) for i in cut.struck_low)
        assert all(values[i] >= max(kept) for i in cut.struck_high)
        assert sorted(cut.kept + cut.struck_low + cut.struck_high) == list(range(size))
        assert mean == exact(Fraction(sum(kept)) / len(kept))
        shuffled = values[:]
        generator.shuffle(shuffled)
        assert trimmed_mean(shuffled) == mean  # who sits where changes who is struck, never the score
