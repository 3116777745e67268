"""Fixtures of the attendance-side tests (imported by name in each module): a stopped clock, events at
ATT_START, a small world of two units with branches, and helpers that check in / ask leave directly."""
import itertools
from datetime import datetime, timedelta

import pytest

from app.common import clock
from app.extensions import db
from events.checkin.models import CheckinEvent, CheckinExemption, CheckinLeave, CheckinRecord

ATT_START = datetime(2026, 3, 10, 6, 0, 0)  # 14:00 in Shanghai, 10 March 2026
_numbers = itertools.count(1)


@pytest.fixture
def att_clock(app):
    """The clock stopped 5 minutes after the start (window open, not yet late)."""
    with clock.frozen_at(ATT_START + timedelta(minutes=5)):
        yield clock


@pytest.fixture
def att_event(app, make_campaign):
    holder = {}

    def factory(*, title=None, event_type="assembly", scope="everyone", units=(), members=(), statuses=(),
                start=ATT_START, host=None, cancelled=False, leave_days_after=3, **fields) -> CheckinEvent:
        campaign = holder.get("campaign") or holder.setdefault("campaign", make_campaign())
        event = CheckinEvent(
            campaign_id=campaign.id, title=title or f"测试会议{next(_numbers)}", event_type=event_type, place="会议室",
            host_unit_id=host.id if host else None, starts_at=start, ends_at=start + timedelta(hours=2),
            opens_minutes_before=30, late_at=start + timedelta(minutes=10), closes_at=start + timedelta(hours=1),
            invitee_scope=scope, invitee_statuses=list(statuses), leave_days_after=leave_days_after,
            cancelled_at=start - timedelta(days=1) if cancelled else None, **fields)
        event.target_units = list(units)
        event.target_members = list(members)
        db.session.add(event)
        db.session.commit()
        return event

    factory.holder = holder
    return factory


@pytest.fixture
def town(make_unit, make_member, make_staff, make_user):
    """Two units: 甲 with branches 一支部 (张一 李二 王三 预备 赵四 群众) and 二支部 (钱五 孙六), 乙 with 周七
    and 吴八 (no branch); a liaison of each unit (not on the roster), and an organiser."""
    jia = make_unit("甲单位", sort_order=1)
    one = make_unit("一支部", parent=jia, sort_order=1)
    two = make_unit("二支部", parent=jia, sort_order=2)
    yi = make_unit("乙单位", sort_order=2)
    people = {}
    for name, unit, branch, status in (
        ("张一", jia, one, "中共党员"), ("李二", jia, one, "中共党员"), ("王三", jia, one, "预备党员"),
        ("赵四", jia, one, "群众"), ("钱五", jia, two, "中共党员"), ("孙六", jia, two, "中共党员"),
        ("周七", yi, None, "中共党员"), ("吴八", yi, None, "中共党员"),
    ):
        people[name] = make_member(unit=unit, branch=branch, name=name, political_status=status,
                                   mobile=f"1380000{len(people):04d}")
    return {
        "jia": jia, "one": one, "two": two, "yi": yi, "people": people,
        # Liaisons outside the roster, so that they are nobody's invitee.
        "liaison_jia": make_user(roles=["liaison"], liaison_unit=jia, name="甲联络员"),
        "liaison_yi": make_user(roles=["liaison"], liaison_unit=yi, name="乙联络员"),
        "organiser": make_staff("organiser", name="组织者"),
    }


def check_in(event, member, *, minutes_after_start=0, method="venue_code"):
    record = CheckinRecord(event_id=event.id, user_id=member.id, kind="check_in", method=method,
                           checked_at=event.starts_at + timedelta(minutes=minutes_after_start))
    db.session.add(record)
    db.session.commit()
    return record


def leave(event, member, *, kind="leave", status="approved", reason="出差"):
    row = CheckinLeave(event_id=event.id, user_id=member.id, kind=kind, status=status, reason=reason,
                       requested_by_id=member.id)
    db.session.add(row)
    db.session.commit()
    return row


def exempt(event, member, reason="长期病假"):
    row = CheckinExemption(event_id=event.id, user_id=member.id, reason=reason)
    db.session.add(row)
    db.session.commit()
    return row


def snapshot(event, now=None):
    from events.checkin.services.invitees import ensure_snapshot

    ensure_snapshot(event, now=now or event.starts_at)
    db.session.commit()
