"""Concurrent requests settled by the database: one attempt, one score, the newest answer.

These run on SQLite (writes queue on the IMMEDIATE lock) and on PostgreSQL (row locks and unique
constraints), where they matter most: TEST_DATABASE_URL=postgresql+psycopg://… pytest tests/quizzes.
"""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.common import clock
from app.extensions import db
from quizzes.models import Attempt, AttemptItem, Quiz
from quizzes.services import attempts as engine
from tests.quizzes.engine_helpers import displayed_key, fresh, items_of


@pytest.fixture
def quiz(make_quiz, stock_bank):
    bank = stock_bank()
    return make_quiz(banks=[bank], rules=[("single", 4, 2), ("judge", 2, 1)], time_limit_seconds=900,
                     attempts_allowed=2)


def test_two_starts_at_once_make_one_attempt(run_concurrently, quiz, make_member):
    member_id, quiz_id = make_member().id, quiz.id

    def begin(_index):
        attempt = engine.start_attempt(db.session.get(Quiz, quiz_id), db.session.get(User, member_id))
        db.session.commit()
        return attempt.id

    db.session.commit()  # end this thread's transaction (on SQLite it would hold the write lock)
    results = run_concurrently(begin, 2)

    assert all(isinstance(result, int) for result in results), results
    assert results[0] == results[1]
    assert db.session.scalar(sa.select(sa.func.count(Attempt.id))) == 1
    assert len(items_of(results[0])) == 6


def test_many_starts_at_once_still_make_one_attempt(run_concurrently, quiz, make_member):
    member_id, quiz_id = make_member().id, quiz.id

    def begin(_index):
        attempt = engine.start_attempt(db.session.get(Quiz, quiz_id), db.session.get(User, member_id))
        db.session.commit()
        return attempt.id

    db.session.commit()  # end this thread's transaction (on SQLite it would hold the write lock)
    results = run_concurrently(begin, 8)

    assert len(set(results)) == 1 and isinstance(results[0], int), results
    assert db.session.scalar(sa.select(sa.func.count(Attempt.id))) == 1


def test_two_submits_at_once_score_once(run_concurrently, quiz, make_member):
    member = make_member()
    attempt = engine.start_attempt(quiz, member)
    db.session.commit()
    attempt_id, member_id = attempt.id, member.id
    for seq, item in enumerate(items_of(attempt_id), start=1):
        engine.save_answer(attempt_id, member_id, item.position, displayed_key(item), seq)
    db.session.commit()

    def finish(index):
        done = engine.submit_attempt(attempt_id, reason="member" if index == 0 else "timeout")
        db.session.commit()
        return done.score, done.submitted_at, done.submit_reason

    db.session.commit()  # end this thread's transaction (on SQLite it would hold the write lock)
    results = run_concurrently(finish, 2)

    assert results[0] == results[1], results
    assert results[0][0] == 4 * 2 + 2
    attempt = fresh(attempt_id)
    assert (attempt.score, attempt.open_slot) == (10, None)


def test_submit_racing_the_sweeper_scores_once(run_concurrently, quiz, make_member):
    member = make_member()
    attempt = engine.start_attempt(quiz, member)
    db.session.commit()
    attempt_id = attempt.id
    later = attempt.deadline_at + timedelta(seconds=engine.GRACE_SECONDS + 5)

    def race(index):
        if index == 0:
            engine.finalize_expired(now=later)
        else:
            engine.submit_attempt(attempt_id, now=later)
        db.session.commit()
        return fresh(attempt_id).submitted_at

    db.session.commit()  # end this thread's transaction (on SQLite it would hold the write lock)
    results = run_concurrently(race, 2)

    assert results[0] == results[1] == fresh(attempt_id).deadline_at, results


def test_twenty_saves_of_one_position_keep_the_highest_seq(run_concurrently, quiz, make_member):
    member = make_member()
    attempt = engine.start_attempt(quiz, member)
    db.session.commit()
    attempt_id, member_id = attempt.id, member.id
    letters = "ABCD"

    def save(index):
        seq = index + 1
        outcome = engine.save_answer(attempt_id, member_id, 1, letters[seq % 4], seq)
        db.session.commit()
        return outcome

    db.session.commit()  # end this thread's transaction (on SQLite it would hold the write lock)
    results = run_concurrently(save, 20)

    assert not [result for result in results if isinstance(result, Exception)], results
    rows = db.session.execute(sa.select(AttemptItem.position, AttemptItem.response_seq)
                              .where(AttemptItem.attempt_id == attempt_id).order_by(AttemptItem.position)).all()
    assert [row.position for row in rows] == [1, 2, 3, 4, 5, 6]  # exactly one row per position
    assert rows[0].response_seq == 20
    item = items_of(attempt_id)[0]
    assert item.response == "ABCD"[item.option_order["ABCD".index(letters[20 % 4])]]


def test_a_save_racing_the_submit_is_either_scored_or_refused(run_concurrently, quiz, make_member):
    member = make_member()
    attempt = engine.start_attempt(quiz, member)
    db.session.commit()
    attempt_id, member_id = attempt.id, member.id
    first = items_of(attempt_id)[0]
    key, position = displayed_key(first), first.position

    def race(index):
        if index == 0:
            done = engine.submit_attempt(attempt_id)
            db.session.commit()
            return done.score
        try:
            engine.save_answer(attempt_id, member_id, position, key, 1)
            db.session.commit()
            return "saved"
        except engine.AnswerRejected as refused:
            db.session.rollback()
            return refused.status

    db.session.commit()  # end this thread's transaction (on SQLite it would hold the write lock)
    score, saved = run_concurrently(race, 2)

    item = items_of(attempt_id)[0]
    # Never an answer stored after scoring: either it was saved first and scored, or refused (409).
    if saved == "saved":
        assert item.response is not None and score == 2 and item.awarded == 2
    else:
        assert saved == 409 and item.response is None and score == 0


def test_second_attempt_started_twice_at_once(run_concurrently, quiz, make_member):
    member = make_member()
    first = engine.start_attempt(quiz, member)
    db.session.commit()
    with clock.frozen_at(clock.utcnow()):
        engine.submit_attempt(first.id)
        db.session.commit()
    member_id, quiz_id = member.id, quiz.id

    def begin(_index):
        attempt = engine.start_attempt(db.session.get(Quiz, quiz_id), db.session.get(User, member_id))
        db.session.commit()
        return attempt.number

    db.session.commit()  # end this thread's transaction (on SQLite it would hold the write lock)
    assert run_concurrently(begin, 4) == [2, 2, 2, 2]
    assert db.session.scalar(sa.select(sa.func.count(Attempt.id))) == 2
