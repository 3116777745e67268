"""Campaigns (专项活动) and phases (阶段): dates, order, the current phase, who may change them."""
import re
from datetime import date, datetime

import sqlalchemy as sa
from jinja2 import ChoiceLoader, DictLoader

from app import hooks
from app.audit.models import AuditEntry
from app.campaigns.models import Campaign, CampaignPhase
from app.campaigns.services import CURRENT, FINISHED, ONGOING, UPCOMING, current_phase, timeline
from app.common import clock
from app.extensions import db
from tests.platform.helpers import audit_actions, count

PHASES = [
    ("动员部署", date(2026, 3, 1), date(2026, 3, 10)),
    ("学习讨论", date(2026, 3, 11), date(2026, 4, 30)),
    ("知识竞赛", date(2026, 5, 1), date(2026, 5, 31)),
    ("总结提升", date(2026, 6, 1), date(2026, 6, 30)),
]


def current_step(page: str) -> str:
    """The phase name the timeline marks as current."""
    steps = re.findall(r'<li class="timeline-step is-current"[^>]*aria-current="step">\s*<div class="timeline-head">\s*'
                       r'<strong>([^<]+)</strong>', page)
    assert len(steps) == 1, steps
    return steps[0]


def phase_names(campaign_id):
    db.session.expire_all()
    return list(db.session.scalars(
        sa.select(CampaignPhase.name).where(CampaignPhase.campaign_id == campaign_id).order_by(CampaignPhase.position)))


def positions(campaign_id):
    return list(db.session.scalars(
        sa.select(CampaignPhase.position).where(CampaignPhase.campaign_id == campaign_id)
        .order_by(CampaignPhase.position)))


# ---------------------------------------------------------------- create, edit, delete

def test_organiser_creates_a_campaign_and_its_phases(organiser_client):
    response = organiser_client.post("/campaigns/new", data={
        "name": "解放思想大讨论活动", "description": "全市机关开展", "starts_on": "2026-03-01", "ends_on": "2026-06-30"})
    assert response.status_code == 302
    campaign = db.session.scalar(sa.select(Campaign))
    assert (campaign.name, campaign.starts_on, campaign.ends_on) == ("解放思想大讨论活动", date(2026, 3, 1), date(2026, 6, 30))

    for name, start, end in PHASES:
        response = organiser_client.post(f"/campaigns/{campaign.id}/phases/new", data={
            "name": name, "description": "", "starts_on": start.isoformat(), "ends_on": end.isoformat()})
        assert response.status_code == 302
    assert phase_names(campaign.id) == ["动员部署", "学习讨论", "知识竞赛", "总结提升"]
    assert positions(campaign.id) == [1, 2, 3, 4]
    assert audit_actions() == ["campaign.created"] + ["campaign.phase_added"] * 4


def test_duplicate_campaign_name_is_refused(organiser_client, make_campaign):
    make_campaign("解放思想大讨论活动")
    response = organiser_client.post("/campaigns/new", data={
        "name": " 解放思想大讨论活动 ", "starts_on": "2026-03-01", "ends_on": "2026-06-30"})
    assert response.status_code == 400
    assert "已有名为“解放思想大讨论活动”的专项活动" in response.get_data(as_text=True)
    assert count(Campaign) == 1


def test_campaign_end_before_start_is_refused(organiser_client):
    response = organiser_client.post("/campaigns/new", data={
        "name": "活动", "starts_on": "2026-06-30", "ends_on": "2026-03-01"})
    assert response.status_code == 400
    assert "结束日期不能早于开始日期" in response.get_data(as_text=True)
    assert count(Campaign) == 0


def test_one_day_campaign_and_phase_are_fine(organiser_client):
    organiser_client.post("/campaigns/new", data={"name": "集中学习日", "starts_on": "2026-07-01",
                                                   "ends_on": "2026-07-01"})
    campaign = db.session.scalar(sa.select(Campaign))
    response = organiser_client.post(f"/campaigns/{campaign.id}/phases/new", data={
        "name": "学习", "starts_on": "2026-07-01", "ends_on": "2026-07-01"})
    assert response.status_code == 302


def test_phase_dates_must_lie_within_the_campaign(organiser_client, make_campaign):
    campaign = make_campaign(starts_on=date(2026, 3, 1), ends_on=date(2026, 6, 30))
    for start, end, message in [
        ("2026-02-28", "2026-03-10", "阶段日期须在活动日期（2026-03-01 至 2026-06-30）之内"),
        ("2026-06-01", "2026-07-01", "阶段日期须在活动日期（2026-03-01 至 2026-06-30）之内"),
        ("2026-05-10", "2026-05-01", "结束日期不能早于开始日期"),
    ]:
        response = organiser_client.post(f"/campaigns/{campaign.id}/phases/new", data={
            "name": "阶段", "starts_on": start, "ends_on": end})
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    assert count(CampaignPhase) == 0


