"""app/participation/attendance.py: the attendance rows a worker keeps for the minute are the rule's
(attendance_rows, one statement over every invitation) after each kind of roster write — a move
through the roster page, a deactivation, an exemption approved — carried over with
only the changed members' invitations read again; a check-in reads them all."""
import dataclasses
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import User
from app.common import clock, data_versions
from app.common.clock import utcnow
from app.extensions import db
from app.participation import attendance
from app.participation.freshness import PEOPLE_DATA
from app.participation.history import record_membership
from app.participation.settings import column_specs
from app.units.models import Unit
from tests.participation.bulk import START, build_campaign
from tests.participation.helpers import approved_exemption
from tests.support import forget_kept

RULE = attendance.attendance_rows  # the statement itself, whatever the spies below replace


def _normal(rows) -> Counter:
    """The rows as the figures add them up: groups that count nothing make no difference."""
    return Counter({(key, unit, branch): (invited, present) for key, unit, branch, invited, present in rows
                    if invited or present})


@pytest.fixture
def reads(monkeypatch):
    """What each kept_attendance call ran: "all" (attendance_rows) or the members read again."""
    seen = []
    whole, carried = attendance.attendance_rows, attendance._carried_over

    def attendance_rows(*args):
        seen.append("all")
        return whole(*args)

    def carried_over(rows, campaign, attending, people, user_ids, now):
        seen.append(len(user_ids))
        return carried(rows, campaign, attending, people, user_ids, now)

    monkeypatch.setattr(attendance, "attendance_rows", attendance_rows)
    monkeypatch.setattr(attendance, "_carried_over", carried_over)
    return seen


def test_roster_writes_carry_the_kept_attendance_over_member_by_member(app, make_user, reads):
    campaign = build_campaign(units=3, members=90, prefix="A")
    organiser = make_user(roles=["organiser"], staff_id="ORG_ATTEND")
    specs = column_specs()
    now = utcnow()
    minute = now.replace(second=0, microsecond=0)

    def view():
        kept = attendance.kept_attendance(campaign, now, minute, specs)
        assert _normal(kept) == _normal(RULE(campaign, now, specs)), reads
        return kept

    assert sum(invited for *_rest, invited, _present in view()) > 0
    assert reads == ["all"]
    members = db.session.scalars(sa.select(User).where(User.staff_id.like("A%"), User.active.is_(True))
                                 .order_by(User.id)).all()
    target = db.session.scalar(sa.select(Unit.id).where(Unit.parent_id.is_(None), Unit.name.like("A%"))
                               .order_by(Unit.id.desc()))
    mover = next(member for member in members if member.unit_id != target and member.branch_id is not None)
    # Into a branch of the other unit: their invitations keep their unit and lose their branch (the
    # branch counts only in its own unit).
    mover.unit_id = target
    mover.branch_id = db.session.scalar(sa.select(Unit.id).where(Unit.parent_id == target).order_by(Unit.id))
    assert mover.branch_id is not None
    record_membership([mover.id])
    db.session.commit()
    view()
    members[3].active = False  # still counted: attendance reads invitations, not who is active now
    record_membership([members[3].id])
    db.session.commit()
    view()
    approved_exemption(organiser, members[4], campaign, START)
    view()
    with data_versions.changing(PEOPLE_DATA, [members[5].id]):  # a set-based write that says whose it is
        db.session.execute(sa.update(User).where(User.id == members[5].id).values(unit_id=target, branch_id=None))
        record_membership([members[5].id])
    db.session.commit()
    view()
    assert reads == ["all", 1, 1, 1, 1]
    # A write the log cannot key: the people are read whole, and the members they differ in are the
    # ones carried over.
    db.session.execute(sa.update(User).where(User.id == members[6].id).values(unit_id=target, branch_id=None))
    record_membership(sa.select(User.id).where(User.id == members[6].id))
    db.session.commit()
    view()
    view()
    assert reads == ["all", 1, 1, 1, 1, 1]  # and the view after: kept, nothing read


def test_a_checkin_reads_every_invitation_again(app, reads):
    from events.checkin.models import CheckinEvent, CheckinRecord

    campaign = build_campaign(units=2, members=30, prefix="C")
    specs = column_specs()
    now = utcnow()
    minute = now.replace(second=0, microsecond=0)
    before = attendance.kept_attendance(campaign, now, minute, specs)
    event = db.session.scalar(sa.select(CheckinEvent).where(CheckinEvent.campaign_id == campaign.id)
                              .order_by(CheckinEvent.id))
    absent = db.session.scalar(sa.select(User.id).where(User.staff_id.like("C%"), User.id.not_in(
        sa.select(CheckinRecord.user_id).where(CheckinRecord.event_id == event.id))).order_by(User.id))
    db.session.add(CheckinRecord(event_id=event.id, user_id=absent, kind="check_in", method="manual",
                                 checked_at=event.starts_at + timedelta(minutes=1)))
    db.session.commit()
    after = attendance.kept_attendance(campaign, now, minute, specs)
    assert reads == ["all", "all"]
    assert sum(row[4] for row in after) == sum(row[4] for row in before) + 1


def test_attendance_is_kept_across_minutes_until_the_next_meeting_starts(app, make_campaign, reads, monkeypatch):
    """Check-in says when its attendance next changes with no write (a meeting starting): the rows are
    read once, kept past the minute, and read again once the next meeting has started, counting it;
    a provider that says nothing is read again each minute."""
    from app.hooks import hooks_of
    from events.checkin.models import CheckinEvent, CheckinInvitee

    campaign = build_campaign(units=2, members=30, prefix="M")
    specs = column_specs()
    now = utcnow().replace(second=0, microsecond=0)
    later = CheckinEvent(campaign_id=campaign.id, title="下周党课", event_type="lecture",
                         starts_at=now + timedelta(hours=2), ends_at=now + timedelta(hours=3),
                         late_at=now + timedelta(hours=2, minutes=10), closes_at=now + timedelta(hours=3),
                         invitee_scope="units", invitee_statuses=[])
    db.session.add(later)
    db.session.flush()
    from app.participation.models import ParticipationExemption

    member = db.session.scalars(sa.select(User).where(User.staff_id.like("M%"), User.id.not_in(
        sa.select(ParticipationExemption.user_id))).order_by(User.id)).first()
    db.session.add(CheckinInvitee(event_id=later.id, user_id=member.id, unit_id=member.unit_id, source="rule",
                                  created_at=now))
    db.session.commit()

    def invited(at):
        with clock.frozen_at(at):  # the providers' selects read the clock
            rows = attendance.kept_attendance(campaign, at, at.replace(second=0, microsecond=0), specs)
            assert _normal(rows) == _normal(RULE(campaign, at, specs))
        return sum(row[3] for row in rows)

    before = invited(now)
    assert invited(now + timedelta(minutes=30)) == before and invited(now + timedelta(minutes=119)) == before
    assert reads == ["all"]
    assert invited(now + timedelta(hours=2, minutes=1)) == before + 1  # the lecture has started
    assert reads == ["all", "all"]
    providers = hooks_of(app).participation_providers
    monkeypatch.setattr(hooks_of(app), "participation_providers", [
        dataclasses.replace(provider, attendance_changes=None) if provider.key == "checkin" else provider
        for provider in providers])
    specs = column_specs()
    forget_kept(app)  # a worker started with such a provider
    invited(now + timedelta(hours=3))
    invited(now + timedelta(hours=3, seconds=30))
    invited(now + timedelta(hours=3, minutes=1))
    assert reads == ["all", "all", "all", "all"]
