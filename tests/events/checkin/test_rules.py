"""The rules without HTTP: who is invited and when the list freezes, the window, statuses and the
rate, the throttle."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.units.models import PartyGroup
from events.checkin.models import CheckinExemption, CheckinFailure, CheckinLeave
from events.checkin.services import attendance, invitees, windows
from events.checkin.services.recording import CheckinRefused, Scanner, record_checkin, throttled
from events.checkin.services.scanning import scan_code
from tests.events.checkin.conftest import EVENT_START


def invited(event) -> set[str]:
    invitees.ensure_snapshot(event)
    db.session.commit()
    return {row.user.name for row in db.session.scalars(
        sa.select(invitees.CheckinInvitee).where(invitees.CheckinInvitee.event_id == event.id))}


def test_invitee_rules(checkin_clock, make_event, hall, make_unit, make_member):
    people, branch = hall["people"], hall["branch"]
    group = PartyGroup(branch_id=branch.id, name="第一党小组")
    db.session.add(group)
    db.session.flush()
    people[0].party_group_id = people[1].party_group_id = group.id
    people[0].is_branch_committee = True
    db.session.commit()
    assert invited(make_event(scope="units", units=[hall["unit"]])) == {"张伟", "李娜", "王芳", "刘洋"}
    assert invited(make_event(scope="branches", units=[branch])) == {"张伟", "李娜", "王芳", "刘洋"}
    assert invited(make_event(scope="groups", groups=[group])) == {"张伟", "李娜"}
    assert invited(make_event(scope="branches", units=[branch], committee_only=True)) == {"张伟"}
    assert invited(make_event(statuses=["中共党员", "预备党员"])) == {"张伟", "李娜", "王芳", "赵强"}
    assert invited(make_event(scope="members", members=[people[3], hall["outsider"]],
                              statuses=["中共党员"])) == {"刘洋", "赵强"}  # chosen members are taken as chosen
    make_member(unit=hall["unit"], name="停用者", active=False)
    assert "停用者" not in invited(make_event())


def test_the_list_freezes_when_the_window_opens(checkin_clock, make_event, hall, make_member):
    later = make_event(start=EVENT_START + timedelta(hours=3))
    assert invitees.ensure_snapshot(later) is False  # not open yet: nothing frozen
    event = make_event(scope="units", units=[hall["unit"]])
    assert invitees.ensure_snapshot(event) and invitees.ensure_snapshot(event)  # idempotent
    db.session.commit()
    moved, leaver = hall["people"][0], hall["people"][1]
    moved.unit_id, moved.branch_id = hall["other"].id, None
    leaver.active = False
    make_member(unit=hall["unit"], name="新来的")
    db.session.commit()
    assert invited(event) == {"张伟", "李娜", "王芳", "刘洋"}
    row = db.session.get(invitees.CheckinInvitee, (event.id, moved.id))
    assert row.unit_id == hall["unit"].id  # counted where they were when the window opened
    assert attendance.counts(event).by_status["absent"] == 4


def test_the_window():
    from types import SimpleNamespace

    event = SimpleNamespace(starts_at=EVENT_START, opens_minutes_before=30, late_at=EVENT_START + timedelta(minutes=5),
                            closes_at=EVENT_START + timedelta(hours=1), cancelled_at=None,
                            sign_out_opens_at=EVENT_START + timedelta(hours=2),
                            sign_out_closes_at=EVENT_START + timedelta(hours=2, minutes=30))
    at = lambda minutes: windows.window_state(event, EVENT_START + timedelta(minutes=minutes))  # noqa: E731
    assert (at(-31).phase, at(-30).phase, at(5).phase, at(6).phase, at(61).phase) == (
        "upcoming", "open", "open", "late", "closed")
    assert (at(125).phase, at(125).kind) == ("sign_out", "sign_out")
    assert windows.refusal_for(event, "sign_out", EVENT_START) == "not_open"
    assert windows.refusal_for(event, "check_in", EVENT_START + timedelta(minutes=90)) == "closed"
    event.cancelled_at = EVENT_START
    assert at(0).phase == "cancelled" and not at(0).accepting


def test_statuses_present_wins_over_leave_and_the_rate(checkin_clock, make_event, hall, make_member):
    event = make_event(scope="units", units=[hall["unit"]])
    extra = make_member(unit=hall["unit"], branch=hall["branch"], name="孙丽")
    present, late, on_leave, official, exempt = hall["people"][0], hall["people"][1], hall["people"][2], \
        hall["people"][3], extra
    scanner = Scanner()
    record_checkin(event, present, kind="check_in", method="manual", scanner=scanner)
    db.session.add_all([
        CheckinLeave(event_id=event.id, user_id=present.id, reason="出差", status="approved"),
        CheckinLeave(event_id=event.id, user_id=on_leave.id, reason="病假", status="approved"),
        CheckinLeave(event_id=event.id, user_id=official.id, kind="official", reason="外出调研", status="approved"),
        CheckinExemption(event_id=event.id, user_id=exempt.id, reason="长期病休")])
    checkin_clock.advance(timedelta(minutes=20))  # 19:10, after late_at
    record_checkin(event, late, kind="check_in", method="manual", scanner=scanner)
    db.session.commit()
    found = attendance.statuses(event)
    assert found == {present.id: "present", late.id: "late", on_leave.id: "leave", official.id: "official",
                     exempt.id: "exempt"}
    figures = attendance.counts(event)
    assert (figures.invited, figures.expected, figures.attended) == (5, 4, 3)
    assert str(figures.rate) == "75.0"


def test_pending_leave_or_a_rejected_one_is_absent(checkin_clock, make_event, hall):
    event = make_event(scope="members", members=hall["people"][:2])
    db.session.add_all([CheckinLeave(event_id=event.id, user_id=hall["people"][0].id, reason="事假"),
                        CheckinLeave(event_id=event.id, user_id=hall["people"][1].id, reason="事假",
                                     status="rejected", decided_at=EVENT_START)])
    invitees.ensure_snapshot(event)
    db.session.commit()
    assert set(attendance.statuses(event).values()) == {"absent"}


def test_repeated_failures_from_one_browser_are_throttled(checkin_clock, make_event, hall, app):
    app.config["CHECKIN_MAX_SESSION_FAILURES"] = 3
    event = make_event()
    scanner = Scanner(device_key="d" * 64, address="10.0.0.1")
    for _ in range(3):
        with pytest.raises(CheckinRefused) as refused:
            scan_code(event, "forged", scanner)
        assert refused.value.reason == "invalid"
    db.session.commit()
    assert throttled(scanner)
    with pytest.raises(CheckinRefused) as refused:
        scan_code(event, "forged", scanner)
    assert refused.value.reason == "rate_limited"
    db.session.commit()
    # the three failures are listed; the refused flood from a browser with nobody signed in is not written
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckinFailure)) == 3
    # another phone behind the same office address is not held up
    assert not throttled(Scanner(device_key="e" * 64, address="10.0.0.1"))
    checkin_clock.advance(timedelta(minutes=11))
    assert not throttled(scanner)


def test_sign_out_needs_its_window(checkin_clock, make_event, hall):
    event = make_event(sign_out=(EVENT_START + timedelta(hours=1, minutes=30), EVENT_START + timedelta(hours=2)))
    member = hall["people"][0]
    with pytest.raises(CheckinRefused) as refused:
        record_checkin(event, member, kind="sign_out", method="venue_code", scanner=Scanner())
    assert refused.value.reason == "not_open"
    checkin_clock.advance(timedelta(hours=1, minutes=45))
    outcome = record_checkin(event, member, kind="sign_out", method="venue_code", scanner=Scanner())
    assert outcome.record.kind == "sign_out" and "签退成功" in outcome.message
