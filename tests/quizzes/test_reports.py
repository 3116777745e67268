"""Organiser pages for a quiz's results: progress, units, questions, who has not taken part, one paper;
and what a unit liaison sees of them (their own unit's members, answer keys only after the close)."""
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest

from app.common import clock
from app.extensions import db
from quizzes.services import question_stats, reports
from tests.quizzes.results_helpers import quick_members, record_attempt


@pytest.fixture
def world(make_unit, make_member, make_staff, make_bank, make_question, make_quiz):
    city, county, press = make_unit("市委办"), make_unit("县委办"), make_unit("宣传部")
    branch = make_unit("第一支部", parent=county)
    bank = make_bank()
    single = make_question(bank, "single", stem="党的根本宗旨是？", options=["为人民服务", "发展", "改革", "创新"],
                           answer="A", points=25)
    multiple = make_question(bank, "multiple", stem="下列哪些是新发展理念？",
                             options=["创新", "垄断", "协调", "封闭"], answer=["A", "C"], points=25)
    judge = make_question(bank, "judge", stem="党的十九大于2017年召开。", answer=True, points=25)
    fill = make_question(bank, "fill", stem="改革开放＿＿周年，推动＿＿发展", answer=[["40", "四十"], ["高质量"]],
                         points=25)
    quiz = make_quiz(fixed=[(single, 25), (multiple, 25), (judge, 25), (fill, 25)], title="党建知识竞赛",
                     eligible_units=[city, county], attempts_allowed=2)
    people = SimpleNamespace(
        ann=make_member(unit=city, name="安", staff_id="A001", mobile="13800000001"),
        bo=make_member(unit=city, name="博", staff_id="A002"),
        cai=make_member(unit=city, name="蔡", staff_id="A003"),
        dai=make_member(unit=county, branch=branch, name="戴", staff_id="B001"),
        ed=make_member(unit=county, name="鄂", staff_id="B002"),
        gone=make_member(unit=county, name="离职", staff_id="B003", active=False),
        outsider=make_member(unit=press, name="外单位", staff_id="C001"),
    )
    questions = [single, multiple, judge, fill]
    # 安: everything right. Options of the single choice shown as C, A, B, D (original indices 2, 0, 1, 3).
    record_attempt(quiz, people.ann, time_used=300, leave_count=2,
                   answers=[(single, "A", [2, 0, 1, 3]), (multiple, ["A", "C"]), (judge, True), (fill, ["四十", "高质量"])])
    # 博: all wrong, the fill with the common mistake "30" (typed full-width).
    record_attempt(quiz, people.bo, time_used=200,
                   answers=[(single, "B"), (multiple, ["A"]), (judge, False), (fill, ["３０", "高质量"])])
    # 蔡: answering now.
    record_attempt(quiz, people.cai, submitted=False, answers=[(question, None) for question in questions])
    # 戴 (in a branch of 县委办): half right, fill "30" again, the judge unanswered.
    record_attempt(quiz, people.dai, time_used=500,
                   answers=[(single, "A"), (multiple, ["C", "D"]), (judge, None), (fill, [" 30 ", "高质量"])])
    return SimpleNamespace(city=city, county=county, press=press, branch=branch, quiz=quiz, questions=questions,
                           **vars(people))


@pytest.fixture
def organiser(make_staff, client_for):
    return client_for(make_staff("organiser"))


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


# ---------------------------------------------------------------- progress

def test_progress_counts_started_answering_submitted_and_not_started(world):
    figures = reports.progress(world.quiz)

    by_unit = {line.unit_name: line for line in figures.units}
    assert list(by_unit) == ["市委办", "县委办"]  # 宣传部 is not invited
    city, county = by_unit["市委办"], by_unit["县委办"]
    assert (city.headcount, city.started, city.in_progress, city.submitted, city.not_started) == (3, 3, 1, 2, 0)
    assert (county.headcount, county.started, county.submitted, county.not_started) == (2, 1, 1, 1)
    assert city.participation == pytest.approx(2 / 3)
    assert (figures.total.headcount, figures.total.submitted, figures.total.not_started) == (5, 3, 1)
    assert figures.leaves == 2


def test_progress_page_refreshes_itself_without_inline_script(world, organiser):
    response = organiser.get(f"/quizzes/manage/{world.quiz.id}/progress")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-live-refresh="15"' in html
    assert re.search(r'<script src="/static/js/quiz-reports\.js\?v=[0-9a-f]{12}" defer></script>', html)
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None  # no inline script (CSP)
    assert re.search(r"\son[a-z]+=", html) is None  # no inline handlers
    assert "style=" not in html
    assert '<meta http-equiv="refresh" content="15">' in html  # inside <noscript>
    assert "66.7%" in text_of(response)


def test_progress_headcount_follows_an_eligible_branch(make_unit, make_member, make_quiz, make_bank):
    county = make_unit("县委办")
    branch = make_unit("第一支部", parent=county)
    other_branch = make_unit("第二支部", parent=county)
    make_member(unit=county, branch=branch)
    make_member(unit=branch)
    make_member(unit=county, branch=other_branch)
    make_member(unit=county)
    quiz = make_quiz(banks=[make_bank()], eligible_units=[branch])

    figures = reports.progress(quiz)

    assert [(line.unit_name, line.headcount) for line in figures.units] == [("县委办", 2)]
    assert len(reports.absentees(quiz)) == 2


