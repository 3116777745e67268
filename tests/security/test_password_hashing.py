"""Password hashes are computed in low-priority threads, so sign-in rushes yield the CPU to autosaves."""
import os
import sys

import pytest
from werkzeug import security

from app.accounts import hashing


def test_hashes_are_werkzeug_compatible_both_ways():
    stored = hashing.generate_password_hash("Zhongguo2026x", method="pbkdf2:sha256:1000")
    assert security.check_password_hash(stored, "Zhongguo2026x")
    assert hashing.check_password_hash(security.generate_password_hash("abc12345", method="scrypt"), "abc12345")
    assert not hashing.check_password_hash(stored, "wrong-one-1")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice values are a Linux feature")
def test_hashing_threads_run_niced_while_the_request_thread_keeps_its_priority():
    own = os.getpriority(os.PRIO_PROCESS, 0)
    hashing_thread = hashing._hashing_executor().submit(lambda: os.getpriority(os.PRIO_PROCESS, 0)).result()
    assert hashing_thread >= hashing.HASHING_NICENESS
    assert os.getpriority(os.PRIO_PROCESS, 0) == own  # the request thread is not slowed down


def test_a_forked_worker_makes_its_own_pool():
    if not hasattr(os, "fork"):
        pytest.skip("no fork")
    hashing._hashing_executor()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # gunicorn worker: the parent's pool threads do not exist here
        try:
            ok = hashing._executor is None and hashing.check_password_hash(
                security.generate_password_hash("abc12345", method="pbkdf2:sha256:1000"), "abc12345")
            os.write(write, b"1" if ok else b"0")
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    assert os.read(read, 1) == b"1"
