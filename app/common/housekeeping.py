"""Housekeeping: the tidy-ups features register (hooks.add_housekeeping), run hourly by the job
worker's scheduler and on demand by `flask housekeeping`. Each runs in its own transaction, so one
that fails leaves the others' work committed and is logged, not raised."""
from __future__ import annotations

import logging

from flask import Flask

from app.extensions import db

logger = logging.getLogger(__name__)
PERIODIC_TASK_NAME = "saishi.housekeeping"


def run_housekeeping(app: Flask) -> dict[str, int | None]:
    """Run every registered tidy-up once, each committed on its own; how many things each removed
    (None for one that failed)."""
    from app.hooks import hooks_of

    removed: dict[str, int | None] = {}
    for name, task in sorted(hooks_of(app).housekeeping.items()):
        try:
            removed[name] = int(task() or 0)
            db.session.commit()
        except Exception:
            db.session.rollback()
            logger.exception("housekeeping task %s failed", name)
            removed[name] = None
    return removed


def init_app(app: Flask) -> None:
    """Schedule housekeeping hourly on the app's queue (it runs in `flask jobs worker`, whose
    consumer runs periodic tasks) and add `flask housekeeping`."""
    import click
    from huey import crontab

    from app.common.jobs import huey_for

    @huey_for(app).periodic_task(crontab(minute="17"), name=PERIODIC_TASK_NAME)
    def housekeeping_task() -> None:
        with app.app_context():
            run_housekeeping(app)

    @app.cli.command("housekeeping")
    def housekeeping_command() -> None:
        """Remove expired sessions, throttles, job rows and files, abandoned uploads (runs hourly in the worker)."""
        for name, count in run_housekeeping(app).items():
            click.echo(f"{name}: {'failed (see the log)' if count is None else count}")
