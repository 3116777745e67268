"""The check of a judge's entry (blank, range, step, soft range) and the deductions: plain functions."""
from decimal import Decimal as D

import pytest

from app.common.problems import Problem
from events.judging.criteria import (
    Criterion,
    NeedsConfirmation,
    SheetProblem,
    check_score,
    check_sheet,
    default_criteria,
    sheet_total,
    validate_criteria,
)
from events.judging.deductions import (
    DEFAULT_OVERTIME,
    OvertimeBand,
    manual_deduction,
    overtime_deduction,
    overtime_seconds,
    total_deduction,
)

CONTENT = Criterion("演讲内容", D(40))
FINE = Criterion("综合印象", D(20), step=D("0.01"))
SOFT = Criterion("语言表达", D(30), soft_minimum=D(18), soft_maximum=D("29.5"))


# ---------------------------------------------------------------- one score

@pytest.mark.parametrize("typed", ["", "   ", None, "\t"])
def test_a_blank_is_refused_never_counted_as_zero(typed):
    with pytest.raises(Problem) as refused:
        check_score(typed, CONTENT)
    assert refused.value.message == "请填写演讲内容"
    assert refused.value.field == "演讲内容"


@pytest.mark.parametrize("typed", ["abc", "3,5", "NaN", "Infinity", "-inf", "1" * 21, "35.5分"])
def test_what_is_not_a_number_is_refused_beside_the_field(typed):
    with pytest.raises(Problem) as refused:
        check_score(typed, CONTENT, field="score_3")
    assert refused.value.message == "演讲内容须填写数字"
    assert refused.value.field == "score_3"


@pytest.mark.parametrize("typed", ["-0.1", "40.1", "41", "1e400", "-1E+2"])
def test_out_of_range_is_refused(typed):
    with pytest.raises(Problem, match="演讲内容应在 0 至 40 分之间"):
        check_score(typed, CONTENT)


@pytest.mark.parametrize(("typed", "criterion"), [
    ("35.55", CONTENT), ("0.05", CONTENT), ("39.99", CONTENT), ("1E-30", CONTENT),
    ("19.995", FINE), ("0.001", FINE),
])
def test_off_step_is_refused_by_decimal_remainder(typed, criterion):
    with pytest.raises(Problem, match=f"的分值须为 {criterion.step} 的整数倍"):
        check_score(typed, criterion)


@pytest.mark.parametrize(("typed", "criterion", "stored"), [
    ("35.5", CONTENT, D("35.5")), (" 35.50 ", CONTENT, D("35.5")), ("40", CONTENT, D("40.0")),
    ("0", CONTENT, D("0.0")), ("-0", CONTENT, D("0.0")), ("4E1", CONTENT, D("40.0")),
    ("19.99", FINE, D("19.99")), ("0.01", FINE, D("0.01")), (D("12.3"), CONTENT, D("12.3")),
    (38, CONTENT, D("38.0")), ("３５.５", CONTENT, D("35.5")),
])
def test_valid_scores_come_back_as_decimals_on_the_step(typed, criterion, stored):
    value = check_score(typed, criterion)
    assert value == stored and str(value) == str(stored)


def test_a_float_is_a_programming_error_not_a_score():
    with pytest.raises(TypeError):
        check_score(35.5, CONTENT)
    with pytest.raises(TypeError):
        check_score(True, CONTENT)


def test_outside_the_soft_range_needs_a_second_confirmation():
    with pytest.raises(NeedsConfirmation) as asked:
        check_score("29.6", SOFT)
    assert asked.value.message == "语言表达为 29.6 分，超出常用范围 18–29.5，请再次确认并填写说明"
    assert asked.value.field == "语言表达"
    with pytest.raises(NeedsConfirmation):
        check_score("17.9", SOFT)
    assert check_score("29.6", SOFT, confirmed=True) == D("29.6")
    assert check_score("18", SOFT) == D("18.0") and check_score("29.5", SOFT) == D("29.5")
    with pytest.raises(Problem, match="应在 0 至 30 分之间"):  # confirming never lifts the hard range
        check_score("30.1", SOFT, confirmed=True)


# ---------------------------------------------------------------- a sheet

def test_a_sheet_reports_every_problem_at_once_and_keeps_nothing_half_checked():
    with pytest.raises(SheetProblem) as refused:
        check_sheet({"演讲内容": "", "语言表达": "31", "形象风度": "9.5", "口才": "5"}, default_criteria())
    problems = {(problem.field, problem.message) for problem in refused.value.problems}
    assert problems == {
        (None, "评分表中没有“口才”这一项"),
        ("演讲内容", "请填写演讲内容"),
        ("语言表达", "语言表达应在 0 至 30 分之间"),
        ("综合印象", "请填写综合印象"),
    }


