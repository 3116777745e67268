"""How much each unit practised: figures, date range, who may see them, query counts, export sheet."""
from datetime import date, datetime

import pytest

from app.extensions import db
from quizzes.models import PracticeAnswer
from quizzes.services.practice import practice_by_unit, practice_sheet


@pytest.fixture
def practice_log(make_bank, make_question):
    """log(user, correct, when=None): one stored practice answer (answered_at is naive UTC)."""
    bank = make_bank()
    question = make_question(bank, "judge", answer=True)

    def log(user, correct: bool, when: datetime | None = None):
        row = PracticeAnswer(user_id=user.id, bank_id=bank.id, question_id=question.id, response=correct,
                             is_correct=correct)
        if when is not None:
            row.answered_at = when
        db.session.add(row)
        db.session.commit()
        return row

    return log


@pytest.fixture
def city(make_unit, make_member):
    """Three units: 甲 (3 active members, one in a branch, plus one deactivated), 乙 (2), 丙 (none)."""
    jia, yi, bing = make_unit("甲局", sort_order=1), make_unit("乙局", sort_order=2), make_unit("丙局", sort_order=3)
    branch = make_unit("甲局一支部", parent=jia)
    members = {
        "a1": make_member(unit=jia), "a2": make_member(unit=jia), "a3": make_member(unit=jia, branch=branch),
        "gone": make_member(unit=jia, active=False),
        "b1": make_member(unit=yi), "b2": make_member(unit=yi),
    }
    return {"units": (jia, yi, bing), "members": members}


def sql_queries(counter) -> int:
    return sum(1 for statement in counter.statements if not statement.lstrip().upper().startswith("BEGIN"))


def by_name(rows):
    return {row.unit_name: row for row in rows}


def test_figures_per_unit(city, practice_log, make_staff):
    people = city["members"]
    practice_log(people["a1"], True)
    practice_log(people["a1"], False)
    practice_log(people["a3"], True)
    practice_log(people["gone"], True)  # deactivated: not part of the headcount, not counted
    practice_log(people["b1"], False)
    practice_log(make_staff("organiser"), True)  # staff without a unit: left out

    rows = by_name(practice_by_unit())
    assert list(rows) == ["甲局", "乙局", "丙局"]
    jia, yi, bing = rows["甲局"], rows["乙局"], rows["丙局"]
    assert (jia.headcount, jia.practised, jia.answers, jia.correct) == (3, 2, 3, 2)
    assert jia.participation_rate == pytest.approx(2 / 3) and jia.correct_rate == pytest.approx(2 / 3)
    assert (yi.headcount, yi.practised, yi.answers, yi.correct) == (2, 1, 1, 0)
    assert yi.participation_rate == 0.5 and yi.correct_rate == 0
    assert (bing.headcount, bing.practised, bing.answers) == (0, 0, 0)
    assert bing.participation_rate is None and bing.correct_rate is None


def test_date_range_uses_local_days(city, practice_log):
    member = city["members"]["b1"]
    practice_log(member, True, datetime(2026, 3, 31, 15, 59))  # 3-31 23:59 in Beijing
    practice_log(member, True, datetime(2026, 3, 31, 16, 0))   # 4-01 00:00 in Beijing
    practice_log(member, False, datetime(2026, 4, 2, 15, 59))  # 4-02 23:59
    practice_log(member, False, datetime(2026, 4, 2, 16, 0))   # 4-03 00:00
    yi = by_name(practice_by_unit(since=date(2026, 4, 1), until=date(2026, 4, 2)))["乙局"]
    assert (yi.answers, yi.correct) == (2, 1)
    assert by_name(practice_by_unit(since=date(2026, 4, 3)))["乙局"].answers == 1
    assert by_name(practice_by_unit(until=date(2026, 3, 31)))["乙局"].answers == 1


def test_the_figures_take_two_queries_whatever_the_number_of_units(city, practice_log, make_unit, make_member,
                                                                   count_queries):
    for member in city["members"].values():
        practice_log(member, True)
    with count_queries() as few:
        practice_by_unit()
    for index in range(8):
        extra = make_member(unit=make_unit(f"新增单位{index}"))
        practice_log(extra, False)
    with count_queries() as many:
        rows = practice_by_unit()
    # the grouped figures, then unit_headcounts() (SQLite's BEGIN is not a query)
    assert sql_queries(few) == sql_queries(many) == 2
    assert len(rows) == 11


def test_the_stats_page_query_count_does_not_grow_with_units(city, practice_log, make_unit, make_member,
                                                             make_staff, client_for, count_queries):
    client = client_for(make_staff("organiser"))
    with count_queries() as few:
        assert client.get("/quizzes/practice/stats").status_code == 200
    for index in range(6):
        practice_log(make_member(unit=make_unit(f"又一单位{index}")), True)
    with count_queries() as many:
        page = client.get("/quizzes/practice/stats")
    assert page.status_code == 200
    assert sql_queries(many) == sql_queries(few)


def test_organisers_see_every_unit_liaisons_their_own(city, practice_log, make_staff, client_for):
    _jia, yi, _bing = city["units"]
    practice_log(city["members"]["a1"], True)
    organiser_page = client_for(make_staff("organiser")).get("/quizzes/practice/stats").get_data(as_text=True)
    assert all(name in organiser_page for name in ("甲局", "乙局", "丙局", "合计"))
    assert "33.3%" in organiser_page  # 甲局: 1 of 3 practised

    liaison_page = client_for(make_staff("liaison", unit=yi)).get("/quizzes/practice/stats").get_data(as_text=True)
    assert "乙局" in liaison_page and "甲局" not in liaison_page and "合计" not in liaison_page

    assert client_for(city["members"]["a1"]).get("/quizzes/practice/stats").status_code == 403


@pytest.mark.parametrize("query", ["since=yesterday", "since=2026-13-45", "since=2026-04-02&until=2026-04-01"])
def test_a_bad_date_range_is_a_400(make_staff, client_for, query):
    response = client_for(make_staff("organiser")).get(f"/quizzes/practice/stats?{query}")
    assert response.status_code == 400


def test_the_date_filter_on_the_page(city, practice_log, make_staff, client_for):
    practice_log(city["members"]["b1"], True, datetime(2026, 4, 1, 2, 0))
    client = client_for(make_staff("organiser"))
    inside = client.get("/quizzes/practice/stats?since=2026-04-01&until=2026-04-01").get_data(as_text=True)
    outside = client.get("/quizzes/practice/stats?since=2026-04-02").get_data(as_text=True)
    assert "50.0%" in inside and "50.0%" not in outside


def test_the_export_sheet(city, practice_log):
    practice_log(city["members"]["a1"], True)
    sheet = practice_sheet()
    rows = list(sheet.rows)
    assert rows[0][:3] == ["甲局", 3, 1] and rows[-1][0] == "合计" and rows[-1][1] == 5
    assert len(sheet.columns) == len(rows[0])
