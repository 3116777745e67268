"""Repeated failed sign-ins lock the account and slow the source address, counted in the database so
every worker sees the same counts."""
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app import create_app
from app.accounts.models import LoginThrottle
from app.audit.models import AuditEntry
from app.common import clock
from app.extensions import db
from tests.support import DEFAULT_PASSWORD

LOCK_MESSAGE = "登录失败次数过多，已暂时锁定"
MOMENT = datetime(2026, 3, 1, 2, 0, 0)


def attempt(client, login, password="wrong-password-1", address="10.1.1.1"):
    return client.post("/login", data={"login": login, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def throttle_rows() -> dict[str, LoginThrottle]:
    rows = {row.key: row for row in db.session.scalars(sa.select(LoginThrottle))}
    db.session.commit()  # end the read so other connections (SQLite) are not kept waiting
    return rows


@pytest.fixture
def limits(app):
    app.config.update(LOGIN_MAX_ACCOUNT_FAILURES=5, LOGIN_MAX_ADDRESS_FAILURES=8, LOGIN_LOCK_SECONDS=300)
    return app.config


def test_repeated_failures_lock_the_account_with_a_clear_message(client, make_member, limits):
    member = make_member()
    with clock.frozen_at(MOMENT):
        for _ in range(4):
            assert attempt(client, member.staff_id).status_code == 401
        locked = attempt(client, member.staff_id)
        assert locked.status_code == 429
        body = locked.get_data(as_text=True)
        assert LOCK_MESSAGE in body
        assert "5 分钟" in body
        assert "联络员" in body

        # The right password is refused as well while the lock lasts, from anywhere.
        refused = attempt(client, member.staff_id, DEFAULT_PASSWORD, address="10.9.9.9")
        assert refused.status_code == 429
        assert client.get("/").status_code == 302
    assert throttle_rows()[f"account:{member.staff_id}"].locked_until == MOMENT + timedelta(seconds=300)


def test_lock_is_recorded_in_the_audit_log(client, make_member, limits):
    member = make_member()
    for _ in range(5):
        attempt(client, member.staff_id)
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "account.locked")).all()
    assert [entry.target_id for entry in entries] == [member.id]
    db.session.commit()


def test_lock_expires(client, make_member, limits):
    member = make_member()
    with clock.frozen_at(MOMENT):
        for _ in range(5):
            attempt(client, member.staff_id)
        clock.advance(timedelta(seconds=299))
        assert attempt(client, member.staff_id, DEFAULT_PASSWORD).status_code == 429
        clock.advance(timedelta(seconds=2))
        response = attempt(client, member.staff_id, DEFAULT_PASSWORD)
        assert response.status_code == 302
    assert client.get("/").status_code == 200
    # success clears the counters
    assert f"account:{member.staff_id}" not in throttle_rows()


def test_failures_outside_the_window_do_not_add_up(client, make_member, limits):
    member = make_member()
    with clock.frozen_at(MOMENT):
        for _ in range(4):
            attempt(client, member.staff_id)
        clock.advance(timedelta(seconds=limits["LOGIN_FAILURE_WINDOW_SECONDS"] + 1))
        for _ in range(4):
            assert attempt(client, member.staff_id).status_code == 401
        assert attempt(client, member.staff_id, DEFAULT_PASSWORD).status_code == 302


def test_staff_id_and_mobile_share_one_counter(client, make_member, limits):
    member = make_member(mobile="13900139000")
    for index in range(5):
        login = member.staff_id if index % 2 else "13900139000"
        attempt(client, login)
    assert attempt(client, member.staff_id, DEFAULT_PASSWORD, address="10.2.2.2").status_code == 429
    assert attempt(client, "13900139000", DEFAULT_PASSWORD, address="10.2.2.3").status_code == 429


def test_locking_one_account_leaves_others_alone(client, make_member, limits):
    victim, colleague = make_member(), make_member()
    for _ in range(5):
        attempt(client, victim.staff_id, address="10.3.3.3")
    assert attempt(client, colleague.staff_id, DEFAULT_PASSWORD, address="10.3.3.4").status_code == 302


def test_one_address_guessing_many_accounts_is_slowed_down(app, client, make_member, limits):
    members = [make_member() for _ in range(8)]
    for member in members[:7]:
        assert attempt(client, member.staff_id, address="10.4.4.4").status_code == 401
    assert attempt(client, members[7].staff_id, address="10.4.4.4").status_code == 429
    # even a correct password from that address waits …
    response = attempt(app.test_client(), members[0].staff_id, DEFAULT_PASSWORD, address="10.4.4.4")
    assert response.status_code == 429
    assert LOCK_MESSAGE in response.get_data(as_text=True)
    # … while the same person on another network gets in
    assert attempt(app.test_client(), members[0].staff_id, DEFAULT_PASSWORD, address="10.4.4.5").status_code == 302


def test_counts_are_shared_by_separate_app_instances(app, make_member, limits):
    """Two create_app() on the same database behave like two gunicorn workers."""
    member = make_member()
    staff_id = member.staff_id
    db.session.commit()
    other = create_app({**{key: app.config[key] for key in (
        "TESTING", "SQLALCHEMY_DATABASE_URI", "WTF_CSRF_ENABLED", "LOGIN_MAX_ACCOUNT_FAILURES",
        "LOGIN_MAX_ADDRESS_FAILURES", "LOGIN_LOCK_SECONDS")}})
    try:
        worker_a, worker_b = app.test_client(), other.test_client()
        for index in range(5):
            worker = worker_a if index % 2 == 0 else worker_b
            attempt(worker, staff_id, address=f"10.5.5.{index}")
        for worker in (worker_a, worker_b):
            response = attempt(worker, staff_id, DEFAULT_PASSWORD, address="10.5.6.1")
            assert response.status_code == 429
            assert LOCK_MESSAGE in response.get_data(as_text=True)
        assert len(throttle_rows()) == 6  # one account row, five address rows
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.mark.postgres
def test_twenty_simultaneous_failures_make_one_row_and_a_lock(app, make_member, limits, run_concurrently):
    member = make_member()
    staff_id = member.staff_id
    db.session.commit()

    def fail(index):
        response = app.test_client().post(
            "/login", data={"login": staff_id, "password": f"wrong-{index}-x"},
            environ_base={"REMOTE_ADDR": "10.6.6.6"})
        return response.status_code

    results = run_concurrently(fail, 20)
    assert all(result in (401, 429) for result in results), results
    assert 429 in results
    rows = db.session.scalars(sa.select(LoginThrottle).where(LoginThrottle.key == f"account:{staff_id}")).all()
    assert len(rows) == 1
    assert rows[0].locked_until is not None and rows[0].locked_until > clock.utcnow()
    db.session.commit()
    assert attempt(app.test_client(), staff_id, DEFAULT_PASSWORD, address="10.6.6.7").status_code == 429
