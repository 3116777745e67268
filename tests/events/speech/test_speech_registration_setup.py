"""Contest set-up by organisers: the contest form, rounds with advance N, the scoring settings
editor (criteria with step and soft range, K/D, per-criterion, group weights, places, tie-breaks,
award tiers, criterion awards, overtime table), and what is refused."""
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEntry
from app.common.problems import Problem
from app.extensions import db
from events.judging.criteria import Criterion
from events.speech import settings as stored
from events.speech.models import SpeechContest
from events.speech.services import setup as services


def contest_form(campaign_id, **changes):
    data = {"campaign_id": str(campaign_id), "title": "青春演讲比赛", "venue": "市委礼堂", "held_on": "2026-05-04",
            "description": "", "opens_at": "2026-04-01T09:00", "closes_at": "2026-04-20T18:00", "quota_per_unit": "3",
            "allow_self_apply": "y", "approval_required": "y", "time_limit": "8:00", "warning": "7:30"}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def scoring_form(**changes):
    data = {
        "criteria-0-name": "演讲内容", "criteria-0-maximum": "40", "criteria-0-step": "0.1",
        "criteria-1-name": "语言表达", "criteria-1-maximum": "30", "criteria-1-step": "0.01",
        "criteria-1-soft_minimum": "18", "criteria-1-soft_maximum": "29.5",
        "criteria-2-name": "", "criteria-2-maximum": "", "criteria-2-step": "0.1",
        "trim_from": "5", "trim_each_end": "1", "places": "3",
        "weights-0-group": "专家评委", "weights-0-weight": "70", "weights-1-group": "大众评委", "weights-1-weight": "30",
        "bands-0-seconds": "15", "bands-0-points": "0.3", "bands-1-seconds": "60", "bands-1-points": "1",
        "bands-1-inclusive": "y",
        "tie_breaks-0-kind": "criterion:演讲内容", "tie_breaks-1-kind": "untrimmed_mean", "tie_breaks-2-kind": "",
        "tiers-0-name": "一等奖", "tiers-0-count": "1", "tiers-1-name": "二等奖", "tiers-1-count": "2",
        "tiers-2-name": "优秀奖",
        "awards-0-name": "最佳内容奖", "awards-0-criterion": "演讲内容",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_an_organiser_creates_a_contest_with_one_round_and_the_default_sheet(organiser_client, make_campaign):
    campaign = make_campaign()
    response = organiser_client.post("/speech/setup/new", data=contest_form(campaign.id))
    assert response.status_code == 302
    contest = db.session.scalar(sa.select(SpeechContest))
    assert (contest.venue, contest.quota_per_unit, contest.time_limit_seconds, contest.warning_seconds) == (
        "市委礼堂", 3, 480, 450)
    assert contest.registration_opens_at.hour == 1  # 09:00 in Shanghai is 01:00 UTC
    assert [round_.name for round_ in contest.rounds] == ["比赛"]
    assert [c.name for c in stored.criteria_of(contest)] == ["演讲内容", "语言表达", "形象风度", "综合印象"]
    page = organiser_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "青春演讲比赛" in page and "8:00" in page and "7:30 提醒" in page


@pytest.mark.parametrize(("changes", "message"), [
    ({"closes_at": "2026-03-01T09:00"}, "报名截止时间须晚于开始时间"),
    ({"warning": "8:30"}, "提醒时间须早于演讲时限"),
    ({"time_limit": "八分钟"}, "请按“分:秒”填写"),
    ({"title": ""}, "请输入比赛名称"),
])
def test_the_contest_form_refuses_beside_the_field(organiser_client, make_campaign, changes, message):
    campaign = make_campaign()
    response = organiser_client.post("/speech/setup/new", data=contest_form(campaign.id, **changes))
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SpeechContest)) == 0


def test_a_quota_below_a_units_entries_is_refused(make_contest, organiser):
    hall = make_contest(contestants=4, units=1)
    facts = services.facts_of(hall.contest)
    facts.quota_per_unit = 3
    with pytest.raises(Problem, match="名额不能少于 4"):
        services.update_contest(hall.contest, organiser, facts)


def test_the_scoring_editor_stores_every_setting(organiser_client, make_campaign, organiser):
    contest = services.create_contest(organiser, services.ContestFacts(campaign_id=make_campaign().id, title="评分规则"))
    db.session.commit()
    page = organiser_client.get(f"/speech/setup/contests/{contest.id}/scoring").get_data(as_text=True)
    assert 'value="演讲内容"' in page and 'value="40"' in page
    response = organiser_client.post(f"/speech/setup/contests/{contest.id}/scoring", data=scoring_form())
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    contest = db.session.get(SpeechContest, contest.id)
    assert stored.criteria_of(contest) == (
        Criterion("演讲内容", Decimal(40), Decimal("0.1")),
        Criterion("语言表达", Decimal(30), Decimal("0.01"), Decimal(18), Decimal("29.5")))
    rule = stored.panel_rule_of(contest)
    assert rule.group_weights == {"专家评委": Decimal(70), "大众评委": Decimal(30)} and contest.places == 3
    assert [(b.seconds, b.points, b.inclusive) for b in stored.overtime_bands_of(contest)] == [
        (Decimal(15), Decimal("0.3"), False), (Decimal(60), Decimal(1), True)]
    assert [(t.kind, t.criterion) for t in stored.tie_breaks_of(contest)] == [("criterion", "演讲内容"),
                                                                            ("untrimmed_mean", None)]
    assert [(t.name, t.count) for t in stored.award_tiers_of(contest)] == [("一等奖", 1), ("二等奖", 2), ("优秀奖", None)]
    assert [(a.name, a.criterion) for a in stored.criterion_awards_of(contest)] == [("最佳内容奖", "演讲内容")]
    assert db.session.scalar(sa.select(AuditEntry.action).order_by(AuditEntry.id.desc())) == "speech.contest.scoring_saved"


