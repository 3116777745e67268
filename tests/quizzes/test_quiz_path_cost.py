"""The quiz path's cost per request: statements per request kind, whatever the size of the paper.

Speed itself is measured by bench/profile_requests.py; these catch the regressions that make it slow
(a query per question, the ORM flushing per answer, a report that writes).
"""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.common import clock
from app.extensions import db
from quizzes.models import Attempt, Quiz
from quizzes.services import question_stats, reports
from tests.support import QUIZ_START

T0 = QUIZ_START  # 10:00 in Shanghai


pytestmark = pytest.mark.usefixtures("quiz_clock")


@pytest.fixture
def bank(stock_bank):
    return stock_bank(singles=12, fills=2)


@pytest.fixture
def small_and_large(make_quiz, bank):
    """A two-question paper and a sixteen-question one: (id, title) of each."""
    quizzes = (make_quiz(banks=[bank], rules=[("single", 2, 5)], title="小卷"),
               make_quiz(banks=[bank], rules=[("single", 12, 5), ("fill", 2, 5), ("judge", 2, 5)], title="大卷"))
    return [(quiz.id, quiz.title) for quiz in quizzes]


def _work(counter) -> list[str]:
    """The statements a request ran, without the transaction's BEGIN and the signed-in user's load."""
    return [sql for sql in counter.statements
            if not sql.lstrip().upper().startswith("BEGIN") and "FROM users" not in sql]


def _start(phone, quiz_id: int) -> int:
    response = phone.post(f"/quizzes/{quiz_id}/start")
    assert response.status_code == 302
    db.session.expunge_all()  # each request begins with an empty session, as when served
    return int(response.location.rstrip("/").split("/")[-1])


def test_an_autosave_runs_two_statements_after_the_user_load(client_for, make_member, small_and_large,
                                                              count_queries):
    phone = client_for(make_member())
    attempt_id = _start(phone, small_and_large[1][0])

    with count_queries() as counter:
        response = phone.post(f"/quizzes/attempts/{attempt_id}/answers", json={"position": 1, "response": "A", "seq": 1})

    assert response.get_json()["saved"] is True
    assert len(_work(counter)) <= 2, _work(counter)


def test_the_answering_page_costs_the_same_statements_for_2_or_16_questions(client_for, make_member,
                                                                            small_and_large, count_queries):
    phone = client_for(make_member())
    counts = []
    for quiz_id, title in small_and_large:
        attempt_id = _start(phone, quiz_id)
        with count_queries() as counter:
            page = phone.get(f"/quizzes/attempts/{attempt_id}")
        assert page.status_code == 200 and title in page.get_data(as_text=True)
        counts.append(len(_work(counter)))
        db.session.expunge_all()

    assert counts[0] == counts[1] <= 2, counts


def test_submitting_costs_the_same_statements_for_2_or_16_questions(client_for, make_member, small_and_large,
                                                                    count_queries):
    phone = client_for(make_member())
    counts, _statements = [], []
    for quiz_id, _title in small_and_large:
        attempt_id = _start(phone, quiz_id)
        with count_queries() as counter:
            response = phone.post(f"/quizzes/attempts/{attempt_id}/submit", json={})
        assert response.get_json()["submitted"] is True
        counts.append(len(_work(counter)))
        _statements.append(_work(counter))
        db.session.expunge_all()

    # The attempt locked with its quiz, the paper marked, the marks stored, the attempt closed: nothing
    # read twice, no lazy load of the quiz, no unit-of-work flush.
    assert counts[0] == counts[1] <= 4, _statements
    db.session.expire_all()
    attempt = db.session.get(Attempt, attempt_id)
    assert attempt.score == 0 and attempt.max_score == 80 and all(item.awarded == 0 for item in attempt.items)


def test_reading_progress_and_statistics_writes_nothing(client_for, make_member, small_and_large, count_queries,
                                                        organiser_client):
    phone = client_for(make_member())
    attempt_id = _start(phone, small_and_large[0][0])
    quiz = db.session.get(Quiz, small_and_large[0][0])
    later = T0 + timedelta(seconds=quiz.time_limit_seconds + 600)  # its time ran out long ago

    with clock.frozen_at(later):
        with count_queries() as counter:
            figures = reports.progress(quiz)
            reports.absentees(quiz)
            reports.unit_statistics(quiz)
            question_stats.question_statistics(quiz)
        assert figures.attempts_open == 1 and figures.attempts_submitted == 0
        assert not [sql for sql in counter.statements if sql.lstrip().upper().startswith(("UPDATE", "INSERT"))]
        assert db.session.get(Attempt, attempt_id).submitted_at is None

        # The page settles it first, once, at the edge of the request.
        assert organiser_client.get(f"/quizzes/manage/{quiz.id}/progress").status_code == 200
        db.session.expire_all()
        attempt = db.session.get(Attempt, attempt_id)
        assert attempt.submitted_at is not None and attempt.submit_reason == "timeout"


def _after_last_write(counter) -> list[str]:
    writes = [index for index, sql in enumerate(counter.statements)
              if sql.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    return [sql for sql in counter.statements[writes[-1] + 1:] if not sql.upper().startswith("RELEASE SAVEPOINT")]


def test_start_and_submit_read_nothing_again_after_their_commit(client_for, make_member, small_and_large,
                                                                count_queries):
    """A reload after the commit would begin a second transaction (on SQLite: take the write lock again)."""
    phone = client_for(make_member())
    with count_queries() as started:
        response = phone.post(f"/quizzes/{small_and_large[1][0]}/start")
    assert response.status_code == 302
    attempt_id = int(response.location.rstrip("/").split("/")[-1])
    db.session.expunge_all()
    with count_queries() as submitted:
        assert phone.post(f"/quizzes/attempts/{attempt_id}/submit", json={}).get_json()["submitted"] is True

    assert _after_last_write(started) == [] and _after_last_write(submitted) == []


def test_starting_costs_seven_statements_for_2_or_16_questions(client_for, make_member, small_and_large,
                                                               count_queries):
    """The quiz with its eligibility (units and parents at once), the member's attempts (open one, numbering and
    anything to settle), the rules, the pool (with the banks), the questions, the attempt, its items."""
    counts = []
    for quiz_id, _title in small_and_large:
        phone = client_for(make_member())
        with count_queries() as counter:
            assert phone.post(f"/quizzes/{quiz_id}/start").status_code == 302
        counts.append(_work(counter))
        db.session.expunge_all()

    assert len(counts[0]) == len(counts[1]) <= 7, counts[1]
    assert not [sql for sql in counts[1] if "SAVEPOINT" in sql.upper()]


def test_starting_builds_no_question_rule_or_attempt_from_orm_rows(client_for, make_member, small_and_large):
    """The paper is drawn from plain rows (issue 10: building ORM objects was most of a start's CPU)."""
    from quizzes.models import AttemptItem, PaperRule, Question

    phone = client_for(make_member())
    quiz_id = small_and_large[1][0]
    db.session.expunge_all()
    built = []

    def note(instance, _context):
        built.append(type(instance).__name__)

    models = (Question, PaperRule, AttemptItem, Attempt)
    for model in models:
        sa.event.listen(model, "load", note)
    try:
        response = phone.post(f"/quizzes/{quiz_id}/start")
    finally:
        for model in models:
            sa.event.remove(model, "load", note)

    assert response.status_code == 302 and built == [], built
    attempt_id = int(response.location.rstrip("/").split("/")[-1])
    items = db.session.scalars(sa.select(AttemptItem).where(AttemptItem.attempt_id == attempt_id)).all()
    assert len(items) == 16 and all(item.stem and item.answer is not None for item in items)
