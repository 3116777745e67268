"""The workbook of a speech contest round: 成绩排名, 评分明细, 抽签顺序, 报名名单.

成绩排名 is the latest published version (its number and time in every row and in the heading), or
the provisional standings labelled 暂定 before the first publication. 评分明细 lists every sheet as
stored now (each judge's score per criterion, the struck marks, who entered it, from where and when),
the recused and absent judges and each deduction with its reason. Every sheet prints on A4 (landscape
when wide, fit to width, header row repeated) with the contest, round, version and export time at the
top (app.common.xlsx).
"""
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.common.clock import to_local, utcnow
from app.common.xlsx import OutColumn, Sheet, build_workbook
from app.extensions import db
from events.judging.rules import HIGH
from events.speech.models import SpeechEntry, SpeechRound
from events.speech.services import results as services
from events.speech.settings import criteria_of


def entry_status_label(status: str) -> str:
    """A registration's status as the lists show it."""
    return {"registered": _("待审核"), "approved": _("已通过"), "rejected": _("已退回"),
            "withdrawn": _("已撤回")}.get(status, status)


def slot_status_label(status: str) -> str:
    """A slot's status in the running order."""
    return {"waiting": _("待上场"), "on_stage": _("比赛中"), "done": _("已完成"),
            "no_show": _("弃权/缺席")}.get(status, status)


def _stamp(moment) -> str:
    return to_local(moment).strftime("%Y-%m-%d %H:%M")


def version_label(version) -> str:
    """第 2 版（公示，2026-05-20 10:00 发布） · 第 2 版（最终） · 暂定（未发布）."""
    if version is None:
        return _("暂定（未发布）")
    if version.status == "final":
        return _("第 %(n)s 版（最终，%(time)s 确定）", n=version.version, time=_stamp(version.finalised_at))
    return _("第 %(n)s 版（公示，%(time)s 发布）", n=version.version, time=_stamp(version.published_at))


def round_workbook(round_: SpeechRound) -> bytes:
    """The .xlsx of one round: ranking, every sheet, the running order and the contest's registrations."""
    contest = round_.contest
    standings = services.provisional_standings(round_)
    latest = services.latest_version(round_)
    rows = latest.standings if latest is not None else standings.rows
    label = version_label(latest)
    exported = _("导出于 %(time)s", time=_stamp(utcnow()))
    stale = latest is not None and not services.matches_panels(latest, standings)
    sheets = [
        _ranking_sheet(rows, standings, label),
        _detail_sheet(round_, standings),
        _order_sheet(round_, standings),
        _entries_sheet(contest),
    ]
    for sheet in sheets:
        parts = [contest.title, round_.name, sheet.title, label, exported]
        if stale and sheet.title == _("评分明细"):
            parts.insert(4, _("当前评分与已发布版本不一致"))
        sheet.heading = " · ".join(parts)
    return build_workbook(sheets)


def export_filename(round_: SpeechRound) -> str:
    """The download name, e.g. 演讲比赛-决赛-成绩.xlsx."""
    title = "".join(char for char in f"{round_.contest.title}-{round_.name}" if char not in '\\/:*?"<>|').strip()
    return f"{title or 'speech'}-{_('成绩')}.xlsx"


def _ranking_sheet(rows: list[dict], standings, label: str) -> Sheet:
    out = [(row["rank"], row["position"], row["name"], row["unit"], row["title"], row["score"], row["award"] or "",
            "、".join(row.get("criterion_awards") or ()), label) for row in rows]
    for item in standings.open:
        facts = services.contestant_facts(item.slot)
        out.append((None, facts["position"], facts["name"], facts["unit"], facts["title"], _("评分未完成"), "", "", label))
    for slot in standings.no_shows:
        facts = services.contestant_facts(slot)
        out.append((None, facts["position"], facts["name"], facts["unit"], facts["title"],
                    slot.no_show_reason or _("弃权/缺席"), "", "", label))
    return Sheet(_("成绩排名"), [
        OutColumn(_("名次"), "int"), OutColumn(_("出场顺序"), "int"), OutColumn(_("选手")), OutColumn(_("单位")),
        OutColumn(_("演讲题目"), width=30), OutColumn(_("最终得分")), OutColumn(_("奖项")), OutColumn(_("单项奖")),
        OutColumn(_("版本"), width=34),
    ], out)


def _struck_text(line: dict | None) -> str:
    if not line:
        return ""
    if line.get("struck"):
        return _("去掉最高分") if line["struck"] == HIGH else _("去掉最低分")
    marks = [(_("%(criterion)s最高", criterion=name) if side == HIGH else _("%(criterion)s最低", criterion=name))
             for name, side in (line.get("struck_in") or {}).items()]
    return "、".join(marks)