def test_campaign_dates_cannot_shrink_past_its_phases(organiser_client, make_campaign):
    campaign = make_campaign("解放思想大讨论活动", date(2026, 3, 1), date(2026, 6, 30), phases=PHASES)
    response = organiser_client.post(f"/campaigns/{campaign.id}/edit", data={
        "name": campaign.name, "starts_on": "2026-03-05", "ends_on": "2026-06-30"})
    assert response.status_code == 400
    assert "动员部署" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).starts_on == date(2026, 3, 1)


def test_edit_campaign(organiser_client, make_campaign):
    campaign = make_campaign("解放思想大讨论活动", date(2026, 3, 1), date(2026, 6, 30), phases=PHASES)
    page = organiser_client.get(f"/campaigns/{campaign.id}/edit").get_data(as_text=True)
    assert 'value="2026-03-01"' in page
    response = organiser_client.post(f"/campaigns/{campaign.id}/edit", data={
        "name": "2026年解放思想大讨论活动", "description": "新的说明", "starts_on": "2026-02-01",
        "ends_on": "2026-07-31"})
    assert response.status_code == 302
    db.session.expire_all()
    campaign = db.session.get(Campaign, campaign.id)
    assert (campaign.name, campaign.description, campaign.ends_on) == (
        "2026年解放思想大讨论活动", "新的说明", date(2026, 7, 31))
    assert audit_actions() == ["campaign.updated"]


def test_edit_and_remove_phase(organiser_client, make_campaign):
    campaign = make_campaign("解放思想大讨论活动", date(2026, 3, 1), date(2026, 6, 30), phases=PHASES)
    first, second = campaign.phases[0], campaign.phases[1]
    response = organiser_client.post(f"/campaigns/{campaign.id}/phases/{second.id}/edit", data={
        "name": "学习研讨", "starts_on": "2026-03-11", "ends_on": "2026-04-15"})
    assert response.status_code == 302
    assert phase_names(campaign.id) == ["动员部署", "学习研讨", "知识竞赛", "总结提升"]

    assert organiser_client.get(f"/campaigns/{campaign.id}/phases/{first.id}/delete").status_code == 200
    assert organiser_client.post(f"/campaigns/{campaign.id}/phases/{first.id}/delete").status_code == 302
    assert phase_names(campaign.id) == ["学习研讨", "知识竞赛", "总结提升"]
    assert positions(campaign.id) == [1, 2, 3]
    assert audit_actions() == ["campaign.phase_updated", "campaign.phase_removed"]


def test_phases_move_up_and_down(organiser_client, make_campaign):
    campaign = make_campaign("解放思想大讨论活动", date(2026, 3, 1), date(2026, 6, 30), phases=PHASES)
    ids = [phase.id for phase in campaign.phases]
    url = f"/campaigns/{campaign.id}/phases/{{}}/move"
    assert organiser_client.post(url.format(ids[3]), data={"direction": "up"}).status_code == 302
    assert phase_names(campaign.id) == ["动员部署", "学习讨论", "总结提升", "知识竞赛"]
    organiser_client.post(url.format(ids[0]), data={"direction": "down"})
    assert phase_names(campaign.id) == ["学习讨论", "动员部署", "总结提升", "知识竞赛"]
    organiser_client.post(url.format(ids[2]), data={"direction": "down"})  # 知识竞赛 is already last
    assert phase_names(campaign.id) == ["学习讨论", "动员部署", "总结提升", "知识竞赛"]
    assert positions(campaign.id) == [1, 2, 3, 4]
    assert audit_actions() == ["campaign.phases_reordered"] * 2


def test_delete_campaign_takes_its_phases(organiser_client, make_campaign):
    campaign = make_campaign("解放思想大讨论活动", date(2026, 3, 1), date(2026, 6, 30), phases=PHASES)
    assert organiser_client.get(f"/campaigns/{campaign.id}/delete").status_code == 200
    assert organiser_client.post(f"/campaigns/{campaign.id}/delete").status_code == 302
    assert count(Campaign) == 0 and count(CampaignPhase) == 0
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "campaign.deleted"))
    assert entry.summary == "解放思想大讨论活动" and entry.target_id == campaign.id


# ---------------------------------------------------------------- current phase

def test_current_phase_by_date(make_campaign):
    campaign = make_campaign("解放思想大讨论活动", date(2026, 3, 1), date(2026, 6, 30), phases=PHASES)
    assert current_phase(campaign, date(2026, 2, 28)) is None
    assert current_phase(campaign, date(2026, 3, 1)).name == "动员部署"
    assert current_phase(campaign, date(2026, 3, 10)).name == "动员部署"
    assert current_phase(campaign, date(2026, 3, 11)).name == "学习讨论"
    assert current_phase(campaign, date(2026, 6, 30)).name == "总结提升"
    assert current_phase(campaign, date(2026, 7, 1)) is None


