"""Importing contestants from .xlsx: header by name, all-or-nothing, every problem with its row and
column, the quota across the file, the page showing the problems."""
import io

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.common.xlsx import ImportFailed
from app.extensions import db
from events.speech.models import SpeechEntry
from events.speech.services import registration as rules
from events.speech.services.registration_import import import_entries
from events.speech.services.setup import ContestFacts, create_contest


@pytest.fixture
def setting(make_campaign, make_unit, make_member, organiser):
    campaign = make_campaign()
    contest = create_contest(organiser, ContestFacts(campaign_id=campaign.id, title="导入演讲比赛", quota_per_unit=2))
    unit_a, unit_b = make_unit("市委办公室"), make_unit("市财政局")
    members = [make_member(unit=unit_a, name="王一", staff_id="A001"), make_member(unit=unit_a, name="王二", staff_id="A002"),
               make_member(unit=unit_a, name="王三", staff_id="A003"), make_member(unit=unit_b, name="钱一", staff_id="B001")]
    db.session.commit()
    return contest, members


def count_entries() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(SpeechEntry))


def test_rows_become_approved_entries_with_seats(setting, xlsx, organiser):
    contest, members = setting
    workbook = xlsx([["演讲题目", "工号", "姓名", "备注"], ["青春", "A001", "王一", "多余列"], ["奋斗", "B001", "", ""]],
                    title_rows=["选手名单"])
    result = import_entries(contest, io.BytesIO(workbook), actor=organiser)
    assert result.total == 2
    entries = {entry.member_id: entry for entry in db.session.scalars(sa.select(SpeechEntry))}
    assert entries[members[0].id].status == "approved" and entries[members[0].id].speech_title == "青春"
    assert entries[members[3].id].unit_seat == 1


def test_any_problem_imports_nothing_and_every_problem_is_listed(setting, xlsx, organiser):
    contest, members = setting
    rules.register(contest, members[1], actor=organiser, speech_title="已报")
    db.session.commit()
    workbook = xlsx([["工号", "姓名", "演讲题目"],
                     ["A001", "王一", "好题目"],     # fine
                     ["A001", "王一", "重复"],       # repeated in the file
                     ["Z999", "", "无此人"],          # unknown staff ID
                     ["A003", "张三", "名字不对"],    # other name
                     ["A002", "", "已经报名"],        # already registered
                     ["B001", "", ""]])             # title missing
    with pytest.raises(ImportFailed) as failed:
        import_entries(contest, io.BytesIO(workbook), actor=organiser)
    db.session.rollback()
    found = {(problem.row, problem.column) for problem in failed.value.problems}
    assert {(2, "工号"), (3, "工号"), (4, "工号"), (5, "姓名"), (6, "工号"), (7, "演讲题目")} <= found
    assert count_entries() == 1


def test_the_quota_holds_across_the_file(setting, xlsx, organiser):
    contest, _members = setting
    workbook = xlsx([["工号", "演讲题目"], ["A001", "一"], ["A002", "二"], ["A003", "三"]])
    with pytest.raises(ImportFailed) as failed:
        import_entries(contest, io.BytesIO(workbook), actor=organiser)
    db.session.rollback()
    messages = [str(problem) for problem in failed.value.problems]
    assert len(messages) == 3 and all("超过每单位 2 人的名额" in message for message in messages)
    assert count_entries() == 0


def test_a_missing_header_is_named(setting, xlsx, organiser):
    contest, _members = setting
    with pytest.raises(ImportFailed, match="problem") as failed:
        import_entries(contest, io.BytesIO(xlsx([["姓名", "题目"], ["王一", "x"]])), actor=organiser)
    assert "工号" in str(failed.value.problems[0])


def test_the_import_page_lists_problems_and_the_template_downloads(setting, xlsx, organiser_client):
    contest, _members = setting
    response = organiser_client.post(f"/speech/registration/contests/{contest.id}/import",
                                     data={"file": (io.BytesIO(xlsx([["工号", "演讲题目"], ["Z999", "x"]])), "名单.xlsx")},
                                     content_type="multipart/form-data")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "没有导入任何数据" in text and "找不到工号 Z999 的人员" in text
    template = organiser_client.get(f"/speech/registration/contests/{contest.id}/import/template")
    headers = next(load_workbook(io.BytesIO(template.data)).worksheets[0].iter_rows(values_only=True))
    assert headers[:3] == ("工号 *", "姓名", "演讲题目 *")
    ok = organiser_client.post(f"/speech/registration/contests/{contest.id}/import",
                               data={"file": (io.BytesIO(xlsx([["工号", "演讲题目"], ["A001", "x"]])), "名单.xlsx")},
                               content_type="multipart/form-data")
    assert ok.status_code == 302 and count_entries() == 1
