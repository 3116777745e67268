"""The input side's rules without HTTP: the approval lifecycles, what the engine's selects return, and
that a liaison cannot touch another unit."""
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.audit.models import AuditEntry
from app.common.clock import from_local
from app.extensions import db
from app.participation import exemptions, offline
from app.participation.exemptions import ExemptionData, InputProblem, approved_exemptions_select
from app.participation.models import OfflineParticipation, ParticipationExemption
from app.participation.offline import OfflineData, approved_offline_select


def rows(select):
    return [tuple(row) for row in db.session.execute(select).all()]


def actions():
    return [entry.action for entry in db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))]


# ---------------------------------------------------------------- exemptions

def test_exemption_counts_only_once_approved_and_within_its_span(scene):
    start, end = scene.today - timedelta(days=10), scene.today + timedelta(days=10)
    exemption = exemptions.enter_exemption(scene.liaison_a, scene.member_a, ExemptionData(
        "sick_leave", "  长期病休  手术后康复 ", start, end, scene.campaign.id))
    db.session.commit()
    assert exemption.status == "pending" and exemption.reason == "长期病休 手术后康复"
    assert rows(approved_exemptions_select(scene.campaign)) == []

    with pytest.raises(InputProblem):
        exemptions.decide_exemptions(scene.organiser, [exemption], "rejected", "")  # a rejection needs a note
    assert exemptions.decide_exemptions(scene.organiser, [exemption], "approved") == 1
    db.session.commit()
    assert rows(approved_exemptions_select(scene.campaign)) == [(scene.member_a.id, "长期病休 手术后康复", "sick_leave")]
    noon = from_local(datetime.combine(scene.today, datetime.min.time()))
    assert rows(approved_exemptions_select(scene.campaign, noon))[0][0] == scene.member_a.id
    assert rows(approved_exemptions_select(scene.campaign, start - timedelta(days=1))) == []
    assert rows(approved_exemptions_select(scene.campaign, end + timedelta(days=1))) == []
    assert rows(approved_exemptions_select(scene.campaign, end))[0][0] == scene.member_a.id
    # The member stays on the roster, active.
    db.session.refresh(scene.member_a)
    assert scene.member_a.active and scene.member_a.unit_id == scene.unit_a.id

    exemptions.update_exemption(scene.liaison_a, exemption, ExemptionData("posted_out", "外派新疆", start, None,
                                                                          scene.campaign.id))
    db.session.commit()
    assert exemption.status == "pending" and exemption.decided_at is None
    assert rows(approved_exemptions_select(scene.campaign)) == []
    exemptions.decide_exemptions(scene.organiser, [exemption], "rejected", "材料不全")
    db.session.commit()
    assert rows(approved_exemptions_select(scene.campaign)) == []
    assert exemption.decision_note == "材料不全" and exemption.decided_by_id == scene.organiser.id
    assert actions() == ["participation.exemption.entered", "participation.exemption.approved",
                         "participation.exemption.updated", "participation.exemption.rejected"]


def test_an_exemption_for_every_campaign_covers_each_and_one_for_a_campaign_only_that_one(scene, make_campaign):
    other = make_campaign("另一专项活动", scene.campaign.starts_on, scene.campaign.ends_on)
    every = exemptions.enter_exemption(scene.organiser, scene.member_a, ExemptionData(
        "mobile_member", "流动党员", scene.today - timedelta(days=5)))
    only = exemptions.enter_exemption(scene.liaison_b, scene.member_b, ExemptionData(
        "other", "脱产学习", scene.today - timedelta(days=5), None, scene.campaign.id))
    exemptions.decide_exemptions(scene.organiser, [every, only], "approved")
    db.session.commit()
    assert {row[0] for row in rows(approved_exemptions_select(scene.campaign))} == {scene.member_a.id,
                                                                                    scene.member_b.id}
    assert {row[0] for row in rows(approved_exemptions_select(other))} == {scene.member_a.id}


