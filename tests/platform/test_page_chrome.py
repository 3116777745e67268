"""The page chrome, rendered once per worker: what people see stays theirs.

The main menu is kept per locale, set of roles and page (app.templating.main_menu). These check that
nobody gets another's menu or language from it, and that it is built only once.
"""
import re

from app import templating

MENU = re.compile(r'<nav class="mainnav"[^>]*>(.*?)</nav>', re.S)


def menu(response) -> str:
    match = MENU.search(response.get_data(as_text=True))
    assert match, "page has no main menu"
    return match.group(1)


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