@pytest.mark.parametrize(("changes", "message"), [
    ({"criteria-0-maximum": "40.05"}, "为步长的整数倍"),
    ({"criteria-1-soft_maximum": "31"}, "常用范围须在 0 至满分之间"),
    ({"weights-1-weight": "20"}, "各评委组权重之和须为 100%"),
    ({"trim_from": "2"}, "至少要留下一个评分"),
    ({"bands-1-points": "0.1"}, "扣分不能随超时减少"),
    ({"tiers-0-share": "10"}, "只能按名额或按比例设置其一"),
    ({"awards-0-criterion": "形象风度"}, "单项奖"),
    ({"criteria-0-maximum": "abc"}, "数值“abc”无效"),
])
def test_the_scoring_editor_refuses_what_the_rules_refuse(organiser_client, make_campaign, organiser, changes, message):
    contest = services.create_contest(organiser, services.ContestFacts(campaign_id=make_campaign().id, title="评分规则"))
    db.session.commit()
    before = list(contest.criteria)
    response = organiser_client.post(f"/speech/setup/contests/{contest.id}/scoring", data=scoring_form(**changes))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(SpeechContest, contest.id).criteria == before


def test_the_criteria_cannot_change_once_a_sheet_exists(make_contest, organiser):
    hall = make_contest(contestants=1, judges=1)
    hall.submit(hall.slots[0], hall.judges[0], {"演讲内容": "30", "语言表达": "20", "形象风度": "8", "综合印象": "15"})
    scoring = services.Scoring(criteria=[Criterion("演讲内容", Decimal(50))])
    with pytest.raises(Problem, match="评分项不能再修改"):
        services.save_scoring(hall.contest, organiser, scoring)
    services.save_scoring(hall.contest, organiser, services.Scoring(criteria=stored.criteria_of(hall.contest), places=3))
    assert hall.contest.places == 3


def test_rounds_with_advance_count(organiser_client, make_campaign, organiser):
    contest = services.create_contest(organiser, services.ContestFacts(campaign_id=make_campaign().id, title="两轮"))
    db.session.commit()
    first = contest.rounds[0]
    assert organiser_client.post(f"/speech/setup/contests/{contest.id}/rounds/{first.id}/edit",
                                 data={"name": "初赛", "advance_count": "5"}).status_code == 400  # last round: no advance
    assert organiser_client.post(f"/speech/setup/contests/{contest.id}/rounds/new",
                                 data={"name": "决赛", "advance_count": "6"}).status_code == 302
    assert organiser_client.post(f"/speech/setup/contests/{contest.id}/rounds/{first.id}/edit",
                                 data={"name": "初赛", "advance_count": "8"}).status_code == 302
    db.session.expire_all()
    contest = db.session.get(SpeechContest, contest.id)
    assert [(r.position, r.name, r.advance_count) for r in contest.rounds] == [(1, "初赛", 8), (2, "决赛", None)]
    assert organiser_client.post(f"/speech/setup/contests/{contest.id}/rounds/{first.id}/delete").status_code == 302
    db.session.expire_all()
    assert len(db.session.get(SpeechContest, contest.id).rounds) == 2  # only the last round can go
    last = contest.rounds[1]
    organiser_client.post(f"/speech/setup/contests/{contest.id}/rounds/{last.id}/delete")
    db.session.expire_all()
    assert [(r.name, r.advance_count) for r in db.session.get(SpeechContest, contest.id).rounds] == [("初赛", None)]


def test_a_round_of_another_contest_is_404(organiser_client, make_contest):
    one, other = make_contest(contestants=1, judges=1), make_contest(contestants=1, judges=1)
    db.session.commit()
    url = f"/speech/setup/contests/{one.contest.id}/rounds/{other.round.id}/edit"
    assert organiser_client.get(url).status_code == 404


@pytest.mark.parametrize(("text", "seconds"), [("8:00", 480), ("7：30", 450), ("480", 480), ("", None), ("0:05", 5)])
def test_durations(text, seconds):
    assert services.parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["8:60", "8.5", "-1", "1:2", "abc"])
def test_malformed_durations(text):
    with pytest.raises(Problem):
        services.parse_duration(text)


def test_set_up_and_registration_register_through_init_app(app):
    from app.hooks import hooks_of

    hooks = hooks_of(app)
    orders = {item.endpoint: item.order for item in hooks.navigation}
    assert (orders["speech.setup.index"], orders["speech.registration.index"]) == (200, 201)
    assert "events/speech/registration/_home_section.html" in [section.template for section in hooks.home_sections]
    assert "events/speech/registration/_campaign_section.html" in [s.template for s in hooks.campaign_sections]
    assert str(hooks.action_labels["speech.entry.rejected"]) == "未通过演讲比赛报名"
    assert any(check.__module__ == "events.speech.registration_sections" for check in hooks.unit_deletion_checks)
