"""The home page: what each role sees first."""
from datetime import date, datetime

from jinja2 import ChoiceLoader, DictLoader

from app import hooks
from app.common import clock

PHASES = [
    ("动员部署", date(2026, 3, 1), date(2026, 3, 10)),
    ("学习讨论", date(2026, 3, 11), date(2026, 4, 30)),
]
DURING_STUDY = datetime(2026, 3, 20, 2, 0)


def test_member_sees_unit_and_current_campaign_phase(client_for, make_unit, make_member, make_campaign):
    unit = make_unit("市委办公室")
    branch = make_unit("第二党支部", parent=unit)
    make_campaign("解放思想大讨论活动", date(2026, 3, 1), date(2026, 6, 30), phases=PHASES)
    client = client_for(make_member(unit=unit, branch=branch, name="林小雨"))
    with clock.frozen_at(DURING_STUDY):
        page = client.get("/").get_data(as_text=True)
    assert "林小雨" in page
    assert "市委办公室 / 第二党支部" in page
    assert "解放思想大讨论活动" in page
    assert "当前阶段：<strong>学习讨论</strong>" in page
    assert "在册人员" not in page  # organisers' figures


def test_no_campaign_no_campaign_card(client_for, make_member):
    page = client_for(make_member()).get("/").get_data(as_text=True)
    assert "当前阶段" not in page


def test_upcoming_campaign_is_featured_before_it_starts(client_for, make_member, make_campaign):
    make_campaign("解放思想大讨论活动", date(2026, 3, 1), date(2026, 6, 30), phases=PHASES)
    with clock.frozen_at(datetime(2026, 2, 1)):
        page = client_for(make_member()).get("/").get_data(as_text=True)
    assert "解放思想大讨论活动" in page and "未开始" in page


def test_organiser_sees_headline_figures_and_quick_links(client_for, organiser, make_unit, add_member):
    unit = make_unit("市财政局")
    branch = make_unit("第一党支部", parent=unit)
    make_unit("市审计局")
    add_member(unit=unit, branch=branch)
    add_member(unit=unit)
    add_member(unit=unit, active=False)
    page = client_for(organiser).get("/").get_data(as_text=True)
    figures = page[page.index("home-figures"):]
    assert '<div class="value">2</div><div class="label">单位</div>' in figures
    assert '<div class="value">1</div><div class="label">支部</div>' in figures
    assert '<div class="value">2</div><div class="label">在册人员</div>' in figures
    assert 'href="/units/"' in page and 'href="/campaigns/"' in page


def test_liaison_sees_own_unit_headcount(client_for, make_staff, make_unit, add_member):
    unit = make_unit("市委办公室")
    liaison = make_staff("liaison", unit=unit)
    add_member(unit=unit)
    add_member(unit=make_unit("市政府办公室"))
    page = client_for(liaison).get("/").get_data(as_text=True)
    section = page[page.index("home-liaison"):]
    assert "本单位：市委办公室" in section
    assert '<div class="value">2</div><div class="label">在册人数</div>' in section
    assert f'href="/units/{unit.id}"' in section


def test_registered_home_sections_are_shown(app, client_for, make_member):
    app.jinja_loader  # noqa: B018
    app.jinja_env.loader = ChoiceLoader([
        DictLoader({"test/_home.html": "<p class='test-home'>{{ section.text }}</p>"}),
        app.jinja_env.loader,
    ])
    client = client_for(make_member())
    hooks.add_home_section(app, "test/_home.html", lambda user: {"text": f"待参加竞赛：{user.name}"})
    hooks.add_home_section(app, "test/_none.html", lambda user: None)
    page = client.get("/").get_data(as_text=True)
    assert "待参加竞赛：" in page
