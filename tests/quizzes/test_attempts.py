"""The answering engine without HTTP: starting, autosave, the server's clock, scoring, limits."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.common import clock
from app.extensions import db
from quizzes.models import Attempt, PaperRule
from quizzes.services import attempts as engine
from quizzes.services.taking import attempt_state
from quizzes.services.timing import GRACE_SECONDS
from tests.quizzes.engine_helpers import displayed_key, fresh, items_of, wrong_response
from tests.support import QUIZ_START

T0 = QUIZ_START  # 10:00 in Shanghai


pytestmark = pytest.mark.usefixtures("quiz_clock")


@pytest.fixture
def bank(stock_bank):
    return stock_bank()


@pytest.fixture
def quiz(make_quiz, bank):
    with clock.frozen_at(T0):
        return make_quiz(banks=[bank], rules=[("single", 4, 2), ("multiple", 2, 3), ("judge", 2, 1), ("fill", 2, 2)],
                         time_limit_seconds=600, open_for=timedelta(days=1))


@pytest.fixture
def member(make_member):
    return make_member()


def start(quiz, member, at=T0):
    with clock.frozen_at(at):
        attempt = engine.start_attempt(quiz, member)
        db.session.commit()
    return attempt


def save(attempt, member, position, response, seq, at, page=None):
    with clock.frozen_at(at):
        outcome = engine.save_answer(attempt.id, member.id, position, response, seq, page=page)
        db.session.commit()
    return outcome


def test_start_records_the_paper_seed_and_deadline(quiz, member):
    attempt = start(quiz, member)

    items = items_of(attempt.id)
    assert attempt.number == 1 and attempt.is_open and attempt.seed
    assert attempt.deadline_at == T0 + timedelta(seconds=600)
    assert [item.position for item in items] == list(range(1, 11))
    assert attempt.max_score == 4 * 2 + 2 * 3 + 2 * 1 + 2 * 2
    from quizzes.services.papers import assemble_paper
    assert [(e.question.id, tuple(e.option_order)) for e in assemble_paper(quiz, attempt.seed)] == \
        [(item.question_id, tuple(item.option_order)) for item in items]


def test_deadline_is_the_close_when_the_quiz_closes_first(make_quiz, bank, member):
    with clock.frozen_at(T0):
        quiz = make_quiz(banks=[bank], rules=[("single", 2, 1)], time_limit_seconds=3600,
                         opens_in=timedelta(hours=-1), open_for=timedelta(hours=1, minutes=5))
    attempt = start(quiz, member)
    assert attempt.deadline_at == quiz.closes_at == T0 + timedelta(minutes=5)


def test_starting_again_resumes_the_open_attempt(quiz, member):
    first = start(quiz, member)
    again = start(quiz, member, at=T0 + timedelta(minutes=3))
    assert again.id == first.id
    assert db.session.scalar(sa.select(sa.func.count(Attempt.id))) == 1


def test_attempt_limit_is_enforced(quiz, member):
    attempt = start(quiz, member)
    with clock.frozen_at(T0 + timedelta(minutes=1)):
        engine.submit_attempt(attempt.id)
        db.session.commit()
        with pytest.raises(engine.AttemptRefused, match="次数"):
            engine.start_attempt(quiz, member)

    quiz.attempts_allowed = 2
    db.session.commit()
    second = start(quiz, member, at=T0 + timedelta(minutes=2))
    assert second.number == 2 and second.id != attempt.id


@pytest.mark.parametrize(("setup", "message"), [
    ({"published": False}, "未向您开放"),
    ({"opens_in": timedelta(hours=1)}, "尚未开始"),
    ({"opens_in": timedelta(days=-3), "open_for": timedelta(days=1)}, "已结束"),
])
def test_start_is_refused_outside_the_rules(make_quiz, bank, member, setup, message):
    with clock.frozen_at(T0):
        quiz = make_quiz(banks=[bank], rules=[("single", 2, 1)], **setup)
        with pytest.raises(engine.AttemptRefused, match=message):
            engine.start_attempt(quiz, member)


def test_only_eligible_units_may_start(make_quiz, bank, make_unit, make_member):
    allowed, other = make_unit(), make_unit()
    branch = make_unit(parent=allowed)
    quiz = make_quiz(banks=[bank], rules=[("single", 2, 1)], eligible_units=[allowed])

    assert engine.is_eligible(quiz, make_member(unit=allowed))
    assert engine.is_eligible(quiz, make_member(unit=branch))  # a branch of an eligible unit takes part
    outsider = make_member(unit=other)
    assert not engine.is_eligible(quiz, outsider)
    with pytest.raises(engine.AttemptRefused):
        engine.start_attempt(quiz, outsider)


def test_answers_are_stored_in_original_letters_and_read_back_as_displayed(quiz, member):
    quiz.shuffle_options = True
    db.session.commit()
    attempt = start(quiz, member)
    item = next(item for item in items_of(attempt.id) if item.option_order != sorted(item.option_order))

    assert save(attempt, member, item.position, "A", 1, T0 + timedelta(seconds=5))["saved"] is True

    stored = items_of(attempt.id)[item.position - 1]
    assert stored.response == "ABCD"[item.option_order[0]]
    state = attempt_state(fresh(attempt.id), now=T0)
    assert state["items"][item.position - 1]["response"] == "A"


def test_a_stale_seq_is_ignored(quiz, member):
    attempt = start(quiz, member)
    at = T0 + timedelta(seconds=30)

    assert save(attempt, member, 1, "C", 5, at)["saved"]
    stale = save(attempt, member, 1, "A", 4, at)
    assert stale == {"saved": False, "stale": True, "seq": 5, "remaining_seconds": 570, "response": "C"}
    assert save(attempt, member, 1, "A", 5, at)["saved"] is False  # a resend of the same seq too
    item = items_of(attempt.id)[0]
    assert (item.response_seq, attempt_state(fresh(attempt.id), at)["items"][0]["response"]) == (5, "C")


def test_a_change_on_another_page_wins_by_arriving_later(quiz, member):
    """Phone 1 answered Q1 five times; phone 2, opened before, answers once: phone 2's change is the newer."""
    attempt = start(quiz, member)
    at = T0 + timedelta(seconds=30)
    for seq, letter in enumerate("ABCDA", start=1):
        assert save(attempt, member, 1, letter, seq, at, page="phone1")["saved"]

    assert save(attempt, member, 1, "B", 1, at, page="phone2")["saved"] is True
    assert attempt_state(fresh(attempt.id), at)["items"][0]["response"] == "B"
    # and back on phone 1, its next change wins again although its seq is lower than nothing stored
    assert save(attempt, member, 1, "C", 6, at, page="phone1")["saved"] is True
    assert attempt_state(fresh(attempt.id), at)["items"][0]["response"] == "C"


