"""The workbook and the 情况通报 .docx, from hand-made result objects: every figure where it belongs."""
import io

from docx import Document
from openpyxl import load_workbook

from app.participation.exports import participation_workbook
from app.participation.notice import build_notice, notice_docx
from tests.participation.pages_helpers import CAMPAIGN, sample_exempt, sample_figures, sample_members


def test_workbook_sheets_and_figures(app):
    with app.test_request_context():
        content = participation_workbook(CAMPAIGN, sample_figures(), sample_members(), sample_exempt())
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["单位汇总", "知识竞赛", "演讲比赛·已报名", "会议签到", "未参与名单", "免计名单"]
    summary = list(book["单位汇总"].iter_rows(values_only=True))
    assert summary[0][0] == "单位（参与记入参与时所在单位）"
    assert "参与情况记入参与时所在单位" in book["单位汇总"].oddHeader.center.text
    header = summary[0]
    jia = dict(zip(header, summary[1], strict=True))
    assert jia["应参与人数"] == 10 and jia["免计人数"] == 1
    assert jia["知识竞赛·人数"] == 8 and jia["知识竞赛·参与率"] == 0.8
    assert jia["覆盖人数"] == 5 and jia["覆盖率"] == 0.5 and jia["名次"] == 1
    branch = dict(zip(header, summary[2], strict=True))
    assert branch["支部"] == "甲单位第一支部" and branch["应参与人数"] == 4 and branch["名次"] is None
    yi = dict(zip(header, summary[3], strict=True))
    assert yi["未达目标"] == "知识竞赛、会议签到"
    bing = dict(zip(header, summary[4], strict=True))
    assert bing["应参与人数"] == 0 and bing["覆盖率"] is None
    total = dict(zip(header, summary[-1], strict=True))
    assert total["单位（参与记入参与时所在单位）"] == "合计" and total["应参与人数"] == 14
    quiz = list(book["知识竞赛"].iter_rows(values_only=True))
    assert quiz[1] == ("甲单位", None, 10, 8, 2, 0.8, 0.7, "达标")
    assert quiz[3][0] == "乙单位<b>" and quiz[3][-1] == "未达标"
    missing = list(book["未参与名单"].iter_rows(values_only=True))
    assert missing[0] == ("单位", "支部", "姓名", "工号", "手机号", "未完成")
    assert ("甲单位", "甲单位第一支部", "王五", "S0003", "13800000000", "知识竞赛、会议签到") in missing
    assert "张三" not in [row[2] for row in missing]  # did every required activity
    assert "'=HYPERLINK(\"x\")" in [row[2] for row in missing]  # neutralised, not a formula
    exempt = list(book["免计名单"].iter_rows(values_only=True))
    assert exempt[1] == ("甲单位", "甲单位第一支部", "钱七", "S0006", "长期病休：住院治疗")
    assert book["单位汇总"].page_setup.paperSize == 9


def test_notice_docx_holds_every_section(app):
    with app.test_request_context():
        notice = build_notice(CAMPAIGN, sample_figures(), sample_members() + sample_exempt())
        content = notice_docx(notice)
    document = Document(io.BytesIO(content))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    cells = "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
    assert "关于解放思想大讨论活动参与情况的通报" in text
    assert "数据截至 2026年3月10日 10:30" in text
    assert "覆盖率" in cells and "42.9%（6/14）" in cells  # overall coverage with its n
    assert "知识竞赛" in cells and "71.4%（10/14）" in cells
    assert "达标单位：甲单位" in text and "未达标单位：乙单位<b>（50.0%）" in text
    ranking = document.tables[1]
    assert [cell.text for cell in ranking.rows[1].cells] == ["1", "甲单位", "71.50"]
    assert "综合指数按权重计算：知识竞赛 2、演讲比赛·已报名 1、会议签到 1" in text
    assert "会议签到（3 人）：李四、王五、赵六" in text
    assert "钱七" not in text  # exempt members are not chased
    assert abs(document.sections[0].page_width.cm - 21) < 0.01
