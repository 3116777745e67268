# ruff: noqa: F401, F811  (fixtures imported from att_fixtures are test arguments)
"""What the attendance side shows elsewhere (home and campaign pages, participation), and its demo."""
from datetime import timedelta

import sqlalchemy as sa

from app.campaigns.models import Campaign
from app.common import clock
from app.extensions import db
from app.hooks import hooks_of
from events.checkin.models import CheckinEvent, CheckinLeave, CheckinRecord
from tests.events.checkin.att_fixtures import ATT_START, att_clock, att_event, check_in, leave, snapshot, town
from tests.platform.test_demo_command import run_demo


def test_participants_are_members_who_checked_in_where_they_were_invited(app, att_event, town):
    p = town["people"]
    event = att_event(scope="units", units=[town["yi"]])
    snapshot(event)
    check_in(event, p["周七"])
    check_in(event, p["张一"])  # not invited (a stray record): not a participant
    leave(event, p["吴八"], kind="official")
    provider = next(provider for provider in hooks_of(app).participation_providers if provider.key == "checkin")
    campaign = db.session.get(Campaign, event.campaign_id)
    rows = db.session.execute(provider.participants(campaign)).all()
    assert [(user_id, at, unit_id) for user_id, at, unit_id in rows] == [(p["周七"].id, event.starts_at, town["yi"].id)]
    assert str(provider.label) == "会议签到"


def test_home_shows_a_members_coming_meetings_and_a_liaisons_latest_attendance(app, att_event, town, client_for):
    p = town["people"]
    past = att_event(scope="units", units=[town["yi"]], title="上周党课", event_type="lecture",
                     start=ATT_START - timedelta(days=7))
    snapshot(past)
    check_in(past, p["周七"])
    coming = att_event(scope="units", units=[town["yi"]], title="下周党员大会", start=ATT_START + timedelta(days=5))

    with clock.frozen_at(ATT_START):
        db.session.add(CheckinLeave(event_id=coming.id, user_id=p["周七"].id, kind="leave", reason="出差",
                                    status="pending", requested_by_id=p["周七"].id))
        db.session.commit()
        member_home = client_for(p["周七"]).get("/").get_data(as_text=True)
        assert "下周党员大会" in member_home and "请假 待审批" in member_home
        assert "上周党课" not in member_home
        liaison_home = client_for(town["liaison_yi"]).get("/").get_data(as_text=True)
        assert "本单位最近一次会议" in liaison_home and "上周党课" in liaison_home and "出勤率 50.0%" in liaison_home
        other = client_for(p["张一"]).get("/").get_data(as_text=True)
        assert "下周党员大会" not in other
        campaign_page = client_for(p["周七"]).get(f"/campaigns/{coming.campaign_id}").get_data(as_text=True)
        assert "下周党员大会" in campaign_page


def test_the_demo_holds_meetings_of_each_type_with_attendance_and_one_open_now(app, client_for):
    run_demo(app)
    events = db.session.scalars(sa.select(CheckinEvent)).all()
    assert {event.event_type for event in events} == {"assembly", "committee", "group", "lecture", "report",
                                                      "contest", "other"}
    past = [event for event in events if event.snapshot_taken_at is not None]
    assert len(past) == 4
    checked = set(db.session.scalars(sa.select(CheckinRecord.event_id)))
    assert checked == {event.id for event in past}
    statuses = set(db.session.scalars(sa.select(CheckinLeave.kind)))
    assert statuses == {"leave", "official"}
    from app.common.clock import utcnow
    from events.checkin.services.windows import window_state

    assert any(window_state(event, utcnow()).accepting for event in events)
    counts = db.session.scalar(sa.select(sa.func.count()).select_from(CheckinEvent))
    run_demo(app)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CheckinEvent)) == counts


def test_the_attendance_side_registers_through_init_app(app):
    hooks = hooks_of(app)
    endpoints = {item.endpoint for item in hooks.navigation}
    assert {"checkin.attendance.index", "checkin.calendar.index", "checkin.leave.mine"} <= endpoints
    assert "events/checkin/sections/_home.html" in [section.template for section in hooks.home_sections]
    assert "events/checkin/sections/_campaign.html" in [section.template for section in hooks.campaign_sections]
    assert str(hooks.action_labels["checkin.leave.approved"]) == "批准会议请假"
    assert "checkin" in [provider.key for provider in hooks.participation_providers]
    assert "load_demo_meetings" in {loader.__name__ for loader in hooks.demo_loaders}