def test_a_soft_range_score_counts_only_with_a_note():
    criteria = (CONTENT, SOFT)
    with pytest.raises(SheetProblem) as refused:
        check_sheet({"演讲内容": "36", "语言表达": "10"}, criteria, notes={"语言表达": "  "})
    assert isinstance(refused.value.problems[0], NeedsConfirmation)
    scores = check_sheet({"演讲内容": "36", "语言表达": "10"}, criteria, notes={"语言表达": "跑题，表达不清"})
    assert scores == {"演讲内容": D(36), "语言表达": D(10)}
    assert sheet_total(scores) == D(46)


def test_the_default_sheet_is_the_speech_sheet_out_of_100():
    criteria = validate_criteria(default_criteria())
    assert [(c.name, c.maximum) for c in criteria] == [
        ("演讲内容", 40), ("语言表达", 30), ("形象风度", 10), ("综合印象", 20)]
    assert sum(c.maximum for c in criteria) == 100


@pytest.mark.parametrize(("criteria", "message"), [
    ((), "评分表至少要有一个评分项"),
    ((CONTENT, Criterion("演讲内容", D(10))), "评分项“演讲内容”重复"),
    ((Criterion("内容", D(40), step=D("0.5")),), "“内容”的分值步长须为 0.1 或 0.01"),
    ((Criterion("内容", D("40.05")),), "“内容”的满分须大于 0，且为步长的整数倍"),
    ((Criterion("内容", D(0)),), "“内容”的满分须大于 0，且为步长的整数倍"),
    ((Criterion("内容", D(40), soft_maximum=D(41)),), "“内容”的常用范围须在 0 至满分之间"),
    ((Criterion("内容", D(40), soft_minimum=D(30), soft_maximum=D(20)),), "“内容”的常用范围下限不能高于上限"),
])
def test_a_badly_configured_sheet_is_refused(criteria, message):
    with pytest.raises(Problem) as refused:
        validate_criteria(criteria)
    assert refused.value.message == message


def test_messages_follow_the_users_language(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        with pytest.raises(Problem) as blank:
            check_score("", default_criteria()[0])
        with pytest.raises(Problem) as off_step:
            check_score("20.05", default_criteria()[1])
        assert (blank.value.message, off_step.value.message) == (
            "Please fill in 演讲内容", "语言表达 must be a multiple of 0.1")  # criterion names are data, never translated
        assert overtime_deduction(11).reason == "Overtime 11 s"


# ---------------------------------------------------------------- deductions

@pytest.mark.parametrize(("over", "points"), [
    (0, None), (9, None), (10, None), (D("10.0"), None),  # the grace period: up to 10 s over costs nothing
    (D("10.5"), D("0.2")), (11, D("0.2")), (29, D("0.2")), (D("29.9"), D("0.2")),
    (30, D("0.5")), (31, D("0.5")), (300, D("0.5")),
])
def test_overtime_follows_the_default_threshold_table(over, points):
    deduction = overtime_deduction(over)
    if points is None:
        assert deduction is None
    else:
        assert (deduction.points, deduction.kind, deduction.reason) == (points, "overtime", f"超时 {over} 秒")


def test_overtime_is_measured_against_the_limit():
    assert overtime_seconds(490, 480) == 10 and overtime_deduction(overtime_seconds(490, 480)) is None
    assert overtime_seconds(491, 480) == 11 and overtime_deduction(overtime_seconds(491, 480)).points == D("0.2")
    assert overtime_seconds(450, 480) == 0  # finishing early is not negative overtime


def test_a_custom_table_and_its_checks():
    table = (OvertimeBand(D(0), D("0.1")), OvertimeBand(D(15), D("0.3"), inclusive=True))
    assert overtime_deduction(0, table) is None
    assert overtime_deduction(1, table).points == D("0.1")
    assert overtime_deduction(15, table).points == D("0.3")
    for bad in ((OvertimeBand(D(10), D("0.5")), OvertimeBand(D(30), D("0.2"))),
                (OvertimeBand(D(30), D("0.2")), OvertimeBand(D(10), D("0.5"))),
                (OvertimeBand(D(10), D("0.005")),), (OvertimeBand(D(-1), D("0.2")),)):
        with pytest.raises(Problem):
            overtime_deduction(20, bad)
    with pytest.raises(Problem, match="超时秒数不能为负数"):
        overtime_deduction(-1)
    assert DEFAULT_OVERTIME[0].seconds == 10


def test_a_manual_deduction_needs_a_reason_and_positive_points_on_the_step():
    deduction = manual_deduction(D("0.3"), "  使用道具  ")
    assert (deduction.points, deduction.reason, deduction.kind) == (D("0.3"), "使用道具", "manual")
    with pytest.raises(Problem) as refused:
        manual_deduction(D("0.3"), "   ")
    assert (refused.value.message, refused.value.field) == ("请填写扣分原因", "reason")
    for points in (D(0), D("-0.2"), D("0.005")):
        with pytest.raises(Problem, match="扣分须大于 0"):
            manual_deduction(points, "使用道具")
    with pytest.raises(Problem, match="不能超过 200 个字"):
        manual_deduction(D("0.1"), "长" * 201)
    with pytest.raises(TypeError):
        manual_deduction(0.3, "float")
    assert total_deduction([deduction, overtime_deduction(30)]) == D("0.8")
