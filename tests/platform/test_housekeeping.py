"""Housekeeping removes what has outlived its purpose — ended sessions, stale throttle rows, old job
rows, abandoned staged uploads — and nothing still in use; one failing tidy-up spoils no other."""
import os
import time
from datetime import timedelta

import sqlalchemy as sa

from app import hooks
from app.accounts.models import LoginSession, LoginThrottle
from app.common.clock import utcnow
from app.common.housekeeping import run_housekeeping
from app.common.jobs import DONE, QUEUED, Job
from app.common.uploads import STAGING_MAX_AGE_SECONDS, stage_upload, staged_path
from app.extensions import db


def _session(user, key, **fields):
    now = utcnow()
    values = dict(id=key, user_id=user.id, created_at=now, last_seen_at=now, expires_at=now + timedelta(days=1),
                  idle_seconds=3600)
    values.update(fields)
    db.session.add(LoginSession(**values))


def test_only_what_is_over_goes(app, make_member):
    member = make_member()
    now = utcnow()
    _session(member, "live")
    _session(member, "revoked", revoked_at=now)
    _session(member, "expired", expires_at=now - timedelta(seconds=1))
    _session(member, "idle", last_seen_at=now - timedelta(days=40))
    db.session.add_all([
        LoginThrottle(key="account:recent", failures=3, window_started_at=now - timedelta(hours=1)),
        LoginThrottle(key="account:old", failures=3, window_started_at=now - timedelta(days=8)),
        LoginThrottle(key="account:old-but-locked", failures=9, window_started_at=now - timedelta(days=8),
                      locked_until=now + timedelta(hours=1)),
        Job(owner_id=member.id, kind="members.import", status=DONE, finished_at=now - timedelta(days=91)),
        Job(owner_id=member.id, kind="members.import", status=DONE, finished_at=now - timedelta(days=10)),
        Job(owner_id=member.id, kind="members.import", status=QUEUED),
    ])
    db.session.commit()
    fresh = stage_upload(b"new", "jpg", member.id)
    old = staged_path(stage_upload(b"old", "jpg", member.id), member.id)
    past = time.time() - STAGING_MAX_AGE_SECONDS - 60
    os.utime(old, (past, past))

    removed = run_housekeeping(app)

    assert removed["accounts.ended_sessions"] == 3
    assert removed["accounts.stale_throttles"] == 1
    assert removed["jobs.finished_rows"] == 1
    assert removed["uploads.abandoned_staging"] == 1
    assert db.session.scalars(sa.select(LoginSession.id)).all() == ["live"]
    assert sorted(db.session.scalars(sa.select(LoginThrottle.key))) == ["account:old-but-locked", "account:recent"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job)) == 2
    assert staged_path(fresh, member.id) is not None and not old.exists()


def test_a_failing_tidy_up_is_logged_and_the_others_still_commit(app, make_member, caplog):
    member = make_member()
    _session(member, "revoked", revoked_at=utcnow())
    db.session.commit()

    def broken() -> int:
        raise RuntimeError("disk gone")

    hooks.add_housekeeping(app, "aaa.broken", broken)  # sorts first
    removed = run_housekeeping(app)
    assert removed["aaa.broken"] is None and "aaa.broken" in caplog.text
    db.session.rollback()
    assert removed["accounts.ended_sessions"] == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginSession)) == 0


def test_the_worker_schedules_it_and_the_command_runs_it(app):
    from app.common.housekeeping import PERIODIC_TASK_NAME
    from app.common.jobs import huey_for

    assert PERIODIC_TASK_NAME in {task.name for task in huey_for(app)._registry.periodic_tasks}
    result = app.test_cli_runner().invoke(args=["housekeeping"])
    assert result.exit_code == 0 and "accounts.ended_sessions: 0" in result.output
