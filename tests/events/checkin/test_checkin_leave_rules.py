# ruff: noqa: F401, F811  (fixtures imported from att_fixtures are test arguments)
"""Leave (请假 / 公出): who may ask, until when, who decides, withdrawal, present wins; exemptions;
every decision in the audit log."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.common import clock
from app.extensions import db
from events.checkin.models import CheckinLeave
from events.checkin.services import attendance_report as attendance
from events.checkin.services import leave as services
from tests.events.checkin.att_fixtures import ATT_START, att_clock, att_event, check_in, snapshot, town


def _status(event, name):
    return {person.name: person.status for person in attendance.people(event)}[name]


def _actions():
    return [entry.action for entry in db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))]


def test_a_member_asks_before_the_snapshot_and_the_leave_counts_once_approved(app, att_event, town):
    p = town["people"]
    event = att_event(scope="units", units=[town["jia"]])
    with clock.frozen_at(ATT_START - timedelta(days=1)):
        leave = services.request_leave(event, p["张一"], kind="leave", reason="出差", actor=p["张一"])
        db.session.commit()
    assert leave.status == "pending"
    snapshot(event)
    assert _status(event, "张一") == "absent"  # pending changes nothing
    services.decide(leave, approve=True, actor=town["liaison_jia"], note="同意")
    db.session.commit()
    assert _status(event, "张一") == "leave"
    assert _actions() == ["checkin.leave.requested", "checkin.leave.approved"]
    entry = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.actor_id == town["liaison_jia"].id and entry.details["member_id"] == p["张一"].id


def test_official_business_counts_as_attended_and_a_check_in_wins(app, att_event, town):
    p = town["people"]
    event = att_event(scope="units", units=[town["jia"]])
    snapshot(event)
    with clock.frozen_at(ATT_START - timedelta(hours=1)):
        official = services.request_leave(event, p["李二"], kind="official", reason="赴省开会", actor=p["李二"])
        sick = services.request_leave(event, p["钱五"], kind="leave", reason="病假", actor=p["钱五"])
        services.decide(official, approve=True, actor=town["organiser"])
        services.decide(sick, approve=True, actor=town["organiser"])
        db.session.commit()
    check_in(event, p["钱五"])
    assert _status(event, "李二") == "official"
    assert _status(event, "钱五") == "present"
    counts = attendance.event_attendance(event).total
    assert counts.attended == 2 and counts.leave == 0


def test_leave_may_be_asked_until_the_days_after_the_end(app, att_event, town):
    p = town["people"]
    event = att_event(scope="units", units=[town["jia"]], leave_days_after=2)
    snapshot(event)
    with clock.frozen_at(event.ends_at + timedelta(days=2) - timedelta(minutes=1)):
        services.request_leave(event, p["张一"], kind="leave", reason="突发疾病", actor=p["张一"])
    with clock.frozen_at(event.ends_at + timedelta(days=2, minutes=1)), \
            pytest.raises(services.LeaveProblem, match="已超过请假期限"):
        services.request_leave(event, p["李二"], kind="leave", reason="突发疾病", actor=p["李二"])


@pytest.mark.parametrize("case", ["not_invited", "cancelled", "checked_in", "no_reason", "twice"])
def test_requests_that_are_refused(app, att_event, town, att_clock, case):
    p = town["people"]
    event = att_event(scope="units", units=[town["jia"]], cancelled=case == "cancelled")
    snapshot(event)
    member, reason = p["张一"], "出差"
    if case == "not_invited":
        member = p["周七"]
    if case == "checked_in":
        check_in(event, member)
    if case == "no_reason":
        reason = "  "
    if case == "twice":
        services.request_leave(event, member, kind="leave", reason=reason, actor=member)
    with pytest.raises(services.LeaveProblem):
        services.request_leave(event, member, kind="leave", reason=reason, actor=member)


def test_a_liaison_asks_for_their_own_units_members_only(app, att_event, town, att_clock):
    p = town["people"]
    event = att_event(scope="everyone")
    snapshot(event)
    services.request_leave(event, p["孙六"], kind="leave", reason="外出学习", actor=town["liaison_jia"])
    with pytest.raises(services.LeaveProblem, match="本人或本单位"):
        services.request_leave(event, p["周七"], kind="leave", reason="外出学习", actor=town["liaison_jia"])
    with pytest.raises(services.LeaveProblem, match="本人或本单位"):
        services.request_leave(event, p["周七"], kind="leave", reason="外出学习", actor=p["张一"])


def test_only_the_organiser_or_the_members_liaison_decides(app, att_event, town, att_clock):
    p = town["people"]
    event = att_event(scope="everyone")
    snapshot(event)
    leave = services.request_leave(event, p["周七"], kind="leave", reason="病假", actor=p["周七"])
    for outsider in (town["liaison_jia"], p["吴八"], p["周七"]):
        with pytest.raises(services.LeaveProblem, match="不能审批"):
            services.decide(leave, approve=True, actor=outsider)
    services.decide(leave, approve=False, actor=town["liaison_yi"], note="会议重要，请参加")
    assert leave.status == "rejected"
    with pytest.raises(services.LeaveProblem, match="不能再审批"):
        services.decide(leave, approve=True, actor=town["organiser"])
    # Asked again after the rejection: the same row, pending again.
    again = services.request_leave(event, p["周七"], kind="leave", reason="确实病重", actor=p["周七"])
    assert again.id == leave.id and again.status == "pending" and again.decided_by_id is None


def test_withdrawing_puts_the_member_back_among_the_expected(app, att_event, town, att_clock):
    p = town["people"]
    event = att_event(scope="everyone")
    snapshot(event)
    leave = services.request_leave(event, p["周七"], kind="leave", reason="病假", actor=p["周七"])
    services.decide(leave, approve=True, actor=town["organiser"])
    assert _status(event, "周七") == "leave"
    with pytest.raises(services.LeaveProblem):
        services.withdraw(leave, actor=p["张一"])
    services.withdraw(leave, actor=p["周七"])
    db.session.commit()
    assert _status(event, "周七") == "absent"
    assert "checkin.leave.withdrawn" in _actions()


def test_exemptions_are_the_organisers_with_a_reason(app, att_event, town, att_clock):
    p = town["people"]
    event = att_event(scope="everyone")
    snapshot(event)
    with pytest.raises(services.LeaveProblem, match="只有组织者"):
        services.add_exemption(event, p["张一"], reason="长期病假", actor=town["liaison_jia"])
    with pytest.raises(services.LeaveProblem, match="原因"):
        services.add_exemption(event, p["张一"], reason="", actor=town["organiser"])
    exemption = services.add_exemption(event, p["张一"], reason="长期病假", actor=town["organiser"])
    db.session.commit()
    assert _status(event, "张一") == "exempt"
    assert attendance.event_attendance(event).total.counted == 7
    services.remove_exemption(exemption, actor=town["organiser"])
    db.session.commit()
    assert _status(event, "张一") == "absent"
    assert _actions()[-2:] == ["checkin.exemption.added", "checkin.exemption.removed"]


# ---------------------------------------------------------------- pages

def test_a_member_asks_on_the_page_and_the_liaison_approves(app, att_event, town, client_for):
    p = town["people"]
    event = att_event(scope="units", units=[town["jia"]], title="支部党员大会")
    with clock.frozen_at(ATT_START - timedelta(days=1)):
        member = client_for(p["张一"])
        assert "支部党员大会" in member.get("/checkin/leave/").get_data(as_text=True)
        response = member.post(f"/checkin/leave/events/{event.id}/request",
                               data={"kind": "leave", "reason": "到外地出差"})
        assert response.status_code == 302
        assert "待审批" in member.get("/checkin/leave/").get_data(as_text=True)
        liaison = client_for(town["liaison_jia"])
        pending = liaison.get("/checkin/leave/pending").get_data(as_text=True)
        assert "张一" in pending and "到外地出差" in pending
        leave = db.session.scalar(sa.select(CheckinLeave))
        assert client_for(town["liaison_yi"]).post(f"/checkin/leave/{leave.id}/decide",
                                                   data={"decision": "approve"}).status_code == 404
        liaison.post(f"/checkin/leave/{leave.id}/decide", data={"decision": "approve", "note": "同意"})
        assert "已批准" in member.get("/checkin/leave/").get_data(as_text=True)


def test_a_member_cannot_open_the_request_page_of_an_event_they_are_not_invited_to(app, att_event, town, client_for,
                                                                                   att_clock):
    event = att_event(scope="units", units=[town["jia"]])
    client = client_for(town["people"]["周七"])
    assert client.get(f"/checkin/leave/events/{event.id}/request").status_code == 404
    assert client.post(f"/checkin/leave/events/{event.id}/request",
                       data={"kind": "leave", "reason": "x"}).status_code == 404


def test_a_liaison_asks_for_a_member_on_the_event_page(app, att_event, town, client_for, att_clock):
    event = att_event(scope="everyone")
    client = client_for(town["liaison_yi"])
    response = client.post(f"/checkin/leave/events/{event.id}",
                           data={"ask-staff_id": town["people"]["张一"].staff_id, "ask-kind": "leave",
                                 "ask-reason": "出差"})
    assert "本单位没有这个工号" in response.get_data(as_text=True)
    client.post(f"/checkin/leave/events/{event.id}",
                data={"ask-staff_id": town["people"]["周七"].staff_id, "ask-kind": "official", "ask-reason": "公干"})
    leave = db.session.scalar(sa.select(CheckinLeave))
    assert (leave.user_id, leave.kind, leave.requested_by_id) == (town["people"]["周七"].id, "official",
                                                                 town["liaison_yi"].id)


def test_the_organiser_exempts_on_the_event_page(app, att_event, town, client_for, att_clock):
    event = att_event(scope="everyone")
    client = client_for(town["organiser"])
    client.post(f"/checkin/leave/events/{event.id}/exemptions",
                data={"exempt-staff_id": town["people"]["吴八"].mobile, "exempt-reason": "借调外地"})
    page = client.get(f"/checkin/leave/events/{event.id}").get_data(as_text=True)
    assert "吴八" in page and "借调外地" in page
    assert client_for(town["liaison_yi"]).post(f"/checkin/leave/events/{event.id}/exemptions",
                                               data={"exempt-staff_id": "x", "exempt-reason": "y"}).status_code == 403
