"""Organisers set events up per campaign; stewards are assignments of existing accounts; members and
liaisons reach none of it."""
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.extensions import db
from events.checkin.models import CheckinEvent, CheckinSteward
from tests.support import log_in


def form_data(campaign, **overrides):
    data = {"campaign_id": campaign.id, "title": "第一党支部党员大会", "event_type": "assembly", "place": "三楼",
            "host_unit_id": 0, "starts_at": "2026-03-02T19:00", "ends_at": "2026-03-02T21:00",
            "opens_minutes_before": 30, "late_at": "2026-03-02T19:05", "closes_at": "",
            "invitee_scope": "everyone", "statuses": ["中共党员", "预备党员"], "rotation_seconds": 30,
            "leave_days_after": 3}
    data.update(overrides)
    return data


def test_an_organiser_creates_and_edits_an_event(organiser_client, make_campaign, hall):
    campaign = make_campaign()
    response = organiser_client.post("/checkin/events/new", data=form_data(
        campaign, invitee_scope="branches", unit_ids=[hall["branch"].id]))
    assert response.status_code == 302
    event = db.session.scalars(sa.select(CheckinEvent)).one()
    assert (event.title, event.invitee_scope, event.invitee_statuses) == (
        "第一党支部党员大会", "branches", ["中共党员", "预备党员"])
    assert event.starts_at.hour == 11 and event.closes_at == event.ends_at  # stored UTC; closes defaults to the end
    assert [unit.id for unit in event.target_units] == [hall["branch"].id]
    page = organiser_client.get(f"/checkin/events/{event.id}").get_data(as_text=True)
    assert "第一党支部党员大会" in page and "打开签到大屏" in page
    assert "第一党支部党员大会" in organiser_client.get(f"/checkin/?campaign={campaign.id}").get_data(as_text=True)
    edit = organiser_client.get(f"/checkin/events/{event.id}/edit")
    assert edit.status_code == 200 and "2026-03-02T19:00" in edit.get_data(as_text=True)
    organiser_client.post(f"/checkin/events/{event.id}/edit", data=form_data(
        campaign, title="改名后的大会", invitee_scope="members", member_staff_ids=hall["people"][0].staff_id))
    db.session.expire_all()
    assert event.title == "改名后的大会" and [m.id for m in event.target_members] == [hall["people"][0].id]
    assert {"checkin.event.created", "checkin.event.updated"} <= set(db.session.scalars(sa.select(AuditEntry.action)))


def test_bad_settings_are_shown_beside_their_field(organiser_client, make_campaign):
    campaign = make_campaign()
    cases = [
        ({"ends_at": "2026-03-02T18:00"}, "结束时间应晚于开始时间"),
        ({"late_at": "2026-03-02T17:00"}, "迟到时间应在签到开始之后"),
        ({"sign_out_opens_at": "2026-03-02T20:30"}, "签退需同时填写开始和截止时间"),
        ({"invitee_scope": "units"}, "请至少选择一个单位或支部"),
        ({"invitee_scope": "members", "member_staff_ids": "NOBODY1"}, "名册中没有这些工号"),
        ({"rotation_seconds": 5}, "应在 10 到 600 之间"),
    ]
    for overrides, message in cases:
        response = organiser_client.post("/checkin/events/new", data=form_data(campaign, **overrides))
        assert response.status_code == 400 and message in response.get_data(as_text=True), overrides
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckinEvent)) == 0


def test_stewards_are_assigned_and_removed_by_staff_id(organiser_client, make_event, hall, app):
    event = make_event()
    steward = hall["people"][3]
    organiser_client.post(f"/checkin/events/{event.id}/stewards", data={"login": steward.staff_id})
    organiser_client.post(f"/checkin/events/{event.id}/stewards", data={"login": steward.staff_id})  # once
    assert db.session.scalars(sa.select(CheckinSteward.user_id)).all() == [steward.id]
    missing = organiser_client.post(f"/checkin/events/{event.id}/stewards", data={"login": "NOBODY"},
                                    follow_redirects=True)
    assert "没有找到" in missing.get_data(as_text=True)
    steward_phone = log_in(app.test_client(), steward)
    assert steward_phone.get(f"/checkin/events/{event.id}/desk").status_code == 200
    assert steward_phone.get(f"/checkin/events/{event.id}/display").status_code == 200
    assert steward_phone.get(f"/checkin/events/{event.id}").status_code == 403  # not the organiser's page
    organiser_client.post(f"/checkin/events/{event.id}/stewards/{steward.id}/remove")
    assert steward_phone.get(f"/checkin/events/{event.id}/desk").status_code == 403


def test_members_and_liaisons_reach_no_staff_page(app, make_event, hall, make_staff):
    event = make_event()
    liaison = make_staff("liaison", unit=hall["unit"])
    for user in (hall["people"][0], liaison):
        client = log_in(app.test_client(), user)
        for path in ("/checkin/", f"/checkin/events/{event.id}", f"/checkin/events/{event.id}/display",
                     f"/checkin/events/{event.id}/display/state", f"/checkin/events/{event.id}/desk",
                     f"/checkin/events/{event.id}/static.png", "/checkin/events/new"):
            assert client.get(path).status_code in (403, 404), (user.name, path)
        assert client.post(f"/checkin/events/{event.id}/manual",
                           data={"member_id": hall["people"][1].id, "reason": "x"}).status_code == 403


def test_cancelling_stops_check_ins(organiser_client, checkin_clock, make_event, hall, app):
    from events.checkin.services import codes

    event = make_event()
    organiser_client.post(f"/checkin/events/{event.id}/cancel")
    token = codes.venue_token(event, "check_in", codes.current_slot(event))
    phone = log_in(app.test_client(), hall["people"][0])
    assert phone.get(f"/checkin/e/{event.id}/{token}").status_code == 400
    state = organiser_client.get(f"/checkin/events/{event.id}/display/state").get_json()
    assert state["phase"] == "cancelled" and "qr" not in state


def test_a_unit_an_event_invites_cannot_be_deleted(organiser_client, make_event, make_unit):
    unit = make_unit("市统计局")
    make_event(title="统计局党员大会", scope="units", units=[unit])
    refused = organiser_client.post(f"/units/{unit.id}/delete")
    assert refused.status_code in (400, 409) and "统计局党员大会" in refused.get_data(as_text=True)
