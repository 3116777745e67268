"""The venue code end to end: the display's QR image decoded with a real decoder (zxing-cpp), the
decoded URL opened by a phone that is not signed in, login (slower than the rotation), and the
check-in recorded; refusals recorded as failures with their reason and no attendance."""
import io
from datetime import timedelta

import sqlalchemy as sa
import zxingcpp
from PIL import Image

from app.extensions import db
from events.checkin.models import CheckinFailure, CheckinRecord
from events.checkin.services import codes
from tests.events.checkin.conftest import scan_path
from tests.support import DEFAULT_PASSWORD, log_in


def decode(png: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(results) == 1
    return results[0].text


def displayed_url(display_client, event) -> str:
    """What a phone camera reads off the venue display now: state → the slot's QR → decoded."""
    state = display_client.get(f"/checkin/events/{event.id}/display/state").get_json()
    assert state["slot"] is not None
    png = display_client.get(state["qr"].replace("qr.svg", "qr.png"))
    assert png.status_code == 200 and png.mimetype == "image/png"
    return decode(png.data)


def records(event):
    db.session.expire_all()
    return db.session.scalars(sa.select(CheckinRecord).where(CheckinRecord.event_id == event.id)).all()


def failures(event):
    return [failure.reason for failure in db.session.scalars(
        sa.select(CheckinFailure).where(CheckinFailure.event_id == event.id).order_by(CheckinFailure.id))]


def login_after_scan(phone, user):
    return phone.post("/login?next=/checkin/pending", data={"login": user.staff_id, "password": DEFAULT_PASSWORD})


def test_a_phone_not_signed_in_scans_logs_in_after_the_code_rotated_and_is_checked_in(
        app, checkin_clock, make_event, hall, organiser_client):
    event = make_event()
    member = hall["people"][0]
    url = displayed_url(organiser_client, event)
    assert f"/checkin/e/{event.id}/" in url

    phone = app.test_client()
    scanned = phone.get(scan_path(url))
    assert scanned.status_code == 302 and scanned.headers["Location"].startswith("/login")
    assert records(event) == []  # pending, not attendance

    checkin_clock.advance(timedelta(seconds=100))  # the code rotated three times meanwhile
    assert displayed_url(organiser_client, event) != url
    signed_in = login_after_scan(phone, member)
    assert signed_in.headers["Location"] == "/checkin/pending"
    done = phone.get("/checkin/pending")
    assert done.status_code == 200
    assert "签到成功" in done.get_data(as_text=True)
    [record] = records(event)
    assert (record.user_id, record.method, record.kind) == (member.id, "venue_code", "check_in")

    again = phone.get(scan_path(displayed_url(organiser_client, event)))
    assert "已于 18:51 签到" in again.get_data(as_text=True)  # 18:50 + 100 s, in Shanghai
    assert len(records(event)) == 1


def test_login_slower_than_the_pending_lifetime_records_nothing(app, checkin_clock, make_event, hall,
                                                               organiser_client):
    event = make_event()
    phone = app.test_client()
    phone.get(scan_path(displayed_url(organiser_client, event)))
    checkin_clock.advance(timedelta(minutes=5, seconds=1))
    login_after_scan(phone, hall["people"][0])
    done = phone.get("/checkin/pending")
    assert done.status_code == 400 and "已失效" in done.get_data(as_text=True)
    assert records(event) == [] and failures(event) == ["pending_lost"]


def test_the_pending_check_in_belongs_to_the_browser_that_scanned(app, checkin_clock, make_event, hall,
                                                                 organiser_client):
    event = make_event()
    app.test_client().get(scan_path(displayed_url(organiser_client, event)))  # someone else's phone
    other_phone = log_in(app.test_client(), hall["people"][1])
    assert other_phone.get("/checkin/pending").status_code == 400
    assert records(event) == []


def test_a_signed_in_member_is_checked_in_on_the_first_get_and_twice_is_harmless(
        app, checkin_clock, make_event, hall, organiser_client):
    event = make_event()
    phone = log_in(app.test_client(), hall["people"][0])
    url = scan_path(displayed_url(organiser_client, event))
    assert "签到成功（18:50）" in phone.get(url).get_data(as_text=True)
    checkin_clock.advance(timedelta(minutes=12))  # 19:02: late by now, but the first check-in stands
    second = phone.get(scan_path(displayed_url(organiser_client, event)))
    assert second.status_code == 200 and "已于 18:50 签到" in second.get_data(as_text=True)
    assert len(records(event)) == 1


def test_refusals_say_why_record_a_failure_and_no_attendance(app, checkin_clock, make_event, hall,
                                                            organiser_client):
    event = make_event(scope="units", units=[hall["unit"]])
    other_event = make_event()
    outsider = log_in(app.test_client(), hall["outsider"])
    url = scan_path(displayed_url(organiser_client, event))
    page = outsider.get(url)
    assert page.status_code == 400 and "不在本次活动的应到名单" in page.get_data(as_text=True)

    member = log_in(app.test_client(), hall["people"][0])
    token = url.rsplit("/", 1)[1]
    assert member.get(f"/checkin/e/{other_event.id}/{token}").status_code == 400  # wrong event
    assert member.get(f"/checkin/e/{event.id}/{token[:-3]}xyz").status_code == 400  # tampered
    checkin_clock.advance(timedelta(seconds=61))
    expired = member.get(url)  # replay after expiry
    assert expired.status_code == 400 and "已过期" in expired.get_data(as_text=True)
    assert records(event) == [] and records(other_event) == []
    assert failures(event) == ["not_invited", "invalid", "expired"]
    assert failures(other_event) == ["wrong_event"]


def test_scans_outside_the_window_are_refused(app, checkin_clock, make_event, hall, organiser_client):
    event = make_event()
    url = scan_path(displayed_url(organiser_client, event))
    token = url.rsplit("/", 1)[1]
    member = log_in(app.test_client(), hall["people"][0])
    early = make_event(start=checkin_clock.utcnow() + timedelta(hours=2))
    early_token = codes.venue_token(early, "check_in", codes.current_slot(early))
    page = member.get(f"/checkin/e/{early.id}/{early_token}")
    assert page.status_code == 400 and "签到尚未开始" in page.get_data(as_text=True)
    checkin_clock.advance(timedelta(hours=1, minutes=11))  # past closes_at (20:00)
    state = organiser_client.get(f"/checkin/events/{event.id}/display/state").get_json()
    assert state["phase"] == "closed" and state["slot"] is None
    late_token = codes.venue_token(event, "check_in", codes.current_slot(event))
    assert "签到已结束" in member.get(f"/checkin/e/{event.id}/{late_token}").get_data(as_text=True)
    assert token and records(event) == [] and failures(early) == ["not_open"] and failures(event) == ["closed"]


def test_one_device_checking_in_several_members_is_flagged_not_blocked(app, checkin_clock, make_event, hall,
                                                                      organiser_client):
    event = make_event()
    phone = app.test_client()
    first, second = hall["people"][:2]
    log_in(phone, first)
    phone.get(scan_path(displayed_url(organiser_client, event)))
    phone.post("/logout")
    log_in(phone, second)
    phone.get(scan_path(displayed_url(organiser_client, event)))
    flagged = {record.user_id: record.flag_shared_device for record in records(event)}
    assert flagged == {first.id: False, second.id: True}
    show = organiser_client.get(f"/checkin/events/{event.id}").get_data(as_text=True)
    assert 'data-flag="shared-device"' in show


def test_a_new_device_in_the_last_seconds_of_a_code_is_flagged(app, checkin_clock, make_event, hall,
                                                              organiser_client):
    event = make_event(rotation_seconds=30)
    url = scan_path(displayed_url(organiser_client, event))
    slot_start = codes.slot_start(event, codes.current_slot(event))
    regular = log_in(app.test_client(), hall["people"][0])
    regular.get(f"/checkin/e/{event.id}/not-a-token")  # this phone has been on the event's page before
    with checkin_clock.frozen_at(slot_start + timedelta(seconds=57)):
        log_in(forwarded := app.test_client(), hall["people"][1])
        forwarded.get(url)
        regular.get(url)
    flags = {record.user_id: record.flag_token_tail for record in records(event)}
    assert flags == {hall["people"][0].id: False, hall["people"][1].id: True}


def test_the_printed_static_code_decodes_and_checks_in_marked_static(app, checkin_clock, make_event, hall,
                                                                    organiser_client):
    event = make_event(allow_static_code=True)
    png = organiser_client.get(f"/checkin/events/{event.id}/static.png")
    assert png.status_code == 200
    url = decode(png.data)
    svg = organiser_client.get(f"/checkin/events/{event.id}/static.svg")
    assert svg.status_code == 200 and b"<svg" in svg.data
    member = log_in(app.test_client(), hall["people"][0])
    assert member.get(scan_path(url)).status_code == 200
    [record] = records(event)
    assert record.method == "static_code"
    organiser_client.post(f"/checkin/events/{event.id}/static/withdraw")
    late = log_in(app.test_client(), hall["people"][1])
    assert "已作废" in late.get(scan_path(url)).get_data(as_text=True)
    assert len(records(event)) == 1


def test_static_codes_are_not_offered_unless_allowed(app, checkin_clock, make_event, organiser_client):
    event = make_event(allow_static_code=False)
    assert organiser_client.get(f"/checkin/events/{event.id}/static.png").status_code == 404


def test_the_display_state_answers_304_while_nothing_changed(app, checkin_clock, make_event, hall,
                                                            organiser_client):
    event = make_event()
    first = organiser_client.get(f"/checkin/events/{event.id}/display/state")
    etag = first.headers["ETag"]
    body = first.get_json()
    assert (body["checked_in"], body["expected"]) == (0, 5)
    assert organiser_client.get(f"/checkin/events/{event.id}/display/state",
                                headers={"If-None-Match": etag}).status_code == 304
    phone = log_in(app.test_client(), hall["people"][0])
    phone.get(scan_path(displayed_url(organiser_client, event)))
    changed = organiser_client.get(f"/checkin/events/{event.id}/display/state", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.get_json()["checked_in"] == 1
    assert changed.get_json()["quorum"] == {"present": 1, "expected": 3, "reached": False}
