"""Members answering over HTTP: pages, the JSON API, resuming, ownership, secrecy of the key, review."""
import json
import re
from datetime import timedelta

import pytest

from app.common import clock
from app.extensions import db
from quizzes.models import Attempt
from tests.quizzes.engine_helpers import (
    SECRET_EXPLANATION,
    SECRET_FILL_KEY,
    csrf_token_from,
    displayed_key,
    fresh,
    items_of,
)
from tests.support import DEFAULT_PASSWORD, QUIZ_START

T0 = QUIZ_START  # 10:00 in Shanghai


pytestmark = pytest.mark.usefixtures("quiz_clock")


@pytest.fixture
def bank(stock_bank):
    return stock_bank()


@pytest.fixture
def quiz(make_quiz, bank):
    return make_quiz(banks=[bank], rules=[("single", 3, 2), ("multiple", 2, 3), ("judge", 2, 1), ("fill", 2, 2)],
                     time_limit_seconds=900, title="党史知识竞赛", rules_text="请独立完成。")


@pytest.fixture
def member(make_member):
    return make_member(name="李明")


@pytest.fixture
def phone(client_for, member):
    return client_for(member)


def start(phone, quiz) -> int:
    response = phone.post(f"/quizzes/{quiz.id}/start")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "/quizzes/attempts/" in response.location
    return int(response.location.rstrip("/").split("/")[-1])


def answer(phone, attempt_id, position, response, seq):
    return phone.post(f"/quizzes/attempts/{attempt_id}/answers",
                      json={"position": position, "response": response, "seq": seq})


def test_member_sees_quizzes_open_to_their_unit_only(phone, quiz, make_quiz, bank, make_unit):
    make_quiz(banks=[bank], rules=[("single", 1, 1)], title="草稿竞赛", published=False)
    make_quiz(banks=[bank], rules=[("single", 1, 1)], title="别的单位竞赛", eligible_units=[make_unit()])

    page = phone.get("/quizzes/").get_data(as_text=True)

    assert "党史知识竞赛" in page and "草稿竞赛" not in page and "别的单位竞赛" not in page
    assert "党史知识竞赛" in phone.get("/").get_data(as_text=True)  # the home page lists it too


def test_start_page_shows_rules_limit_window_and_attempts(phone, quiz):
    page = phone.get(f"/quizzes/{quiz.id}").get_data(as_text=True)
    assert "请独立完成。" in page and "15 分钟" in page and "剩余 1 次" in page
    assert "2026-03-01 09:00" in page  # the window in Shanghai time


def test_answering_page_and_state(phone, quiz):
    attempt_id = start(phone, quiz)

    page = phone.get(f"/quizzes/attempts/{attempt_id}")
    state = phone.get(f"/quizzes/attempts/{attempt_id}/state").get_json()

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-remaining="900"' in html and "答题卡" in html and "quiz-take.js" in html
    assert state["attempt_id"] == attempt_id and state["remaining_seconds"] == 900 and not state["submitted"]
    assert [item["position"] for item in state["items"]] == list(range(1, 10))
    first = state["items"][0]
    assert set(first) >= {"position", "type", "stem", "options", "blanks", "points", "response", "seq"}
    assert first["type"] == "single" and len(first["options"]) == 4 and first["response"] is None
    assert [item["blanks"] for item in state["items"] if item["type"] == "fill"] == [2, 2]


def test_starting_twice_resumes_and_a_reload_keeps_the_answers(phone, client_for, member, quiz):
    attempt_id = start(phone, quiz)
    assert answer(phone, attempt_id, 1, "C", 1).get_json()["saved"] is True
    assert answer(phone, attempt_id, 4, ["A", "B"], 1).get_json()["saved"] is True
    paper = phone.get(f"/quizzes/attempts/{attempt_id}/state").get_json()["items"]
    fill_position = next(item["position"] for item in paper if item["type"] == "fill")
    assert answer(phone, attempt_id, fill_position, ["四十", ""], 1).status_code == 200

    other_phone = client_for(member)  # switching phones: same attempt, same answers
    assert start(other_phone, quiz) == attempt_id
    state = other_phone.get(f"/quizzes/attempts/{attempt_id}/state").get_json()
    html = other_phone.get(f"/quizzes/attempts/{attempt_id}").get_data(as_text=True)

    responses = {item["position"]: (item["response"], item["seq"]) for item in state["items"]}
    assert responses[1] == ("C", 1) and responses[4] == (["A", "B"], 1)
    assert responses[fill_position] == (["四十", ""], 1)
    assert 'name="q1" value="C" checked' in html and 'value="四十"' in html


