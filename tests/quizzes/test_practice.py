"""Practice (练习): which banks, one question at a time, instant feedback, no leaks, no repeats."""
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.common import clock
from app.extensions import db
from quizzes.models import Attempt, PracticeAnswer, WrongAnswer
from tests.support import DEFAULT_PASSWORD

EXPLANATION = "解析：这是只在作答后出现的说明ZX91"


@pytest.fixture
def open_bank(make_bank, make_quiz):
    """A bank used by a published quiz open to every unit."""

    def factory(name=None, **quiz_settings):
        bank = make_bank(name)
        make_quiz(banks=[bank], **quiz_settings)
        return bank

    return factory


def practice_state(client) -> dict:
    with client.session_transaction() as session:
        return dict(session.get("practice") or {})


def start(client, bank, **fields):
    response = client.post(f"/quizzes/practice/banks/{bank.id}/start",
                           data={"category": "", "question_type": "", **fields})
    assert response.status_code == 302, response.status_code
    assert response.headers["Location"].endswith("/quizzes/practice/question")
    return response


def show_question(client):
    """GET the question page; returns (html, question id, token)."""
    response = client.get("/quizzes/practice/question")
    assert response.status_code == 200, response.status_code
    state = practice_state(client)
    return response.get_data(as_text=True), state["current"], state["token"]


def answer(client, token, **fields):
    return client.post("/quizzes/practice/question", data={"token": token, **fields})


def feedback_of(client, response):
    assert response.status_code == 302, response.status_code
    location = response.headers["Location"]
    assert "/quizzes/practice/answers/" in location
    page = client.get(location)
    assert page.status_code == 200
    return page.get_data(as_text=True)


def answers_of(user):
    return db.session.scalars(
        sa.select(PracticeAnswer).where(PracticeAnswer.user_id == user.id).order_by(PracticeAnswer.id)
    ).all()


def wrong_rows(user):
    return db.session.scalars(
        sa.select(WrongAnswer).where(WrongAnswer.user_id == user.id).execution_options(populate_existing=True)
    ).all()


# ---------------------------------------------------------------- which banks

def test_member_practises_banks_of_published_quizzes_they_may_enter(
        client_for, make_member, make_unit, make_bank, make_quiz, make_campaign, make_staff):
    mine, other = make_unit(), make_unit()
    member = make_member(unit=mine)
    open_to_all = make_bank("全员题库")
    make_quiz(banks=[open_to_all])
    for_my_unit = make_bank("本单位题库")
    make_quiz(banks=[for_my_unit], eligible_units=[mine])
    for_other_unit = make_bank("他单位题库")
    make_quiz(banks=[for_other_unit], eligible_units=[other])
    draft = make_bank("草稿题库")
    make_quiz(banks=[draft], published=False)
    ended = make_bank("往届题库")
    make_quiz(banks=[ended], campaign=make_campaign(starts_on=date.today() - timedelta(days=90), days=30))
    make_bank("未使用题库")

    page = client_for(member).get("/quizzes/practice/").get_data(as_text=True)
    assert "全员题库" in page and "本单位题库" in page
    for hidden in ("他单位题库", "草稿题库", "往届题库", "未使用题库"):
        assert hidden not in page
    assert "专项活动结束" in page  # the page explains which banks are offered

    assert client_for(member).get(f"/quizzes/practice/banks/{for_other_unit.id}").status_code == 403
    assert client_for(member).post(f"/quizzes/practice/banks/{draft.id}/start").status_code == 403
    assert client_for(member).get("/quizzes/practice/banks/999999").status_code == 404

    organiser_page = client_for(make_staff("organiser")).get("/quizzes/practice/").get_data(as_text=True)
    for name in ("全员题库", "他单位题库", "草稿题库", "往届题库", "未使用题库"):
        assert name in organiser_page


def test_a_closed_quiz_keeps_its_bank_open_until_the_campaign_ends(client_for, make_member, make_bank, make_quiz,
                                                                   make_question):
    bank = make_bank("赛后巩固")
    make_question(bank)
    make_quiz(banks=[bank], opens_in=timedelta(days=-3), open_for=timedelta(days=1))
    client = client_for(make_member())
    assert "赛后巩固" in client.get("/quizzes/practice/").get_data(as_text=True)
    start(client, bank)


def test_a_member_branch_counts_for_eligibility(client_for, make_unit, make_member, make_bank, make_quiz,
                                                make_question):
    unit = make_unit()
    branch = make_unit(parent=unit)
    bank = make_bank()
    make_question(bank)
    make_quiz(banks=[bank], eligible_units=[branch])
    start(client_for(make_member(unit=unit, branch=branch)), bank)


