"""The demo campaign's participation, part-way through: settings for its figures (the quiz and check-in
required, targets and weights), practice answers spread over the past days (the one activity whose
demo loader leaves none), and a snapshot for each past day so the trend line has a history. Runs
after every feature's loader (their records are what it counts); idempotent."""
from __future__ import annotations

import random
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
PRACTICE_SHARE = 0.45
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


def load_demo_practice(ctx) -> int:
    """Practice answers of about half the members, one to three each, over the past ten days."""
    from quizzes.models import PracticeAnswer, Question, QuestionBank, Quiz

    quiz = db.session.scalar(sa.select(Quiz).where(Quiz.campaign_id == ctx.campaign.id).order_by(Quiz.id).limit(1))
    if quiz is None or db.session.scalar(sa.select(PracticeAnswer.id).limit(1)) is not None:
        return 0
    bank = quiz.banks[0] if quiz.banks else db.session.scalar(sa.select(QuestionBank).limit(1))
    questions = list(db.session.execute(sa.select(Question.id, Question.answer).where(Question.bank_id == bank.id)
                                        .order_by(Question.id).limit(30))) if bank else []
    if not questions:
        return 0
    rng = random.Random(1414)
    now = utcnow()
    members = db.session.scalars(sa.select(User.id).where(User.unit_id.is_not(None), User.active.is_(True))
                                 .order_by(User.id)).all()
    rows = []
    for user_id in members:
        if rng.random() >= PRACTICE_SHARE:
            continue
        for _ in range(rng.randint(1, 3)):
            question = rng.choice(questions)
            right = rng.random() < 0.7
            rows.append({"user_id": user_id, "bank_id": bank.id, "question_id": question.id,
                         "response": question.answer if right else None, "is_correct": right,
                         "answered_at": now - timedelta(days=rng.randint(0, 9), minutes=rng.randint(0, 600))})
    if rows:
        db.session.execute(sa.insert(PracticeAnswer), rows)
    return len(rows)


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
    practised = load_demo_practice(ctx)
    snapshots = load_demo_snapshots(ctx)
    ctx.note(f"参与统计：{ctx.campaign.name}，知识竞赛与会议签到为必选（目标 70%、60%），"
             f"练习记录 {practised} 条，每日快照 {snapshots} 天")
