# ruff: noqa: F401, F811  (fixtures imported from att_fixtures are test arguments)
"""Attendance per unit and branch from the snapshot: statuses, rate and formula, quorum, the 未签到名单,
who sees what, and a constant number of statements whatever the event's size."""
import re

from app.extensions import db
from events.checkin.services import attendance_report as attendance
from tests.events.checkin.att_fixtures import (
    att_clock,
    att_event,
    check_in,
    exempt,
    leave,
    snapshot,
    town,
)


def _assembly(att_event, town, **fields):
    event = att_event(scope="units", units=[town["jia"], town["yi"]], **fields)
    snapshot(event)
    return event


def test_each_status_is_counted_and_present_wins_over_leave(app, att_event, town):
    event = _assembly(att_event, town)
    p = town["people"]
    check_in(event, p["张一"], minutes_after_start=-5)
    check_in(event, p["李二"], minutes_after_start=15)  # after late_at (+10): late
    check_in(event, p["王三"])
    leave(event, p["王三"])  # approved leave, but checked in: present
    leave(event, p["赵四"])
    leave(event, p["钱五"], kind="official")
    leave(event, p["周七"], status="pending")  # pending leave changes nothing
    exempt(event, p["吴八"])

    figures = attendance.event_attendance(event)
    total = figures.total
    assert (total.expected, total.present, total.late, total.leave, total.official, total.absent, total.exempt) == \
        (8, 2, 1, 1, 1, 2, 1)
    assert total.rate == (2 + 1 + 1) / (8 - 1)
    statuses = {person.name: person.status for person in attendance.people(event)}
    assert statuses == {"张一": "present", "李二": "late", "王三": "present", "赵四": "leave", "钱五": "official",
                        "孙六": "absent", "周七": "absent", "吴八": "exempt"}
    assert [person.name for person in attendance.absentees(event)] == ["孙六", "周七"]
    pending = next(person for person in attendance.absentees(event) if person.name == "周七")
    assert "请假待审批" in pending.reason


def test_units_and_branches_come_from_the_snapshot_not_the_live_roster(app, att_event, town):
    event = _assembly(att_event, town)
    p = town["people"]
    # 张一 moves to 乙单位 after the window opened: this event still counts them for 甲 / 一支部.
    p["张一"].unit_id, p["张一"].branch_id = town["yi"].id, None
    db.session.commit()
    check_in(event, p["张一"])

    figures = attendance.event_attendance(event)
    jia, yi = figures.units
    assert (jia.line.unit_name, jia.line.counts.expected, jia.line.counts.present) == ("甲单位", 6, 1)
    assert [(line.branch_name, line.counts.expected, line.counts.present) for line in jia.branches] == \
        [("一支部", 4, 1), ("二支部", 2, 0)]
    assert (yi.line.unit_name, yi.line.counts.expected, yi.branches) == ("乙单位", 2, [])


def test_quorum_counts_full_members_only(app, att_event, town):
    event = _assembly(att_event, town)
    p = town["people"]
    # Full members: 张一 李二 钱五 孙六 周七 吴八 (6); 王三 is 预备党员, 赵四 群众.
    for name in ("王三", "赵四", "张一", "李二"):
        check_in(event, p[name])
    quorum = attendance.event_attendance(event).quorum
    assert (quorum.present, quorum.expected, quorum.reached, quorum.label) == (2, 6, False, "不足半数")

    check_in(event, p["钱五"], minutes_after_start=30)  # late still votes
    exempt(event, p["吴八"])  # not expected any more
    quorum = attendance.event_attendance(event).quorum
    assert (quorum.present, quorum.expected, quorum.reached, quorum.label) == (3, 5, True, "可以表决")


def test_only_the_assembly_has_a_quorum(app, att_event, town):
    event = _assembly(att_event, town, event_type="lecture")
    assert attendance.event_attendance(event).quorum is None