def test_two_covering_exemptions_give_one_row(scene, make_campaign):
    first = exemptions.enter_exemption(scene.organiser, scene.member_a, ExemptionData(
        "sick_leave", "病休", scene.today - timedelta(days=20), scene.today - timedelta(days=15), scene.campaign.id))
    second = exemptions.enter_exemption(scene.organiser, scene.member_a, ExemptionData(
        "posted_out", "外派", scene.today - timedelta(days=3), None, scene.campaign.id))
    exemptions.decide_exemptions(scene.organiser, [first, second], "approved")
    db.session.commit()
    # Overlapping ones are refused on entry; touching the data directly, the latest-starting one wins.
    first.ends_on = None
    db.session.commit()
    assert rows(approved_exemptions_select(scene.campaign)) == [(scene.member_a.id, "外派", "posted_out")]


def test_a_liaison_cannot_touch_another_unit(scene):
    data = ExemptionData("sick_leave", "病休", scene.today)
    with pytest.raises(InputProblem):
        exemptions.enter_exemption(scene.liaison_a, scene.member_b, data)
    theirs = exemptions.enter_exemption(scene.liaison_b, scene.member_b, data)
    db.session.commit()
    assert exemptions.get_visible(scene.liaison_a, theirs.id) is None
    assert exemptions.get_visible(scene.liaison_b, theirs.id) is theirs
    with pytest.raises(InputProblem):
        exemptions.update_exemption(scene.liaison_a, theirs, data)
    with pytest.raises(InputProblem):
        exemptions.delete_exemption(scene.liaison_a, theirs)
    with pytest.raises(InputProblem):
        exemptions.decide_exemptions(scene.liaison_b, [theirs], "approved")  # liaisons do not decide
    listed = db.session.scalars(exemptions.exemption_query(scene.liaison_a, exemptions.InputFilters())).all()
    assert listed == []


def test_exemption_checks(scene):
    with pytest.raises(InputProblem, match="结束日期"):
        exemptions.enter_exemption(scene.liaison_a, scene.member_a, ExemptionData(
            "sick_leave", "病休", scene.today, scene.today - timedelta(days=1)))
    with pytest.raises(InputProblem, match="原因"):
        exemptions.enter_exemption(scene.liaison_a, scene.member_a, ExemptionData("sick_leave", "  ", scene.today))
    exemptions.enter_exemption(scene.liaison_a, scene.member_a, ExemptionData("sick_leave", "病休", scene.today))
    with pytest.raises(InputProblem, match="已有"):
        exemptions.enter_exemption(scene.liaison_a, scene.member_a, ExemptionData(
            "other", "另一个", scene.today + timedelta(days=3), None, scene.campaign.id))


def test_a_liaison_withdraws_pending_but_not_approved(scene):
    exemption = exemptions.enter_exemption(scene.liaison_a, scene.member_a, ExemptionData("other", "事由", scene.today))
    exemptions.decide_exemptions(scene.organiser, [exemption], "approved")
    db.session.commit()
    with pytest.raises(InputProblem):
        exemptions.delete_exemption(scene.liaison_a, exemption)
    exemptions.delete_exemption(scene.organiser, exemption)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(ParticipationExemption.id))) == 0