# ---------------------------------------------------------------- units, absentees

def test_unit_statistics_count_participants_average_and_top(world, organiser):
    lines, total = reports.unit_statistics(world.quiz)

    figures = {line.unit_name: line for line in lines}
    assert (figures["市委办"].headcount, figures["市委办"].participants) == (3, 2)
    assert (figures["市委办"].average_score, figures["市委办"].top_score) == (50.0, 100.0)
    assert (figures["县委办"].participants, figures["县委办"].average_score) == (1, 25.0)
    assert figures["县委办"].participation == pytest.approx(0.5)
    assert (total.headcount, total.participants, total.top_score) == (5, 3, 100.0)
    page = text_of(organiser.get(f"/quizzes/manage/{world.quiz.id}/units"))
    assert "市委办 3 2 66.7% 50 100" in page
    assert "合计 5 3 60.0%" in page


def test_absent_list_names_members_without_a_submission_per_unit(world, organiser):
    people = reports.absentees(world.quiz)

    assert [(person.unit_name, person.name, person.answering) for person in people] == [
        ("市委办", "蔡", True), ("县委办", "鄂", False)]
    page = text_of(organiser.get(f"/quizzes/manage/{world.quiz.id}/absent"))
    assert "蔡 A003" in page and "答题中" in page and "鄂 B002" in page
    assert "离职" not in page and "外单位" not in page and "安" not in page
    only_county = text_of(organiser.get(f"/quizzes/manage/{world.quiz.id}/absent?unit={world.county.id}"))
    assert "鄂" in only_county and "蔡" not in only_county


# ---------------------------------------------------------------- questions

def test_question_statistics_count_shown_correct_and_picks_in_bank_letters(world):
    lines = {line.question.question_type: line for line in question_stats.question_statistics(world.quiz)}

    single = lines["single"]
    assert (single.shown, single.correct, single.correct_rate) == (3, 2, pytest.approx(2 / 3))
    # 安 saw the options shuffled (C A B D) and picked the right one: counted as bank letter A.
    assert [(option.label, option.count, option.is_key) for option in single.options] == [
        ("A", 2, True), ("B", 1, False), ("C", 0, False), ("D", 0, False)]
    multiple = lines["multiple"]
    assert [(option.label, option.count) for option in multiple.options] == [("A", 2), ("B", 0), ("C", 2), ("D", 1)]
    judge = lines["judge"]
    assert [(option.label, option.count) for option in judge.options] == [("对", 1), ("错", 1)]
    assert judge.unanswered == 1
    fill = lines["fill"]
    assert fill.correct == 1
    assert len(fill.wrong_answers) == 1  # "３０" and " 30 " are the same mistake
    assert fill.wrong_answers[0][0] in ("30 | 高质量", "３０ | 高质量") and fill.wrong_answers[0][1] == 2
    assert [line.question.question_type for line in question_stats.question_statistics(world.quiz)] == [
        "single", "multiple", "judge", "fill"]  # fixed paper order
    hardest = question_stats.question_statistics(world.quiz, sort="rate")
    assert hardest[0].correct_rate <= hardest[-1].correct_rate


def test_question_page_shows_rates_and_common_wrong_answers(world, organiser):
    page = text_of(organiser.get(f"/quizzes/manage/{world.quiz.id}/questions"))

    assert "党的根本宗旨是？" in page
    assert "A. 为人民服务 正确 2" in page
    assert "常见错误答案" in page and "×2" in page


# ---------------------------------------------------------------- one member's paper

def test_attempt_page_shows_the_paper_as_the_member_saw_it(world, organiser):
    attempt_id = db.session.scalar(db.select(reports.Attempt.id).where(reports.Attempt.user_id == world.ann.id))

    response = organiser.get(f"/quizzes/manage/attempts/{attempt_id}")

    page = text_of(response)
    assert response.status_code == 200
    assert "安（A001）的第 1 次作答" in page
    # Displayed order C, A, B, D: the right answer (bank A, 为人民服务) was the member's B.
    assert "A. 改革 (C)" in page and "B. 为人民服务 (A) 已选 正确答案" in page
    assert "作答 B （题库字母 A）" in page
    assert "切屏次数 2" in page


def test_paper_items_translate_letters_both_ways(world):
    attempt = db.session.scalars(db.select(reports.Attempt).where(reports.Attempt.user_id == world.ann.id)).one()

    first = reports.attempt_paper(attempt)[0]

    assert [option.shown_letter + option.original_letter for option in first.options] == ["AC", "BA", "CB", "DD"]
    assert (first.response_shown, first.response_original, first.key_shown, first.key_original) == ("B", "A", "B", "A")


# ---------------------------------------------------------------- who may see what

