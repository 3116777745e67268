"""The wrong-answer book (错题本): double taps count once, mastering, ownership, hostile input."""
import pytest
import sqlalchemy as sa

from app.extensions import db
from quizzes.models import PracticeAnswer, WrongAnswer
from quizzes.services import practice as services
from tests.support import DEFAULT_PASSWORD


@pytest.fixture
def practising(make_bank, make_quiz, make_question, make_member, client_for):
    """practising(kinds=("judge",)) -> (member, client, bank, questions), a session already started."""

    def factory(kinds=("judge",), member=None):
        bank = make_bank()
        make_quiz(banks=[bank])
        questions = [make_question(bank, kind, answer=True if kind == "judge" else None) for kind in kinds]
        member = member or make_member()
        client = client_for(member)
        assert client.post(f"/quizzes/practice/banks/{bank.id}/start",
                           data={"category": "", "question_type": ""}).status_code == 302
        return member, client, bank, questions

    return factory


def state_of(client) -> dict:
    with client.session_transaction() as session:
        return dict(session.get("practice") or {})


def current(client):
    assert client.get("/quizzes/practice/question").status_code == 200
    state = state_of(client)
    return state["current"], state["token"]


def post_answer(client, token, **fields):
    return client.post("/quizzes/practice/question", data={"token": token, **fields})


def book(user):
    return db.session.scalars(
        sa.select(WrongAnswer).where(WrongAnswer.user_id == user.id).order_by(WrongAnswer.id)
        .execution_options(populate_existing=True)
    ).all()


def practice_count(user) -> int:
    return db.session.scalar(sa.select(sa.func.count(PracticeAnswer.id)).where(PracticeAnswer.user_id == user.id))


# ---------------------------------------------------------------- double taps

def test_a_double_tap_replaying_the_same_cookie_counts_once(practising):
    member, client, _bank, _questions = practising()
    _question_id, token = current(client)
    with client.session_transaction() as session:
        before = dict(session)  # what the phone still holds when the second tap leaves
    first = post_answer(client, token, response="false")
    with client.session_transaction() as session:
        session.clear()
        session.update(before)
    second = post_answer(client, token, response="false")
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert practice_count(member) == 1
    [entry] = book(member)
    assert entry.wrong_count == 1
    assert state_of(client)["answered"] == 1  # the session tally counted the step once as well


def test_resending_an_answered_step_shows_the_first_answer(practising):
    member, client, _bank, _questions = practising()
    _question_id, token = current(client)
    first = post_answer(client, token, response="false")
    resent = post_answer(client, token, response="true")  # back button, changed mind, sent again
    assert resent.status_code == 302 and resent.headers["Location"] == first.headers["Location"]
    page = client.get(resent.headers["Location"]).get_data(as_text=True)
    assert "以第一次提交为准" in page and "回答错误" in page
    assert practice_count(member) == 1 and book(member)[0].wrong_count == 1


def test_each_new_step_counts_again(practising):
    member, client, _bank, _questions = practising()
    for _ in range(2):
        _question_id, token = current(client)
        post_answer(client, token, response="false")
    [entry] = book(member)
    assert entry.wrong_count == 2 and practice_count(member) == 2


def test_a_simultaneous_double_tap_stores_one_answer(app, practising, run_concurrently):
    member, client, _bank, _questions = practising()
    _question_id, token = current(client)
    cookie = client.get_cookie("session").value
    phones = [app.test_client() for _ in range(2)]
    for phone in phones:  # the same phone, two taps: the same cookie twice
        phone.set_cookie("session", cookie)
    db.session.remove()  # end this thread's read transaction before the writers start

    results = run_concurrently(
        lambda index: phones[index].post("/quizzes/practice/question", data={"token": token, "response": "false"}))
    assert [result.status_code for result in results] == [302, 302], results
    assert results[0].headers["Location"] == results[1].headers["Location"]
    assert practice_count(member) == 1
    [entry] = book(member)
    assert entry.wrong_count == 1


