"""The input side's pages: who may open and change what, single and bulk decisions, and that the
liaison sees the decision."""
from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.participation import exemptions, offline
from app.participation.exemptions import ExemptionData
from app.participation.models import OfflineParticipation, ParticipationExemption
from app.participation.offline import OfflineData


def test_a_liaison_enters_an_exemption_for_their_unit_only(scene, client_for):
    client = client_for(scene.liaison_a)
    form = client.get("/participation/exemptions/new").get_data(as_text=True)
    assert 'value="A001"' in form and "B001" not in form  # the picker lists the own unit's members only
    data = {"staff_id": "B001", "kind": "sick_leave", "reason": "病休", "starts_on": scene.today.isoformat(),
            "ends_on": "", "campaign_id": 0}
    refused = client.post("/participation/exemptions/new", data=data)
    assert refused.status_code == 400 and "工号不在本单位的人员名册中" in refused.get_data(as_text=True)
    bad_dates = client.post("/participation/exemptions/new", data={
        **data, "staff_id": "A001", "ends_on": (scene.today - timedelta(days=1)).isoformat()})
    assert bad_dates.status_code == 400 and "结束日期不能早于开始日期" in bad_dates.get_data(as_text=True)
    done = client.post("/participation/exemptions/new", data={**data, "staff_id": "A001"}, follow_redirects=True)
    assert done.status_code == 200 and "已提交 张三 的免计申请" in done.get_data(as_text=True)
    exemption = db.session.scalars(sa.select(ParticipationExemption)).one()
    assert (exemption.user_id, exemption.campaign_id, exemption.status) == (scene.member_a.id, None, "pending")


def test_an_organiser_decides_one_or_many_and_the_liaison_sees_the_decision(scene, client_for):
    items = [exemptions.enter_exemption(scene.liaison_a, member, ExemptionData("posted_out", "外派", scene.today))
             for member in (scene.member_a, scene.other_a)]
    theirs = exemptions.enter_exemption(scene.liaison_b, scene.member_b, ExemptionData("other", "乙单位的", scene.today))
    db.session.commit()
    organiser = client_for(scene.organiser)
    listing = organiser.get("/participation/exemptions?status=pending").get_data(as_text=True)
    assert "张三" in listing and "王五" in listing
    organiser.post("/participation/exemptions/decide", data={"item_id": [items[0].id, items[1].id],
                                                              "decision": "approved", "note": ""})
    no_note = organiser.post("/participation/exemptions/decide", data={"single": f"{theirs.id}:rejected",
                                                                        "decision": "approved", "note": ""},
                             follow_redirects=True)
    assert "不通过时请填写审核意见" in no_note.get_data(as_text=True)
    organiser.post("/participation/exemptions/decide", data={"single": f"{theirs.id}:rejected",
                                                              "decision": "approved", "note": "请附证明"})
    db.session.expire_all()
    assert [db.session.get(ParticipationExemption, item.id).status for item in (*items, theirs)] == [
        "approved", "approved", "rejected"]
    liaison_b = client_for(scene.liaison_b).get("/participation/exemptions").get_data(as_text=True)
    assert "请附证明" in liaison_b and "未通过" in liaison_b and "组织者" in liaison_b and "张三" not in liaison_b


def test_liaisons_and_members_are_refused_what_is_not_theirs(scene, client_for):
    exemption = exemptions.enter_exemption(scene.liaison_b, scene.member_b, ExemptionData("other", "乙", scene.today))
    record = offline.enter_offline(scene.liaison_b, scene.campaign, [scene.member_b],
                                   OfflineData("quiz", scene.today, "written_quiz"))[0]
    db.session.commit()
    liaison_a = client_for(scene.liaison_a)
    assert liaison_a.get(f"/participation/exemptions/{exemption.id}/edit").status_code == 404
    assert liaison_a.post(f"/participation/exemptions/{exemption.id}/delete").status_code == 404
    assert liaison_a.get(f"/participation/offline/{record.id}/edit").status_code == 404
    assert liaison_a.post(f"/participation/offline/{record.id}/delete").status_code == 404
    assert liaison_a.post("/participation/offline/decide", data={"item_id": record.id,
                                                                 "decision": "approved"}).status_code == 403
    assert "王五" not in liaison_a.get("/participation/offline").get_data(as_text=True)
    member = client_for(scene.member_a)
    for url in ("/participation/exemptions", "/participation/offline", "/participation/offline/new",
                "/participation/offline/import"):
        assert member.get(url).status_code == 403
    db.session.expire_all()
    assert db.session.get(OfflineParticipation, record.id).status == "pending"


def test_a_liaison_enters_offline_participation_for_members_picked_from_the_roster(scene, client_for):
    client = client_for(scene.liaison_a)
    form = client.get("/participation/offline/new").get_data(as_text=True)
    assert "张三" in form and "李四" in form and "王五" not in form
    data = {"campaign_id": scene.campaign.id, "key": "quiz", "took_part_on": scene.today.isoformat(),
            "source": "written_quiz", "note": "书面答卷 2 份", "members": [scene.member_a.id, scene.other_a.id]}
    done = client.post("/participation/offline/new", data=data, follow_redirects=True)
    assert "已录入 2 人的线下参与" in done.get_data(as_text=True)
    # A member of another unit sent by hand is not among the choices: the form refuses it.
    sneaky = client.post("/participation/offline/new", data={**data, "key": "checkin", "members": [scene.member_b.id]})
    assert sneaky.status_code == 400
    assert {item.user_id for item in db.session.scalars(sa.select(OfflineParticipation))} == {
        scene.member_a.id, scene.other_a.id}


def test_editing_an_approved_record_sends_it_back_to_pending(scene, client_for):
    record = offline.enter_offline(scene.liaison_a, scene.campaign, [scene.member_a],
                                   OfflineData("quiz", scene.today, "written_quiz"))[0]
    offline.decide_offline(scene.organiser, [record], "approved")
    db.session.commit()
    client = client_for(scene.liaison_a)
    page = client.get(f"/participation/offline/{record.id}/edit").get_data(as_text=True)
    assert "保存后记录将重新等待审核" in page and "只能由组织者撤销" in page
    client.post(f"/participation/offline/{record.id}/edit", data={
        "key": "quiz", "took_part_on": (scene.today - timedelta(days=1)).isoformat(), "source": "other", "note": "改期"})
    db.session.expire_all()
    record = db.session.get(OfflineParticipation, record.id)
    assert (record.status, record.source, record.decided_at) == ("pending", "other", None)


def test_the_lists_do_not_grow_queries_with_records(scene, client_for, count_queries, make_user):
    client = client_for(scene.organiser)

    def queries() -> int:
        with count_queries() as counter:
            assert client.get("/participation/offline").status_code == 200
        return counter.count

    first = offline.enter_offline(scene.organiser, scene.campaign, [make_user(unit=scene.unit_b)],
                                  OfflineData("quiz", scene.today, "written_quiz"))
    offline.decide_offline(scene.organiser, first, "approved")
    db.session.commit()
    few = queries()
    members = [make_user(unit=scene.unit_b) for _ in range(8)]
    offline.enter_offline(scene.organiser, scene.campaign, members, OfflineData("quiz", scene.today, "written_quiz"))
    offline.decide_offline(scene.organiser, db.session.scalars(sa.select(OfflineParticipation)).all(), "approved")
    db.session.commit()
    assert queries() == few