def test_members_and_judges_are_refused(world, make_member, make_staff, client_for):
    for client in (client_for(world.ann), client_for(make_staff("judge"))):
        for path in ("progress", "leaderboard", "units", "absent", "questions", "export.xlsx"):
            assert client.get(f"/quizzes/manage/{world.quiz.id}/{path}").status_code == 403


def test_liaison_sees_only_their_units_members(world, make_staff, client_for):
    liaison = client_for(make_staff("liaison", unit=world.county, name="县联络员"))

    progress = text_of(liaison.get(f"/quizzes/manage/{world.quiz.id}/progress"))
    board = text_of(liaison.get(f"/quizzes/manage/{world.quiz.id}/leaderboard"))
    absent = text_of(liaison.get(f"/quizzes/manage/{world.quiz.id}/absent?unit={world.city.id}"))

    assert "县委办" in progress and "市委办" not in progress
    assert "戴" in board and "安" not in board and "博" not in board
    assert "2 戴" in board  # the rank among everyone (安 is first), not within the unit
    assert "鄂" in absent and "县联络员" in absent and "蔡" not in absent  # ?unit= cannot widen the view


def test_liaison_reads_answer_keys_only_after_the_close(world, make_staff, client_for):
    account = make_staff("liaison", unit=world.county)
    liaison = client_for(account)
    own = db.session.scalar(db.select(reports.Attempt.id).where(reports.Attempt.user_id == world.dai.id))
    other = db.session.scalar(db.select(reports.Attempt.id).where(reports.Attempt.user_id == world.ann.id))

    assert liaison.get(f"/quizzes/manage/{world.quiz.id}/questions").status_code == 403
    assert liaison.get(f"/quizzes/manage/attempts/{own}").status_code == 403
    clock.advance(timedelta(days=8))  # the quiz has closed
    liaison = client_for(account)  # a staff sign-in lasts a working day, not a week
    assert liaison.get(f"/quizzes/manage/{world.quiz.id}/questions").status_code == 200
    assert liaison.get(f"/quizzes/manage/attempts/{own}").status_code == 200
    assert liaison.get(f"/quizzes/manage/attempts/{other}").status_code == 404


def test_liaison_of_a_unit_not_invited_gets_404(world, make_staff, client_for):
    liaison = client_for(make_staff("liaison", unit=world.press))

    assert liaison.get(f"/quizzes/manage/{world.quiz.id}/progress").status_code == 404
    assert liaison.get(f"/quizzes/manage/{world.quiz.id}/export.xlsx").status_code == 404
    assert "党建知识竞赛" not in liaison.get("/quizzes/manage/results").get_data(as_text=True)


def test_results_index_lists_quizzes_with_links(world, organiser, make_staff, client_for):
    page = organiser.get("/quizzes/manage/results").get_data(as_text=True)
    assert "党建知识竞赛" in page and f"/quizzes/manage/{world.quiz.id}/progress" in page
    liaison = client_for(make_staff("liaison", unit=world.city))
    assert "党建知识竞赛" in liaison.get("/quizzes/manage/results").get_data(as_text=True)


def test_unknown_quiz_or_attempt_is_404(app, organiser):
    assert organiser.get("/quizzes/manage/999/progress").status_code == 404
    assert organiser.get("/quizzes/manage/attempts/999").status_code == 404


# ---------------------------------------------------------------- query counts

@pytest.mark.parametrize("path", ["progress", "units", "questions", "absent", "leaderboard", "export.xlsx"])
def test_pages_do_not_grow_with_members(path, world, organiser, make_unit, count_queries):
    url = f"/quizzes/manage/{world.quiz.id}/{path}"
    db.session.commit()  # both requests start from a session with nothing loaded
    with count_queries() as small:
        assert organiser.get(url).status_code == 200
    extra_unit = make_unit("新单位")
    world.quiz.eligible_units.append(extra_unit)
    db.session.commit()
    members = quick_members([world.city, world.county, extra_unit], 45)
    for index, member in enumerate(members[:40]):
        record_attempt(world.quiz, member, time_used=100 + index, submitted=index % 4 != 0,
                       answers=[(question, None) for question in world.questions])
    with count_queries() as large:
        assert organiser.get(url).status_code == 200

    assert large.count == small.count, large.statements


def test_attempt_page_does_not_grow_with_questions(world, organiser, make_question, make_quiz, count_queries):
    bank = world.questions[0].bank
    few = record_attempt(world.quiz, world.ed, answers=[(question, "A") for question in world.questions[:1]])
    many_questions = [make_question(bank, "single") for _ in range(20)]
    many = record_attempt(world.quiz, world.ed, answers=[(question, "B") for question in many_questions])
    db.session.commit()
    few_id, many_id = few.id, many.id
    db.session.expunge_all()  # each request starts with an empty session, as it does when served
    with count_queries() as small:
        assert organiser.get(f"/quizzes/manage/attempts/{few_id}").status_code == 200
    db.session.expunge_all()
    with count_queries() as large:
        assert organiser.get(f"/quizzes/manage/attempts/{many_id}").status_code == 200

    assert large.count == small.count
