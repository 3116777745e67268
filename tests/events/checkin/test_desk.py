"""Staff at the door: a member code opened by a steward's phone, the USB scanner field (with or
without Enter), lookup by query only, manual check-in and annulment by organisers (audit-logged)."""
from datetime import timedelta

import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.extensions import db
from events.checkin.models import CheckinFailure, CheckinRecord
from events.checkin.services import codes
from tests.events.checkin.conftest import scan_path
from tests.support import log_in


def records(event):
    db.session.expire_all()
    return db.session.scalars(sa.select(CheckinRecord).where(CheckinRecord.event_id == event.id)).all()


def test_a_steward_opens_a_member_code_and_checks_them_in(app, checkin_clock, make_event, hall, make_steward):
    event = make_event()
    member = hall["people"][0]
    steward = make_steward(event)
    url = f"/checkin/m/{codes.member_token(member)}"
    staff_phone = log_in(app.test_client(), steward)
    page = staff_phone.get(url).get_data(as_text=True)
    assert member.name in page and "市委办公室" in page and "中共党员" in page and "签到" in page
    done = staff_phone.post(url, data={"event_id": event.id})
    assert done.status_code == 200 and "签到成功" in done.get_data(as_text=True)
    [record] = records(event)
    assert (record.user_id, record.method, record.recorded_by_id) == (member.id, "member_code", steward.id)
    again = staff_phone.post(url, data={"event_id": event.id})
    assert "已于 18:50 签到" in again.get_data(as_text=True) and len(records(event)) == 1


def test_members_opening_a_code_see_nothing_of_the_person(app, checkin_clock, make_event, hall):
    make_event()
    owner, nosy = hall["people"][0], hall["people"][1]
    url = f"/checkin/m/{codes.member_token(owner)}"
    page = log_in(app.test_client(), nosy).get(url)
    assert page.status_code == 403
    text = page.get_data(as_text=True)
    assert owner.name not in text and owner.staff_id not in text
    assert log_in(app.test_client(), nosy).post(url, data={"event_id": 1}).status_code == 403
    own = log_in(app.test_client(), owner).get(url)
    assert own.status_code == 200 and "这是您的个人签到码" in own.get_data(as_text=True)


def test_a_reissued_code_revokes_the_old_one(app, checkin_clock, make_event, hall, make_steward):
    event = make_event()
    member = hall["people"][0]
    old = codes.member_token(member)
    member_phone = log_in(app.test_client(), member)
    assert member_phone.post("/checkin/my-code/reissue").status_code == 302
    staff_phone = log_in(app.test_client(), make_steward(event))
    refused = staff_phone.post(f"/checkin/m/{old}", data={"event_id": event.id})
    assert refused.status_code == 400 and "已作废" in refused.get_data(as_text=True)
    assert records(event) == []
    assert db.session.scalars(sa.select(CheckinFailure.reason)).all() == ["revoked"]


def test_the_usb_scanner_field_takes_the_url_or_the_bare_code(app, checkin_clock, make_event, hall, make_steward):
    event = make_event()
    first, second = hall["people"][0], hall["people"][1]
    desk = log_in(app.test_client(), make_steward(event))
    assert desk.get(f"/checkin/events/{event.id}/desk").status_code == 200
    typed = f"http://saishi.local/checkin/m/{codes.member_token(first)}\n"
    assert "签到成功" in desk.post(f"/checkin/events/{event.id}/desk", data={"code": typed}).get_data(as_text=True)
    bare = desk.post(f"/checkin/events/{event.id}/desk", data={"code": codes.member_token(second)})
    assert "签到成功" in bare.get_data(as_text=True)
    garbage = desk.post(f"/checkin/events/{event.id}/desk", data={"code": "hello"})
    assert garbage.status_code == 400 and "二维码无效" in garbage.get_data(as_text=True)
    assert {record.user_id for record in records(event)} == {first.id, second.id}


def test_lookup_needs_a_query_and_stewards_cannot_check_in_by_hand(app, checkin_clock, make_event, hall,
                                                                   make_steward):
    event = make_event()
    member = hall["people"][0]
    member.mobile = "13800001234"
    db.session.commit()
    desk = log_in(app.test_client(), make_steward(event))
    empty = desk.get(f"/checkin/events/{event.id}/desk").get_data(as_text=True)
    assert member.name not in empty  # no browsable list
    for query in (member.name, member.staff_id, "1234"):
        found = desk.get(f"/checkin/events/{event.id}/desk?q={query}").get_data(as_text=True)
        assert member.name in found and "手工签到" not in found
    assert desk.post(f"/checkin/events/{event.id}/manual",
                     data={"member_id": member.id, "reason": "手机没电"}).status_code == 403
    assert records(event) == []


def test_organisers_check_in_by_hand_and_annul_with_a_reason(app, checkin_clock, make_event, hall,
                                                             organiser_client):
    event = make_event()
    member = hall["people"][0]
    found = organiser_client.get(f"/checkin/events/{event.id}/desk?q={member.name}").get_data(as_text=True)
    assert "手工签到" in found
    no_reason = organiser_client.post(f"/checkin/events/{event.id}/manual", data={"member_id": member.id})
    assert no_reason.status_code == 400 and records(event) == []
    organiser_client.post(f"/checkin/events/{event.id}/manual", data={"member_id": member.id, "reason": "手机没电"})
    [record] = records(event)
    assert (record.method, record.note) == ("manual", "手机没电")
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-1] == "checkin.manual"

    assert organiser_client.post(f"/checkin/events/{event.id}/records/{record.id}/annul",
                                 data={"reason": " "}).status_code == 400
    assert organiser_client.post(f"/checkin/events/{event.id}/records/{record.id}/annul",
                                 data={"reason": "代签"}).status_code == 302
    assert records(event) == []
    annulled = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "checkin.annulled")).one()
    assert annulled.details["reason"] == "代签" and annulled.details["member_id"] == member.id
    # and the member can check in again afterwards
    phone = log_in(app.test_client(), member)
    token = codes.venue_token(event, "check_in", codes.current_slot(event))
    assert "签到成功" in phone.get(scan_path(f"/checkin/e/{event.id}/{token}")).get_data(as_text=True)


def test_an_organiser_may_add_someone_not_invited_by_hand(app, checkin_clock, make_event, hall, organiser_client):
    event = make_event(scope="units", units=[hall["unit"]])
    outsider = hall["outsider"]
    organiser_client.post(f"/checkin/events/{event.id}/manual", data={"member_id": outsider.id, "reason": "列席"})
    assert [record.user_id for record in records(event)] == [outsider.id]
    checkin_clock.advance(timedelta(hours=2))
    late = organiser_client.post(f"/checkin/events/{event.id}/manual",
                                 data={"member_id": hall["people"][0].id, "reason": "补登"})
    assert late.status_code == 302 and len(records(event)) == 2  # after the window: by hand still works
