"""Paper assembly: seeded draws, rules checked against the banks, option order, displayed letters."""
import pytest

from app.extensions import db
from quizzes.services.papers import (
    PaperError,
    RuleSpec,
    assemble_paper,
    rule_problems,
    to_displayed,
    to_original,
    validate_rules,
)


def fingerprint(paper):
    return [(entry.question.id, entry.points, tuple(entry.option_order)) for entry in paper]


@pytest.fixture
def bank(stock_bank):
    return stock_bank(singles=12, multiples=6, judges=6, fills=3)


def test_same_seed_gives_the_same_paper_and_other_seeds_differ(make_quiz, bank):
    quiz = make_quiz(banks=[bank], rules=[("single", 5, 2), ("multiple", 3, 4), ("judge", 4, 1)])

    first = assemble_paper(quiz, 12345)
    db.session.expire_all()  # a later request, a fresh session: the same seed still gives the same paper

    assert fingerprint(assemble_paper(quiz, 12345)) == fingerprint(first)
    assert len({tuple(fingerprint(assemble_paper(quiz, seed))) for seed in range(1, 12)}) > 1


def test_rules_draw_their_counts_types_points_and_no_repeats(make_quiz, bank):
    quiz = make_quiz(banks=[bank], rules=[("single", 3, 2, "党史"), ("single", 4, 1), ("judge", 2, 5)])

    for seed in range(30):
        paper = assemble_paper(quiz, seed)
        ids = [entry.question.id for entry in paper]
        assert len(ids) == len(set(ids)) == 9
        history = [entry for entry in paper if entry.points == 2]
        assert len(history) == 3 and all(entry.question.category == "党史" for entry in history)
        assert [entry.question.question_type for entry in paper] == ["single"] * 7 + ["judge"] * 2


def test_inactive_questions_are_never_drawn(make_quiz, make_bank, make_question):
    bank = make_bank()
    active = [make_question(bank, "single") for _ in range(3)]
    make_question(bank, "single", is_active=False)
    quiz = make_quiz(banks=[bank], rules=[("single", 3, 1)])

    for seed in range(20):
        assert {entry.question.id for entry in assemble_paper(quiz, seed)} == {q.id for q in active}


def test_options_are_shuffled_per_item_only_for_choice_questions(make_quiz, bank):
    quiz = make_quiz(banks=[bank], rules=[("single", 6, 1), ("multiple", 3, 1), ("judge", 2, 1), ("fill", 2, 1)],
                     shuffle_options=True)
    orders = []
    for seed in range(10):
        for entry in assemble_paper(quiz, seed):
            if entry.question.question_type in ("single", "multiple"):
                assert sorted(entry.option_order) == [0, 1, 2, 3]
                orders.append(tuple(entry.option_order))
            else:
                assert entry.option_order == []
    assert len(set(orders)) > 1

    quiz.shuffle_options = False
    for entry in assemble_paper(quiz, 7):
        if entry.question.question_type in ("single", "multiple"):
            assert entry.option_order == [0, 1, 2, 3]


def test_shuffled_questions_keep_type_sections_together(make_quiz, bank):
    quiz = make_quiz(banks=[bank], rules=[("single", 6, 1), ("judge", 4, 1), ("fill", 2, 1)],
                     shuffle_questions=True)
    orders = set()
    for seed in range(15):
        paper = assemble_paper(quiz, seed)
        assert [e.question.question_type for e in paper] == ["single"] * 6 + ["judge"] * 4 + ["fill"] * 2
        orders.add(tuple(e.question.id for e in paper))
    assert len(orders) > 1


def test_fixed_paper_keeps_the_chosen_order_and_points(make_quiz, make_bank, make_question):
    bank = make_bank()
    questions = [make_question(bank, kind) for kind in ("judge", "single", "fill", "multiple")]
    quiz = make_quiz(banks=[bank], fixed=[(q, points) for q, points in zip(questions, (1, 2, 3, 4), strict=True)],
                     shuffle_questions=False, shuffle_options=False)

    paper = assemble_paper(quiz, 99)

    assert [(e.question.id, e.points) for e in paper] == [(q.id, p) for q, p in zip(questions, (1, 2, 3, 4), strict=True)]
    assert validate_rules(quiz) == []


def test_a_rule_asking_for_more_than_the_banks_hold_is_refused_with_the_counts(make_quiz, bank):
    problems = rule_problems([bank.id], [RuleSpec("single", 10, 1, category="党史"), RuleSpec("fill", 2, 1)])

    assert len(problems) == 1
    assert "10" in problems[0] and "6" in problems[0] and "党史" in problems[0]

    quiz = make_quiz(banks=[bank], rules=[("multiple", 7, 1)])
    assert validate_rules(quiz) and "6" in validate_rules(quiz)[0]
    with pytest.raises(PaperError):
        assemble_paper(quiz, 1)


def test_overlapping_rules_are_checked_together(bank):
    # 12 singles, 6 of them 党史: "5 党史" + "8 any single" needs 13 distinct singles.
    problems = rule_problems([bank.id], [RuleSpec("single", 5, 1, category="党史"), RuleSpec("single", 8, 1)])

    assert problems and "13" in problems[0] and "12" in problems[0]
    assert rule_problems([bank.id], [RuleSpec("single", 5, 1, category="党史"), RuleSpec("single", 7, 1)]) == []


def test_crossing_rules_are_always_drawn_when_they_fit(make_quiz, make_bank, make_question):
    bank = make_bank()
    both = make_question(bank, "single", category="党史", difficulty="难")
    history = make_question(bank, "single", category="党史", difficulty="易")
    hard = make_question(bank, "single", category="理论", difficulty="难")
    quiz = make_quiz(banks=[bank], rules=[])
    quiz.rules = []
    from quizzes.models import PaperRule

    quiz.rules = [PaperRule(position=1, question_type="single", category="党史", count=1, points_each=1),
                  PaperRule(position=2, question_type="single", difficulty="难", count=2, points_each=1)]
    db.session.commit()

    assert validate_rules(quiz) == []
    for seed in range(40):
        paper = assemble_paper(quiz, seed)
        assert {entry.question.id for entry in paper} == {both.id, history.id, hard.id}


def test_empty_setups_are_explained(make_quiz, make_bank):
    assert rule_problems([], [RuleSpec("single", 1, 1)])
    assert rule_problems([make_bank().id], [])
    assert validate_rules(make_quiz(banks=[], rules=[], fixed=[]))


def test_displayed_letters_map_back_to_the_original_ones():
    order = [2, 0, 3, 1]  # displayed A shows original C, B shows A, …
    assert to_original("single", "A", order) == "C"
    assert to_original("multiple", ["A", "D"], order) == ["B", "C"]
    assert to_displayed("multiple", ["B", "C"], order) == ["A", "D"]
    assert to_displayed("single", "C", order) == "A"
    assert to_original("judge", True, []) is True
    assert to_original("fill", ["x"], []) == ["x"]