def test_staff_without_a_unit_cannot_practise(client_for, make_staff):
    judge = make_staff("judge")
    assert client_for(judge).get("/quizzes/practice/").status_code == 403


def test_practice_pauses_while_the_member_sits_the_quiz(client_for, make_member, open_bank, make_question,
                                                        make_quiz, make_bank):
    member = make_member()
    bank = make_bank("竞赛题库")
    make_question(bank)
    quiz = make_quiz(banks=[bank])
    now = clock.utcnow()
    db.session.add(Attempt(quiz_id=quiz.id, user_id=member.id, number=1, seed=1, started_at=now,
                           deadline_at=now + timedelta(minutes=30)))
    db.session.commit()
    client = client_for(member)
    assert "交卷后可继续练习" in client.get("/quizzes/practice/").get_data(as_text=True)
    refused = client.post(f"/quizzes/practice/banks/{bank.id}/start", data={})
    assert refused.status_code == 403
    assert "交卷后" in refused.get_data(as_text=True)


# ---------------------------------------------------------------- questions and feedback

CASES = [
    # type, options, key, right fields, wrong fields, correct answer as shown
    ("single", ["甲方案", "乙方案", "丙方案"], "B", {"response": "B"}, {"response": "C"}, "B"),
    ("multiple", ["一", "二", "三", "四"], ["A", "D"], {"response": ["D", "A"]}, {"response": ["A"]}, "AD"),
    ("judge", [], False, {"response": "false"}, {"response": "true"}, "错"),
    ("fill", [], [["四十", "40"], ["高质量发展"]], {"blank": [" 40 ", "高质量发展"]}, {"blank": ["40", "高速度"]},
     "高质量发展"),
]


@pytest.mark.parametrize(("kind", "options", "key", "right", "wrong", "shown"), CASES,
                         ids=[case[0] for case in CASES])
def test_feedback_for_every_question_type(client_for, make_member, open_bank, make_question,
                                          kind, options, key, right, wrong, shown):
    member = make_member()
    bank = open_bank()
    question = make_question(bank, kind, options=options, answer=key, explanation=EXPLANATION)
    client = client_for(member)
    start(client, bank)

    html, question_id, token = show_question(client)
    assert question_id == question.id and question.stem in html
    page = feedback_of(client, answer(client, token, **right))
    assert "回答正确" in page and EXPLANATION in page and shown in page

    html, question_id, token = show_question(client)  # the pool has one question: it comes round again
    assert question_id == question.id
    page = feedback_of(client, answer(client, token, **wrong))
    assert "回答错误" in page and EXPLANATION in page and shown in page
    assert "已收进错题本" in page

    stored = answers_of(member)
    assert [row.is_correct for row in stored] == [True, False]
    assert all(row.bank_id == bank.id and row.question_id == question.id for row in stored)
    [entry] = wrong_rows(member)
    assert entry.question_id == question.id and entry.wrong_count == 1 and not entry.mastered


@pytest.mark.parametrize(("kind", "options", "key"), [
    ("single", ["甲", "乙", "丙"], "C"),
    ("multiple", ["甲", "乙", "丙"], ["A", "C"]),
    ("judge", [], True),
    ("fill", [], [["独一无二答案QK7"]]),
])
def test_the_question_page_does_not_reveal_the_answer(client_for, make_member, open_bank, make_question,
                                                      kind, options, key):
    bank = open_bank()
    make_question(bank, kind, options=options, answer=key, explanation=EXPLANATION)
    client = client_for(make_member())
    start(client, bank)
    html, _question_id, _token = show_question(client)
    assert EXPLANATION not in html
    assert "独一无二答案QK7" not in html
    assert "practice-correct-answer" not in html and "is-key" not in html and "回答正确" not in html
    # the session cookie carries no key either: only ids, a seed and a token
    assert set(practice_state(client)) >= {"current", "token", "seed"}
    assert "answer" not in practice_state(client)


def test_no_question_repeats_until_the_pool_is_exhausted(client_for, make_member, open_bank, make_question):
    bank = open_bank()
    questions = [make_question(bank, "judge", answer=True) for _ in range(6)]
    client = client_for(make_member())
    start(client, bank)
    seen = []
    for _ in range(6):
        _html, question_id, token = show_question(client)
        seen.append(question_id)
        answer(client, token, response="true")
    assert sorted(seen) == sorted(question.id for question in questions)
    html, question_id, _token = show_question(client)
    assert question_id != seen[-1]  # the new round does not open with the question just answered
    assert "第 2 轮" in html