def test_overlapping_phases_the_latest_started_is_current(make_campaign):
    campaign = make_campaign("解放思想大讨论活动", date(2026, 3, 1), date(2026, 6, 30), phases=[("学习", date(2026, 3, 1), date(2026, 5, 31)),
                                     ("竞赛", date(2026, 5, 1), date(2026, 5, 20))])
    assert current_phase(campaign, date(2026, 5, 10)).name == "竞赛"
    steps = timeline(campaign, date(2026, 5, 10))
    assert [step.status for step in steps] == [ONGOING, CURRENT]
    assert [step.status for step in timeline(campaign, date(2026, 5, 25))] == [CURRENT, FINISHED]
    assert [step.status for step in timeline(campaign, date(2026, 2, 1))] == [UPCOMING, UPCOMING]


def test_campaign_page_marks_the_current_phase_in_shanghai_time(client_for, make_staff, make_campaign):
    campaign = make_campaign("解放思想大讨论活动", date(2026, 3, 1), date(2026, 6, 30), phases=PHASES)
    client = client_for(make_staff("member"))
    # 2026-03-10 16:30 UTC is already 2026-03-11 00:30 in Shanghai: 学习讨论 has begun.
    with clock.frozen_at(datetime(2026, 3, 10, 16, 30)):
        page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert current_step(page) == "学习讨论"
    with clock.frozen_at(datetime(2026, 3, 10, 15, 30)):  # 23:30 in Shanghai, still 3-10
        page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert current_step(page) == "动员部署"


def test_everyone_signed_in_sees_campaigns_but_only_organisers_manage(client_for, make_staff, make_campaign):
    campaign = make_campaign("解放思想大讨论活动", date(2026, 3, 1), date(2026, 6, 30), phases=PHASES)
    phase = campaign.phases[0]
    for role in ("member", "judge", "liaison"):
        client = client_for(make_staff(role))
        listing = client.get("/campaigns/")
        assert listing.status_code == 200 and "解放思想大讨论活动" in listing.get_data(as_text=True)
        page = client.get(f"/campaigns/{campaign.id}")
        assert page.status_code == 200
        assert "编辑活动" not in page.get_data(as_text=True)
        for method, url, data in [
            ("get", "/campaigns/new", None),
            ("post", "/campaigns/new", {"name": "x", "starts_on": "2026-01-01", "ends_on": "2026-01-02"}),
            ("post", f"/campaigns/{campaign.id}/edit", {"name": "x", "starts_on": "2026-01-01",
                                                        "ends_on": "2026-01-02"}),
            ("post", f"/campaigns/{campaign.id}/delete", {}),
            ("post", f"/campaigns/{campaign.id}/phases/new", {"name": "x", "starts_on": "2026-03-01",
                                                              "ends_on": "2026-03-02"}),
            ("post", f"/campaigns/{campaign.id}/phases/{phase.id}/edit", {"name": "x"}),
            ("post", f"/campaigns/{campaign.id}/phases/{phase.id}/delete", {}),
            ("post", f"/campaigns/{campaign.id}/phases/{phase.id}/move", {"direction": "down"}),
        ]:
            assert getattr(client, method)(url, data=data).status_code == 403, (role, url)
    assert phase_names(campaign.id) == ["动员部署", "学习讨论", "知识竞赛", "总结提升"]
    assert count(AuditEntry) == 0


def test_signed_out_visitors_are_sent_to_sign_in(client, make_campaign):
    campaign = make_campaign("解放思想大讨论活动", date(2026, 3, 1), date(2026, 6, 30))
    assert client.get("/campaigns/").status_code == 302
    assert client.get(f"/campaigns/{campaign.id}").status_code == 302


def test_phase_of_another_campaign_is_not_found(organiser_client, make_campaign):
    first = make_campaign("甲活动", date(2026, 3, 1), date(2026, 6, 30), phases=PHASES[:1])
    second = make_campaign("乙活动", date(2026, 3, 1), date(2026, 6, 30), phases=PHASES[:1])
    phase = second.phases[0]
    assert organiser_client.get(f"/campaigns/{first.id}/phases/{phase.id}/edit").status_code == 404
    assert organiser_client.post(f"/campaigns/{first.id}/phases/{phase.id}/delete").status_code == 404
    assert count(CampaignPhase) == 2


# ---------------------------------------------------------------- the activities hook

def test_registered_activity_sections_appear_on_the_campaign_page(app, client_for, make_staff, make_campaign):
    campaign = make_campaign("解放思想大讨论活动", date(2026, 3, 1), date(2026, 6, 30))
    app.jinja_loader  # noqa: B018  (make sure Flask built its loader before we wrap it)
    app.jinja_env.loader = ChoiceLoader([
        DictLoader({"test/_section.html": "<p class='test-section'>{{ section.label }}：{{ campaign.name }}</p>"}),
        app.jinja_env.loader,
    ])
    client = client_for(make_staff("member"))
    assert "相关活动" not in client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    hooks.add_campaign_section(app, "test/_section.html", lambda campaign, user: {"label": "知识竞赛"})
    hooks.add_campaign_section(app, "test/_hidden.html", lambda campaign, user: None)
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "相关活动" in page
    assert "知识竞赛：解放思想大讨论活动" in page
