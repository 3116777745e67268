"""Repeated failed sign-ins lock an account from one address, then from anywhere, for longer each
time; an address over its limit refuses the accounts that failed from it and slows the others (a whole
building may sit behind one address). Counted in the database so every worker sees the same counts."""
import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app import create_app
from app.accounts.models import LoginThrottle
from app.audit.models import AuditEntry
from app.common import clock
from app.extensions import db
from tests.support import DEFAULT_PASSWORD

ACCOUNT_LOCK = "此账号登录失败次数过多，已暂时锁定"
PAIR_LOCK = "此账号在本设备（本网络）登录失败次数过多，已暂时锁定"
ADDRESS_LIMIT = "您所在网络（同一出口地址）登录失败次数过多"
WRONG = "工号/手机号或密码不正确"
MOMENT = datetime(2026, 3, 1, 2, 0, 0)  # 10:00 in Asia/Shanghai


def attempt(client, login, password="wrong-password-1", address="10.1.1.1"):
    return client.post("/login", data={"login": login, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def text(response) -> str:
    return response.get_data(as_text=True)


def throttle_rows() -> dict[str, LoginThrottle]:
    rows = {row.key: row for row in db.session.scalars(sa.select(LoginThrottle))}
    db.session.commit()  # end the read so other connections (SQLite) are not kept waiting
    return rows


@pytest.fixture
def limits(app):
    app.config.update(LOGIN_MAX_PAIR_FAILURES=3, LOGIN_MAX_ACCOUNT_FAILURES=5, LOGIN_MAX_ADDRESS_FAILURES=8,
                      LOGIN_LOCK_SECONDS=300, LOGIN_MAX_LOCK_SECONDS=3600, LOGIN_SLOW_SECONDS=1,
                      LOGIN_MAX_SLOW_SECONDS=4)
    return app.config


@pytest.fixture
def pauses(monkeypatch):
    """The delays the throttle asks for, recorded instead of waited for."""
    from app.accounts import services

    seen: list[float] = []
    monkeypatch.setattr(services, "_pause", seen.append)
    return seen


def test_failures_from_one_address_lock_that_account_there_with_a_clear_message(client, make_member, limits):
    member = make_member()
    with clock.frozen_at(MOMENT):
        for _ in range(2):
            assert attempt(client, member.staff_id).status_code == 401
        locked = attempt(client, member.staff_id)
        assert locked.status_code == 429
        body = text(locked)
        assert PAIR_LOCK in body
        assert "5 分钟后（10:05 后）再试" in body  # when, in Beijing time
        assert "联络员" in body
        # The right password waits too, from that address …
        assert attempt(client, member.staff_id, DEFAULT_PASSWORD).status_code == 429
        assert client.get("/").status_code == 302
        # … while the member on mobile data gets in.
        assert attempt(client, member.staff_id, DEFAULT_PASSWORD, address="10.9.9.9").status_code == 302
        assert client.get("/").status_code == 200


def test_failures_from_many_addresses_lock_the_account_everywhere(client, make_member, limits):
    member = make_member()
    with clock.frozen_at(MOMENT):
        for index in range(4):
            assert attempt(client, member.staff_id, address=f"10.7.0.{index}").status_code == 401
        locked = attempt(client, member.staff_id, address="10.7.0.9")
        assert locked.status_code == 429
        assert ACCOUNT_LOCK in text(locked)
        refused = attempt(client, member.staff_id, DEFAULT_PASSWORD, address="10.7.1.1")
        assert refused.status_code == 429
        assert ACCOUNT_LOCK in text(refused)
        assert "5 分钟后" in text(refused)
    assert throttle_rows()[f"account:{member.staff_id}"].locked_until == MOMENT + timedelta(seconds=300)


def test_each_further_lock_lasts_twice_as_long_up_to_the_ceiling(client, make_member, limits):
    limits["LOGIN_MAX_ACCOUNT_FAILURES"] = 1000  # the (address, account) counter alone
    member = make_member()
    with clock.frozen_at(MOMENT):
        for expected in (300, 600, 1200, 2400, 3600, 3600):
            for _ in range(3):
                attempt(client, member.staff_id)
            row = throttle_rows()[f"pair:10.1.1.1|{member.staff_id}"]
            assert row.locked_until == clock.utcnow() + timedelta(seconds=expected)
            clock.advance(timedelta(seconds=expected + 1))
        # a quiet day forgets the earlier locks
        clock.advance(timedelta(days=1, seconds=1))
        for _ in range(3):
            attempt(client, member.staff_id)
        assert throttle_rows()[f"pair:10.1.1.1|{member.staff_id}"].locked_until == \
            clock.utcnow() + timedelta(seconds=300)


def test_account_lock_is_recorded_in_the_audit_log(client, make_member, limits):
    member = make_member()
    for index in range(5):
        attempt(client, member.staff_id, address=f"10.8.0.{index}")
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "account.locked")).all()
    assert [entry.target_id for entry in entries] == [member.id]
    db.session.commit()


