"""The offline-participation import: the roster import's rules (headers by name, all or nothing, every
problem with its row and column in Chinese), members by 工号, another unit's member refused."""
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.audit.models import AuditEntry
from app.common.xlsx import ImportFailed
from app.extensions import db
from app.participation.models import OfflineParticipation
from app.participation.offline_import import import_offline

HEADER = ["姓名", "工号", "活动", "参与日期", "来源", "备注"]


def records():
    return db.session.scalars(sa.select(OfflineParticipation).order_by(OfflineParticipation.id)).all()


def test_a_good_file_enters_pending_records(scene, xlsx):
    day = scene.today - timedelta(days=3)
    content = xlsx([HEADER,
                    ["张三", "A001", "知识竞赛", day.strftime("%Y/%m/%d"), "书面答题", "第一次书面答题"],
                    ["李 四", "A002", "会议签到", day, "纸质签到表", None],
                    [None, "A001", "", f"{day.year}年{day.month}月{day.day}日", None, ""]],
                   title_rows=["甲单位线下参与登记"])
    result = import_offline(content, scene.campaign, actor=scene.liaison_a, default_key="exhibition_submitted",
                            filename="登记表.xlsx")
    db.session.commit()
    assert (result.created, result.reentered) == (3, 0)
    got = [(item.user_id, item.provider_key, item.source, item.took_part_on, item.status, item.unit_id)
           for item in records()]
    assert got == [(scene.member_a.id, "quiz", "written_quiz", day, "pending", scene.unit_a.id),
                   (scene.other_a.id, "checkin", "paper_sheet", day, "pending", scene.unit_a.id),
                   (scene.member_a.id, "exhibition_submitted", "written_quiz", day, "pending", scene.unit_a.id)]
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "participation.offline.imported")).one()
    assert entry.details["created"] == 3 and entry.details["filename"] == "登记表.xlsx"


def test_a_bad_file_lists_every_problem_by_row_and_column_and_saves_nothing(scene, xlsx):
    day = scene.today - timedelta(days=1)
    content = xlsx([HEADER,
                    ["张三", "A001", "知识竞赛", day, "书面答题", ""],          # fine on its own
                    ["张三", "A001", "知识竞赛", day, "", ""],                  # the same member and activity again
                    ["赵六", "A002", "知识竞赛", day, "", ""],                  # name differs from the roster
                    ["", "Z999", "知识竞赛", day, "", ""],                      # not on the roster
                    ["", "A002", "跳绳", "明天", "口头", ""],                   # unknown activity, bad date, bad source
                    ["", "A002", "会议签到", scene.campaign.ends_on + timedelta(days=1), "", ""]])
    with pytest.raises(ImportFailed) as failure:
        import_offline(content, scene.campaign, actor=scene.liaison_a)
    problems = {(problem.row, problem.column): problem.message for problem in failure.value.problems}
    assert "重复" in problems[(2, "工号")] and "重复" in problems[(3, "工号")]
    assert "李四" in problems[(4, "姓名")]
    assert "Z999" in problems[(5, "工号")]
    assert "跳绳" in problems[(6, "活动")] and "日期" in problems[(6, "参与日期")] and "口头" in problems[(6, "来源")]
    assert "专项活动期间" in problems[(7, "参与日期")]
    assert str(failure.value.problems[0]).startswith("第 2 行「工号」列")
    db.session.rollback()
    assert records() == []


def test_a_liaison_cannot_import_another_units_member(scene, xlsx):
    content = xlsx([HEADER, ["张三", "A001", "知识竞赛", scene.today, "", ""],
                    ["王五", "B001", "知识竞赛", scene.today, "", ""]])
    with pytest.raises(ImportFailed) as failure:
        import_offline(content, scene.campaign, actor=scene.liaison_a)
    [problem] = failure.value.problems
    assert (problem.row, problem.column) == (3, "工号") and "乙单位" in problem.message and "不是本单位" in problem.message
    db.session.rollback()
    assert records() == []
    result = import_offline(content, scene.campaign, actor=scene.organiser)  # organisers import for any unit
    assert result.created == 2


def test_a_missing_header_and_an_existing_record_are_refused(scene, xlsx):
    with pytest.raises(ImportFailed) as failure:
        import_offline(xlsx([["姓名", "活动"], ["张三", "知识竞赛"]]), scene.campaign, actor=scene.liaison_a)
    assert "工号" in failure.value.problems[0].message and "参与日期" in failure.value.problems[0].message
    content = xlsx([HEADER, ["张三", "A001", "知识竞赛", scene.today, "", ""]])
    import_offline(content, scene.campaign, actor=scene.liaison_a)
    db.session.commit()
    with pytest.raises(ImportFailed) as failure:
        import_offline(content, scene.campaign, actor=scene.liaison_a)
    assert "已有该活动" in failure.value.problems[0].message


def test_the_import_page_and_its_template(scene, client_for, xlsx):
    client = client_for(scene.liaison_a)
    template = client.get("/participation/offline/import/template")
    assert template.status_code == 200
    sheet = load_workbook(io.BytesIO(template.data)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == ["工号 *", "姓名", "活动", "参与日期 *", "来源", "备注"]
    bad = xlsx([HEADER, ["王五", "B001", "知识竞赛", scene.today, "", ""]])
    response = client.post("/participation/offline/import", data={
        "campaign_id": scene.campaign.id, "key": "", "source": "written_quiz",
        "file": (io.BytesIO(bad), "登记.xlsx")}, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "没有导入任何数据" in page and "不是本单位人员" in page
    good = xlsx([HEADER, ["张三", "A001", "知识竞赛", scene.today, "", ""]])
    response = client.post("/participation/offline/import", data={
        "campaign_id": scene.campaign.id, "key": "", "source": "paper_sheet",
        "file": (io.BytesIO(good), "登记.xlsx")}, content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 200 and "已导入 1 条" in response.get_data(as_text=True)
    assert [(item.user_id, item.source) for item in records()] == [(scene.member_a.id, "paper_sheet")]