def test_stale_and_invalid_saves(phone, quiz):
    attempt_id = start(phone, quiz)
    assert answer(phone, attempt_id, 1, "B", 3).get_json()["saved"]
    stale = answer(phone, attempt_id, 1, "A", 2)
    assert stale.status_code == 200 and stale.get_json() == {
        "saved": False, "stale": True, "seq": 3, "remaining_seconds": 900, "response": "B"}
    assert answer(phone, attempt_id, 1, "Q", 4).status_code == 400
    assert phone.post(f"/quizzes/attempts/{attempt_id}/answers", data="not json",
                      content_type="application/json").status_code == 400


def test_answers_after_deadline_and_grace_are_refused_and_the_attempt_is_submitted(phone, quiz):
    attempt_id = start(phone, quiz)
    with clock.frozen_at(T0 + timedelta(seconds=905)):
        assert answer(phone, attempt_id, 1, "B", 1).status_code == 200  # within the grace
    with clock.frozen_at(T0 + timedelta(seconds=911)):
        late = answer(phone, attempt_id, 2, "B", 1)
        assert late.status_code == 409 and late.get_json()["submitted"] is True
        assert phone.get(f"/quizzes/attempts/{attempt_id}").location.endswith(f"/attempts/{attempt_id}/result")
    assert fresh(attempt_id).submit_reason == "timeout"


def test_an_attempt_left_to_run_out_is_scored_when_the_member_comes_back(phone, quiz):
    attempt_id = start(phone, quiz)
    for seq, item in enumerate(items_of(attempt_id), start=1):
        answer(phone, attempt_id, item.position, displayed_key(item), seq)
    with clock.frozen_at(T0 + timedelta(hours=3)):
        state = phone.get(f"/quizzes/attempts/{attempt_id}/state").get_json()
        result = phone.get(f"/quizzes/attempts/{attempt_id}/result")
    assert state["submitted"] is True and state["remaining_seconds"] == 0
    assert result.status_code == 200 and "时间已到" in result.get_data(as_text=True)
    assert fresh(attempt_id).score == 3 * 2 + 2 * 3 + 2 + 2 * 2


def test_reopening_the_page_of_an_attempt_that_ran_out_scores_it_and_shows_the_result(phone, quiz):
    """The answering page settles its own attempt when the time and the grace are over, and only then."""
    attempt_id = start(phone, quiz)
    for seq, item in enumerate(items_of(attempt_id), start=1):
        answer(phone, attempt_id, item.position, displayed_key(item), seq)
    with clock.frozen_at(T0 + timedelta(seconds=905)):  # past the deadline, within the grace: still open
        page = phone.get(f"/quizzes/attempts/{attempt_id}")
        assert page.status_code == 200 and 'data-remaining="0"' in page.get_data(as_text=True)
    assert fresh(attempt_id).submitted_at is None
    with clock.frozen_at(T0 + timedelta(hours=3)):
        page = phone.get(f"/quizzes/attempts/{attempt_id}")
    assert page.status_code == 302 and page.location.endswith(f"/attempts/{attempt_id}/result")
    attempt = fresh(attempt_id)
    assert attempt.submit_reason == "timeout" and attempt.score == 3 * 2 + 2 * 3 + 2 + 2 * 2


def test_submit_by_form_and_twice_gives_the_same_score(phone, quiz):
    attempt_id = start(phone, quiz)
    for seq, item in enumerate(items_of(attempt_id), start=1):
        answer(phone, attempt_id, item.position, displayed_key(item), seq)

    with clock.frozen_at(T0 + timedelta(minutes=5)):
        first = phone.post(f"/quizzes/attempts/{attempt_id}/submit")
        again = phone.post(f"/quizzes/attempts/{attempt_id}/submit", json={})
    assert first.status_code == 302 and first.location.endswith(f"/quizzes/attempts/{attempt_id}/result")
    assert again.get_json() == {"submitted": True, "score": 18.0, "max_score": 18.0, "submit_reason": "member",
                                "result_url": f"/quizzes/attempts/{attempt_id}/result"}
    page = phone.get(f"/quizzes/attempts/{attempt_id}/result").get_data(as_text=True)
    assert ">18<" in page and "5:00" in page and "第 1 名 / 共 1 人" in page