def test_lock_expires_and_success_forgets_only_the_accounts_own_failures(client, make_member, limits):
    member = make_member()
    with clock.frozen_at(MOMENT):
        for _ in range(3):
            attempt(client, member.staff_id)
        clock.advance(timedelta(seconds=299))
        assert attempt(client, member.staff_id, DEFAULT_PASSWORD).status_code == 429
        clock.advance(timedelta(seconds=2))
        response = attempt(client, member.staff_id, DEFAULT_PASSWORD)
        assert response.status_code == 302
        assert client.get("/").status_code == 200
    rows = throttle_rows()
    assert f"account:{member.staff_id}" not in rows
    assert f"pair:10.1.1.1|{member.staff_id}" not in rows
    assert rows["address:10.1.1.1"].failures == 3  # the address keeps its count


def test_failures_outside_the_window_do_not_add_up(client, make_member, limits):
    member = make_member()
    with clock.frozen_at(MOMENT):
        for _ in range(2):
            attempt(client, member.staff_id)
        clock.advance(timedelta(seconds=limits["LOGIN_FAILURE_WINDOW_SECONDS"] + 1))
        for _ in range(2):
            assert attempt(client, member.staff_id).status_code == 401
        assert attempt(client, member.staff_id, DEFAULT_PASSWORD).status_code == 302


def test_staff_id_and_mobile_share_one_counter(client, make_member, limits):
    member = make_member(mobile="13900139000")
    for index in range(5):
        login = member.staff_id if index % 2 else "13900139000"
        attempt(client, login, address=f"10.2.1.{index}")
    assert attempt(client, member.staff_id, DEFAULT_PASSWORD, address="10.2.2.2").status_code == 429
    assert attempt(client, "13900139000", DEFAULT_PASSWORD, address="10.2.2.3").status_code == 429


def test_locking_one_account_leaves_others_alone(client, make_member, limits):
    victim, colleague = make_member(), make_member()
    for _ in range(3):
        attempt(client, victim.staff_id, address="10.3.3.3")
    assert attempt(client, colleague.staff_id, DEFAULT_PASSWORD, address="10.3.3.3").status_code == 302


def test_others_signing_in_do_not_reset_the_address_count(app, make_member, limits):
    """The issue's attack: one member with their own account guesses at others and signs in between."""
    guesser = make_member()
    victims = [make_member() for _ in range(8)]
    statuses = []
    for victim in victims:
        statuses.append(attempt(app.test_client(), victim.staff_id, address="10.4.4.4").status_code)
        assert attempt(app.test_client(), guesser.staff_id, DEFAULT_PASSWORD, address="10.4.4.4").status_code == 302
    assert statuses[:7] == [401] * 7
    assert statuses[7] == 429
    assert throttle_rows()["address:10.4.4.4"].failures == 8
    # … and the next guess is refused (that account has now failed from here) with the address's reason
    refused = attempt(app.test_client(), victims[0].staff_id, address="10.4.4.4")
    assert refused.status_code == 429
    assert ADDRESS_LIMIT in text(refused)


def test_a_building_behind_one_address_still_signs_in_slowly(app, make_member, limits, pauses):
    members = [make_member() for _ in range(10)]
    with clock.frozen_at(MOMENT):
        for member in members[:8]:
            attempt(app.test_client(), member.staff_id, address="10.4.4.4")
        assert pauses == []  # under the limit nobody waits
        # an account that has not failed, with its right password: slowed, not refused
        response = attempt(app.test_client(), members[9].staff_id, DEFAULT_PASSWORD, address="10.4.4.4")
        assert response.status_code == 302
        assert pauses == [1]
        # an account that failed from here is refused, told why and when, and not to ask for a reset
        refused = attempt(app.test_client(), members[0].staff_id, DEFAULT_PASSWORD, address="10.4.4.4")
        assert refused.status_code == 429
        body = text(refused)
        assert ADDRESS_LIMIT in body and "15 分钟后（10:15 后）再试" in body
        assert "此账号登录失败次数过多" not in body
        # the same person on another network gets in at once
        assert attempt(app.test_client(), members[0].staff_id, DEFAULT_PASSWORD, address="10.4.4.5").status_code == 302
        assert pauses == [1]


