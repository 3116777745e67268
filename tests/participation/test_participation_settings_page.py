"""The organisers' settings page: shows every figure with its definition, saves (audit-logged), refuses
bad numbers in Chinese with nothing saved, and is closed to liaisons."""
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.extensions import db
from app.participation.models import ParticipationSetting
from app.participation.settings import columns_for


def form_for(campaign, **changes):
    """The form as the page would post it, with `changes` (field name → value) applied."""
    data = {}
    for index, column in enumerate(columns_for(campaign)):
        if column.kind == "members":
            if column.required:
                data[f"required_{index}"] = "y"
            if column.counts_for_coverage:
                data[f"counts_{index}"] = "y"
        data[f"target_{index}"] = str(column.target_rate or "")
        data[f"weight_{index}"] = str(column.weight)
    data.update(changes)
    return data


def index_of(campaign, key):
    return [column.key for column in columns_for(campaign)].index(key)


def test_organiser_sees_and_saves_the_settings(app, make_campaign, make_staff, client_for):
    campaign = make_campaign()
    client = client_for(make_staff("organiser"))
    page = client.get(f"/participation/settings/{campaign.id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "知识竞赛" in text and "提交过竞赛答卷的人员（练习不计）" in text and "会议签到·出勤率" in text
    quiz = index_of(campaign, "quiz")
    response = client.post(f"/participation/settings/{campaign.id}", data=form_for(
        campaign, **{f"required_{quiz}": "y", f"target_{quiz}": "70", f"weight_{quiz}": "2"}))
    assert response.status_code == 302
    columns = {column.key: column for column in columns_for(campaign)}
    assert columns["quiz"].required and columns["quiz"].target_rate == 70 and columns["quiz"].weight == 2
    assert not columns["speech_registered"].required
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "participation.settings_saved"))
    assert entry.details["keys"] == ["quiz"]
    assert "已保存 1 项设置" in client.get(f"/participation/settings/{campaign.id}").get_data(as_text=True)


def test_bad_numbers_are_refused_in_chinese_and_nothing_is_saved(app, make_campaign, make_staff, client_for):
    campaign = make_campaign()
    client = client_for(make_staff("organiser"))
    quiz = index_of(campaign, "quiz")
    for changes, message in (({f"target_{quiz}": "150"}, "目标参与率应在 0 到 100 之间"),
                             ({f"target_{quiz}": "七十"}, "请输入有效的数字"),
                             ({f"weight_{quiz}": "NaN"}, "请输入有效的数字"),
                             ({f"weight_{quiz}": "-1"}, "权重应在 0 到 100 之间"),
                             ({f"weight_{quiz}": ""}, "请填写权重")):
        response = client.post(f"/participation/settings/{campaign.id}", data=form_for(campaign, **changes))
        assert response.status_code == 400 and message in response.get_data(as_text=True), changes
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ParticipationSetting)) == 0


def test_liaisons_and_members_cannot_open_the_settings(app, make_campaign, make_staff, client_for):
    campaign = make_campaign()
    for role in ("liaison", "member"):
        client = client_for(make_staff(role))
        assert client.get(f"/participation/settings/{campaign.id}").status_code == 403
        assert client.post(f"/participation/settings/{campaign.id}", data={}).status_code == 403
    organiser = client_for(make_staff("organiser"))
    assert organiser.get("/participation/settings/999999").status_code == 404
    assert "参与统计设置" in organiser.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
