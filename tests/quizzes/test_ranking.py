"""Ranking: which attempt counts, the order, shared ranks, and a constant number of queries."""
from datetime import timedelta

import pytest

from app.common import clock
from app.extensions import db
from quizzes.models import Attempt
from quizzes.services.ranking import counted_attempts, leaderboard, rank_of
from tests.quizzes.results_helpers import quick_members, record_attempt


@pytest.fixture
def quiz(make_quiz, make_bank, make_question):
    bank = make_bank()
    for _ in range(3):
        make_question(bank, "single")
    return make_quiz(banks=[bank], rules=[("single", 3, 10)], attempts_allowed=3)


def ranked(quiz, **kwargs):
    return [(row.rank, row.name, row.score) for row in leaderboard(quiz, **kwargs)]


def test_best_attempt_counts_highest_score_then_shorter_time_then_earlier(quiz, make_member):
    now = clock.utcnow()
    ann = make_member(name="安")
    record_attempt(quiz, ann, score=60, time_used=100, submitted_at=now - timedelta(minutes=50))
    best = record_attempt(quiz, ann, score=80, time_used=300, submitted_at=now - timedelta(minutes=40))
    record_attempt(quiz, ann, score=70, time_used=50, submitted_at=now - timedelta(minutes=30))
    bo = make_member(name="博")
    record_attempt(quiz, bo, score=90, time_used=500, submitted_at=now - timedelta(minutes=50))
    quicker = record_attempt(quiz, bo, score=90, time_used=400, submitted_at=now - timedelta(minutes=40))
    cai = make_member(name="蔡")
    earlier = record_attempt(quiz, cai, score=50, time_used=200, submitted_at=now - timedelta(minutes=50))
    record_attempt(quiz, cai, score=50, time_used=200, submitted_at=now - timedelta(minutes=10))

    counted = {attempt.user_id: attempt.id for attempt in counted_attempts(quiz)}

    assert counted == {ann.id: best.id, bo.id: quicker.id, cai.id: earlier.id}
    assert ranked(quiz) == [(1, "博", 90), (2, "安", 80), (3, "蔡", 50)]


def test_latest_attempt_counts_even_when_lower(quiz, make_member):
    quiz.counting = "latest"
    db.session.commit()
    now = clock.utcnow()
    ann = make_member(name="安")
    record_attempt(quiz, ann, score=90, submitted_at=now - timedelta(minutes=30))
    latest = record_attempt(quiz, ann, score=40, submitted_at=now - timedelta(minutes=5))

    assert [attempt.id for attempt in counted_attempts(quiz)] == [latest.id]
    assert ranked(quiz) == [(1, "安", 40)]


def test_order_is_score_then_time_then_submission_and_full_ties_share_a_rank(quiz, make_member):
    moment = clock.utcnow() - timedelta(minutes=5)
    people = {name: make_member(name=name) for name in "甲乙丙丁戊"}
    record_attempt(quiz, people["甲"], score=80, time_used=300, submitted_at=moment)
    record_attempt(quiz, people["乙"], score=80, time_used=300, submitted_at=moment)  # tie with 甲
    record_attempt(quiz, people["丙"], score=80, time_used=300, submitted_at=moment + timedelta(seconds=1))
    record_attempt(quiz, people["丁"], score=80, time_used=200, submitted_at=moment + timedelta(minutes=1))
    record_attempt(quiz, people["戊"], score=95, time_used=900, submitted_at=moment + timedelta(minutes=2))

    rows = leaderboard(quiz)

    assert [(row.rank, row.name) for row in rows][:1] == [(1, "戊")]
    assert rows[1].name == "丁" and rows[1].rank == 2
    assert {(row.rank, row.name) for row in rows[2:4]} == {(3, "甲"), (3, "乙")}
    assert (rows[4].rank, rows[4].name) == (5, "丙")


def _answering_and_forgotten(quiz, make_member):
    """One member answering now, one who started long ago, answered everything right and never submitted."""
    questions = quiz.banks[0].questions
    now = clock.utcnow()
    answering = make_member(name="答题中")
    record_attempt(quiz, answering, submitted=False, started_at=now - timedelta(minutes=1),
                   answers=[(question, "A") for question in questions])
    forgot = make_member(name="忘交卷")
    record_attempt(quiz, forgot, submitted=False, started_at=now - timedelta(seconds=quiz.time_limit_seconds + 60),
                   answers=[(question, "A") for question in questions])
    return answering, forgot


def test_the_ranking_page_submits_expired_attempts_first_and_open_ones_do_not_rank(quiz, make_member, organiser_client):
    answering, _forgot = _answering_and_forgotten(quiz, make_member)

    page = organiser_client.get(f"/quizzes/manage/{quiz.id}/leaderboard").get_data(as_text=True)

    assert "忘交卷" in page and "答题中" not in page
    rows = leaderboard(quiz)
    assert [(row.name, row.score, row.submit_reason) for row in rows] == [("忘交卷", 3.0, "timeout")]
    assert db.session.scalar(db.select(Attempt.submitted_at).where(Attempt.user_id == answering.id)) is None


