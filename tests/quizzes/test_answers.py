import pytest

from quizzes.services.answers import (
    AnswerNotationError,
    InvalidResponse,
    format_answer,
    normalise_response,
    parse_answer,
    score_response,
)


@pytest.mark.parametrize(
    ("question_type", "text", "expected"),
    [
        ("single", "b", "B"),
        ("single", " Ｃ ", "C"),
        ("multiple", "ABD", ["A", "B", "D"]),
        ("multiple", "A,B,D", ["A", "B", "D"]),
        ("multiple", "D、A", ["A", "D"]),
        ("judge", "对", True),
        ("judge", "错误", False),
        ("judge", "√", True),
        ("judge", "×", False),
        ("judge", "T", True),
        ("judge", "f", False),
        ("fill", "40/四十|高质量", [["40", "四十"], ["高质量"]]),
        ("fill", "新时代", [["新时代"]]),
    ],
)
def test_answers_are_read_as_people_write_them(app, question_type, text, expected):
    assert parse_answer(question_type, text, option_count=4) == expected


@pytest.mark.parametrize(
    ("question_type", "text"),
    [("single", "AB"), ("single", "E"), ("multiple", "A"), ("multiple", "AAB"), ("judge", "也许"),
     ("fill", "40||x"), ("single", "")],
)
def test_unreadable_answers_are_refused(app, question_type, text):
    with pytest.raises(AnswerNotationError):
        parse_answer(question_type, text, option_count=4)


@pytest.mark.parametrize(
    ("question_type", "text"),
    [("single", "B"), ("multiple", "ABD"), ("judge", "对"), ("judge", "错"), ("fill", "40/四十|高质量")],
)
def test_format_answer_round_trips(app, question_type, text):
    assert format_answer(question_type, parse_answer(question_type, text, 4)) == text


def test_single_and_judge_are_exact():
    assert score_response("single", "B", "B", 2).awarded == 2
    assert score_response("single", "B", "C", 2).awarded == 0
    assert score_response("judge", True, False, 1).is_correct is False
    assert score_response("judge", False, False, 1).is_correct is True
    assert score_response("single", "B", None, 2).awarded == 0


def test_multiple_is_all_or_nothing_unless_partial_credit():
    assert score_response("multiple", ["A", "B", "D"], ["A", "B", "D"], 4).awarded == 4
    assert score_response("multiple", ["A", "B", "D"], ["A", "B"], 4).awarded == 0
    partial = score_response("multiple", ["A", "B", "D"], ["A", "B"], 4, partial_credit=True)
    assert (partial.is_correct, partial.awarded) == (False, 2)
    # a wrong letter earns nothing even with partial credit
    assert score_response("multiple", ["A", "B", "D"], ["A", "C"], 4, partial_credit=True).awarded == 0


def test_fill_is_compared_trimmed_halfwidth_and_casefolded():
    key = [["40", "四十"], ["高质量", "high quality"]]
    assert score_response("fill", key, ["４０", " 高质量 "], 2).is_correct
    assert score_response("fill", key, ["四十", "HIGH  Quality"], 2).is_correct
    assert score_response("fill", key, ["40", "低质量"], 2).awarded == 0
    assert score_response("fill", key, ["40", "低质量"], 2, partial_credit=True).awarded == 1


def test_responses_from_the_browser_are_validated():
    assert normalise_response("multiple", ["D", "A"], 4, 0) == ["A", "D"]
    assert normalise_response("single", "", 4, 0) is None
    assert normalise_response("fill", [" x ", "y"], 0, 2) == ["x", "y"]
    for question_type, response in [("single", "Z"), ("single", 3), ("multiple", "AB"), ("judge", "对"),
                                    ("fill", ["only one"]), ("multiple", ["A", "H"])]:
        with pytest.raises(InvalidResponse):
            normalise_response(question_type, response, 4, 2)
