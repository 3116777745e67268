"""Check-in factories: make_event(...) relative to the stopped check-in clock (checkin_clock, at
EVENT_START = 19:00 in Shanghai on 2 March 2026), a hall of invited members, scan helpers."""
import itertools
import re
from datetime import datetime, timedelta

import pytest

from app.common import clock
from app.extensions import db
from events.checkin.models import CheckinEvent, CheckinSteward

EVENT_START = datetime(2026, 3, 2, 11, 0, 0)  # 19:00 in Shanghai
_numbers = itertools.count(1)


@pytest.fixture
def checkin_clock(app):
    """The clock stopped 10 minutes before the start (the window opened 20 minutes ago)."""
    with clock.frozen_at(EVENT_START - timedelta(minutes=10)):
        yield clock


@pytest.fixture
def make_event(app, make_campaign):
    campaign_holder = {}

    def factory(*, title: str | None = None, event_type: str = "assembly", scope: str = "everyone",
                units=(), groups=(), members=(), statuses=(), committee_only=False, start=EVENT_START,
                opens_minutes_before=30, late_after=timedelta(minutes=5), closes_after=timedelta(hours=1),
                duration=timedelta(hours=2), sign_out=None, allow_static_code=False, rotation_seconds=30,
                **fields) -> CheckinEvent:
        campaign = campaign_holder.get("campaign") or campaign_holder.setdefault("campaign", make_campaign())
        event = CheckinEvent(
            campaign_id=campaign.id, title=title or f"支部党员大会{next(_numbers)}", event_type=event_type,
            place="三楼会议室", starts_at=start, ends_at=start + duration, opens_minutes_before=opens_minutes_before,
            late_at=start + late_after, closes_at=start + closes_after, invitee_scope=scope,
            invitee_statuses=list(statuses), committee_only=committee_only, allow_static_code=allow_static_code,
            rotation_seconds=rotation_seconds,
            sign_out_opens_at=sign_out[0] if sign_out else None, sign_out_closes_at=sign_out[1] if sign_out else None,
            **fields)
        event.target_units = list(units)
        event.target_groups = list(groups)
        event.target_members = list(members)
        db.session.add(event)
        db.session.commit()
        return event

    return factory


@pytest.fixture
def hall(make_unit, make_member):
    """A unit with a branch and four members of it, and one member of another unit."""
    unit = make_unit("市委办公室")
    branch = make_unit("第一党支部", parent=unit)
    other = make_unit("市委组织部")
    people = [make_member(unit=unit, branch=branch, name=name, political_status=status)
              for name, status in (("张伟", "中共党员"), ("李娜", "中共党员"), ("王芳", "预备党员"), ("刘洋", "群众"))]
    outsider = make_member(unit=other, name="赵强", political_status="中共党员")
    return {"unit": unit, "branch": branch, "other": other, "people": people, "outsider": outsider}


@pytest.fixture
def make_steward(make_user):
    def factory(event: CheckinEvent, **fields):
        steward = make_user(name=fields.pop("name", "签到员"), **fields)
        db.session.add(CheckinSteward(event_id=event.id, user_id=steward.id))
        db.session.commit()
        return steward

    return factory


def scan_path(url: str) -> str:
    """The path of a scanned URL (the test client speaks to the app directly)."""
    return re.sub(r"^https?://[^/]+", "", url)
