"""Signing in and out: staff ID or mobile, wrong passwords, inactive accounts, first-login password
change, logout by POST with CSRF, and ?next= that cannot leave the site."""
import re

import pytest

from app.accounts.models import User
from app.extensions import db
from tests.support import DEFAULT_PASSWORD

NEW_PASSWORD = "Zhongguo2026x"


def login(client, login_name, password=DEFAULT_PASSWORD, **kwargs):
    return client.post("/login", data={"login": login_name, "password": password}, **kwargs)


def text(response) -> str:
    return response.get_data(as_text=True)


# ---------------------------------------------------------------- signing in

def test_member_signs_in_with_staff_id(client, make_member):
    member = make_member(name="张三")
    response = login(client, member.staff_id)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "张三" in text(client.get("/"))


def test_member_signs_in_with_mobile_number(client, make_member):
    make_member(name="李四", mobile="13800138000")
    response = login(client, " 13800138000 ")
    assert response.status_code == 302
    assert "李四" in text(client.get("/"))


def test_wrong_password_is_refused_with_a_message(client, make_member):
    member = make_member()
    response = login(client, member.staff_id, "not-the-password1")
    assert response.status_code == 401
    assert "工号/手机号或密码不正确" in text(response)
    assert client.get("/").status_code == 302  # still signed out


def test_unknown_login_gets_the_same_message(client):
    response = login(client, "nobody-here")
    assert response.status_code == 401
    assert "工号/手机号或密码不正确" in text(response)


def test_empty_form_is_refused_beside_the_fields(client):
    response = client.post("/login", data={"login": "", "password": ""})
    assert response.status_code == 400
    assert "请输入工号或手机号" in text(response)
    assert "请输入密码" in text(response)


def test_inactive_member_cannot_sign_in(client, make_member):
    member = make_member(active=False)
    response = login(client, member.staff_id)
    assert response.status_code == 401
    assert client.get("/").status_code == 302


