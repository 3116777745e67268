"""Demo meetings (flask demo): one of each type in the demo campaign for 市委办公室 and its 第二党支部;
the past ones with their snapshot, check-ins (a few late), leave, 公出 and an exemption; one open
now, one to come and one cancelled. Created once: a title already in the campaign is left alone."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.accounts.models import User
from app.common.clock import utcnow
from app.extensions import db
from events.checkin.models import (
    CheckinEvent,
    CheckinExemption,
    CheckinLeave,
    CheckinMinutes,
    CheckinRecord,
    checkin_event_units,
)

UNIT, BRANCH = "市委办公室", "第二党支部"
# (title, type, days from now, scope, statuses, committee_only, state)
MEETINGS = (
    ("第二党支部党员大会（第三季度）", "assembly", -62, "branches", ["中共党员", "预备党员"], False, "past"),
    ("第二党支部支委会", "committee", -33, "branches", [], True, "past"),
    ("第二党支部党小组会", "group", -20, "branches", ["中共党员", "预备党员"], False, "past"),
    ("专题党课：解放思想再出发", "lecture", -12, "units", [], False, "past"),
    ("解放思想大讨论专题报告会", "report", 0, "units", [], False, "open"),
    ("知识竞赛决赛现场", "contest", 7, "units", [], False, "upcoming"),
    ("第二党支部主题党日（已取消）", "other", -5, "branches", [], False, "cancelled"),
)


def _mark_committee(branch_id: int) -> None:
    """A branch committee of three full members, if the branch has none marked yet."""
    if db.session.scalar(sa.select(sa.func.count()).where(User.branch_id == branch_id,
                                                          User.is_branch_committee.is_(True))):
        return
    ids = list(db.session.scalars(sa.select(User.id).where(
        User.branch_id == branch_id, User.active.is_(True), User.political_status == "中共党员")
        .order_by(User.id).limit(3)))
    db.session.execute(sa.update(User).where(User.id.in_(ids)).values(is_branch_committee=True))


def _attendance(event: CheckinEvent, ctx, organiser_id: int | None, member_id: int | None) -> None:
    from events.checkin.services.invitees import ensure_snapshot

    ensure_snapshot(event, now=event.starts_at)
    db.session.flush()
    invitees = list(db.session.scalars(sa.text(
        "SELECT user_id FROM checkin_invitees WHERE event_id = :id ORDER BY user_id"), {"id": event.id}))
    rng = ctx.rng
    checked_any = False
    for position, user_id in enumerate(invitees):
        if user_id == member_id and event.event_type == "lecture":
            db.session.add(CheckinLeave(event_id=event.id, user_id=user_id, kind="leave", reason="外出培训",
                                        status="approved", requested_by_id=user_id,
                                        requested_at=event.starts_at - timedelta(days=1),
                                        decided_by_id=organiser_id, decided_at=event.starts_at - timedelta(hours=20)))
            continue
        roll = rng.random()
        if position == len(invitees) - 1 and not checked_any:
            roll = 0.0  # every past meeting had someone there
        if position == 0 and event.event_type == "assembly":
            db.session.add(CheckinExemption(event_id=event.id, user_id=user_id, reason="长期病假",
                                            created_by_id=organiser_id))
        elif (position == 3 and len(invitees) > 6) or 0.82 <= roll < 0.88:
            db.session.add(CheckinLeave(event_id=event.id, user_id=user_id, kind="official", reason="赴省里开会",
                                        status="approved", requested_by_id=user_id,
                                        requested_at=event.starts_at - timedelta(days=2),
                                        decided_by_id=organiser_id, decided_at=event.starts_at - timedelta(days=1)))
        elif (position == 4 and len(invitees) > 6) or 0.72 <= roll < 0.82:
            db.session.add(CheckinLeave(event_id=event.id, user_id=user_id, kind="leave", reason="身体不适",
                                        status="approved", requested_by_id=user_id,
                                        requested_at=event.starts_at - timedelta(hours=5),
                                        decided_by_id=organiser_id, decided_at=event.starts_at - timedelta(hours=2)))
        elif roll < 0.72:
            checked_any = True
            late = rng.random() < 0.1
            offset = timedelta(minutes=rng.randint(3, 12)) if late else -timedelta(minutes=rng.randint(1, 25))
            db.session.add(CheckinRecord(event_id=event.id, user_id=user_id, kind="check_in",
                                         method="member_code" if rng.random() < 0.1 else "venue_code",
                                         checked_at=event.late_at + offset if late else event.starts_at + offset,
                                         recorded_by_id=organiser_id))


def load_demo_meetings(ctx) -> None:
    """The demo campaign's meetings with their attendance (see the module docstring)."""
    if ctx.campaign is None or UNIT not in ctx.units:
        return
    unit, branch = ctx.units[UNIT], ctx.branches.get((UNIT, BRANCH))
    host = branch or unit
    existing = set(db.session.scalars(sa.select(CheckinEvent.title).where(CheckinEvent.campaign_id == ctx.campaign.id)))
    organiser = ctx.accounts.get("organiser")
    member = ctx.accounts.get("member")
    if branch is not None:
        _mark_committee(branch.id)
    now = utcnow().replace(second=0, microsecond=0)
    for title, event_type, days, scope, statuses, committee_only, state in MEETINGS:
        if title in existing:
            continue
        starts = now + timedelta(days=days) if state != "open" else now - timedelta(minutes=10)
        if state != "open":
            starts = starts.replace(hour=1, minute=30)  # 09:30 in Shanghai
        event = CheckinEvent(
            campaign_id=ctx.campaign.id, title=title, event_type=event_type, place="市委大楼三楼会议室",
            host_unit_id=host.id, starts_at=starts, ends_at=starts + timedelta(hours=2), opens_minutes_before=30,
            late_at=starts + timedelta(minutes=10), closes_at=starts + timedelta(minutes=90),
            invitee_scope=scope if branch is not None or scope != "branches" else "units",
            invitee_statuses=statuses, committee_only=committee_only, allow_static_code=event_type == "report",
            cancelled_at=now - timedelta(days=6) if state == "cancelled" else None,
            created_by_id=organiser.id if organiser else None)
        db.session.add(event)
        db.session.flush()
        target = host if event.invitee_scope == "branches" else unit
        db.session.execute(checkin_event_units.insert().values(event_id=event.id, unit_id=target.id))
        if state == "upcoming" and member is not None:
            db.session.add(CheckinLeave(event_id=event.id, user_id=member.id, kind="leave", reason="当天需到外地出差",
                                        status="pending", requested_by_id=member.id, requested_at=now))
        if state == "past":
            _attendance(event, ctx, organiser.id if organiser else None, member.id if member else None)
            db.session.add(CheckinMinutes(event_id=event.id, host="支部书记", recorder="组织委员",
                                          topics="传达学习上级会议精神；讨论本支部下一阶段工作",
                                          minutes="会议传达了上级有关精神，与会党员结合工作实际进行了交流发言。",
                                          updated_by_id=organiser.id if organiser else None))
    db.session.flush()
    ctx.note("会议签到：第二党支部的党员大会、支委会、党小组会和党课已有考勤，专题报告会正在签到。")