def test_concurrent_wrong_answers_in_different_steps_both_count(app, practising, run_concurrently):
    member, _client, bank, _questions = practising()
    user_class, user_id, bank_id = type(member), member.id, bank.id
    db.session.remove()

    def submit(index):
        user = db.session.get(user_class, user_id)
        state = services.new_state(user, "bank", bank_id=bank_id)
        step = services.current_step(user, state)
        services.record_answer(user, state, step.token, False)
        db.session.commit()
        return index

    assert run_concurrently(submit, 2) == [0, 1]
    member = db.session.get(user_class, user_id)
    [entry] = book(member)
    assert entry.wrong_count == 2 and practice_count(member) == 2


# ---------------------------------------------------------------- mastering

def test_review_marks_a_question_mastered_and_hides_it(practising):
    member, client, _bank, [question] = practising()
    _question_id, token = current(client)
    post_answer(client, token, response="false")

    page = client.get("/quizzes/practice/wrong").get_data(as_text=True)
    assert question.stem in page and "答错 1 次" in page

    assert client.post("/quizzes/practice/wrong/review").status_code == 302
    review_page = client.get("/quizzes/practice/question").get_data(as_text=True)
    assert "重做错题" in review_page and question.stem in review_page
    _question_id, token = current(client)
    done = post_answer(client, token, response="true")
    feedback = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "已移出错题本" in feedback
    [entry] = book(member)
    assert entry.mastered and entry.wrong_count == 1

    assert question.stem not in client.get("/quizzes/practice/wrong").get_data(as_text=True)
    mastered = client.get("/quizzes/practice/wrong?show=mastered").get_data(as_text=True)
    assert question.stem in mastered and "已掌握" in mastered
    assert question.stem in client.get("/quizzes/practice/wrong?show=all").get_data(as_text=True)

    # nothing left to review: the review session ends with a message
    client.post("/quizzes/practice/wrong/review")
    finished = client.get("/quizzes/practice/question", follow_redirects=True).get_data(as_text=True)
    assert "没有可重做的题目" in finished


def test_a_right_answer_outside_review_does_not_master(practising):
    member, client, _bank, _questions = practising()
    _question_id, token = current(client)
    post_answer(client, token, response="false")
    _question_id, token = current(client)
    post_answer(client, token, response="true")
    assert not book(member)[0].mastered


def test_missing_a_mastered_question_again_puts_it_back(practising):
    member, client, bank, _questions = practising()
    _question_id, token = current(client)
    post_answer(client, token, response="false")
    client.post("/quizzes/practice/wrong/review")
    _question_id, token = current(client)
    post_answer(client, token, response="true")
    assert book(member)[0].mastered
    client.post("/quizzes/practice/end")
    client.post(f"/quizzes/practice/banks/{bank.id}/start", data={"category": "", "question_type": ""})
    _question_id, token = current(client)
    post_answer(client, token, response="false")
    [entry] = book(member)
    assert not entry.mastered and entry.wrong_count == 2


def test_review_one_chosen_question_first(practising):
    _member, client, _bank, questions = practising(kinds=("judge", "judge", "judge", "judge"))
    for _ in range(4):
        _question_id, token = current(client)
        post_answer(client, token, response="false")
    chosen = questions[2]
    assert client.post("/quizzes/practice/wrong/review", data={"question": str(chosen.id)}).status_code == 302
    question_id, _token = current(client)
    assert question_id == chosen.id
    seen = [question_id]
    for _ in range(3):
        _question_id, token = current(client)
        post_answer(client, token, response="false")
        seen.append(current(client)[0])
    assert sorted(seen) == sorted(question.id for question in questions)


# ---------------------------------------------------------------- ownership

def test_members_reach_only_their_own_book_and_answers(practising, make_member, client_for):
    _owner, client, _bank, [question] = practising()
    _question_id, token = current(client)
    answered = post_answer(client, token, response="false")
    answer_url = answered.headers["Location"]

    stranger = client_for(make_member())
    assert stranger.get(answer_url).status_code == 404
    assert question.stem not in stranger.get("/quizzes/practice/wrong?show=all").get_data(as_text=True)
    assert stranger.post("/quizzes/practice/wrong/review", data={"question": str(question.id)}).status_code == 404
    # their own review session never deals the owner's wrong questions
    stranger.post("/quizzes/practice/wrong/review")
    assert stranger.get("/quizzes/practice/question").status_code == 302
    # the owner still sees their own
    assert client.get(answer_url).status_code == 200


