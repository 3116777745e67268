"""The quiz clock. The server owns it: windows, deadlines and what time is left come from here.

An attempt's deadline is min(started_at + time limit, closes_at). Saves are accepted until
deadline + GRACE_SECONDS, so an answer chosen in the last second still arrives over a slow network;
after that the attempt is submitted by the server, whether or not the member comes back.
"""
from datetime import datetime, timedelta

from app.common.clock import utcnow
from quizzes.models import Attempt, Quiz

GRACE_SECONDS = 10
UPCOMING, OPEN, CLOSED = "upcoming", "open", "closed"


def window_status(quiz: Quiz, now: datetime | None = None) -> str:
    """'upcoming' before opens_at, 'open' until closes_at, then 'closed'."""
    now = now or utcnow()
    if now < quiz.opens_at:
        return UPCOMING
    if now >= quiz.closes_at:
        return CLOSED
    return OPEN


def deadline_for(quiz: Quiz, started_at: datetime) -> datetime:
    """When an attempt started at `started_at` must end: its time limit or the close, whichever is first."""
    return min(started_at + timedelta(seconds=quiz.time_limit_seconds), quiz.closes_at)


def remaining_seconds(attempt: Attempt, now: datetime | None = None) -> int:
    """Whole seconds left before the attempt's deadline (0 once it has passed or it is submitted)."""
    if attempt.submitted_at is not None:
        return 0
    return remaining_until(attempt.deadline_at, now)


def remaining_until(deadline_at: datetime, now: datetime | None = None) -> int:
    """Whole seconds from now to `deadline_at`, never negative."""
    left = (deadline_at - (now or utcnow())).total_seconds()
    return max(0, int(left))


def past_grace(deadline_at: datetime, now: datetime | None = None) -> bool:
    """Whether saves for a deadline are no longer accepted (deadline + grace has passed)."""
    return (now or utcnow()) > deadline_at + timedelta(seconds=GRACE_SECONDS)


def expiry_cutoff(now: datetime | None = None) -> datetime:
    """Open attempts whose deadline is before this moment are due to be submitted by the server."""
    return (now or utcnow()) - timedelta(seconds=GRACE_SECONDS)


def answers_visible(quiz: Quiz, attempt: Attempt, now: datetime | None = None) -> bool:
    """Whether the review policy lets the member see correct answers and explanations for `attempt`."""
    if attempt.submitted_at is None or quiz.review_policy == "never":
        return False
    if quiz.review_policy == "after_close":
        return (now or utcnow()) >= quiz.closes_at
    return True