def test_a_late_resend_from_the_same_page_still_loses_and_is_told_the_stored_answer(quiz, member):
    attempt = start(quiz, member)
    at = T0 + timedelta(seconds=30)
    assert save(attempt, member, 1, "A", 1, at, page="phone2")["saved"]
    assert save(attempt, member, 1, "D", 2, at, page="phone2")["saved"]

    late = save(attempt, member, 1, "A", 1, at, page="phone2")
    assert late["saved"] is False and late["stale"] is True
    assert late["response"] == "D"
    assert attempt_state(fresh(attempt.id), at)["items"][0]["response"] == "D"


def test_a_stale_save_of_a_cleared_answer_reports_it_unanswered(quiz, member):
    attempt = start(quiz, member)
    save(attempt, member, 1, "A", 1, T0, page="p1")
    save(attempt, member, 1, None, 2, T0, page="p1")
    late = save(attempt, member, 1, "A", 1, T0, page="p1")
    assert late["response"] is None


@pytest.mark.parametrize("page", ["", "x" * 17, "a b", 5, ["p"]])
def test_a_malformed_page_id_is_refused(quiz, member, page):
    attempt = start(quiz, member)
    with pytest.raises(engine.AnswerRejected) as refused:
        engine.save_answer(attempt.id, member.id, 1, "A", 1, page=page)
    assert refused.value.status == 400


def test_clearing_an_answer_stores_no_response(quiz, member):
    attempt = start(quiz, member)
    save(attempt, member, 1, "B", 1, T0)
    save(attempt, member, 1, None, 2, T0)
    assert items_of(attempt.id)[0].response is None
    assert db.session.execute(sa.text(
        "SELECT COUNT(*) FROM quiz_attempt_items WHERE attempt_id = :a AND response IS NULL"),
        {"a": attempt.id}).scalar() == 10


