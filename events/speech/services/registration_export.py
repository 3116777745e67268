"""The registration list (报名名单) as a workbook sheet: its own download, and the 报名名单 sheet of
the contest workbook (events/speech/exports.py may reuse registration_sheet)."""
from __future__ import annotations

from flask_babel import gettext as _

from app.common.xlsx import OutColumn, Sheet, build_workbook
from events.speech.models import SpeechContest
from events.speech.services.registration import contest_entries


def status_label(status: str) -> str:
    """An entry status as people read it."""
    return {"registered": _("待审核"), "approved": _("已通过"), "rejected": _("未通过"),
            "withdrawn": _("已撤回")}.get(status, status)


def registration_sheet(contest: SpeechContest) -> Sheet:
    """Every entry, by unit then name: unit, name, staff ID, title, introduction, status, how it came,
    reason, manuscript, registered at."""
    columns = [OutColumn(_("序号"), "int"), OutColumn(_("单位")), OutColumn(_("姓名")), OutColumn(_("工号")),
               OutColumn(_("演讲题目")), OutColumn(_("个人简介"), width=40), OutColumn(_("状态")),
               OutColumn(_("报名方式")), OutColumn(_("未通过原因")), OutColumn(_("演讲稿")),
               OutColumn(_("报名时间"), "datetime")]
    rows = []
    for number, entry in enumerate(contest_entries(contest), start=1):
        rows.append([number, entry.unit.name, entry.member.name, entry.member.staff_id, entry.speech_title,
                     entry.introduction, status_label(entry.status),
                     _("个人申请") if entry.self_applied else _("单位报名"), entry.reject_reason or "",
                     entry.manuscript_name or "", entry.created_at])
    return Sheet(_("报名名单"), columns, rows, heading=_("%(title)s 报名名单", title=contest.title))


def registration_workbook(contest: SpeechContest) -> bytes:
    """The registration list alone, ready to print on A4."""
    return build_workbook([registration_sheet(contest)])
