"""Tidy-ups for accounts (registered with hooks.add_housekeeping): ended sign-in sessions and
login-throttle rows that no longer hold anyone back."""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.accounts.models import LoginSession, LoginThrottle
from app.common.clock import utcnow
from app.extensions import db

# Throttle rows keep their strikes (the escalation of repeated lockouts) for a week after their last
# window: long enough to outlast the longest lock (24 h), short enough that the table stays small.
THROTTLE_MEMORY = timedelta(days=7)


def purge_ended_sessions() -> int:
    """A sign-in session is deleted once it was revoked, passed its maximum age, or sat idle longer
    than any session may; how many went."""
    now = utcnow()
    longest_idle = timedelta(hours=max(current_app.config["MEMBER_SESSION_IDLE_HOURS"],
                                       current_app.config["STAFF_SESSION_IDLE_HOURS"]))
    return db.session.execute(sa.delete(LoginSession).where(sa.or_(
        LoginSession.revoked_at.is_not(None), LoginSession.expires_at <= now,
        LoginSession.last_seen_at <= now - longest_idle))).rowcount


def purge_stale_throttles() -> int:
    """A login-throttle row is deleted when its last failure window began over a week ago and it
    locks nobody now; how many went."""
    now = utcnow()
    return db.session.execute(sa.delete(LoginThrottle).where(
        LoginThrottle.window_started_at <= now - THROTTLE_MEMORY,
        sa.or_(LoginThrottle.locked_until.is_(None), LoginThrottle.locked_until <= now))).rowcount
