"""The participation pages on hand-made result objects (the engine replaced): what each page shows,
who may see it, and that each chart's bars and points are the figures of the table beside it."""
import re
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from app.audit.models import AuditEntry
from app.campaigns.models import Campaign
from app.extensions import db
from tests.participation.pages_helpers import sample_exempt, sample_figures, sample_members

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def world(app, make_unit, make_staff, monkeypatch):
    jia, yi, bing = make_unit("甲单位"), make_unit("乙单位<b>"), make_unit("丙单位")
    branch = make_unit("甲单位第一支部", parent=jia)
    campaign = Campaign(name="解放思想大讨论活动", description="", starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 31))
    db.session.add(campaign)
    db.session.commit()
    figures = sample_figures(jia.id, yi.id, bing.id, branch.id)
    members = sample_members()
    for member in members + sample_exempt():
        member.unit_id, member.branch_id = (jia.id, branch.id) if member.unit_name == "甲单位" else (yi.id, None)
    series = [(date(2026, 3, 8), {"coverage": Decimal("20.0"), "quiz": Decimal("30.0")}),
              (date(2026, 3, 9), {"coverage": Decimal("35.5"), "quiz": Decimal("50.0")}),
              (date(2026, 3, 10), {"coverage": Decimal("42.9"), "quiz": Decimal("71.4")})]
    calls = []
    fake = SimpleNamespace(
        campaign_figures=lambda campaign, as_of=None: figures,
        daily_series=lambda campaign, live=None: series,
        unit_members=lambda campaign, unit_id, as_of=None, branch_id=None: calls.append(unit_id) or [
            m for m in members if m.unit_id == unit_id and (branch_id is None or m.branch_id == branch_id)],
        exempt_members=lambda campaign, as_of=None, unit_id=None: [
            m for m in sample_exempt() if unit_id is None or unit_id == jia.id],
        campaign_members=lambda campaign, as_of=None: members + sample_exempt(),
    )
    monkeypatch.setattr("app.participation.dashboard_views.services", fake)
    return SimpleNamespace(campaign=campaign, jia=jia, yi=yi, bing=bing, branch=branch, figures=figures,
                           series=series, liaison=make_staff("liaison", unit=jia, name="甲联络员"),
                           liaison_yi=make_staff("liaison", unit=yi, name="乙联络员"))


def svg_in(html: str, chart_id: str) -> ET.Element:
    match = re.search(rf'<svg[^>]*aria-labelledby="{chart_id}-title.*?</svg>', html, re.S)
    assert match, f"no chart {chart_id}"
    return ET.fromstring(match.group(0))


