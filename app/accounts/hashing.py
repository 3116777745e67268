"""Password hashing within a bounded share of the server's CPU, at normal priority.

A thousand members signing in within a minute cost about 60 s of scrypt CPU. Hashing at a low
priority (nice) starved sign-ins whenever the server was busy: on two cores shared with PostgreSQL
a sign-in rush waited 24 s at the 95th percentile. Hashing at normal priority without a bound lets
a rush take every core from the saves. So each server hashes at most SAISHI_HASHING_SLOTS passwords
at a time (default: half its CPU cores, at least one), at normal priority: a sign-in never waits
for the saves to stop, and the saves always keep the other cores.

The bound holds across every worker and pool of the server: a slot is an exclusive lock (flock) on
one of the slot files in SAISHI_HASHING_LOCK_DIR (default: the instance folder's hashing-slots/),
which every process of the deployment shares; a lock ends with the process that held it, so a
killed worker leaves no slot taken. Each app server has its own slots, as it has its own cores. A
sign-in that finds no free slot within SAISHI_HASHING_WAIT_SECONDS is answered "busy, try again in
a moment" (HashingBusy) rather than held past the worker's timeout.
"""
import fcntl
import os
import random
import time
from contextlib import contextmanager
from pathlib import Path

from flask import current_app, has_app_context
from werkzeug import security

from app.common.problems import Problem

POLL_SECONDS = 0.01  # a waiting sign-in looks for a free slot this often (a few syscalls, no CPU to speak of)


class HashingBusy(Problem):
    """Every hashing slot of this server stayed taken for longer than the sign-in may wait."""


def default_slots() -> int:
    return max(1, (os.cpu_count() or 2) // 2)


def _settings() -> tuple[Path, int, float] | None:
    """(slot folder, slots, longest wait) of the current app; None outside one (command line, tests
    without an app): then hashing is not bounded."""
    if not has_app_context():
        return None
    config = current_app.config
    folder = config.get("SAISHI_HASHING_LOCK_DIR") or Path(current_app.instance_path) / "hashing-slots"
    return Path(folder), int(config.get("SAISHI_HASHING_SLOTS") or default_slots()), \
        float(config.get("SAISHI_HASHING_WAIT_SECONDS", 10.0))


def _try_slot(folder: Path, slots: int) -> int | None:
    """A file descriptor holding one free slot's lock, or None when every slot is taken."""
    for number in random.sample(range(slots), slots):  # spread the waiters over the slots
        descriptor = os.open(folder / f"slot-{number}", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            continue
        return descriptor
    return None


@contextmanager
def hashing_slot():
    """Hold one of the server's hashing slots for the duration (waiting for one if need be)."""
    settings = _settings()
    if settings is None:
        yield
        return
    folder, slots, wait = settings
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    deadline = time.monotonic() + wait
    descriptor = _try_slot(folder, slots)
    while descriptor is None:
        if time.monotonic() >= deadline:
            from flask_babel import gettext as _

            raise HashingBusy(_("此刻登录的人很多，请稍等几秒后再试。"), "password")
        time.sleep(POLL_SECONDS * (0.5 + random.random()))
        descriptor = _try_slot(folder, slots)
    try:
        yield
    finally:
        os.close(descriptor)  # closing the only descriptor of the open file releases its lock


def check_password_hash(password_hash: str, password: str) -> bool:
    """Whether `password` matches `password_hash` (any werkzeug method), within the server's hashing slots."""
    with hashing_slot():
        return security.check_password_hash(password_hash, password)


def generate_password_hash(password: str, method: str) -> str:
    """A salted hash of `password` by werkzeug `method`, within the server's hashing slots."""
    with hashing_slot():
        return security.generate_password_hash(password, method=method)
