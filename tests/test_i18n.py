"""Language: Chinese by default, English on request before sign-in, a switch that sticks, and a
signed-in person's choice saved on their account."""
import re

import pytest

from app.accounts.models import User
from app.extensions import db
from tests.support import DEFAULT_PASSWORD

LANG = re.compile(r'<html lang="([^"]+)">')


def page_language(response) -> str:
    match = LANG.search(response.get_data(as_text=True))
    assert match, "page has no <html lang>"
    return match.group(1)


def test_chinese_by_default(client):
    response = client.get("/login")
    assert page_language(response) == "zh-CN"
    assert "登录" in response.get_data(as_text=True)


@pytest.mark.parametrize("header", ["zh-CN,zh;q=0.9", "fr-FR,fr;q=0.9", "ja"])
def test_chinese_for_chinese_or_unsupported_browsers(client, header):
    assert page_language(client.get("/login", headers={"Accept-Language": header})) == "zh-CN"


@pytest.mark.parametrize("header", ["en", "en-US,en;q=0.9", "en-GB,zh;q=0.5"])
def test_english_browsers_get_english_before_sign_in(client, header):
    assert page_language(client.get("/login", headers={"Accept-Language": header})) == "en"


def test_the_language_switch_sticks_for_the_visit(client):
    assert page_language(client.get("/login")) == "zh-CN"
    response = client.post("/language", data={"locale": "en", "next": "/login"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert page_language(client.get("/login", headers={"Accept-Language": "zh-CN"})) == "en"
    client.post("/language", data={"locale": "zh", "next": "/login"})
    assert page_language(client.get("/login", headers={"Accept-Language": "en"})) == "zh-CN"


def test_an_unknown_language_is_ignored(client):
    client.post("/language", data={"locale": "xx", "next": "/login"})
    assert page_language(client.get("/login")) == "zh-CN"


def test_the_switch_is_offered_in_the_other_language(client):
    body = client.get("/login").get_data(as_text=True)
    assert 'value="en"' in body and "English" in body
    body = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'value="zh"' in body and "中文" in body


def test_account_setting_is_saved_and_follows_the_person(app, client_for, make_member):
    member = make_member()
    client = client_for(member)
    assert page_language(client.get("/account")) == "zh-CN"
    response = client.post("/account", data={"locale": "en"})
    assert response.status_code == 302
    assert page_language(client.get("/account")) == "en"
    db.session.expire_all()
    assert db.session.get(User, member.id).locale == "en"

    # another device, a Chinese browser: the account's choice wins once signed in
    phone = app.test_client()
    phone.post("/login", data={"login": member.staff_id, "password": DEFAULT_PASSWORD},
               headers={"Accept-Language": "zh-CN"})
    assert page_language(phone.get("/", headers={"Accept-Language": "zh-CN"})) == "en"


def test_account_language_wins_over_the_browser(client_for, make_member):
    member = make_member(locale="zh")
    client = client_for(member)
    assert page_language(client.get("/", headers={"Accept-Language": "en"})) == "zh-CN"


def test_switching_while_signed_in_saves_it_on_the_account(client_for, make_member):
    member = make_member()
    client = client_for(member)
    client.post("/language", data={"locale": "en", "next": "/account"})
    db.session.expire_all()
    assert db.session.get(User, member.id).locale == "en"


def test_an_invalid_account_language_is_refused(client_for, make_member):
    member = make_member()
    client = client_for(member)
    response = client.post("/account", data={"locale": "xx"})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, member.id).locale is None


def test_brackets_and_lists_follow_the_language(client_for, make_staff, make_unit):
    """Chinese pages use full-width brackets and 、; English pages get " (x)" and "a, b"."""
    from app.units.models import Unit

    parent = make_unit("市委办公室")
    db.session.add(Unit(name="第一支部", parent_id=parent.id))
    db.session.commit()
    staff = make_staff("admin")
    browser = client_for(staff)
    chinese = browser.get("/units/").get_data(as_text=True)
    assert "（0）" in chinese
    browser.post("/language", data={"locale": "en"})
    english = browser.get("/units/").get_data(as_text=True)
    assert " (0)" in english and "（" not in english
