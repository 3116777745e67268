"""Password hashes run at normal priority, at most SAISHI_HASHING_SLOTS at a time per server (every worker
and pool sharing the slot folder); a sign-in that finds every slot taken for too long is told to retry."""
import fcntl
import os
import subprocess
import sys
import textwrap
import time

import pytest
from werkzeug import security

from app.accounts import hashing
from tests.support import DEFAULT_PASSWORD


def test_hashes_are_werkzeug_compatible_both_ways():
    stored = hashing.generate_password_hash("Zhongguo2026x", method="pbkdf2:sha256:1000")
    assert security.check_password_hash(stored, "Zhongguo2026x")
    assert hashing.check_password_hash(security.generate_password_hash("abc12345", method="scrypt"), "abc12345")
    assert not hashing.check_password_hash(stored, "wrong-one-1")


def test_hashing_runs_at_the_request_threads_own_priority(app):
    own = os.getpriority(os.PRIO_PROCESS, 0)
    seen = []
    real = security.check_password_hash

    def probe(*args):
        seen.append(os.getpriority(os.PRIO_PROCESS, 0))
        return real(*args)

    with app.app_context():
        hashing.security.check_password_hash = probe
        try:
            hashing.check_password_hash(security.generate_password_hash("abc12345", method="pbkdf2:sha256:1000"),
                                        "abc12345")
        finally:
            hashing.security.check_password_hash = real
    assert seen == [own]  # never niced: a busy server starved niced sign-ins for 20 s and more


def _hold_all_slots(folder, slots):
    folder.mkdir(parents=True, exist_ok=True)
    held = []
    for number in range(slots):
        descriptor = os.open(folder / f"slot-{number}", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.append(descriptor)
    return held


@pytest.mark.app_config(SAISHI_HASHING_SLOTS=2, SAISHI_HASHING_WAIT_SECONDS=0.3)
def test_a_hash_waits_while_every_slot_is_taken_by_another_process(app, tmp_path):
    folder = tmp_path / "slots"
    app.config["SAISHI_HASHING_LOCK_DIR"] = str(folder)
    # Another worker (a separate process, as gunicorn's are) holds both slots for half a second.
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import fcntl, os, sys, time
        os.makedirs({str(folder)!r}, exist_ok=True)
        fds = [os.open(os.path.join({str(folder)!r}, f"slot-{{n}}"), os.O_RDWR | os.O_CREAT) for n in range(2)]
        for fd in fds:
            fcntl.flock(fd, fcntl.LOCK_EX)
        print("held", flush=True)
        time.sleep(0.5)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with app.app_context():
            app.config["SAISHI_HASHING_WAIT_SECONDS"] = 5
            started = time.monotonic()
            assert hashing.generate_password_hash("abc12345", method="pbkdf2:sha256:1000")
            waited = time.monotonic() - started
    finally:
        holder.wait(timeout=10)
    assert waited >= 0.2  # it waited for the other process to let a slot go (its exit releases the locks)


@pytest.mark.app_config(SAISHI_HASHING_SLOTS=1, SAISHI_HASHING_WAIT_SECONDS=0.2)
def test_sign_in_finding_no_free_slot_is_asked_to_retry_and_counts_no_failure(app, client, make_member, tmp_path):
    from app.accounts.models import LoginThrottle
    from app.extensions import db
    folder = tmp_path / "busy"
    app.config["SAISHI_HASHING_LOCK_DIR"] = str(folder)
    member = make_member()
    held = _hold_all_slots(folder, 1)
    try:
        response = client.post("/login", data={"login": member.staff_id, "password": DEFAULT_PASSWORD})
    finally:
        for descriptor in held:
            os.close(descriptor)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "此刻登录的人很多" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(LoginThrottle)) == 0
    # A slot free again: the same sign-in goes through.
    response = client.post("/login", data={"login": member.staff_id, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302


def test_default_slots_are_half_the_cores_at_least_one(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert hashing.default_slots() == 1
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert hashing.default_slots() == 4
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert hashing.default_slots() == 1