def test_the_server_decides_whether_a_submission_was_a_timeout(phone, quiz, make_member, client_for):
    attempt_id = start(phone, quiz)
    with clock.frozen_at(T0 + timedelta(minutes=5)):  # ten minutes left: the page's claim is ignored
        claimed = phone.post(f"/quizzes/attempts/{attempt_id}/submit", json={"reason": "timeout"})
    assert claimed.get_json()["submit_reason"] == "member"
    assert fresh(attempt_id).submit_reason == "member"

    other = client_for(make_member(unit=fresh(attempt_id).user.unit))
    late_id = start(other, quiz)
    with clock.frozen_at(T0 + timedelta(seconds=903)):  # the clock ran out; the page says nothing
        late = other.post(f"/quizzes/attempts/{late_id}/submit", json={})
    assert late.get_json()["submit_reason"] == "timeout"


def test_submit_carries_the_answers_the_page_had_not_saved_yet(phone, quiz):
    attempt_id = start(phone, quiz)
    item = items_of(attempt_id)[0]
    response = phone.post(f"/quizzes/attempts/{attempt_id}/submit", json={
        "answers": [{"position": 1, "response": displayed_key(item), "seq": 1}, {"position": 2, "response": "Z"}]})
    assert response.get_json()["score"] == 2


