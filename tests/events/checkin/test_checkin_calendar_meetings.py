# ruff: noqa: F401, F811  (fixtures imported from att_fixtures are test arguments)
"""三会一课: required meetings per month and quarter of the hosting branch (cancelled ones do not count),
and members without attendance for 3, 4 and 5 months."""
from datetime import datetime, timedelta

from app.common import clock
from app.common.clock import from_local
from events.checkin.services import calendar
from tests.events.checkin.att_fixtures import att_event, check_in, leave, snapshot, town

NOW = from_local(datetime(2026, 5, 15, 12, 0))  # mid-May 2026 in Shanghai


def _at(month: int, day: int = 10):
    return from_local(datetime(2026, month, day, 14, 0))


def _row(rows, event_type):
    return next(row for row in rows if row.event_type == event_type)


def test_months_and_quarters_are_held_missing_due_or_planned(app, att_event, town):
    one = town["one"]
    att_event(event_type="committee", host=one, start=_at(1))
    att_event(event_type="committee", host=one, start=_at(3), cancelled=True)  # cancelled: not held
    att_event(event_type="committee", host=one, start=_at(5, 20))  # later this month: planned
    att_event(event_type="committee", host=town["two"], start=_at(2))  # another branch's
    att_event(event_type="assembly", host=one, start=_at(2))
    att_event(event_type="lecture", host=one, start=_at(4, 2))
    with clock.frozen_at(NOW):
        rows = calendar.branch_calendar(one, 2026)
    committee = [cell.state for cell in _row(rows, "committee").cells]
    assert committee[:6] == ["held", "missing", "missing", "missing", "planned", "future"]
    assert [cell.state for cell in _row(rows, "assembly").cells] == ["held", "due", "future", "future"]
    assert [cell.state for cell in _row(rows, "lecture").cells] == ["missing", "held", "future", "future"]
    assert [cell.state for cell in _row(rows, "group").cells][:5] == ["missing"] * 4 + ["due"]
    assert _row(rows, "committee").missing == 3


def test_the_overview_counts_misses_per_branch(app, att_event, town):
    for month in (1, 2, 3, 4):
        att_event(event_type="committee", host=town["one"], start=_at(month))
    with clock.frozen_at(NOW):
        lines = {line.host.name: line for line in calendar.hosts_overview(calendar.calendar_hosts(), 2026)}
    assert set(lines) == {"一支部", "二支部", "乙单位"}  # 甲单位 has branches: they hold the meetings
    # 一支部: group 4 months, assembly Q1, lecture Q1 missing; 二支部 misses committee too.
    assert lines["一支部"].missing == 4 + 1 + 1 and lines["一支部"].held == 4
    assert lines["二支部"].missing == 4 + 4 + 1 + 1


def test_requirements_can_be_configured(app, att_event, town):
    app.config["CHECKIN_MEETING_REQUIREMENTS"] = {"lecture": "month"}
    with clock.frozen_at(NOW):
        rows = calendar.branch_calendar(town["one"], 2026)
    assert [(row.event_type, len(row.cells)) for row in rows] == [("lecture", 12)]


def test_members_without_attendance_for_three_four_and_five_months(app, att_event, town, make_member):
    p = town["people"]
    one = town["one"]
    january = att_event(scope="units", units=[town["jia"]], host=one, start=_at(1, 5))
    march = att_event(scope="units", units=[town["jia"]], host=one, start=_at(3, 5))
    snapshot(january)
    snapshot(march)
    check_in(january, p["张一"])  # last attended January: 4 whole months by mid-May
    check_in(march, p["李二"], method="paper")  # March: 2 months, not listed
    leave(march, p["王三"], kind="official")  # 公出 counts as attendance
    leave(january, p["赵四"])  # 请假 does not: never attended since first invited (January)
    newcomer = make_member(unit=town["jia"], branch=one, name="新人")  # never invited: not listed
    with clock.frozen_at(NOW):
        buckets = calendar.inactive_members(one)
    assert {months: [person.name for person in people] for months, people in buckets.items()} == \
        {5: [], 4: ["张一", "赵四"], 3: []}
    assert newcomer.id not in [person.user_id for people in buckets.values() for person in people]
    with clock.frozen_at(NOW + timedelta(days=30)):
        buckets = calendar.inactive_members(one)
    assert [person.name for person in buckets[5]] == ["张一", "赵四"] and [p.name for p in buckets[3]] == ["李二", "王三"]


def test_calendar_pages_for_organisers_and_the_units_liaison(app, att_event, town, client_for):
    att_event(event_type="committee", host=town["one"], start=_at(1), title="一月支委会")
    with clock.frozen_at(NOW):
        page = client_for(town["organiser"]).get("/checkin/calendar/?year=2026").get_data(as_text=True)
        assert "一支部" in page and "乙单位" in page
        liaison = client_for(town["liaison_jia"])
        assert "乙单位" not in liaison.get("/checkin/calendar/").get_data(as_text=True)
        branch = liaison.get(f"/checkin/calendar/{town['one'].id}?year=2026").get_data(as_text=True)
        assert "一月支委会" in branch and "未开" in branch
        assert client_for(town["liaison_yi"]).get(f"/checkin/calendar/{town['one'].id}").status_code == 404
