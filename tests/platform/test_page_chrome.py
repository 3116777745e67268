"""The page chrome and the sign-in page, each rendered once per worker: what people see stays theirs.

The main menu is kept per locale, set of roles and page (app.templating.main_menu); the signed-out
sign-in page per locale and URL with each visitor's CSRF token put in (app.common.http). These check
that nobody gets another's menu, language, token or message from it, and that it is built only once.
"""
import re

import pytest
from flask import template_rendered

from app import templating

MENU = re.compile(r'<nav class="mainnav"[^>]*>(.*?)</nav>', re.S)
TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def menu(response) -> str:
    match = MENU.search(response.get_data(as_text=True))
    assert match, "page has no main menu"
    return match.group(1)


@pytest.fixture
def renders(app):
    """The templates rendered through Flask while the test runs, by name."""
    names = []

    def note(_sender, template, **_extra):
        names.append(template.name)

    template_rendered.connect(note, app)
    yield names
    template_rendered.disconnect(note, app)


# ---------------------------------------------------------------- the main menu

def test_each_role_sees_its_own_menu_on_the_same_worker(client_for, make_member, organiser):
    member, boss = client_for(make_member()), client_for(organiser)
    assert 'href="/units/"' in menu(boss.get("/"))
    member_menu = menu(member.get("/"))
    assert 'href="/units/"' not in member_menu and 'href="/quizzes/"' in member_menu
    assert 'href="/units/"' in menu(boss.get("/"))
    assert 'href="/units/"' not in menu(member.get("/"))


def test_the_menu_marks_the_page_being_shown(client_for, make_member):
    phone = client_for(make_member())
    home = menu(phone.get("/"))
    assert '<a href="/" aria-current="page">' in home and '<a href="/quizzes/">' in home
    quizzes = menu(phone.get("/quizzes/"))
    assert '<a href="/quizzes/" aria-current="page">' in quizzes and '<a href="/">' in quizzes


def test_the_menu_speaks_the_language_of_whoever_reads_it(client_for, make_member):
    chinese, english = client_for(make_member()), client_for(make_member(locale="en"))
    assert ">首页</a>" in menu(chinese.get("/"))
    assert ">Home</a>" in menu(english.get("/"))
    assert ">首页</a>" in menu(chinese.get("/"))


def test_the_menu_is_built_once_per_worker(client_for, make_member, monkeypatch):
    """Building it checks every entry's access rule against the user's roles: not on every page."""
    built = []
    real = templating.navigation

    def counting():
        built.append(True)
        return real()

    monkeypatch.setattr(templating, "navigation", counting)
    phone, other = client_for(make_member()), client_for(make_member())
    for client in (phone, phone, other):
        assert client.get("/").status_code == 200
    assert len(built) == 1  # two members with the same roles on the same page


# ---------------------------------------------------------------- the sign-in page

@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_every_visitor_gets_their_own_working_sign_in_token(app, make_member):
    member = make_member()
    first, second = app.test_client(), app.test_client()
    first_tokens = set(TOKEN.findall(first.get("/login").get_data(as_text=True)))
    second_tokens = set(TOKEN.findall(second.get("/login").get_data(as_text=True)))
    assert len(first_tokens) == 1 and len(second_tokens) == 1  # the form's and the language switch's
    assert first_tokens != second_tokens

    stolen = second.post("/login", data={"login": member.staff_id, "password": "Passw0rd2026",
                                         "csrf_token": first_tokens.pop()})
    assert stolen.status_code == 400 and "错误代码 400" in stolen.get_data(as_text=True)
    token = TOKEN.findall(second.get("/login").get_data(as_text=True))[0]
    signed_in = second.post("/login", data={"login": member.staff_id, "password": "Passw0rd2026",
                                            "csrf_token": token})
    assert signed_in.status_code == 302


def test_the_sign_in_page_is_rendered_once_per_worker_and_language(client, app, renders):
    pages = [client.get("/login").get_data(as_text=True) for _ in range(2)]
    english = app.test_client().get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert renders.count("auth/login.html") == 2  # Chinese once, English once
    # The same page but for the token, which is signed with the time (two requests a second apart differ).
    assert TOKEN.sub("", pages[0]) == TOKEN.sub("", pages[1]) and "登录" in pages[0]
    assert "Sign in" in english and "登录" not in english


def test_a_refused_sign_in_shows_its_errors_and_leaves_the_page_clean(client):
    client.get("/login")
    refused = client.post("/login", data={"login": "", "password": ""})
    assert refused.status_code == 400 and "请输入工号或手机号" in refused.get_data(as_text=True)
    assert "请输入工号或手机号" not in client.get("/login").get_data(as_text=True)


def test_a_message_for_one_visitor_is_not_shown_to_the_next(app, client_for, make_member):
    client = client_for(make_member())
    app.test_client().get("/login")  # the page is kept
    client.post("/logout")
    assert "您已安全退出" in client.get("/login").get_data(as_text=True)
    assert "您已安全退出" not in app.test_client().get("/login").get_data(as_text=True)
    assert "您已安全退出" not in client.get("/login").get_data(as_text=True)  # shown once


def test_the_language_switch_returns_to_the_page_it_was_used_on(client):
    client.get("/login")
    body = client.get("/login?next=%2Fquizzes%2F").get_data(as_text=True)
    assert 'name="next" value="/login?next=%2Fquizzes%2F"' in body
