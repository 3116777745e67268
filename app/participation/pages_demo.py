"""The demo campaign's participation, part-way through: settings for its figures (the quiz and check-in
required, targets and weights), a few exemptions and offline (书面答题) records, and a snapshot for each past day so the trend line has a history. Runs
after every feature's loader (their records are what it counts); idempotent."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from app.accounts.models import User
from app.common.clock import utcnow
from app.extensions import db

# key: (required, target rate, weight); figures not listed keep the engine's defaults.
DEMO_SETTINGS = {
    "quiz": (True, Decimal("70"), Decimal("3")),
    "checkin": (True, Decimal("60"), Decimal("2")),
    "speech_registered": (False, None, Decimal("1")),
    "exhibition_submitted": (False, None, Decimal("1")),
}
SNAPSHOT_DAYS = 12


def load_demo_settings(ctx) -> None:
    from app.hooks import hooks_of
    from app.participation.models import ParticipationSetting

    campaign = ctx.campaign
    keys = {provider.key for provider in hooks_of().participation_providers}
    have = set(db.session.scalars(sa.select(ParticipationSetting.key)
                                  .where(ParticipationSetting.campaign_id == campaign.id)))
    for key, (required, target, weight) in DEMO_SETTINGS.items():
        if key in keys and key not in have:
            db.session.add(ParticipationSetting(campaign_id=campaign.id, key=key, required=required,
                                                target_rate=target, weight=weight, counts_for_coverage=True))
    db.session.flush()


DEMO_EXEMPTIONS = (("sick_leave", "长期病休，住院治疗中"), ("posted_out", "外派挂职（援疆）"),
                   ("mobile_member", "流动党员，在外地务工"))


def load_demo_exemptions_and_offline(ctx) -> tuple[int, int]:
    """Three approved exemptions (one pending), and approved 书面答题 records for members of one unit who
    have no online attempt (a pending one too): what the dashboard lists apart."""
    from app.participation import services
    from app.participation.models import OfflineParticipation, ParticipationExemption

    campaign = ctx.campaign
    if db.session.scalar(sa.select(ParticipationExemption.id).limit(1)) is not None:
        return 0, 0
    organiser = ctx.accounts.get("organiser")
    liaison = ctx.accounts.get("liaison")
    now = utcnow()
    members = db.session.execute(
        sa.select(User.id, User.unit_id).where(User.unit_id.is_not(None), User.active.is_(True),
                                               User.staff_id.not_in(("member", "liaison")))
        .order_by(User.staff_id)).all()
    chosen = members[7::41][:len(DEMO_EXEMPTIONS) + 1]
    for number, member in enumerate(chosen):
        kind, reason = DEMO_EXEMPTIONS[number % len(DEMO_EXEMPTIONS)]
        pending = number == len(DEMO_EXEMPTIONS)
        db.session.add(ParticipationExemption(
            user_id=member.id, campaign_id=campaign.id if number % 2 else None, kind=kind, reason=reason,
            starts_on=campaign.starts_on, status="pending" if pending else "approved",
            entered_by_id=liaison.id if liaison else None, entered_at=now - timedelta(days=6),
            decided_by_id=None if pending else (organiser.id if organiser else None),
            decided_at=None if pending else now - timedelta(days=5)))
    office = ctx.units.get("市委宣传部")
    if office is None or "quiz" not in {column.key for column in services.campaign_figures(campaign).columns}:
        return len(chosen), 0
    paper = services.chase_list(campaign, office.id, key="quiz")[:5]  # members with no quiz answered online
    for number, member in enumerate(paper):
        pending = number == len(paper) - 1
        day = ctx.today - timedelta(days=3)
        db.session.add(OfflineParticipation(
            campaign_id=campaign.id, provider_key="quiz", user_id=member.user_id, unit_id=member.unit_id,
            took_part_on=day, took_part_at=utcnow() - timedelta(days=3), source="written_quiz",
            note="书面答题（因无智能手机）", status="pending" if pending else "approved",
            entered_by_id=liaison.id if liaison else None, entered_at=now - timedelta(days=2),
            decided_by_id=None if pending else (organiser.id if organiser else None),
            decided_at=None if pending else now - timedelta(days=1)))
    db.session.flush()
    return len(chosen), len(paper)


def load_demo_snapshots(ctx) -> int:
    """A snapshot for each of the past days of the campaign (the trend line reads them)."""
    from app.participation import services

    campaign = ctx.campaign
    taken = 0
    for back in range(SNAPSHOT_DAYS, 0, -1):
        day = ctx.today - timedelta(days=back)
        if day < campaign.starts_on:
            continue
        services.take_snapshot(campaign, day=day)
        taken += 1
    return taken


def load_demo_participation(ctx) -> None:
    """Settings, practice and past snapshots of the demo campaign (after every activity's loader)."""
    if ctx.campaign is None:
        return
    load_demo_settings(ctx)
    exempt, offline = load_demo_exemptions_and_offline(ctx)
    snapshots = load_demo_snapshots(ctx)
    ctx.note(f"参与统计：{ctx.campaign.name}，知识竞赛与会议签到为必选（目标 70%、60%），"
             f"免计申请 {exempt} 条，书面答题 {offline} 条，每日快照 {snapshots} 天")
