"""Attendance workbooks (app.common.xlsx: A4 print layout, formulas neutralised): the summary per unit
and branch with the rate's formula, the full list with status and time, the 未签到名单, and the 签到表
with a signature column that serves as the paper fallback."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.common.clock import to_local
from app.common.xlsx import OutColumn, Sheet, build_workbook
from events.checkin.models import CheckinEvent
from events.checkin.services import attendance_report as attendance

METHOD_LABELS = {"venue_code": _l("现场码"), "static_code": _l("固定码"), "member_code": _l("个人码"),
                 "manual": _l("手工"), "paper": _l("纸质")}


def method_label(method: str | None) -> str:
    return str(METHOD_LABELS[method]) if method in METHOD_LABELS else ""


def event_heading(event: CheckinEvent) -> str:
    """Title, type and local start time, printed at the top of every page."""
    return f"{event.title}（{event.type_label}）{to_local(event.starts_at):%Y-%m-%d %H:%M}"


def _summary_sheet(event: CheckinEvent, figures: attendance.Attendance) -> Sheet:
    columns = [OutColumn(_("单位")), OutColumn(_("支部")), *(OutColumn(label, "int") for label in (
        _("应到"), _("出席"), _("迟到"), _("请假"), _("公出"), _("缺席"), _("不计入"))), OutColumn(_("出勤率"), "percent")]

    def row(unit_name, branch_name, counts):
        return [unit_name, branch_name, counts.expected, counts.present, counts.late, counts.leave, counts.official,
                counts.absent, counts.exempt, counts.rate]

    rows = []
    for block in figures.units:
        rows.append(row(block.line.unit_name, "", block.line.counts))
        rows.extend(row("", line.branch_name, line.counts) for line in block.branches)
    rows.append(row(_("合计"), "", figures.total))
    rows.append([attendance.rate_formula()])
    if figures.quorum is not None:
        rows.append([_("正式党员到会 %(present)s / 应到 %(expected)s：%(label)s", present=figures.quorum.present,
                       expected=figures.quorum.expected, label=figures.quorum.label)])
        rows.append([attendance.quorum_formula()])
    return Sheet(_("汇总"), columns, rows, heading=event_heading(event))


def _people_sheet(title: str, event: CheckinEvent, people: list[attendance.Person], *, with_mobile: bool) -> Sheet:
    columns = [OutColumn(_("单位")), OutColumn(_("支部")), OutColumn(_("党小组")), OutColumn(_("姓名")),
               OutColumn(_("工号")), OutColumn(_("政治面貌")), OutColumn(_("状态")), OutColumn(_("签到时间"), "datetime"),
               OutColumn(_("方式")), OutColumn(_("原因"))]
    if with_mobile:
        columns.append(OutColumn(_("手机号")))
    rows = []
    for person in people:
        line = [person.unit_name, person.branch_name, person.group_name, person.name, person.staff_id,
                person.political_status, person.status_label, person.checked_at, method_label(person.method),
                person.reason]
        if with_mobile:
            line.append(person.mobile or "")
        rows.append(line)
    return Sheet(title, columns, rows, heading=event_heading(event))


def sign_in_sheet(event: CheckinEvent, people: list[attendance.Person]) -> Sheet:
    """签到表: one line per invitee with a blank signature column (portrait A4)."""
    columns = [OutColumn(_("序号"), "int"), OutColumn(_("姓名"), width=12), OutColumn(_("单位 / 支部"), width=30),
               OutColumn(_("请假 / 不计入原因"), width=22), OutColumn(_("签名"), width=18)]
    rows = []
    for number, person in enumerate(people, start=1):
        place = " / ".join(part for part in (person.unit_name, person.branch_name) if part)
        away = f"{person.status_label}：{person.reason}" if person.status in ("leave", "official", "exempt") else ""
        rows.append([number, person.name, place, away, ""])
    return Sheet(_("签到表"), columns, rows, heading=event_heading(event))


def attendance_workbook(event: CheckinEvent, *, unit_id: int | None = None) -> bytes:
    """汇总 · 全部名单 · 未签到名单 · 签到表 of one event (one unit's members for a liaison)."""
    figures = attendance.event_attendance(event, unit_id=unit_id)
    people = attendance.people(event, unit_id=unit_id)
    absent = [person for person in people if person.status == "absent"]
    return build_workbook([
        _summary_sheet(event, figures),
        _people_sheet(_("全部名单"), event, people, with_mobile=False),
        _people_sheet(_("未签到名单"), event, absent, with_mobile=True),
        sign_in_sheet(event, people),
    ])
