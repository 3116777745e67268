"""What the quiz shows on other pages: the home page, the campaign page, unit deletion, coverage."""
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _

from app.common.access import Role
from app.common.clock import from_local
from app.extensions import db
from quizzes.models import Attempt, PracticeAnswer, Quiz, quiz_banks, quiz_eligible_units
from quizzes.services import taking
from quizzes.services.settings import organiser_quizzes
from quizzes.services.timing import OPEN


def home_section(user) -> dict | None:
    """Quizzes the member can take now, for the home page (hidden when there are none)."""
    if not user.has_role(Role.MEMBER):
        return None
    rows = [row for row in taking.member_quizzes(user) if row.status == OPEN]
    return {"rows": rows} if rows else None


def campaign_section(campaign, user) -> dict | None:
    """The campaign page lists its quizzes: every one for organisers, the member's own otherwise."""
    if user.is_organiser:
        lines = [line for line in organiser_quizzes() if line.quiz.campaign_id == campaign.id]
        return {"organiser_lines": lines} if lines else None
    if not user.has_role(Role.MEMBER):
        return None
    rows = [row for row in taking.member_quizzes(user) if row.quiz.campaign_id == campaign.id]
    return {"rows": rows} if rows else None


def quizzes_scoped_to(unit) -> str | None:
    """A unit that a quiz names as eligible cannot be deleted: the link would go, and a quiz with no
    eligible unit is open to every unit, so deleting its only unit would open it to everyone."""
    titles = list(db.session.scalars(
        sa.select(Quiz.title).join(quiz_eligible_units, quiz_eligible_units.c.quiz_id == Quiz.id)
        .where(quiz_eligible_units.c.unit_id == unit.id).order_by(Quiz.id)
    ))
    if not titles:
        return None
    return _("还是竞赛%(titles)s的参赛单位（删除后该竞赛将对所有单位开放）",
             titles="、".join(f"「{title}」" for title in titles))


def quiz_participants(campaign):
    """Members with a submitted attempt at any quiz of `campaign`, with the time they submitted."""
    return (
        sa.select(Attempt.user_id, Attempt.submitted_at.label("took_part_at"))
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .where(Quiz.campaign_id == campaign.id, Attempt.submitted_at.is_not(None))
    )


def quiz_scores(campaign):
    """(user_id, score): each member's best submitted score in each quiz of `campaign` (one row per quiz
    taken), for the average score."""
    return (
        sa.select(Attempt.user_id, sa.func.max(Attempt.score).label("score"))
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .where(Quiz.campaign_id == campaign.id, Attempt.submitted_at.is_not(None), Attempt.score.is_not(None))
        .group_by(Attempt.user_id, Attempt.quiz_id)
    )


def practice_participants(campaign):
    """Members who answered a practice question from a bank used by a quiz of `campaign`, during the
    campaign's dates (Asia/Shanghai days), from their first such answer."""
    starts = from_local(datetime.combine(campaign.starts_on, time.min))
    ends = from_local(datetime.combine(campaign.ends_on + timedelta(days=1), time.min))
    banks = (sa.select(quiz_banks.c.bank_id).join(Quiz, Quiz.id == quiz_banks.c.quiz_id)
             .where(Quiz.campaign_id == campaign.id))
    return (
        sa.select(PracticeAnswer.user_id, sa.func.min(PracticeAnswer.answered_at).label("took_part_at"))
        .where(PracticeAnswer.bank_id.in_(banks), PracticeAnswer.answered_at >= starts,
               PracticeAnswer.answered_at < ends)
        .group_by(PracticeAnswer.user_id)
    )
