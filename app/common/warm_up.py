"""Warm-up: what a fresh worker fills before its first request, so that no visitor pays for it
(hooks.add_warm_up). gunicorn.conf.py runs it in each worker before the worker takes a request; `flask
warm-up` runs it by hand and says how long each took. Each task runs in an app context with a request
context for the default language, and its transaction is rolled back after it; one that fails is
logged, never raised: a worker that could not warm up still serves, only its first views are slower."""
from __future__ import annotations

import logging
import time
from collections.abc import Callable

from flask import Flask

from app.extensions import db

logger = logging.getLogger(__name__)


def warm_up(app: Flask, *, between: Callable[[], None] | None = None) -> dict[str, float | None]:
    """Run every registered warm-up once (calling `between()` before each: gunicorn's heartbeat, so a
    long warm-up is not taken for a stuck worker); the seconds each took (None for one that failed)."""
    from app.hooks import hooks_of

    took: dict[str, float | None] = {}
    for name, task in sorted(hooks_of(app).warm_ups.items()):
        if between is not None:
            between()
        started = time.perf_counter()
        with app.test_request_context("/"):
            try:
                task()
                took[name] = time.perf_counter() - started
            except Exception:
                logger.exception("warm-up %s failed", name)
                took[name] = None
            finally:
                db.session.rollback()  # a warm-up only reads: nothing of it is kept in the database
    return took


def init_app(app: Flask) -> None:
    """Add `flask warm-up`."""
    import click

    @app.cli.command("warm-up")
    def warm_up_command() -> None:
        """Fill what a worker keeps (the running campaigns' participation figures) and say how long it took."""
        for name, seconds in warm_up(app).items():
            click.echo(f"{name}: {'failed (see the log)' if seconds is None else f'{seconds * 1000:.0f} ms'}")