def test_the_page_shows_rates_with_their_formula_and_the_quorum(app, att_event, town, client_for, att_clock):
    event = _assembly(att_event, town)
    p = town["people"]
    for name in ("张一", "李二", "钱五", "孙六"):
        check_in(event, p[name])
    page = client_for(town["organiser"]).get(f"/checkin/attendance/{event.id}").get_data(as_text=True)
    assert "出勤率 = (出席 + 迟到 + 公出) ÷ (应到 − 不计入)" in page
    assert "(4 + 0 + 0) ÷ (8 − 0)" in page and "50.0%" in page
    assert "到会正式党员 4 人 / 应到正式党员 6 人" in page and "可以表决" in page
    absent_section = page.split('id="absent"')[1]
    assert all(name in absent_section for name in ("王三", "赵四", "周七", "吴八"))
    assert "张一" not in absent_section


def test_a_liaison_sees_only_their_own_unit(app, att_event, town, client_for, att_clock):
    event = _assembly(att_event, town)
    check_in(event, town["people"]["周七"])
    page = client_for(town["liaison_yi"]).get(f"/checkin/attendance/{event.id}").get_data(as_text=True)
    assert "仅显示本单位人员" in page
    assert "乙单位" in page and "吴八" in page
    assert "甲单位" not in page and "孙六" not in page
    people = client_for(town["liaison_yi"]).get(f"/checkin/attendance/{event.id}/people").get_data(as_text=True)
    assert "周七" in people and "张一" not in people


def test_a_liaison_of_a_unit_not_invited_gets_404(app, att_event, town, client_for, make_unit, make_staff, att_clock):
    event = att_event(scope="units", units=[town["jia"]])
    snapshot(event)
    client = client_for(town["liaison_yi"])
    for path in ("", "/people", "/export"):
        assert client.get(f"/checkin/attendance/{event.id}{path}").status_code == 404
    assert event.title not in client.get("/checkin/attendance/").get_data(as_text=True)


def test_the_page_takes_the_snapshot_once_the_window_opens(app, att_event, town, client_for, att_clock):
    event = att_event(scope="units", units=[town["yi"]])
    assert event.snapshot_taken_at is None
    page = client_for(town["organiser"]).get(f"/checkin/attendance/{event.id}").get_data(as_text=True)
    assert "周七" in page and "吴八" in page
    db.session.expire_all()
    assert event.snapshot_taken_at is not None


def test_queries_do_not_grow_with_the_event(app, att_event, make_unit, make_member, count_queries, client_for,
                                           make_staff, att_clock):
    organiser = make_staff("organiser")
    client = client_for(organiser)

    def statements(size: int) -> int:
        unit = make_unit()
        branch = make_unit(parent=unit)
        members = [make_member(unit=unit, branch=branch, political_status="中共党员") for _ in range(size)]
        event = att_event(scope="units", units=[unit])
        snapshot(event)
        for index, member in enumerate(members):
            if index % 3 == 0:
                check_in(event, member, minutes_after_start=index)
            elif index % 3 == 1:
                leave(event, member)
        client.get(f"/checkin/attendance/{event.id}")  # warm: the session's user and caches
        with count_queries() as counter:
            response = client.get(f"/checkin/attendance/{event.id}")
        assert response.status_code == 200
        assert re.search(rf"应到正式党员 {size} 人", response.get_data(as_text=True))
        return counter.count

    assert statements(3) == statements(30)


def test_a_liaison_finds_a_coming_meeting_that_invites_their_unit(app, att_event, town, client_for):
    from datetime import timedelta

    from app.common import clock
    from tests.events.checkin.att_fixtures import ATT_START

    att_event(scope="units", units=[town["yi"]], title="下周乙单位党课")
    att_event(scope="units", units=[town["jia"]], title="下周甲单位党课")
    with clock.frozen_at(ATT_START - timedelta(days=3)):
        page = client_for(town["liaison_yi"]).get("/checkin/attendance/").get_data(as_text=True)
    assert "下周乙单位党课" in page and "下周甲单位党课" not in page