def test_the_database_refuses_a_span_that_ends_before_it_starts_and_unknown_statuses(scene):
    db.session.add(ParticipationExemption(user_id=scene.member_a.id, kind="other", reason="x", starts_on=scene.today,
                                          ends_on=scene.today - timedelta(days=1), status="pending"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add(ParticipationExemption(user_id=scene.member_a.id, kind="other", reason="x", starts_on=scene.today,
                                          status="maybe"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


# ---------------------------------------------------------------- offline participation

def quiz_on(day, note=""):
    return OfflineData("quiz", day, "written_quiz", note)


def test_offline_counts_only_once_approved_with_the_unit_and_noon_of_its_day(scene):
    day = scene.today - timedelta(days=2)
    entered = offline.enter_offline(scene.liaison_a, scene.campaign, [scene.member_a, scene.other_a], quiz_on(day))
    db.session.commit()
    assert [item.status for item in entered] == ["pending", "pending"]
    assert rows(approved_offline_select(scene.campaign)) == []
    offline.decide_offline(scene.organiser, entered[:1], "approved")
    offline.decide_offline(scene.organiser, entered[1:], "rejected", "签到表看不清")
    db.session.commit()
    noon_utc = datetime.combine(day, datetime.min.time()).replace(hour=4)  # 12:00 in Shanghai
    assert rows(approved_offline_select(scene.campaign)) == [("quiz", scene.member_a.id, scene.unit_a.id, noon_utc, "written_quiz")]

    # Editing an approved record sends it back to pending: it stops counting.
    offline.update_offline(scene.liaison_a, entered[0], OfflineData("checkin", day, "paper_sheet", "补录"))
    db.session.commit()
    assert entered[0].status == "pending" and entered[0].decided_by_id is None
    assert rows(approved_offline_select(scene.campaign)) == []
    assert actions().count("participation.offline.entered") == 2
    assert actions()[-1] == "participation.offline.updated"


def test_offline_records_outside_the_campaign_never_count(scene):
    item = offline.enter_offline(scene.organiser, scene.campaign, [scene.member_a], quiz_on(scene.today))[0]
    offline.decide_offline(scene.organiser, [item], "approved")
    db.session.commit()
    assert len(rows(approved_offline_select(scene.campaign))) == 1
    scene.campaign.starts_on = scene.today + timedelta(days=1)  # the campaign's dates moved afterwards
    scene.campaign.ends_on = scene.today + timedelta(days=20)
    db.session.commit()
    assert rows(approved_offline_select(scene.campaign)) == []


def test_offline_checks(scene):
    with pytest.raises(InputProblem, match="专项活动期间"):
        offline.enter_offline(scene.liaison_a, scene.campaign, [scene.member_a],
                              quiz_on(scene.campaign.starts_on - timedelta(days=1)))
    with pytest.raises(InputProblem, match="晚于今天"):
        offline.enter_offline(scene.liaison_a, scene.campaign, [scene.member_a], quiz_on(scene.today + timedelta(days=1)))
    with pytest.raises(InputProblem, match="活动"):
        offline.enter_offline(scene.liaison_a, scene.campaign, [scene.member_a],
                              OfflineData("nonsense", scene.today, "written_quiz"))
    with pytest.raises(InputProblem, match="王五"):
        offline.enter_offline(scene.liaison_a, scene.campaign, [scene.member_a, scene.member_b], quiz_on(scene.today))
    assert db.session.scalar(sa.select(sa.func.count(OfflineParticipation.id))) == 0


def test_one_record_per_activity_and_member_a_rejected_one_may_be_entered_again(scene):
    first = offline.enter_offline(scene.liaison_a, scene.campaign, [scene.member_a], quiz_on(scene.today))[0]
    db.session.commit()
    with pytest.raises(InputProblem, match="张三"):
        offline.enter_offline(scene.liaison_a, scene.campaign, [scene.member_a], quiz_on(scene.today))
    offline.decide_offline(scene.organiser, [first], "rejected", "无签名")
    again = offline.enter_offline(scene.liaison_a, scene.campaign, [scene.member_a], quiz_on(scene.today, "已补签"))[0]
    db.session.commit()
    assert again.id == first.id and again.status == "pending" and again.note == "已补签" and again.decision_note == ""
    db.session.add(OfflineParticipation(campaign_id=scene.campaign.id, provider_key="quiz", user_id=scene.member_a.id,
                                        took_part_on=scene.today, took_part_at=datetime(2026, 1, 1), source="other"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_liaison_cannot_touch_another_units_offline_records(scene):
    theirs = offline.enter_offline(scene.liaison_b, scene.campaign, [scene.member_b], quiz_on(scene.today))[0]
    db.session.commit()
    assert offline.get_visible(scene.liaison_a, theirs.id) is None
    with pytest.raises(InputProblem):
        offline.update_offline(scene.liaison_a, theirs, quiz_on(scene.today))
    with pytest.raises(InputProblem):
        offline.delete_offline(scene.liaison_a, theirs)
    with pytest.raises(InputProblem):
        offline.decide_offline(scene.liaison_b, [theirs], "approved")
    assert db.session.scalars(offline.offline_query(scene.liaison_a, offline.OfflineFilters())).all() == []
    assert db.session.scalars(offline.offline_query(scene.liaison_b, offline.OfflineFilters())).all() == [theirs]


def test_an_inactive_member_is_refused(scene):
    scene.other_a.active = False
    db.session.commit()
    with pytest.raises(InputProblem, match="李四"):
        offline.enter_offline(scene.liaison_a, scene.campaign, [scene.other_a], quiz_on(scene.today))