def _detail_sheet(round_: SpeechRound, standings) -> Sheet:
    panel = standings.panel
    criteria = criteria_of(round_.contest)
    row_by_slot = {row["slot_id"]: row for row in standings.rows}
    enterers = {user.id: user.name for user in db.session.scalars(
        sa.select(User).where(User.id.in_({sheet.entered_by_id for sheet in panel.sheets.values()
                                           if sheet.entered_by_id})))} if panel.sheets else {}
    out = []
    for slot in panel.slots:
        facts = services.contestant_facts(slot)
        name = _("%(name)s（试评）", name=facts["name"]) if slot.is_rehearsal else facts["name"]
        lines = {line["seat"]: line for line in (row_by_slot.get(slot.id) or {}).get("judges", [])}
        for seat, judge in panel.judges.items():
            sheet = panel.sheets.get((slot.id, seat))
            exception = panel.exceptions.get((slot.entry_id, seat)) if slot.entry_id else None
            base = (slot.position, name, facts["unit"], _("%(seat)s号评委", seat=seat), judge.user.name, judge.group)
            if sheet is None:
                if exception is not None:
                    state, note = (_("回避") if exception.kind == "recused" else _("缺席")), exception.reason
                elif slot.status == "no_show":
                    state, note = _("弃权/缺席"), slot.no_show_reason or ""
                else:
                    state, note = _("未提交"), ""
                out.append((*base, *([None] * len(criteria)), None, state, note, "", "", None, None))
                continue
            values = sheet.score_values
            out.append((*base, *(values.get(c.name) for c in criteria), sheet.total, _struck_text(lines.get(seat)),
                        "", _("纸质代录") if sheet.source == "paper" else _("评委设备"),
                        enterers.get(sheet.entered_by_id, ""), sheet.submitted_at, sheet.version))
        for deduction in panel.deductions.get(slot.id, []):
            kind = _("超时扣分") if deduction.kind == "overtime" else _("扣分")
            out.append((slot.position, name, facts["unit"], kind, "", "", *([None] * len(criteria)),
                        -Decimal(deduction.points), "", deduction.reason, "", "", deduction.created_at, None))
    return Sheet(_("评分明细"), [
        OutColumn(_("出场顺序"), "int"), OutColumn(_("选手")), OutColumn(_("单位")), OutColumn(_("评委席位")),
        OutColumn(_("评委")), OutColumn(_("评委组")),
        *(OutColumn(f"{c.name}（{c.maximum}）", "number") for c in criteria),
        OutColumn(_("总分"), "number"), OutColumn(_("去分标记")), OutColumn(_("说明"), width=30),
        OutColumn(_("来源")), OutColumn(_("录入人")), OutColumn(_("提交时间"), "datetime"), OutColumn(_("评分表版本"), "int"),
    ], out)


def _order_sheet(round_: SpeechRound, standings) -> Sheet:
    out = []
    for slot in standings.panel.slots:
        facts = services.contestant_facts(slot)
        out.append((slot.position, _("%(name)s（试评）", name=facts["name"]) if slot.is_rehearsal else facts["name"],
                    facts["unit"], facts["title"], slot_status_label(slot.status),
                    slot.no_show_reason or "", slot.on_stage_at,
                    float(slot.spoken_seconds) if slot.spoken_seconds is not None else None))
    draw = ""
    if round_.drawn_at:
        draw = _("抽签：%(time)s，方式 %(algorithm)s，种子 %(seed)s", time=_stamp(round_.drawn_at),
                 algorithm=round_.draw_algorithm or "", seed=round_.draw_seed or "—")
    sheet = Sheet(_("抽签顺序"), [
        OutColumn(_("出场顺序"), "int"), OutColumn(_("选手")), OutColumn(_("单位")), OutColumn(_("演讲题目"), width=30),
        OutColumn(_("状态")), OutColumn(_("说明")), OutColumn(_("上场时间"), "datetime"), OutColumn(_("用时"), "duration"),
    ], out)
    if draw:
        sheet.rows = [*out, (None, draw, "", "", "", "", None, None)]
    return sheet


def _entries_sheet(contest) -> Sheet:
    entries = db.session.scalars(
        sa.select(SpeechEntry).where(SpeechEntry.contest_id == contest.id)
        .options(selectinload(SpeechEntry.member), selectinload(SpeechEntry.unit))
        .order_by(SpeechEntry.unit_id, SpeechEntry.id))
    return Sheet(_("报名名单"), [
        OutColumn(_("单位")), OutColumn(_("姓名")), OutColumn(_("工号")), OutColumn(_("演讲题目"), width=30),
        OutColumn(_("状态")), OutColumn(_("报名方式")), OutColumn(_("报名时间"), "datetime"),
        OutColumn(_("审核时间"), "datetime"), OutColumn(_("退回原因"), width=30),
    ], [
        (entry.unit.name, entry.member.name, entry.member.staff_id, entry.speech_title,
         entry_status_label(entry.status), _("本人申请") if entry.self_applied else _("单位报名"),
         entry.created_at, entry.decided_at, entry.reject_reason or "")
        for entry in entries
    ])
