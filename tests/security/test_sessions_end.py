"""Sessions end on the server: logout, a password change or reset, 退出所有设备, and idle or absolute
lifetimes (shorter for staff) make a copied cookie worthless."""
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app.accounts.models import LoginSession, User
from app.common import clock
from app.extensions import db
from tests.support import DEFAULT_PASSWORD, log_in

NEW_PASSWORD = "Zhongguo2026x"
MOMENT = datetime(2026, 3, 1, 2, 0, 0)


def copy_of(app, client):
    """A second browser holding the same session cookie (a stolen or copied cookie)."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def signed_in(client) -> bool:
    status = client.get("/account").status_code
    # The test's app context outlives each request (one database session for all of them): end the
    # request's read so the next request sees what was written meanwhile, as a new request would.
    db.session.commit()
    return status == 200


def test_logout_ends_the_session_on_the_server(app, client_for, make_member):
    client = client_for(make_member())
    thief = copy_of(app, client)
    assert signed_in(thief)
    assert client.post("/logout").status_code == 302
    assert not signed_in(client)
    assert not signed_in(thief)  # the copied cookie no longer works


def test_logout_leaves_the_members_other_devices_signed_in(app, client_for, make_member):
    member = make_member()
    phone, desktop = client_for(member), client_for(member)
    phone.post("/logout")
    assert signed_in(desktop)


def test_changing_the_password_ends_every_other_session(app, client_for, make_member):
    member = make_member()
    phone, desktop = client_for(member), client_for(member)
    response = phone.post("/account/password", data={
        "current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert "其他设备上的登录已同时退出" in phone.get("/").get_data(as_text=True)
    assert signed_in(phone)  # the one changing keeps its own
    assert not signed_in(desktop)


def test_a_reset_by_the_liaison_ends_all_the_members_sessions(app, client_for, make_member, make_staff):
    member = make_member()
    liaison = make_staff("liaison", unit=member.unit)
    phone = client_for(member)
    assert client_for(liaison).post(f"/members/{member.id}/reset-password").status_code == 200
    assert not signed_in(phone)


def test_sign_out_everywhere_from_the_account_page(app, client_for, make_member):
    member = make_member()
    phone, desktop = client_for(member), client_for(member)
    page = phone.get("/account").get_data(as_text=True)
    assert "退出所有设备" in page and 'action="/account/sessions/end"' in page
    response = phone.post("/account/sessions/end")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert "已退出所有设备" in phone.get("/login").get_data(as_text=True)
    assert not signed_in(phone)
    assert not signed_in(desktop)
    assert log_in(app.test_client(), member)  # signing in again works


@pytest.mark.parametrize(("role", "idle", "maximum"), [("member", timedelta(days=7), timedelta(days=30)),
                                                        ("organiser", timedelta(hours=4), timedelta(hours=12)),
                                                        ("liaison", timedelta(hours=4), timedelta(hours=12))])
def test_sessions_end_when_idle_too_long(app, make_staff, role, idle, maximum):
    person = make_staff(role)
    with clock.frozen_at(MOMENT):
        client = log_in(app.test_client(), person)
        clock.advance(idle - timedelta(minutes=1))
        assert signed_in(client)  # still in, and the visit counts as use
        clock.advance(idle - timedelta(minutes=1))
        assert signed_in(client)
        clock.advance(idle + timedelta(minutes=1))
        assert not signed_in(client)


@pytest.mark.parametrize(("role", "maximum"), [("member", timedelta(days=30)), ("judge", timedelta(hours=12))])
def test_sessions_end_at_their_absolute_lifetime_however_busy(app, make_staff, role, maximum):
    person = make_staff(role)
    with clock.frozen_at(MOMENT):
        client = log_in(app.test_client(), person)
        step = timedelta(hours=1) if role == "judge" else timedelta(days=1)
        while clock.utcnow() + step < MOMENT + maximum:
            clock.advance(step)
            assert signed_in(client), clock.utcnow()
        clock.advance(step)
        assert not signed_in(client)


def test_a_member_stays_signed_in_from_a_days_practice_to_the_evening_quiz(app, make_member):
    member = make_member()
    with clock.frozen_at(MOMENT):  # 10:00 practice
        client = log_in(app.test_client(), member)
        clock.advance(timedelta(hours=10))  # 20:00 the quiz opens
        assert signed_in(client)
        clock.advance(timedelta(days=3))  # the next quiz evening
        assert signed_in(client)


@pytest.mark.app_config(STAFF_SESSION_IDLE_HOURS=1, STAFF_SESSION_MAX_HOURS=2, MEMBER_SESSION_IDLE_HOURS=3)
def test_lifetimes_come_from_the_configuration(app, make_staff, make_member):
    organiser, member = make_staff("organiser"), make_member()
    with clock.frozen_at(MOMENT):
        staff_client, member_client = log_in(app.test_client(), organiser), log_in(app.test_client(), member)
        clock.advance(timedelta(minutes=61))
        assert not signed_in(staff_client)
        assert signed_in(member_client)
        clock.advance(timedelta(hours=3, minutes=1))
        assert not signed_in(member_client)


def test_lifetime_variables_are_read_from_the_environment(monkeypatch, tmp_path):
    from app.config import load_config

    monkeypatch.setenv("SAISHI_SECRET_KEY", "k")
    monkeypatch.setenv("SAISHI_STAFF_SESSION_MAX_HOURS", "8")
    monkeypatch.setenv("SAISHI_MEMBER_SESSION_IDLE_HOURS", "48")
    config = load_config(tmp_path)
    assert config["STAFF_SESSION_MAX_HOURS"] == 8 and config["MEMBER_SESSION_IDLE_HOURS"] == 48
    assert config["STAFF_SESSION_IDLE_HOURS"] == 4 and config["MEMBER_SESSION_MAX_HOURS"] == 720
    assert config["PERMANENT_SESSION_LIFETIME"] == timedelta(days=30)
    monkeypatch.setenv("SAISHI_STAFF_SESSION_IDLE_HOURS", "0")
    with pytest.raises(RuntimeError, match="SAISHI_STAFF_SESSION_IDLE_HOURS"):
        load_config(tmp_path)


def test_granting_a_staff_role_shortens_the_open_sessions(app, make_member, admin_client):
    member = make_member()
    with clock.frozen_at(MOMENT):
        client = log_in(app.test_client(), member)
        response = admin_client.post(f"/members/{member.id}/roles", data={"roles": ["judge"]})
        assert response.status_code == 302
        clock.advance(timedelta(hours=5))
        assert not signed_in(client)  # the staff idle limit (4 h) now applies


def test_loading_the_user_is_one_statement_and_writes_nothing(app, client_for, make_member, count_queries):
    member = make_member()
    client = client_for(member)
    for method, path in (("get", "/account"), ("post", "/account")):
        with count_queries() as counter:
            getattr(client, method)(path, data={"locale": "zh"})
        touching = [s for s in counter.statements if "login_sessions" in s]
        assert len(touching) == 1, touching
        assert touching[0].lstrip().upper().startswith("SELECT")
        assert "role_grants" in touching[0]  # user, roles and session in the same statement


def test_last_seen_is_written_at_most_every_few_minutes(app, client_for, make_member):
    member = make_member()
    with clock.frozen_at(MOMENT):
        client = client_for(member)
        for _ in range(3):
            clock.advance(timedelta(minutes=1))
            assert signed_in(client)
        seen = db.session.scalar(sa.select(LoginSession.last_seen_at).where(LoginSession.user_id == member.id))
        db.session.commit()
        assert seen == MOMENT
        clock.advance(timedelta(minutes=3))
        assert signed_in(client)
        seen = db.session.scalar(sa.select(LoginSession.last_seen_at).where(LoginSession.user_id == member.id))
        db.session.commit()
        assert seen == MOMENT + timedelta(minutes=6)


def test_the_database_holds_no_usable_token(app, client_for, make_member):
    member = make_member()
    client = client_for(member)
    with client.session_transaction() as session:
        token = session["sid"]
    stored = db.session.scalars(sa.select(LoginSession.id).where(LoginSession.user_id == member.id)).all()
    db.session.commit()
    assert len(stored) == 1 and token not in stored[0] and len(stored[0]) == 64
    # a forged cookie naming the user but holding the stored digest instead of the token gets nowhere
    with client.session_transaction() as session:
        session["sid"] = stored[0]
    assert not signed_in(client)


def test_ended_sessions_are_tidied_at_the_next_sign_in(app, make_member):
    member = make_member()
    with clock.frozen_at(MOMENT):
        for _ in range(3):
            log_in(app.test_client(), member).post("/logout")
        log_in(app.test_client(), member)
    rows = db.session.scalars(sa.select(LoginSession).where(LoginSession.user_id == member.id)).all()
    assert [row.revoked_at for row in rows] == [None]
    db.session.commit()
    assert db.session.get(User, member.id) is not None


def test_deactivating_ends_the_sessions_for_good(app, client_for, make_member, organiser_client):
    member = make_member()
    phone = client_for(member)
    assert organiser_client.post(f"/members/{member.id}/deactivate").status_code == 302
    assert not signed_in(phone)
    assert organiser_client.post(f"/members/{member.id}/reactivate").status_code == 302
    assert not signed_in(phone)  # reactivation does not bring the old sessions back
    assert signed_in(client_for(member))
