"""Password hashing at low CPU priority, so a sign-in rush never slows the answers being saved.

A thousand members signing in within a minute cost about 65 s of scrypt CPU. At normal priority that
competes with every autosave for the same cores; in a thread with a high nice value (on Linux the nice
value belongs to the thread) the kernel serves the autosaves first and sign-ins take the rest. The
waiting request thread costs nothing meanwhile. hashlib's scrypt and PBKDF2 release the GIL, so the
worker's other threads keep serving too.
"""
import os
import threading
from concurrent.futures import ThreadPoolExecutor

from werkzeug import security

# Linux weights: a nice-0 thread gets ~10x the CPU of a nice-10 one when both want it.
HASHING_NICENESS = 10
HASHING_THREADS = 2

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


def _lower_own_priority() -> None:
    try:
        thread_id = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, thread_id)
        os.setpriority(os.PRIO_PROCESS, thread_id, max(current, HASHING_NICENESS))
    except (AttributeError, OSError):  # not Linux, or not allowed: hash at normal priority
        pass


def _hashing_executor() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        with _executor_lock:
            if _executor is None:
                _executor = ThreadPoolExecutor(HASHING_THREADS, thread_name_prefix="password-hash",
                                               initializer=_lower_own_priority)
    return _executor


def _forget_executor_after_fork() -> None:
    # A pool made before gunicorn forks has no threads in the worker; each process makes its own.
    global _executor, _executor_lock
    _executor, _executor_lock = None, threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_executor_after_fork)


def check_password_hash(password_hash: str, password: str) -> bool:
    """Whether `password` matches `password_hash` (any werkzeug method), computed at low priority."""
    return _hashing_executor().submit(security.check_password_hash, password_hash, password).result()


def generate_password_hash(password: str, method: str) -> str:
    """A salted hash of `password` by werkzeug `method`, computed at low priority."""
    return _hashing_executor().submit(security.generate_password_hash, password, method=method).result()