def test_the_delay_grows_with_the_addresss_failures_up_to_a_ceiling(app, make_member, limits, pauses):
    members = [make_member() for _ in range(40)]
    for member in members[:8]:
        attempt(app.test_client(), member.staff_id, address="10.4.4.6")
    delays = []
    for member in members[8:40]:  # each a fresh account: slowed, counted, told the password is wrong
        pauses.clear()
        attempt(app.test_client(), member.staff_id, address="10.4.4.6")
        delays.append(pauses[0])
    assert delays[0] == 1 and delays[8] == 2 and delays[16] == 4 and delays[-1] == 4
    assert delays == sorted(delays)


def test_a_password_reset_by_the_liaison_lifts_the_lock(app, client, make_member, make_staff, client_for, limits):
    member = make_member()
    liaison = make_staff("liaison", unit=member.unit)
    for index in range(5):
        attempt(client, member.staff_id, address=f"10.8.1.{index}")
    assert attempt(client, member.staff_id, DEFAULT_PASSWORD, address="10.8.2.1").status_code == 429
    page = client_for(liaison).post(f"/members/{member.id}/reset-password")
    assert page.status_code == 200
    password = re.search(r"<p class=\"one-time-password\" data-password>([^<]+)<", text(page))
    assert password, text(page)
    assert attempt(app.test_client(), member.staff_id, password.group(1).strip(), address="10.8.2.1").status_code == 302


def test_counts_are_shared_by_separate_app_instances(app, make_member, limits):
    """Two create_app() on the same database behave like two gunicorn workers."""
    member, other_member = make_member(), make_member()
    staff_id, other_staff_id = member.staff_id, other_member.staff_id
    db.session.commit()
    other = create_app({**{key: app.config[key] for key in (
        "TESTING", "SQLALCHEMY_DATABASE_URI", "WTF_CSRF_ENABLED", "LOGIN_MAX_ACCOUNT_FAILURES",
        "LOGIN_MAX_PAIR_FAILURES", "LOGIN_MAX_ADDRESS_FAILURES", "LOGIN_LOCK_SECONDS")}})
    try:
        worker_a, worker_b = app.test_client(), other.test_client()
        for index in range(5):
            worker = worker_a if index % 2 == 0 else worker_b
            attempt(worker, staff_id, address=f"10.5.5.{index}")
        for worker in (worker_a, worker_b):
            response = attempt(worker, staff_id, DEFAULT_PASSWORD, address="10.5.6.1")
            assert response.status_code == 429
            assert ACCOUNT_LOCK in text(response)
        assert len(throttle_rows()) == 11  # one account row, five (address, account) rows, five address rows
        # an address's count, reached through both workers, survives a success on either
        for index in range(7):
            instance = app if index % 2 == 0 else other
            attempt(instance.test_client(), f"nobody{index}", address="10.5.7.1")
            signed_in = attempt(instance.test_client(), other_staff_id, DEFAULT_PASSWORD, address="10.5.7.1")
            assert signed_in.status_code == 302
            db.session.commit()  # this test's app context outlives the request: end what it left open
        refused = attempt(other.test_client(), "nobody9", address="10.5.7.1")
        assert refused.status_code == 429 and ADDRESS_LIMIT in text(refused)
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.mark.app_config(PASSWORD_HASH_METHOD="pbkdf2:sha256:2000")
def test_the_response_costs_the_same_whether_or_not_the_login_exists(app, make_member, monkeypatch):
    """Every attempt checks one hash made at the configured cost: an unknown login, an inactive account
    and an account still on its cheap initial password cannot be told apart by the response time."""
    from app.accounts import services

    checked: list[str] = []
    real = services.check_password_hash

    def probed(password_hash, password):
        checked.append(password_hash.split("$", 1)[0])
        return real(password_hash, password)

    monkeypatch.setattr(services, "check_password_hash", probed)
    known = make_member()
    inactive = make_member(active=False)
    initial = make_member(must_change_password=True)
    initial.password_hash = services.hash_initial_password("123456")
    db.session.commit()
    costs = {}
    for name, login in (("unknown", "T999999"), ("known", known.staff_id), ("inactive", inactive.staff_id),
                        ("initial", initial.staff_id)):
        checked.clear()
        assert attempt(app.test_client(), login, address="10.10.0.1").status_code == 401
        costs[name] = [prefix for prefix in checked if prefix == "pbkdf2:sha256:2000"]
    assert costs == {name: ["pbkdf2:sha256:2000"] for name in costs}
    checked.clear()
    assert attempt(app.test_client(), initial.staff_id, "123456", address="10.10.0.2").status_code == 302
    assert "pbkdf2:sha256:2000" in checked


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
    pair = db.session.get(LoginThrottle, f"pair:10.6.6.6|{staff_id}")
    assert pair is not None and pair.locked_until is not None
    db.session.commit()