def test_reading_the_ranking_writes_nothing(quiz, make_member, count_queries):
    """Reads stay read-only: an expired attempt is settled at the edge of a request, never by a report."""
    _answering, forgot = _answering_and_forgotten(quiz, make_member)
    db.session.commit()

    with count_queries() as counter:
        assert leaderboard(quiz) == [] and rank_of(quiz, forgot.id) is None and counted_attempts(quiz) == []

    assert not [sql for sql in counter.statements if sql.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))]
    assert db.session.scalar(db.select(Attempt.submitted_at).where(Attempt.user_id == forgot.id)) is None


def test_rank_of_gives_rank_and_total_or_none(quiz, make_member):
    first, second, outsider = make_member(), make_member(), make_member()
    record_attempt(quiz, first, score=90)
    record_attempt(quiz, second, score=30)

    assert rank_of(quiz, second.id) == (2, 2)
    assert rank_of(quiz, first.id) == (1, 2)
    assert rank_of(quiz, outsider.id) is None


def test_unit_filter_keeps_overall_rank_and_branches_roll_up(quiz, make_member, make_unit):
    city, county = make_unit("市委办"), make_unit("县委办")
    branch = make_unit("第一支部", parent=county)
    record_attempt(quiz, make_member(unit=city, name="市一"), score=90)
    record_attempt(quiz, make_member(unit=county, branch=branch, name="县一"), score=80)
    record_attempt(quiz, make_member(unit=branch, name="县二"), score=70)

    rows = leaderboard(quiz, unit_id=county.id)

    assert [(row.rank, row.name, row.unit_name) for row in rows] == [(2, "县一", "县委办"), (3, "县二", "县委办")]


def test_leaderboard_costs_the_same_queries_for_5_or_50_members(quiz, make_member, make_unit, count_queries):
    units = [make_unit() for _ in range(3)]
    for index, member in enumerate(quick_members(units, 10)):
        record_attempt(quiz, member, score=index // 2)  # pairs share a score
    with count_queries() as small:
        assert len(leaderboard(quiz)) == 10
        rank_of(quiz, 1)
    for index, member in enumerate(quick_members([*units, make_unit()], 40)):
        record_attempt(quiz, member, score=index % 7)
        record_attempt(quiz, member, score=index % 5)
    with count_queries() as large:
        assert len(leaderboard(quiz)) == 50
        rank_of(quiz, 1)

    assert large.count == small.count
    assert small.count <= 6


def test_leaderboard_page_does_not_grow_with_members(app, quiz, make_unit, make_staff, client_for, count_queries):
    organiser = client_for(make_staff("organiser"))
    units = [make_unit() for _ in range(2)]
    for index, member in enumerate(quick_members(units, 5)):
        record_attempt(quiz, member, score=index, leave_count=index % 2)
    with count_queries() as small:
        response = organiser.get(f"/quizzes/manage/{quiz.id}/leaderboard")
    assert response.status_code == 200
    more_units = [*units, *(make_unit() for _ in range(5))]
    for index, member in enumerate(quick_members(more_units, 45)):
        record_attempt(quiz, member, score=index, leave_count=index % 3)
    with count_queries() as large:
        response = organiser.get(f"/quizzes/manage/{quiz.id}/leaderboard")
    assert response.status_code == 200

    assert large.count == small.count


def test_results_of_attempts_made_through_the_engine(make_quiz, make_bank, make_question, make_member):
    from quizzes.services import attempts as engine
    from quizzes.services.question_stats import question_statistics

    bank = make_bank()
    single = make_question(bank, "single", answer="C")
    judge = make_question(bank, "judge", answer=False)
    quiz = make_quiz(fixed=[(single, 60), (judge, 40)], shuffle_options=True)
    ann, bo, cai = make_member(name="安"), make_member(name="博"), make_member(name="蔡")
    for member, judge_response in ((ann, False), (bo, True)):
        attempt = engine.start_attempt(quiz, member)
        db.session.commit()
        order = attempt.items[0].option_order
        shown_c = "ABCD"[order.index(2)]  # where the bank's C was shown to this member
        engine.save_answer(attempt.id, member.id, 1, shown_c, 1)
        engine.save_answer(attempt.id, member.id, 2, judge_response, 1)
        engine.submit_attempt(attempt.id)
        db.session.commit()
    engine.start_attempt(quiz, cai)  # started, nothing answered, not submitted
    db.session.commit()

    assert [(row.rank, row.name, row.score) for row in leaderboard(quiz)] == [(1, "安", 100), (2, "博", 60)]
    lines = {line.question.question_type: line for line in question_statistics(quiz)}
    assert [(option.label, option.count) for option in lines["single"].options] == [
        ("A", 0), ("B", 0), ("C", 2), ("D", 0)]
    assert (lines["judge"].shown, lines["judge"].correct) == (2, 1)


def test_rank_of_agrees_with_the_leaderboard_ties_included(quiz, make_member):
    moment = clock.utcnow() - timedelta(minutes=10)
    people = [make_member() for _ in range(5)]
    for person, (score, used, late) in zip(people, [(80, 300, 0), (80, 300, 0), (95, 900, 1), (80, 200, 2),
                                                    (10, 100, 3)], strict=True):
        record_attempt(quiz, person, score=score, time_used=used, submitted_at=moment + timedelta(seconds=late))

    rows = leaderboard(quiz)

    assert {row.user_id: (row.rank, len(rows)) for row in rows} == {person.id: rank_of(quiz, person.id)
                                                                     for person in people}
    assert sorted(rank for rank, _total in (rank_of(quiz, person.id) for person in people)) == [1, 2, 3, 3, 5]