def test_deactivating_an_account_ends_its_open_sessions(app, client, make_member):
    member = make_member(name="王五")
    assert login(client, member.staff_id).status_code == 302
    assert client.get("/").status_code == 200
    db.session.get(User, member.id).active = False
    db.session.commit()
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_signed_in_visitor_to_login_page_goes_home(client_for, make_member):
    client = client_for(make_member())
    response = client.get("/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_anonymous_visitor_is_sent_to_login_and_back(client, make_member):
    member = make_member()
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/account"
    response = login(client, member.staff_id, query_string={"next": "/account"})
    assert response.headers["Location"] == "/account"


def test_last_login_time_is_recorded(client, make_member):
    member = make_member()
    assert member.last_login_at is None
    login(client, member.staff_id)
    db.session.expire_all()
    assert db.session.get(User, member.id).last_login_at is not None


# ---------------------------------------------------------------- first-login password change

def test_first_login_forces_a_password_change_on_every_page(client, make_member):
    member = make_member(must_change_password=True)
    response = login(client, member.staff_id)
    assert response.status_code == 302
    for path in ("/", "/account", "/login", "/quizzes/", "/no-such-page"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"] == "/account/password", path
    page = client.get("/account/password")
    assert page.status_code == 200
    assert "请先设置您自己的新密码" in text(page)


def test_password_gate_answers_json_callers_with_json(client, make_member):
    member = make_member(must_change_password=True)
    login(client, member.staff_id)
    response = client.post("/", json={})
    assert response.status_code == 403
    assert response.is_json


def test_signing_out_is_possible_before_changing_the_password(client, make_member):
    member = make_member(must_change_password=True)
    login(client, member.staff_id)
    response = client.post("/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"


@pytest.mark.parametrize(
    ("new_password", "reason"),
    [
        ("abc12", "密码至少 8 位"),
        ("12345678", "密码需同时包含字母和数字"),
        ("abcdefgh", "密码需同时包含字母和数字"),
        (DEFAULT_PASSWORD, "新密码不能与当前密码相同"),
        ("T7777777", "密码不能与工号或手机号相同"),
    ],
)
def test_weak_new_passwords_are_refused_with_the_reason(client, make_member, new_password, reason):
    member = make_member(must_change_password=True, staff_id="T7777777")
    login(client, member.staff_id)
    response = client.post("/account/password", data={
        "current_password": DEFAULT_PASSWORD, "new_password": new_password, "confirm_password": new_password,
    })
    assert response.status_code == 400
    assert reason in text(response)
    assert client.get("/").headers["Location"] == "/account/password"


def test_wrong_current_password_or_mismatch_is_refused(client, make_member):
    member = make_member(must_change_password=True)
    login(client, member.staff_id)
    response = client.post("/account/password", data={
        "current_password": "wrong-one-1", "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD,
    })
    assert response.status_code == 400
    assert "当前密码不正确" in text(response)
    response = client.post("/account/password", data={
        "current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD + "x",
    })
    assert response.status_code == 400
    assert "两次输入的新密码不一致" in text(response)


def test_changing_the_password_unlocks_the_site_and_the_new_password_works(app, client, make_member):
    member = make_member(must_change_password=True, name="赵六")
    login(client, member.staff_id)
    response = client.post("/account/password", data={
        "current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD,
    })
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "密码已修改" in text(home)
    client.post("/logout")

    fresh = app.test_client()
    assert login(fresh, member.staff_id).status_code == 401  # the initial password is gone
    fresh = app.test_client()
    assert login(fresh, member.staff_id, NEW_PASSWORD).status_code == 302
    assert fresh.get("/").status_code == 200


# ---------------------------------------------------------------- signing out

def test_logout_is_post_only(client_for, make_member):
    client = client_for(make_member())
    response = client.get("/logout")
    assert response.status_code == 405
    assert client.get("/").status_code == 200  # a GET (an <img src=/logout>) signs nobody out


def test_logout_signs_out(client_for, make_member):
    client = client_for(make_member())
    response = client.post("/logout")
    assert response.status_code == 302
    assert "您已安全退出" in text(client.get("/login"))
    assert client.get("/").status_code == 302


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_logout_needs_the_csrf_token(app, make_member):
    member = make_member()
    client = app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text(client.get("/login"))).group(1)
    response = client.post("/login", data={"login": member.staff_id, "password": DEFAULT_PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302

    refused = client.post("/logout")
    assert refused.status_code == 400
    assert "页面已过期" in text(refused)
    assert client.get("/").status_code == 200  # still signed in

    home = text(client.get("/"))
    token = re.search(r'name="csrf_token" value="([^"]+)"', home).group(1)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


# ---------------------------------------------------------------- ?next= stays on this site

@pytest.mark.parametrize("target", [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "/\\/evil.example/",
    "\\\\evil.example",
    "/\t/evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
    "evil.example",
    "",
])
def test_login_refuses_to_redirect_off_site(client, make_member, target):
    member = make_member()
    response = login(client, member.staff_id, query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", ["/account", "/account?tab=1", "/quizzes/"])
def test_login_follows_same_site_next(client, make_member, target):
    member = make_member()
    response = login(client, member.staff_id, query_string={"next": target})
    assert response.headers["Location"] == target


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example/", "https://evil.example/"])
def test_language_switch_refuses_to_redirect_off_site(client, target):
    response = client.post("/language", data={"locale": "en", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


# ---------------------------------------------------------------- hashing holds no lock

@pytest.fixture
def lock_probe(app, monkeypatch):
    """Wraps the password hash functions: each call records whether a transaction was open and,
    on SQLite, whether another connection could take the write lock at that moment."""
    import sqlite3

    from app.accounts import services

    seen: list[tuple[str, bool, str]] = []

    def other_writer_can_lock() -> str:
        if db.engine.dialect.name != "sqlite":
            return "n/a"
        other = sqlite3.connect(db.engine.url.database, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            return "free"
        except sqlite3.OperationalError as error:
            return str(error)
        finally:
            other.close()

    def wrap(name):
        real = getattr(services, name)

        def probed(*args, **kwargs):
            seen.append((name, db.session().in_transaction(), other_writer_can_lock()))
            return real(*args, **kwargs)

        monkeypatch.setattr(services, name, probed)

    wrap("check_password_hash")
    wrap("generate_password_hash")
    return seen


def test_signing_in_hashes_outside_any_transaction(client, make_member, lock_probe):
    """On SQLite a POST holds the only write lock; a 65 ms scrypt check inside it would make every
    autosave in the building queue behind each sign-in."""
    member = make_member()
    db.session.commit()
    assert login(client, member.staff_id).status_code == 302
    assert login(client.application.test_client(), member.staff_id, "wrong-pass-1").status_code == 401
    assert [name for name, *_ in lock_probe] == ["check_password_hash"] * 2
    assert all(not in_transaction and lock in ("free", "n/a") for _name, in_transaction, lock in lock_probe)


def test_changing_the_password_hashes_outside_any_transaction(client, make_member, lock_probe):
    member = make_member(must_change_password=True)
    db.session.commit()
    login(client, member.staff_id)
    lock_probe.clear()
    response = client.post("/account/password", data={
        "current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD,
    })
    assert response.status_code == 302
    assert [name for name, *_ in lock_probe] == ["check_password_hash", "check_password_hash",
                                                 "generate_password_hash"]
    assert all(not in_transaction and lock in ("free", "n/a") for _name, in_transaction, lock in lock_probe)
    db.session.expire_all()
    assert not db.session.get(User, member.id).must_change_password


def test_a_hash_with_older_parameters_is_upgraded_at_sign_in(client, make_member):
    """Members hashed with werkzeug's former scrypt default keep their password and get the configured,
    cheaper-to-check hash; a temporary initial password is left for the first-login change to replace."""
    from werkzeug.security import generate_password_hash

    member = make_member()
    first_login = make_member(must_change_password=True)
    for user in (member, first_login):
        user.password_hash = generate_password_hash(DEFAULT_PASSWORD, method="scrypt:32768:8:1")
    db.session.commit()

    assert login(client, member.staff_id).status_code == 302
    assert login(client.application.test_client(), first_login.staff_id).status_code == 302
    db.session.expire_all()
    upgraded = db.session.get(User, member.id).password_hash
    assert upgraded.startswith(client.application.config["PASSWORD_HASH_METHOD"] + "$")
    assert db.session.get(User, first_login.id).password_hash.startswith("scrypt:32768:8:1$")
    assert login(client.application.test_client(), member.staff_id).status_code == 302  # same password