@pytest.mark.parametrize(("position", "response", "seq"), [
    (1, "Z", 1), (1, ["A"], 1), (1, "A", 0), (1, "A", "2"), (99, "A", 1), ("1", "A", 1), (1, "A", True),
])
def test_malformed_saves_are_refused(quiz, member, position, response, seq):
    attempt = start(quiz, member)
    with pytest.raises(engine.AnswerRejected) as refused:
        engine.save_answer(attempt.id, member.id, position, response, seq)
    assert refused.value.status == 400


def test_someone_elses_attempt_is_not_found(quiz, member, make_member):
    attempt = start(quiz, member)
    intruder = make_member()
    with pytest.raises(engine.AnswerRejected) as refused:
        engine.save_answer(attempt.id, intruder.id, 1, "A", 1)
    assert refused.value.status == 404
    with pytest.raises(engine.AnswerRejected):
        engine.record_leave(attempt.id, intruder.id)
    assert engine.owned_attempt(attempt.id, intruder) is None


def test_saves_are_accepted_until_deadline_plus_grace_then_refused(quiz, member):
    attempt = start(quiz, member)
    deadline = attempt.deadline_at

    assert save(attempt, member, 1, "B", 1, deadline + timedelta(seconds=GRACE_SECONDS))["saved"]
    with clock.frozen_at(deadline + timedelta(seconds=GRACE_SECONDS + 1)):
        with pytest.raises(engine.AnswerRejected) as late:
            engine.save_answer(attempt.id, member.id, 2, "B", 1)
        db.session.commit()
    assert late.value.status == 409 and late.value.submitted

    attempt = fresh(attempt.id)
    assert attempt.submit_reason == "timeout" and attempt.submitted_at == deadline
    assert attempt.time_used_seconds == 600
    assert items_of(attempt.id)[1].response is None


def perfect_answers(attempt, member, at):
    for seq, item in enumerate(items_of(attempt.id), start=1):
        save(attempt, member, item.position, displayed_key(item), seq, at)


def test_scoring_uses_the_answer_rules_and_records_time_used(quiz, member):
    attempt = start(quiz, member)
    perfect_answers(attempt, member, T0 + timedelta(seconds=20))
    items = items_of(attempt.id)
    save(attempt, member, items[0].position, wrong_response(items[0]), 99, T0 + timedelta(seconds=40))

    with clock.frozen_at(T0 + timedelta(seconds=95)):
        submitted = engine.submit_attempt(attempt.id)
        db.session.commit()

    assert submitted.score == 20 - 2
    assert submitted.time_used_seconds == 95 and submitted.submit_reason == "member"
    marks = items_of(attempt.id)
    assert [item.is_correct for item in marks] == [False] + [True] * 9
    assert marks[0].awarded == 0 and marks[1].awarded == 2


def test_partial_credit_for_multiple_choice(make_quiz, make_bank, make_question, member):
    bank = make_bank()
    make_question(bank, "multiple", answer=["A", "B", "D"])
    with clock.frozen_at(T0):
        quiz = make_quiz(banks=[bank], rules=[("multiple", 1, 4)], partial_credit=True, partial_credit_ratio=0.5,
                         shuffle_options=False)
    attempt = start(quiz, member)
    save(attempt, member, 1, ["A", "B"], 1, T0)
    with clock.frozen_at(T0 + timedelta(seconds=10)):
        assert engine.submit_attempt(attempt.id).score == 2


def test_submitting_twice_is_harmless(quiz, member):
    attempt = start(quiz, member)
    perfect_answers(attempt, member, T0)
    with clock.frozen_at(T0 + timedelta(minutes=2)):
        first = engine.submit_attempt(attempt.id)
        db.session.commit()
    score, submitted_at = first.score, first.submitted_at
    with clock.frozen_at(T0 + timedelta(minutes=4)):
        second = engine.submit_attempt(attempt.id, reason="timeout")
        db.session.commit()
    assert (second.score, second.submitted_at, second.submit_reason) == (score, submitted_at, "member")
    with pytest.raises(engine.AnswerRejected) as late:
        engine.save_answer(attempt.id, member.id, 1, "A", 500)
    assert late.value.status == 409