def test_reloading_the_question_page_keeps_the_same_question(client_for, make_member, open_bank, make_question):
    bank = open_bank()
    for _ in range(4):
        make_question(bank)
    client = client_for(make_member())
    start(client, bank)
    _html, first, token = show_question(client)
    _html, again, same_token = show_question(client)
    assert (first, token) == (again, same_token)


def test_category_and_type_filters(client_for, make_member, open_bank, make_question):
    bank = open_bank()
    wanted = make_question(bank, "judge", category="党史")
    make_question(bank, "single", category="党史")
    make_question(bank, "judge", category="党章")
    make_question(bank, "judge", category="党史", is_active=False)
    client = client_for(make_member())
    choose_page = client.get(f"/quizzes/practice/banks/{bank.id}").get_data(as_text=True)
    assert "党史（2）" in choose_page and "判断题（2）" in choose_page
    start(client, bank, category="党史", question_type="judge")
    for _ in range(3):
        _html, question_id, token = show_question(client)
        assert question_id == wanted.id
        answer(client, token, response="true")


def test_a_filter_with_no_questions_sends_the_member_back(client_for, make_member, open_bank, make_question):
    bank = open_bank()
    make_question(bank, "judge")
    client = client_for(make_member())
    bad = client.post(f"/quizzes/practice/banks/{bank.id}/start", data={"category": "不存在", "question_type": ""})
    assert bad.status_code == 400
    assert client.post(f"/quizzes/practice/banks/{bank.id}/start",
                       data={"category": "", "question_type": "fill"}).status_code == 400


def test_practice_never_touches_quiz_attempts(client_for, make_member, open_bank, make_question):
    bank = open_bank()
    make_question(bank, "judge", answer=True)
    client = client_for(make_member())
    start(client, bank)
    _html, _question_id, token = show_question(client)
    answer(client, token, response="false")
    assert db.session.scalar(sa.select(sa.func.count(Attempt.id))) == 0


def test_ending_a_session_reports_the_tally(client_for, make_member, open_bank, make_question):
    bank = open_bank()
    make_question(bank, "judge", answer=True)
    client = client_for(make_member())
    start(client, bank)
    _html, _question_id, token = show_question(client)
    answer(client, token, response="true")
    ended = client.post("/quizzes/practice/end", follow_redirects=True).get_data(as_text=True)
    assert "本次练习共答 1 题，答对 1 题" in ended
    assert practice_state(client) == {}
    assert client.get("/quizzes/practice/question").status_code == 302


def test_a_question_deactivated_mid_step_is_replaced(client_for, make_member, open_bank, make_question):
    bank = open_bank()
    first, second = make_question(bank, "judge"), make_question(bank, "judge")
    client = client_for(make_member())
    start(client, bank)
    _html, question_id, token = show_question(client)
    shown = first if question_id == first.id else second
    shown.is_active = False
    db.session.commit()
    response = answer(client, token, response="true")
    assert response.status_code == 302 and response.headers["Location"].endswith("/quizzes/practice/question")
    _html, next_id, _token = show_question(client)
    assert next_id != shown.id


CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_the_forms_carry_csrf_tokens(app, make_member, open_bank, make_question):
    bank = open_bank()
    make_question(bank, "judge", answer=True)
    member = make_member()
    client = app.test_client()
    csrf = CSRF_FIELD.search(client.get("/login").get_data(as_text=True)).group(1)
    assert client.post("/login", data={"csrf_token": csrf, "login": member.staff_id,
                                       "password": DEFAULT_PASSWORD}).status_code == 302
    index = client.get("/quizzes/practice/").get_data(as_text=True)
    csrf = CSRF_FIELD.search(index).group(1)
    assert client.post(f"/quizzes/practice/banks/{bank.id}/start",
                       data={"category": "", "question_type": ""}).status_code == 400
    assert client.post(f"/quizzes/practice/banks/{bank.id}/start",
                       data={"csrf_token": csrf, "category": "", "question_type": ""}).status_code == 302
    html = client.get("/quizzes/practice/question").get_data(as_text=True)
    token = practice_state(client)["token"]
    assert 'name="csrf_token"' in html
    done = client.post("/quizzes/practice/question", data={"csrf_token": csrf, "token": token, "response": "true"})
    assert done.status_code == 302 and "/answers/" in done.headers["Location"]
