"""A phone that changes network mid-quiz stays signed in; session cookies are locked down."""
import pytest

from app import create_app
from app.extensions import db
from tests.support import DEFAULT_PASSWORD

PHONE_UA = "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 Mobile Safari/537.36"


def sign_in(client, user, **kwargs):
    response = client.post("/login", data={"login": user.staff_id, "password": DEFAULT_PASSWORD}, **kwargs)
    assert response.status_code == 302
    return response


def test_changing_ip_address_mid_quiz_keeps_the_member_signed_in(client, make_member):
    member = make_member(name="移动用户")
    sign_in(client, member, environ_base={"REMOTE_ADDR": "192.168.1.20"}, headers={"User-Agent": PHONE_UA})
    for address in ("192.168.1.20", "10.64.3.7", "172.16.9.1", "2408:8456::1"):
        response = client.get("/", environ_base={"REMOTE_ADDR": address}, headers={"User-Agent": PHONE_UA})
        assert response.status_code == 200, address
        assert "移动用户" in response.get_data(as_text=True)


def test_changing_user_agent_keeps_the_member_signed_in(client, make_member):
    """The same session opened from WeChat's in-app browser and then the system browser."""
    member = make_member()
    sign_in(client, member, headers={"User-Agent": PHONE_UA + " MicroMessenger/8.0"})
    response = client.get("/", headers={"User-Agent": PHONE_UA}, environ_base={"REMOTE_ADDR": "10.0.0.99"})
    assert response.status_code == 200


def test_changing_address_keeps_the_session_usable_for_posts(client, make_member):
    member = make_member()
    sign_in(client, member, environ_base={"REMOTE_ADDR": "192.168.1.20"})
    response = client.post("/account", data={"locale": "zh"}, environ_base={"REMOTE_ADDR": "10.64.3.7"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/account"


def set_cookie_headers(response) -> list[str]:
    return response.headers.getlist("Set-Cookie")


def session_cookie(response, name="session") -> str:
    cookies = [header for header in set_cookie_headers(response) if header.startswith(f"{name}=")]
    assert cookies, set_cookie_headers(response)
    return cookies[-1]


def test_session_cookie_is_httponly_and_samesite_lax(client, make_member):
    response = sign_in(client, make_member())
    cookie = session_cookie(response)
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain-HTTP development still works
    assert "Expires=" in cookie  # permanent: survives the phone closing the browser mid-quiz


@pytest.fixture
def https_app(monkeypatch, app):
    monkeypatch.setenv("SAISHI_HTTPS", "1")
    secure = create_app({key: app.config[key] for key in ("TESTING", "SQLALCHEMY_DATABASE_URI", "WTF_CSRF_ENABLED")})
    yield secure
    with secure.app_context():
        db.session.remove()
        db.engine.dispose()


def test_cookies_are_secure_when_served_over_https(https_app, make_member):
    member = make_member()
    staff_id = member.staff_id
    db.session.commit()
    assert https_app.config["SESSION_COOKIE_SECURE"] is True
    assert https_app.config["REMEMBER_COOKIE_SECURE"] is True
    client = https_app.test_client()
    response = client.post("/login", data={"login": staff_id, "password": DEFAULT_PASSWORD},
                           base_url="https://saishi.example")
    assert response.status_code == 302
    cookie = session_cookie(response)
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    home = client.get("/", base_url="https://saishi.example")
    assert home.headers["Strict-Transport-Security"].startswith("max-age=")
    assert https_app.config["PREFERRED_URL_SCHEME"] == "https"


def test_remember_cookie_settings_match(app):
    assert app.config["REMEMBER_COOKIE_HTTPONLY"] is True
    assert app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
