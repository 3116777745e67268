"""情况通报: the weekly notice of a campaign's participation, as one object that the print page and the
.docx both render: the 截至 time, overall and per-figure figures, units above and below target, the
top of the composite ranking, and per unit who is still missing each required activity."""
from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import format_datetime
from flask_babel import gettext as _

from app.participation.figures import ActivityColumn, CampaignFigures, MemberStatus, UnitFigures
from app.participation.presenting import (
    percent_text,
    ranked_units,
    rate_text,
    required_columns,
    weighted_columns,
)

TOP_UNITS = 10
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass
class TargetLine:
    column: ActivityColumn
    rate: str
    above: list[UnitFigures]
    below: list[UnitFigures]


@dataclass
class MissingBlock:
    unit_name: str
    lines: list[tuple[str, list[str]]]  # (activity label, names)


@dataclass
class Notice:
    campaign_name: str
    title: str
    as_of: datetime
    overall: list[tuple[str, str, str]]  # (figure, rate with n, definition)
    targets: list[TargetLine]
    top: list[UnitFigures]
    weights: list[ActivityColumn]
    missing: list[MissingBlock] = field(default_factory=list)

    @property
    def weights_text(self) -> str:
        return "、".join(f"{column.label} {column.weight}" for column in self.weights)

    @property
    def as_of_text(self) -> str:
        return format_datetime(self.as_of, "yyyy年M月d日 HH:mm")


def build_notice(campaign, figures: CampaignFigures, members: Sequence[MemberStatus]) -> Notice:
    """The notice for `figures`; `members` are every member's statuses (the missing lists come from them)."""
    total = figures.total
    overall = [(_("应参与人数"), str(total.headcount), _("截至统计时点在册且未免计的人员")),
               (_("覆盖率"), rate_text(total.coverage), _("完成全部必选活动的人员比例")),
               (_("至少参与一项"), rate_text(total.any_one), _("至少参加了一项活动的人员比例"))]
    for column in figures.columns:
        overall.append((column.label, rate_text(total.figures.get(column.key)), column.definition))
    if total.attendance is not None:
        overall.append((_("签到出勤率"), rate_text(total.attendance), _("实到人次 ÷ 应到人次")))
    if total.quiz_average is not None:
        overall.append((_("答题平均分"), f"{total.quiz_average}", _("参赛人员最好成绩的平均分")))
    targets = []
    for column in figures.columns:
        if column.target_rate is None:
            continue
        measured = [unit for unit in figures.units if unit.figures.get(column.key) and
                    unit.figures[column.key].percent is not None]
        targets.append(TargetLine(
            column, percent_text(column.target_rate),
            above=[unit for unit in measured if column.key not in unit.below_target],
            below=[unit for unit in measured if column.key in unit.below_target]))
    missing = []
    required = required_columns(figures)
    by_unit: dict[str, list[MemberStatus]] = {}
    for member in members:
        if member.exempt_reason is None and member.missing_required:
            by_unit.setdefault(member.unit_name, []).append(member)
    for unit in figures.units:
        people = by_unit.get(unit.name)
        if not people:
            continue
        lines = [(column.label, [m.name for m in people if column.key in m.missing_required]) for column in required]
        missing.append(MissingBlock(unit.name, [line for line in lines if line[1]]))
    return Notice(
        campaign_name=campaign.name,
        title=_("关于%(campaign)s参与情况的通报", campaign=campaign.name),
        as_of=figures.as_of, overall=overall, targets=targets,
        top=[unit for unit in ranked_units(figures) if unit.rank is not None][:TOP_UNITS],
        weights=weighted_columns(figures), missing=missing)


def notice_docx(notice: Notice) -> bytes:
    """The notice as a Word document (A4, the same sections as the print page)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    from app.common.xlsx import xml_safe

    document = Document()

    def paragraph(text, style=None):  # stored text never breaks the document (XML), as in the workbook
        return document.add_paragraph(xml_safe(str(text)), style=style)
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.5))
    section.top_margin = section.bottom_margin = Cm(2.5)
    style = document.styles["Normal"]
    style.font.size = Pt(12)

    heading = document.add_heading(notice.title, level=1)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph(_("数据截至 %(time)s", time=notice.as_of_text)).alignment = WD_ALIGN_PARAGRAPH.CENTER

    document.add_heading(_("一、总体情况"), level=2)
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, (_("指标"), _("数值"), _("口径")), strict=True):
        cell.text = text
    for name, value, definition in notice.overall:
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = xml_safe(str(name)), value, xml_safe(str(definition))

    document.add_heading(_("二、达标情况"), level=2)
    if not notice.targets:
        paragraph(_("本次活动未设置目标参与率。"))
    for line in notice.targets:
        paragraph(_("%(label)s（目标 %(target)s）", label=line.column.label, target=line.rate),
                               style="List Bullet")
        paragraph(_("达标单位：%(names)s", names="、".join(u.name for u in line.above) or _("无")))
        paragraph(_("未达标单位：%(names)s", names="、".join(
            f"{u.name}（{percent_text(u.figures[line.column.key].percent)}）" for u in line.below) or _("无")))

    document.add_heading(_("三、综合排名前列的单位"), level=2)
    if notice.weights:
        paragraph(_("综合指数按权重计算：%(weights)s", weights=notice.weights_text))
    if notice.top:
        ranking = document.add_table(rows=1, cols=3)
        ranking.style = "Table Grid"
        for cell, text in zip(ranking.rows[0].cells, (_("名次"), _("单位"), _("综合指数")), strict=True):
            cell.text = text
        for unit in notice.top:
            cells = ranking.add_row().cells
            cells[0].text, cells[1].text, cells[2].text = str(unit.rank), xml_safe(unit.name), f"{unit.composite}"
    else:
        paragraph(_("暂无排名。"))

    document.add_heading(_("四、各单位尚未完成必选活动的人员"), level=2)
    if not notice.missing:
        paragraph(_("各单位在册人员均已完成必选活动。"))
    for block in notice.missing:
        paragraph(block.unit_name, style="List Bullet")
        for label, names in block.lines:
            paragraph(_("%(label)s（%(count)s 人）：%(names)s", label=label, count=len(names),
                                     names="、".join(names)))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def notice_filename(notice: Notice) -> str:
    return _("%(campaign)s参与情况通报_%(day)s.docx", campaign=notice.campaign_name,
             day=format_datetime(notice.as_of, "yyyyMMdd"))
