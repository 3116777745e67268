"""flask demo: idempotent, prints the logins every time, and the printed logins work."""
import random
from collections import Counter

import pytest
import sqlalchemy as sa

from app.accounts.models import RoleGrant, User
from app.audit.models import AuditEntry
from app.campaigns.models import Campaign, CampaignPhase
from app.campaigns.services import current_phase
from app.common.clock import local_today
from app.demo import SEED, demo_logins, demo_members
from app.extensions import db
from app.units.models import Unit

MODELS = (User, RoleGrant, Unit, Campaign, CampaignPhase, AuditEntry)


def counts():
    db.session.expire_all()
    return {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model)) for model in MODELS}


def run_demo(app, *args):
    result = app.test_cli_runner().invoke(args=["demo", *args])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def assert_logins_printed(output):
    for login in demo_logins():
        assert login.login in output and login.password in output


@pytest.fixture
def demo(app):
    return run_demo(app)


def test_demo_loads_once_and_a_second_run_changes_nothing(app, demo):
    first = counts()
    assert first["Unit"] >= 20 and first["User"] >= 200 and first["Campaign"] == 1
    assert_logins_printed(demo)

    output = run_demo(app)
    assert counts() == first
    assert_logins_printed(output)


def test_if_empty_skips_a_database_with_users_but_prints_logins(app, demo):
    before = counts()
    output = run_demo(app, "--if-empty")
    assert "跳过" in output
    assert_logins_printed(output)
    assert counts() == before


def test_if_empty_loads_an_empty_database(app):
    output = run_demo(app, "--if-empty")
    assert counts()["User"] >= 200
    assert_logins_printed(output)


@pytest.mark.parametrize("login, password, landing_text", [
    ("admin", "Admin@2026", "审计日志"),
    ("organiser", "Organiser@2026", "单位"),
    ("liaison", "Liaison@2026", "本单位：市委办公室"),
    ("judge2", "Judge@2026", "解放思想大讨论活动"),
    ("member", "Member@2026", "市委办公室 / 第二党支部"),
])
def test_demo_logins_work_without_a_forced_password_change(app, demo, login, password, landing_text):
    client = app.test_client()
    response = client.post("/login", data={"login": login, "password": password})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert landing_text in home.get_data(as_text=True)


def test_a_bulk_member_can_sign_in_with_the_shared_password(app, demo):
    staff_id = db.session.scalar(sa.select(User.staff_id).where(User.staff_id == "010002"))
    assert staff_id == "010002"
    response = app.test_client().post("/login", data={"login": staff_id, "password": "Member@2026"})
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_demo_data_is_realistic(app, demo):
    units = db.session.scalars(sa.select(Unit).where(Unit.parent_id.is_(None))).all()
    names = {unit.name for unit in units}
    assert {"市委办公室", "市公安局", "市卫生健康委员会"} <= names
    assert db.session.scalar(sa.select(sa.func.count(Unit.id)).where(Unit.parent_id.is_not(None))) >= 10

    members = db.session.scalars(sa.select(User).where(User.unit_id.is_not(None))).all()
    assert 200 <= len(members) <= 500
    assert all(member.staff_id.isdigit() or member.staff_id in {"liaison", "member"} for member in members)
    assert any(member.staff_id.startswith("0") for member in members)  # zero-padded, stored as text
    mobiles = [member.mobile for member in members if member.mobile]
    assert len(mobiles) == len(set(mobiles)) and len(mobiles) >= 200
    assert {member.gender for member in members} == {"男", "女"}
    assert len({member.political_status for member in members}) >= 3

    namesakes = Counter((member.unit_id, member.name) for member in members)
    assert any(number >= 2 for number in namesakes.values())
    assert "同名人员：市财政局有 2 名王芳（工号 140002、140005）" in demo

    campaign = db.session.scalar(sa.select(Campaign).where(Campaign.name == "解放思想大讨论活动"))
    assert [phase.name for phase in campaign.phases] == ["动员部署", "学习讨论", "知识竞赛", "总结提升"]
    assert current_phase(campaign, local_today()).name == "知识竞赛"


def test_demo_is_deterministic(app, demo):
    """Two fresh databases get the same people (same seed), so the printed logins are stable."""
    first = sorted(db.session.execute(sa.select(User.staff_id, User.name, User.mobile)).all())
    again = demo_members(random.Random(SEED))
    generated = {(person["staff_id"], person["name"], person["mobile"]) for person in again}
    assert generated <= set(first)