def test_leaving_the_page_and_the_leave_limit(phone, quiz, make_staff, client_for):
    quiz.leave_limit = 2
    db.session.commit()
    attempt_id = start(phone, quiz)

    first = phone.post(f"/quizzes/attempts/{attempt_id}/leave", json={}).get_json()
    second = phone.post(f"/quizzes/attempts/{attempt_id}/leave", json={}).get_json()

    assert first == {"leave_count": 1, "submitted": False, "leave_limit": 2}
    assert second["submitted"] is True and second["submit_reason"] == "leave_limit"
    result = phone.get(f"/quizzes/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "离开答题页面次数达到上限" in result
    organiser_page = client_for(make_staff("organiser")).get(f"/quizzes/manage/{quiz.id}").get_data(as_text=True)
    assert "李明" in organiser_page and "切屏超限自动交卷" in organiser_page


def test_a_member_cannot_touch_someone_elses_attempt(phone, quiz, client_for, make_member):
    attempt_id = start(phone, quiz)
    intruder = client_for(make_member())
    for method, path, body in [
        ("get", "", None), ("get", "/state", None), ("get", "/result", None),
        ("post", "/answers", {"position": 1, "response": "A", "seq": 9}), ("post", "/leave", {}),
        ("post", "/submit", {}),
    ]:
        url = f"/quizzes/attempts/{attempt_id}{path}"
        response = intruder.get(url) if method == "get" else intruder.post(url, json=body)
        assert response.status_code == 404, url
    assert fresh(attempt_id).is_open and fresh(attempt_id).leave_count == 0
    assert items_of(attempt_id)[0].response is None


def test_ineligible_unpublished_and_closed_quizzes(phone, quiz, make_quiz, bank, make_unit):
    elsewhere = make_quiz(banks=[bank], rules=[("single", 1, 1)], eligible_units=[make_unit()])
    draft = make_quiz(banks=[bank], rules=[("single", 1, 1)], published=False)
    assert phone.get(f"/quizzes/{elsewhere.id}").status_code == 404
    assert phone.post(f"/quizzes/{elsewhere.id}/start").status_code == 404
    assert phone.post(f"/quizzes/{draft.id}/start").status_code == 404
    assert phone.get("/quizzes/99999").status_code == 404

    closed = make_quiz(banks=[bank], rules=[("single", 1, 1)], opens_in=timedelta(days=-2), open_for=timedelta(days=1))
    refused = phone.post(f"/quizzes/{closed.id}/start", follow_redirects=True)
    assert "竞赛已结束" in refused.get_data(as_text=True)
    assert Attempt.query.filter_by(quiz_id=closed.id).count() == 0


def test_attempts_allowed_is_enforced_over_http(phone, quiz):
    attempt_id = start(phone, quiz)
    phone.post(f"/quizzes/attempts/{attempt_id}/submit")
    refused = phone.post(f"/quizzes/{quiz.id}/start", follow_redirects=True)
    assert "作答次数已用完" in refused.get_data(as_text=True)
    assert Attempt.query.filter_by(quiz_id=quiz.id).count() == 1


def test_staff_without_a_unit_cannot_take_quizzes(client_for, make_staff, quiz):
    organiser = client_for(make_staff("organiser"))
    assert organiser.get("/quizzes/").status_code == 403
    assert organiser.post(f"/quizzes/{quiz.id}/start").status_code == 403


def test_correct_answers_never_reach_the_browser_before_submission(phone, quiz):
    attempt_id = start(phone, quiz)
    served = [
        phone.get("/"), phone.get("/quizzes/"), phone.get(f"/quizzes/{quiz.id}"),
        phone.get(f"/quizzes/attempts/{attempt_id}"), phone.get(f"/quizzes/attempts/{attempt_id}/state"),
        answer(phone, attempt_id, 1, "A", 1), phone.post(f"/quizzes/attempts/{attempt_id}/leave", json={}),
        phone.get(f"/quizzes/attempts/{attempt_id}/result", follow_redirects=True),
    ]
    for response in served:
        body = response.get_data(as_text=True)
        assert SECRET_EXPLANATION not in body and SECRET_FILL_KEY not in body, response.request.path
    state = phone.get(f"/quizzes/attempts/{attempt_id}/state").get_json()
    for item in state["items"]:
        assert "answer" not in item and "explanation" not in item and "is_correct" not in item
    assert '"answer"' not in json.dumps(state)

    phone.post(f"/quizzes/attempts/{attempt_id}/submit")
    review = phone.get(f"/quizzes/attempts/{attempt_id}/result").get_data(as_text=True)
    assert SECRET_EXPLANATION in review and SECRET_FILL_KEY in review  # after_submit: shown once submitted


def test_review_after_close_waits_for_the_close(phone, quiz):
    quiz.review_policy = "after_close"
    db.session.commit()
    attempt_id = start(phone, quiz)
    phone.post(f"/quizzes/attempts/{attempt_id}/submit")

    before = phone.get(f"/quizzes/attempts/{attempt_id}/result").get_data(as_text=True)
    assert SECRET_EXPLANATION not in before and "竞赛截止" in before
    with clock.frozen_at(quiz.closes_at + timedelta(seconds=1)):
        after = phone.get(f"/quizzes/attempts/{attempt_id}/result").get_data(as_text=True)
    assert SECRET_EXPLANATION in after and "正确答案" in after


def test_review_never(phone, quiz):
    quiz.review_policy = "never"
    db.session.commit()
    attempt_id = start(phone, quiz)
    phone.post(f"/quizzes/attempts/{attempt_id}/submit")
    with clock.frozen_at(quiz.closes_at + timedelta(days=1)):
        page = phone.get(f"/quizzes/attempts/{attempt_id}/result").get_data(as_text=True)
    assert SECRET_EXPLANATION not in page and "正确答案" not in page


def test_no_review_of_an_earlier_attempt_while_another_is_open(phone, quiz):
    quiz.attempts_allowed = 2
    db.session.commit()
    first = start(phone, quiz)
    phone.post(f"/quizzes/attempts/{first}/submit")
    assert SECRET_EXPLANATION in phone.get(f"/quizzes/attempts/{first}/result").get_data(as_text=True)
    second = start(phone, quiz)
    assert second != first
    assert SECRET_EXPLANATION not in phone.get(f"/quizzes/attempts/{first}/result").get_data(as_text=True)


def form_token(html: str) -> str:
    return html.split('name="csrf_token" value="')[1].split('"')[0]


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_json_posts_need_the_csrf_token_from_the_page(app, member, quiz):
    phone = app.test_client()
    login_page = phone.get("/login").get_data(as_text=True)
    assert phone.post("/login", data={"login": member.staff_id, "password": DEFAULT_PASSWORD,
                                      "csrf_token": form_token(login_page)}).status_code == 302
    token = form_token(phone.get(f"/quizzes/{quiz.id}").get_data(as_text=True))
    attempt_id = int(phone.post(f"/quizzes/{quiz.id}/start", data={"csrf_token": token}).location.split("/")[-1])
    html = phone.get(f"/quizzes/attempts/{attempt_id}").get_data(as_text=True)
    url = f"/quizzes/attempts/{attempt_id}/answers"
    body = {"position": 1, "response": "A", "seq": 1}

    assert phone.post(url, json=body).status_code == 400
    saved = phone.post(url, json=body, headers={"X-CSRFToken": csrf_token_from(html)})
    assert saved.status_code == 200 and saved.get_json()["saved"] is True


def test_the_paper_keeps_the_question_as_shown_and_the_key_as_marked(phone, make_bank, make_question, make_quiz,
                                                                      make_staff, client_for):
    """An organiser who edits a question mid-quiz (a typo, a wrong key) changes no paper already given;
    a corrected key applies to attempts submitted after the correction; later edits change no review."""
    question = make_question(make_bank(), "single", stem="遵义会议召开于哪一年？", options=["1934年", "1935年"],
                             answer="A", explanation="旧解析")
    quiz = make_quiz(fixed=[(question, 10)], shuffle_options=False, review_policy="after_submit")
    attempt_id = start(phone, quiz)

    question.stem, question.options = "（已修改）题干", ["甲", "乙"]
    question.answer, question.explanation = "B", "遵义会议于1935年1月召开。"  # the key was wrong
    db.session.commit()
    item = phone.get(f"/quizzes/attempts/{attempt_id}/state").get_json()["items"][0]
    assert item["stem"] == "遵义会议召开于哪一年？" and item["options"] == ["1934年", "1935年"]
    assert answer(phone, attempt_id, 1, "B", 1).get_json()["saved"]
    with clock.frozen_at(T0 + timedelta(minutes=3)):
        assert phone.post(f"/quizzes/attempts/{attempt_id}/submit", json={}).get_json()["score"] == 10.0

    question.stem, question.answer, question.explanation = "再次修改", "A", "又改了"
    db.session.commit()
    result = phone.get(f"/quizzes/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "遵义会议召开于哪一年？" in result and "1935年" in result and "遵义会议于1935年1月召开。" in result
    assert "再次修改" not in result and "又改了" not in result and "（已修改）" not in result
    paper = client_for(make_staff("organiser")).get(f"/quizzes/manage/attempts/{attempt_id}").get_data(as_text=True)
    assert "遵义会议召开于哪一年？" in paper and "1935年" in paper and "再次修改" not in paper


def test_attempt_pages_and_results_are_never_kept_by_the_browser(phone, quiz):
    """Back after submitting must ask the server, which sends the member to the result."""
    attempt_id = start(phone, quiz)
    pages = [f"/quizzes/{quiz.id}", f"/quizzes/attempts/{attempt_id}", f"/quizzes/attempts/{attempt_id}/state"]
    for url in pages:
        assert "no-store" in phone.get(url).headers["Cache-Control"], url
    phone.post(f"/quizzes/attempts/{attempt_id}/submit", json={})
    back = phone.get(f"/quizzes/attempts/{attempt_id}")
    assert back.status_code == 302 and back.headers["Location"].endswith("/result")
    assert "no-store" in back.headers["Cache-Control"]
    result = phone.get(f"/quizzes/attempts/{attempt_id}/result")
    assert result.status_code == 200 and "no-store" in result.headers["Cache-Control"]


def wrong_book_questions(member_id: int) -> dict[int, int]:
    from quizzes.models import WrongAnswer

    db.session.commit()
    return {row.question_id: row.wrong_count for row in db.session.query(WrongAnswer).filter_by(user_id=member_id)}


def test_contest_mistakes_go_into_the_wrong_book_once(phone, quiz, member):
    attempt_id = start(phone, quiz)
    items = items_of(attempt_id)
    answer(phone, attempt_id, items[0].position, displayed_key(items[0]), 1)  # one right, the rest wrong or blank
    phone.post(f"/quizzes/attempts/{attempt_id}/submit")
    assert wrong_book_questions(member.id) == {}  # not before the member has seen the result

    result = phone.get(f"/quizzes/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "已收入" in result
    booked = wrong_book_questions(member.id)
    assert set(booked) == {item.question_id for item in items[1:]} and set(booked.values()) == {1}
    phone.get(f"/quizzes/attempts/{attempt_id}/result")
    phone.get("/quizzes/practice/wrong")
    assert wrong_book_questions(member.id) == booked  # once, however often the pages are opened
    assert items[1].stem in phone.get("/quizzes/practice/wrong").get_data(as_text=True)


def test_after_close_mistakes_join_the_book_only_after_the_close(phone, quiz, member):
    quiz.review_policy = "after_close"
    db.session.commit()
    attempt_id = start(phone, quiz)
    phone.post(f"/quizzes/attempts/{attempt_id}/submit")
    phone.get(f"/quizzes/attempts/{attempt_id}/result")
    phone.get("/quizzes/practice/wrong")
    assert wrong_book_questions(member.id) == {}
    with clock.frozen_at(quiz.closes_at + timedelta(seconds=1)):
        phone.get("/quizzes/practice/wrong")
    assert len(wrong_book_questions(member.id)) == len(items_of(attempt_id))


def test_never_reviewed_quizzes_keep_their_mistakes_out_of_the_book(phone, quiz, member):
    quiz.review_policy = "never"
    db.session.commit()
    attempt_id = start(phone, quiz)
    phone.post(f"/quizzes/attempts/{attempt_id}/submit")
    with clock.frozen_at(quiz.closes_at + timedelta(days=1)):
        phone.get(f"/quizzes/attempts/{attempt_id}/result")
        phone.get("/quizzes/practice/wrong")
    assert wrong_book_questions(member.id) == {}


def test_the_review_marks_choices_filters_mistakes_and_jumps(phone, quiz):
    attempt_id = start(phone, quiz)
    items = items_of(attempt_id)
    single = next(item for item in items if item.question.question_type == "single")
    key = displayed_key(single)
    wrong = next(letter for letter in "ABCD" if letter != key)
    answer(phone, attempt_id, single.position, wrong, 1)
    right = next(item for item in items if item.question.question_type == "judge")
    answer(phone, attempt_id, right.position, displayed_key(right), 1)
    phone.post(f"/quizzes/attempts/{attempt_id}/submit")

    page = phone.get(f"/quizzes/attempts/{attempt_id}/result").get_data(as_text=True)
    block = page.split(f'id="r{single.position}"')[1].split("</li>\n  </ul>")[0]
    assert f'class="is-key">\n        <span class="practice-letter">{key}' in block
    assert f'class=" is-mine">\n        <span class="practice-letter">{wrong}' in block
    assert f'href="/quizzes/attempts/{attempt_id}/result#r{single.position}"' in page  # the jump list
    assert f"只看错题（{len(items) - 1}）" in page

    only_wrong = phone.get(f"/quizzes/attempts/{attempt_id}/result?wrong=1").get_data(as_text=True)
    assert f'id="r{single.position}"' in only_wrong and f'id="r{right.position}"' not in only_wrong
    assert "显示全部" in only_wrong


@pytest.mark.parametrize(("seconds", "shown"), [(17, "17秒"), (723, "12分03秒"), (3723, "1小时02分03秒"), (0, "0秒")])
def test_time_used_reads_unambiguously(app, seconds, shown):
    from app.templating import time_spent

    with app.test_request_context():
        assert time_spent(seconds) == shown


def test_the_start_page_states_each_rule_once(phone, make_quiz, bank):
    from quizzes.demo import DEMO_QUIZ_RULES_TEXT

    quiz = make_quiz(banks=[bank], rules=[("single", 3, 2)], time_limit_seconds=1200, attempts_allowed=2,
                     leave_limit=5, rules_text=DEMO_QUIZ_RULES_TEXT, title="规则竞赛")
    page = phone.get(f"/quizzes/{quiz.id}").get_data(as_text=True)
    main = page.split('<main', 1)[1]
    for phrase in ("20 分钟", "时间到", "自动保存", "取最高", "5 次", "独立完成"):
        assert main.count(phrase) == 1, phrase


def _question(html: str, position: int) -> str:
    return html.split(f'<section class="quiz-q" id="q{position}"')[1].split("</section>")[0]


def test_the_answering_page_shows_each_saved_answer_as_it_was_left(phone, quiz):
    attempt_id = start(phone, quiz)
    paper = phone.get(f"/quizzes/attempts/{attempt_id}/state").get_json()["items"]
    judge = next(item["position"] for item in paper if item["type"] == "judge")
    fill = next(item for item in paper if item["type"] == "fill")
    answer(phone, attempt_id, 1, "B", 1)
    answer(phone, attempt_id, 4, ["A", "C"], 1)
    answer(phone, attempt_id, judge, False, 1)
    answer(phone, attempt_id, fill["position"], ["四十", ""], 1)

    html = phone.get(f"/quizzes/attempts/{attempt_id}").get_data(as_text=True)

    single, multiple = _question(html, 1), _question(html, 4)
    assert 'data-type="single"' in single and "第 1 题 · 2 分" in single
    assert re.findall(r'type="radio" name="q1" value="([A-H])"( checked)?', single) == [
        ("A", ""), ("B", " checked"), ("C", ""), ("D", "")]
    assert "第 4 题 · 3 分" in multiple and "多选，请选择所有正确答案" in multiple
    assert re.findall(r'type="checkbox" name="q4" value="([A-H])" checked', multiple) == ["A", "C"]
    assert re.findall(r'value="(true|false)"( checked)?', _question(html, judge)) == [("true", ""), ("false", " checked")]
    blanks = _question(html, fill["position"])
    assert "第 1 空" in blanks and "第 2 空" in blanks
    assert re.findall(r'data-blank="(\d)"[^>]*value="([^"]*)"', blanks) == [("0", "四十"), ("1", "")]
    card = html.split('class="answer-grid"')[1].split("</ol>")[0]
    cells = re.findall(r'class="answer-cell( is-answered)?"\s+data-goto="(\d+)"', card)
    assert len(cells) == len(paper)
    assert sorted(int(position) for mark, position in cells if mark) == sorted({1, 4, judge, fill["position"]})


def test_the_answering_page_speaks_each_members_language(app, client_for, make_member, quiz, monkeypatch):
    """Its fixed strings for the script are rendered once per language and worker, never mixed up."""
    fetched = []
    real = app.jinja_env.get_template

    def noting(name, *args, **kwargs):
        fetched.append(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(app.jinja_env, "get_template", noting)
    chinese, english = client_for(make_member()), client_for(make_member(locale="en"))
    pages = {}
    for name, client in (("zh", chinese), ("en", english), ("zh again", chinese), ("en again", english)):
        pages[name] = client.get(f"/quizzes/attempts/{start(client, quiz)}").get_data(as_text=True)
    assert 'data-msg-saved="已保存"' in pages["zh"] and 'data-msg-saved="已保存"' in pages["zh again"]
    assert 'data-msg-saved="Saved"' in pages["en"] and 'data-msg-saved="Saved"' in pages["en again"]
    assert "确认交卷" in pages["zh again"] and "确认交卷" not in pages["en again"]
    assert "Question 1 · Points: 2" in pages["en again"]
    assert fetched.count("quizzes/take/_messages.html") == 2  # once per language


def test_markup_in_questions_and_answers_is_shown_as_text_on_the_answering_page(client_for, make_member, make_bank,
                                                                               make_question, make_quiz):
    bank = make_bank()
    make_question(bank, "single", stem='<script>alert("题干")</script>', options=["<b>甲</b>", '"乙"', "丙&丁", "戊'"])
    make_question(bank, "fill", stem="填空 <i>一</i>", answer=[["四十"]])
    quiz = make_quiz(banks=[bank], rules=[("single", 1, 2), ("fill", 1, 2)], shuffle_questions=False,
                     shuffle_options=False)
    phone = client_for(make_member())
    attempt_id = start(phone, quiz)
    answer(phone, attempt_id, 2, ['"><img src=x onerror=alert(1)>'], 1)

    html = phone.get(f"/quizzes/attempts/{attempt_id}").get_data(as_text=True)

    assert "<script>alert" not in html and "&lt;script&gt;alert(&#34;题干&#34;)&lt;/script&gt;" in html
    assert "&lt;b&gt;甲&lt;/b&gt;" in html and "&#34;乙&#34;" in html and "丙&amp;丁" in html and "戊&#39;" in html
    assert "填空 &lt;i&gt;一&lt;/i&gt;" in html
    assert 'value="&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"' in html and "<img src=x" not in html
