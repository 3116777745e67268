"""Real records behind the participation pages' tests: quiz attempts, speech registrations and
exhibition works in a campaign, written directly (the activities' own rules are tested elsewhere)."""
from datetime import timedelta

from app.common.clock import utcnow
from app.extensions import db


def new_quiz(campaign, title="参与统计测试竞赛"):
    from quizzes.models import Quiz

    now = utcnow()
    quiz = Quiz(campaign_id=campaign.id, title=title, opens_at=now - timedelta(days=3),
                closes_at=now + timedelta(days=3), is_published=True)
    db.session.add(quiz)
    db.session.commit()
    return quiz


def submit(quiz, user, *, score=80.0, at=None):
    """A submitted attempt of `user` at `at` (default: an hour ago)."""
    from quizzes.models import Attempt

    at = at or utcnow() - timedelta(hours=1)
    number = 1 + sum(1 for _ in db.session.scalars(db.select(Attempt.id).where(
        Attempt.quiz_id == quiz.id, Attempt.user_id == user.id)))
    attempt = Attempt(quiz_id=quiz.id, user_id=user.id, number=number, seed=number, started_at=at - timedelta(minutes=10),
                      deadline_at=at + timedelta(minutes=20), max_score=100.0)
    db.session.add(attempt)
    db.session.flush()
    attempt.submitted_at, attempt.open_slot, attempt.submit_reason = at, None, "member"
    attempt.score, attempt.time_used_seconds = score, 600.0
    db.session.commit()
    return attempt


def new_contest(campaign, title="参与统计测试演讲比赛"):
    from events.speech.models import SpeechContest

    contest = SpeechContest(campaign_id=campaign.id, title=title, criteria=[], group_weights={}, overtime_bands=[],
                            tie_breaks=[], award_tiers=[], criterion_awards=[])
    db.session.add(contest)
    db.session.commit()
    return contest


def register(contest, user, *, status="registered", at=None):
    from events.speech.models import SpeechEntry

    entry = SpeechEntry(contest_id=contest.id, member_id=user.id, unit_id=user.unit_id, speech_title="我的演讲",
                        status=status, created_at=at or utcnow() - timedelta(hours=2))
    db.session.add(entry)
    db.session.commit()
    return entry


def settings(campaign, **keys):
    """settings(campaign, quiz=(required, target, weight), …): the campaign's figure settings."""
    from decimal import Decimal

    from app.participation.models import ParticipationSetting

    for key, (required, target, weight) in keys.items():
        db.session.add(ParticipationSetting(campaign_id=campaign.id, key=key, required=required,
                                            target_rate=None if target is None else Decimal(str(target)),
                                            weight=Decimal(str(weight)), counts_for_coverage=True))
    db.session.commit()


def populate(make_unit, make_member, campaign, *, units: int, per_unit: int):
    """`units` units with a branch each and `per_unit` members; every other member submits the quiz,
    every third registers for the speech contest. Returns (units, members, quiz)."""
    from app.participation.history import record_membership

    quiz, contest = new_quiz(campaign), new_contest(campaign)
    made, people = [], []
    for number in range(units):
        unit = make_unit(f"{campaign.name}单位{number:02d}")
        branch = make_unit("第一支部", parent=unit)
        made.append(unit)
        for index in range(per_unit):
            people.append(make_member(unit=unit, branch=branch if index % 2 else None, mobile=None))
    record_membership(None)
    db.session.commit()
    for index, person in enumerate(people):
        if index % 2 == 0:
            submit(quiz, person)
        if index % 3 == 0:
            register(contest, person)
    return made, people, quiz
