"""Quiz factories: make_bank(), make_question(bank, "single", …), make_quiz(rules=…|fixed=…), stock_bank(…);
the stopped quiz clock (quiz_clock, at tests.support.QUIZ_START)."""
import hashlib
import itertools
from datetime import timedelta

import pytest

from app.common import clock
from app.common.text import fold
from app.extensions import db
from quizzes.models import FixedPaperItem, PaperRule, Question, QuestionBank, Quiz
from tests.quizzes.engine_helpers import SECRET_EXPLANATION, SECRET_FILL_KEY
from tests.support import QUIZ_START

_numbers = itertools.count(1)

DEFAULT_KEYS = {"single": "A", "multiple": ["A", "C"], "judge": True, "fill": [["答案", "答 案"]]}


@pytest.fixture
def make_bank(app):
    def factory(name: str | None = None) -> QuestionBank:
        bank = QuestionBank(name=name or f"题库{next(_numbers)}")
        db.session.add(bank)
        db.session.commit()
        return bank

    return factory


@pytest.fixture
def make_question(app):
    def factory(bank: QuestionBank, question_type: str = "single", *, stem: str | None = None, answer=None,
                options=None, points: float = 1.0, category: str = "", difficulty: str = "",
                explanation: str = "", is_active: bool = True) -> Question:
        stem = stem or f"第{next(_numbers)}题：{question_type}题干"
        if options is None:
            options = ["选项一", "选项二", "选项三", "选项四"] if question_type in ("single", "multiple") else []
        question = Question(
            bank_id=bank.id, question_type=question_type, stem=stem,
            stem_digest=hashlib.sha256(fold(stem).encode()).hexdigest(),
            options=options, answer=DEFAULT_KEYS[question_type] if answer is None else answer,
            points=points, category=category, difficulty=difficulty, explanation=explanation,
            is_active=is_active,
        )
        db.session.add(question)
        db.session.commit()
        return question

    return factory


@pytest.fixture
def make_quiz(app, make_campaign):
    def factory(*, banks=(), rules=(), fixed=(), campaign=None, opens_in: timedelta = timedelta(hours=-1),
                open_for: timedelta = timedelta(days=7), eligible_units=(), published: bool = True,
                **settings) -> Quiz:
        """rules: [(type, count, points_each[, category])]; fixed: [(question, points)]."""
        now = clock.utcnow()
        quiz = Quiz(
            campaign_id=(campaign or make_campaign()).id, title=settings.pop("title", f"测试竞赛{next(_numbers)}"),
            opens_at=now + opens_in, closes_at=now + opens_in + open_for,
            paper_mode="fixed" if fixed else "random", is_published=published, **settings,
        )
        quiz.banks = list(banks)
        quiz.eligible_units = list(eligible_units)
        quiz.rules = [
            PaperRule(position=index, question_type=rule[0], count=rule[1], points_each=rule[2],
                      category=rule[3] if len(rule) > 3 else "")
            for index, rule in enumerate(rules, start=1)
        ]
        quiz.fixed_items = [
            FixedPaperItem(position=index, question_id=question.id, points=points)
            for index, (question, points) in enumerate(fixed, start=1)
        ]
        db.session.add(quiz)
        db.session.commit()
        return quiz

    return factory


@pytest.fixture
def quiz_clock():
    """The clock stopped at QUIZ_START for the whole test; tests step to other moments with frozen_at."""
    with clock.frozen_at(QUIZ_START):
        yield QUIZ_START


@pytest.fixture
def stock_bank(make_bank, make_question):
    """stock_bank(singles=6, multiples=3, judges=3, fills=2, category="党史") -> a bank of every type whose
    explanations and fill keys carry recognisable secrets (SECRET_EXPLANATION, SECRET_FILL_KEY)."""

    def factory(*, singles=6, multiples=3, judges=3, fills=2, category="党史") -> QuestionBank:
        bank = make_bank()
        for index in range(singles):
            make_question(bank, "single", answer="B", category=category if index % 2 == 0 else "理论",
                          explanation=f"{SECRET_EXPLANATION}-单{index}")
        for index in range(multiples):
            make_question(bank, "multiple", answer=["A", "C"], explanation=f"{SECRET_EXPLANATION}-多{index}")
        for index in range(judges):
            make_question(bank, "judge", answer=index % 2 == 0, explanation=f"{SECRET_EXPLANATION}-判{index}")
        for index in range(fills):
            make_question(bank, "fill", answer=[[f"{SECRET_FILL_KEY}{index}", "备选"], ["第二空"]],
                          explanation=f"{SECRET_EXPLANATION}-填{index}")
        return bank

    return factory