def test_reviewing_is_paused_during_the_quiz(practising):
    from datetime import timedelta

    from app.common import clock
    from quizzes.models import Attempt, Quiz

    member, client, bank, [_question] = practising()
    _question_id, token = current(client)
    post_answer(client, token, response="false")
    quiz = db.session.scalars(sa.select(Quiz).where(Quiz.banks.any(id=bank.id))).one()
    now = clock.utcnow()
    db.session.add(Attempt(quiz_id=quiz.id, user_id=member.id, number=1, seed=7, started_at=now,
                           deadline_at=now + timedelta(minutes=20)))
    db.session.commit()
    page = client.get("/quizzes/practice/wrong").get_data(as_text=True)
    assert "暂停重做" in page
    client.post("/quizzes/practice/wrong/review")
    assert client.get("/quizzes/practice/question").status_code == 302


# ---------------------------------------------------------------- hostile input

@pytest.mark.parametrize(("kind", "fields"), [
    ("single", {"response": "Z"}),
    ("single", {"response": ["A", "B"]}),
    ("single", {"response": "E"}),  # the question has four options
    ("multiple", {"response": ["A", "Q"]}),
    ("multiple", {"response": ["A"] * 50}),
    ("judge", {"response": "maybe"}),
    ("judge", {"response": ["true", "false"]}),
    ("fill", {"blank": ["一", "二", "三"]}),
    ("fill", {"blank": ["长" * 5000]}),
    ("single", {}),
    ("fill", {"blank": ["  "]}),
])
def test_bad_answers_are_refused_with_400(practising, kind, fields):
    member, client, _bank, _questions = practising(kinds=(kind,))
    _question_id, token = current(client)
    response = post_answer(client, token, **fields)
    assert response.status_code == 400
    assert practice_count(member) == 0
    _again, same_token = current(client)
    assert same_token == token  # the member can still answer the same step


@pytest.mark.parametrize(("method", "url", "data"), [
    ("post", "/quizzes/practice/question", {}),
    ("post", "/quizzes/practice/question", {"token": "x" * 500, "response": "true"}),
    ("post", "/quizzes/practice/wrong/review", {"question": "abc"}),
    ("post", "/quizzes/practice/wrong/review", {"question": "99999999999999999999"}),
    ("post", "/quizzes/practice/wrong/review", {"bank": "-1"}),
    ("get", "/quizzes/practice/wrong?page=abc", None),
    ("get", "/quizzes/practice/wrong?bank=%00", None),
    ("get", "/quizzes/practice/answers/999999", None),
    ("get", "/quizzes/practice/banks/999999", None),
    ("post", "/quizzes/practice/banks/999999/start", {}),
])
def test_hostile_requests_get_4xx(practising, method, url, data):
    _member, client, _bank, _questions = practising()
    response = getattr(client, method)(url, data=data) if data is not None else getattr(client, method)(url)
    assert 400 <= response.status_code < 500, (url, response.status_code)


def test_a_forged_token_is_not_counted(practising):
    member, client, _bank, _questions = practising()
    current(client)
    response = post_answer(client, "not-the-token", response="false")
    assert response.status_code == 302 and response.headers["Location"].endswith("/quizzes/practice/question")
    assert practice_count(member) == 0


def test_answering_without_a_session_goes_back_to_the_bank_list(practising):
    member, client, _bank, _questions = practising()
    client.post("/quizzes/practice/end")
    response = post_answer(client, "whatever", response="true")
    assert response.status_code == 302 and response.headers["Location"].endswith("/quizzes/practice/")
    assert practice_count(member) == 0


def test_a_session_left_by_someone_else_on_the_phone_is_not_continued(practising, make_member):
    _member, client, _bank, _questions = practising()
    current(client)
    client.post("/logout")
    other = make_member()
    assert client.post("/login", data={"login": other.staff_id, "password": DEFAULT_PASSWORD}).status_code == 302
    assert client.get("/quizzes/practice/question").status_code == 302


def test_a_tampered_session_state_starts_over(practising):
    _member, client, _bank, _questions = practising()
    with client.session_transaction() as session:
        session["practice"] = {"v": 99, "mode": "bank"}
    assert client.get("/quizzes/practice/question").status_code == 302