def test_dashboard_shows_every_unit_with_n_and_the_stamp(world, organiser_client):
    response = organiser_client.get(f"/participation/{world.campaign.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "数据截至 10:30" in html
    assert "乙单位&lt;b&gt;" in html and "乙单位<b>" not in html
    assert "80.0%" in html and "8/10" in html  # 甲单位's quiz rate with its n
    assert "至少交卷一次的人员" in html  # the definition beside the figures
    assert '<details class="pt-unit"' in html and "甲单位第一支部" in html  # the branch rolls up
    yi_row = re.search(rf'<div class="pt-row has-below" id="unit-{world.yi.id}".*?</div>\s*\n', html, re.S)
    assert yi_row and "低于目标" in yi_row.group(0)


def test_dashboard_sorts_on_the_server(world, organiser_client):
    def order(query):
        html = organiser_client.get(f"/participation/{world.campaign.id}?{query}").get_data(as_text=True)
        return [int(m) for m in re.findall(r'id="unit-(\d+)" data-unit', html)]

    assert order("") == [world.jia.id, world.yi.id, world.bing.id]  # the units' own order
    assert order("sort=name&dir=desc") == [world.bing.id, world.yi.id, world.jia.id]
    assert order("sort=f:quiz&dir=desc") == [world.jia.id, world.yi.id, world.bing.id]  # 丙 (nobody) last
    assert order("sort=f:quiz&dir=asc") == [world.yi.id, world.jia.id, world.bing.id]
    assert order("sort=headcount&dir=asc") == [world.bing.id, world.yi.id, world.jia.id]
    assert order("sort=nonsense") == order("")


def test_bars_and_trend_points_match_the_figures_beside_them(world, organiser_client):
    for key in ("coverage", "quiz", "checkin"):
        html = organiser_client.get(f"/participation/{world.campaign.id}?chart={key}&sort=name").get_data(as_text=True)
        bars = [g for g in svg_in(html, "unit-bars").iter(f"{SVG}g") if "chart-bar" in (g.get("class") or "")]
        table_order = [int(m) for m in re.findall(r'id="unit-(\d+)" data-unit', html)]
        assert [int(g.get("data-key")) for g in bars] == table_order
        by_id = {row.unit_id: row for row in world.figures.units}
        for g in bars:
            row = by_id[int(g.get("data-key"))]
            rate = row.coverage if key == "coverage" else row.figures[key]
            assert g.get("data-label") == row.name
            assert g.get("data-value") == ("" if rate.percent is None else f"{rate.percent:.1f}")
            assert f"{rate.count}/{rate.of}" in "".join(g.itertext())
            assert ("is-below" in g.get("class")) == (key in row.below_target)
    trend = svg_in(html, "daily-trend")
    lines = {g.get("data-label"): g for g in trend.iter(f"{SVG}g") if g.get("class") == "chart-series"}
    points = [(c.get("data-date"), c.get("data-value")) for c in lines["覆盖率"].iter(f"{SVG}circle")]
    assert points == [(day.isoformat(), f"{values['coverage']:.1f}") for day, values in world.series]
    assert "71.4%" in html  # the table of the trend beside it


def test_ranking_shows_weights_and_shared_ranks(world, organiser_client):
    html = organiser_client.get(f"/participation/{world.campaign.id}/ranking").get_data(as_text=True)
    assert "权重 2" in html and "知识竞赛" in html
    assert html.index("甲单位") < html.index("乙单位&lt;b&gt;") < html.index("丙单位")


def test_unit_page_lists_members_exempt_apart_and_transfers(world, client_for):
    client = client_for(world.liaison)
    html = client.get(f"/participation/{world.campaign.id}/units/{world.jia.id}").get_data(as_text=True)
    assert "张三" in html and "已调动" in html
    assert "免计人员（1 人）" in html and "长期病休：住院治疗" in html
    branch = client.get(f"/participation/{world.campaign.id}/units/{world.jia.id}?branch={world.branch.id}")
    assert branch.status_code == 200 and "甲单位 · 甲单位第一支部" in branch.get_data(as_text=True)
    assert client.get(f"/participation/{world.campaign.id}/units/{world.jia.id}?branch={world.yi.id}").status_code == 404
    assert client.get(f"/participation/{world.campaign.id}/units/{world.yi.id}").status_code == 403
    assert client.get(f"/participation/{world.campaign.id}/units/{world.yi.id}/chase").status_code == 403
    assert client.get(f"/participation/{world.campaign.id}/ranking").status_code == 403
    # the dashboard sends a liaison to their own unit
    response = client.get(f"/participation/{world.campaign.id}")
    assert response.status_code == 302 and response.location.endswith(f"/units/{world.jia.id}")


def test_chase_list_has_a_message_per_required_activity(world, client_for):
    client = client_for(world.liaison)
    html = client.get(f"/participation/{world.campaign.id}/units/{world.jia.id}/chase").get_data(as_text=True)
    assert "【解放思想大讨论活动】甲单位 尚未参加“会议签到”的同志（3 人）：李四、王五、赵六" in html
    assert "尚未参加“任何一项活动”的同志（1 人）：王五" in html
    assert "钱七" not in html  # exempt
    assert 'data-copy-target="message-checkin"' in html and "<textarea" in html
    assert "js/participation-copy.js" in html
    only = client.get(f"/participation/{world.campaign.id}/units/{world.jia.id}/chase?key=quiz").get_data(as_text=True)
    assert 'id="chase-quiz"' in only and 'id="chase-checkin"' not in only
    assert client.get(f"/participation/{world.campaign.id}/units/{world.jia.id}/chase?key=bad").status_code == 404


def test_notice_page_and_docx(world, organiser_client):
    html = organiser_client.get(f"/participation/{world.campaign.id}/notice").get_data(as_text=True)
    assert "关于解放思想大讨论活动参与情况的通报" in html and "数据截至 2026年3月10日 10:30" in html
    response = organiser_client.get(f"/participation/{world.campaign.id}/notice.docx")
    assert response.status_code == 200 and response.mimetype.endswith("wordprocessingml.document")
    assert response.data[:2] == b"PK"


def test_export_is_audit_logged_and_scoped_for_liaisons(world, organiser_client, client_for):
    response = organiser_client.get(f"/participation/{world.campaign.id}/export.xlsx")
    assert response.status_code == 200 and response.headers["Cache-Control"].startswith("no-store")
    entry = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "participation.exported")).one()
    assert entry.details["with_mobiles"] is True and entry.details["unit_id"] is None
    liaison = client_for(world.liaison)
    assert liaison.get(f"/participation/{world.campaign.id}/export.xlsx").status_code == 200
    assert liaison.get(f"/participation/{world.campaign.id}/export.xlsx?unit={world.yi.id}").status_code == 403
    assert db.session.scalar(db.select(db.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "participation.exported")) == 2


def test_members_see_none_of_it(world, client_for, make_member):
    client = client_for(make_member(unit=world.jia))
    assert client.get(f"/participation/{world.campaign.id}").status_code == 403
    assert client.get(f"/participation/{world.campaign.id}/units/{world.jia.id}").status_code == 403
    assert "参与统计" not in client.get(f"/campaigns/{world.campaign.id}").get_data(as_text=True)