def test_finalize_expired_scores_abandoned_attempts_on_the_server(quiz, member, make_member):
    gone = start(quiz, member)
    perfect_answers(gone, member, T0 + timedelta(seconds=10))
    still_going = start(quiz, make_member(), at=T0 + timedelta(minutes=9))

    with clock.frozen_at(T0 + timedelta(minutes=10)):
        assert engine.finalize_expired(quiz.id) == 0  # deadline passed, but still within the grace
    with clock.frozen_at(T0 + timedelta(minutes=10, seconds=GRACE_SECONDS + 1)):
        assert engine.finalize_expired(quiz.id) == 1
        db.session.commit()
        assert engine.finalize_expired(quiz.id) == 0

    gone = fresh(gone.id)
    assert (gone.score, gone.submit_reason, gone.time_used_seconds) == (20, "timeout", 600)
    assert gone.submitted_at == gone.deadline_at
    assert fresh(still_going.id).is_open


def test_attempts_ended_by_the_close_are_marked_closed(make_quiz, bank, member):
    with clock.frozen_at(T0):
        quiz = make_quiz(banks=[bank], rules=[("single", 2, 1)], time_limit_seconds=3600,
                         opens_in=timedelta(hours=-1), open_for=timedelta(hours=1, minutes=5))
    attempt = start(quiz, member)
    with clock.frozen_at(T0 + timedelta(hours=2)):
        engine.finalize_expired()
        db.session.commit()
    assert fresh(attempt.id).submit_reason == "closed"


def test_close_expired_command(app, quiz, member):
    attempt = start(quiz, member)
    with clock.frozen_at(T0 + timedelta(hours=1)):
        result = app.test_cli_runner().invoke(args=["quiz", "close-expired"])
    assert result.exit_code == 0, result.output
    assert "1" in result.output
    assert fresh(attempt.id).submit_reason == "timeout"


def test_leaving_the_page_counts_and_the_limit_submits(quiz, member):
    quiz.leave_limit = 3
    db.session.commit()
    attempt = start(quiz, member)
    with clock.frozen_at(T0 + timedelta(minutes=1)):
        assert engine.record_leave(attempt.id, member.id) == {"leave_count": 1, "submitted": False, "leave_limit": 3}
        assert engine.record_leave(attempt.id, member.id)["leave_count"] == 2
        third = engine.record_leave(attempt.id, member.id)
        db.session.commit()
    assert third["submitted"] is True and third["submit_reason"] == "leave_limit"
    attempt = fresh(attempt.id)
    assert (attempt.leave_count, attempt.submit_reason, attempt.is_open) == (3, "leave_limit", False)


def test_without_a_limit_leaving_is_only_counted(quiz, member):
    attempt = start(quiz, member)
    for _ in range(5):
        outcome = engine.record_leave(attempt.id, member.id)
    assert outcome["leave_count"] == 5 and outcome["submitted"] is False


def test_editing_the_quiz_does_not_touch_started_attempts(quiz, member, make_bank, make_question):
    attempt = start(quiz, member)
    before = attempt_state(fresh(attempt.id), T0)
    other = make_bank()
    for _ in range(3):
        make_question(other, "judge")
    quiz.banks = [other]
    quiz.rules = []
    db.session.flush()
    quiz.rules = [PaperRule(position=1, question_type="judge", count=3, points_each=10)]
    quiz.time_limit_seconds = 60
    db.session.commit()

    assert attempt_state(fresh(attempt.id), T0) == before
    save(attempt, member, 1, "A", 1, T0 + timedelta(minutes=5))  # the attempt's own deadline still holds


def test_moving_the_close_earlier_ends_open_attempts_at_the_new_close(quiz, member, make_staff):
    from quizzes.services.settings import settings_of, update_quiz

    attempt = start(quiz, member)
    settings = settings_of(quiz)
    settings.closes_at_local = clock.to_local(T0 + timedelta(minutes=2)).replace(tzinfo=None)
    with clock.frozen_at(T0 + timedelta(minutes=1)):
        update_quiz(make_staff("organiser"), quiz, settings)
        db.session.commit()
    assert fresh(attempt.id).deadline_at == T0 + timedelta(minutes=2)


def test_autosave_is_one_locking_read_and_one_update(quiz, member, count_queries):
    attempt_id, member_id = start(quiz, member).id, member.id
    db.session.commit()
    with count_queries() as counter:
        engine.save_answer(attempt_id, member_id, 3, "A", 1)
    statements = [s for s in counter.statements if not s.lstrip().upper().startswith("BEGIN")]
    assert len(statements) == 2
    assert "quiz_attempt_items.position =" in statements[0]  # one item, not the whole paper
    assert statements[1].lstrip().upper().startswith("UPDATE") and "response_seq <" in statements[1]
