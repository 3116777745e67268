"""The one participation workbook: 单位汇总 (the dashboard rows), one sheet per figure, 未参与名单 and
免计名单, written with the shared helpers (app/common/xlsx.py: write-only mode, formula injection
neutralised, A4 page setup). Every sheet's printed heading says that participation is credited to the
unit the member belonged to when they took part."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from flask_babel import format_datetime
from flask_babel import gettext as _

from app.common.heap import collector_paused
from app.common.xlsx import OutColumn, Sheet, build_workbook
from app.participation.figures import CampaignFigures, MemberStatus, Rate, UnitFigures
from app.participation.presenting import missing_labeller


def _fraction(rate: Rate | None) -> Decimal | None:
    """A rate as the fraction a percent-formatted cell shows (0.85 -> 85.0%)."""
    if rate is None or rate.percent is None:
        return None
    return rate.percent / 100


def _heading(campaign, figures: CampaignFigures, title: str) -> str:
    return _("%(campaign)s · %(title)s · 数据截至 %(as_of)s · 参与情况记入参与时所在单位",
             campaign=campaign.name, title=title, as_of=format_datetime(figures.as_of, "yyyy-MM-dd HH:mm"))


def _rows_with_branches(figures: CampaignFigures) -> Iterable[tuple[UnitFigures, UnitFigures | None]]:
    for unit in figures.units:
        yield unit, None
        for branch in unit.branches:
            yield unit, branch


def summary_sheet(campaign, figures: CampaignFigures) -> Sheet:
    """The dashboard: one row per unit, then its branches, then the campaign total."""
    columns = [OutColumn(_("单位（参与记入参与时所在单位）")), OutColumn(_("支部")), OutColumn(_("应参与人数"), "int"),
               OutColumn(_("免计人数"), "int")]
    for column in figures.columns:
        columns += [OutColumn(_("%(label)s·人数", label=column.label), "int"),
                    OutColumn(_("%(label)s·参与率", label=column.label), "percent")]
    columns += [OutColumn(_("签到出勤率"), "percent"), OutColumn(_("答题平均分"), "number"),
                OutColumn(_("至少参与一项·人数"), "int"), OutColumn(_("至少参与一项·比例"), "percent"),
                OutColumn(_("覆盖人数"), "int"), OutColumn(_("覆盖率"), "percent"),
                OutColumn(_("综合指数"), "number"), OutColumn(_("名次"), "int"), OutColumn(_("未达目标"))]
    labels = {column.key: column.label for column in figures.columns}

    def line(unit: UnitFigures, branch: UnitFigures | None, name: str, branch_name: str = "") -> list:
        row = branch or unit
        values: list = [name, branch_name, row.headcount, row.exempt]
        for column in figures.columns:
            rate = row.figures.get(column.key)
            values += [rate.count if rate else None, _fraction(rate)]
        values += [_fraction(row.attendance), row.quiz_average, row.any_one.count, _fraction(row.any_one),
                   row.coverage.count, _fraction(row.coverage), row.composite,
                   None if branch else row.rank,
                   "、".join(labels[key] for key in labels if key in row.below_target)]
        return values

    rows = [line(unit, branch, unit.name, branch.name if branch else "")
            for unit, branch in _rows_with_branches(figures)]
    rows.append(line(figures.total, None, _("合计")))
    return Sheet(_("单位汇总"), columns, rows, heading=_heading(campaign, figures, _("单位汇总")))


def figure_sheets(campaign, figures: CampaignFigures) -> list[Sheet]:
    """One sheet per figure: per unit and branch its participants (of which offline), rate and target."""
    sheets = []
    used: set[str] = set()
    for column in figures.columns:
        title = column.label[:28]
        while title in used:
            title = title[:26] + f"{len(used)}"
        used.add(title)
        columns = [OutColumn(_("单位（参与记入参与时所在单位）")), OutColumn(_("支部")), OutColumn(_("应参与人数"), "int"),
                   OutColumn(_("参与人数"), "int"), OutColumn(_("其中线下（已审核）"), "int"),
                   OutColumn(_("参与率"), "percent"), OutColumn(_("目标"), "percent"), OutColumn(_("是否达标"))]
        target = column.target_rate / 100 if column.target_rate is not None else None
        rows = []
        for unit, branch in [*_rows_with_branches(figures), (figures.total, None)]:
            row = branch or unit
            rate = row.figures.get(column.key)
            name = _("合计") if unit is figures.total else unit.name
            met = "" if column.target_rate is None or rate is None or rate.percent is None else (
                _("未达标") if column.key in row.below_target else _("达标"))
            rows.append([name, branch.name if branch else "", row.headcount, rate.count if rate else None,
                         row.offline.get(column.key, 0), _fraction(rate), target, met])
        sheet = Sheet(title, columns, rows, heading=_heading(campaign, figures, column.label))
        sheets.append(sheet)
    return sheets


def missing_sheet(campaign, figures: CampaignFigures, members: Sequence[MemberStatus]) -> Sheet:
    """未参与名单: members (not exempt) who did none, or miss a required figure."""
    columns = [OutColumn(_("单位")), OutColumn(_("支部")), OutColumn(_("姓名")), OutColumn(_("工号")),
               OutColumn(_("手机号")), OutColumn(_("未完成"))]
    rows = []
    missing_labels = missing_labeller(figures.columns)
    for member in members:
        if member.exempt_reason is not None:
            continue
        missing = missing_labels(member)
        if missing:
            rows.append([member.unit_name, member.branch_name or "", member.name, member.staff_id,
                         member.mobile or "", "、".join(missing)])
    return Sheet(_("未参与名单"), columns, rows, heading=_heading(campaign, figures, _("未参与名单")))


def exempt_sheet(campaign, figures: CampaignFigures, members: Sequence[MemberStatus]) -> Sheet:
    columns = [OutColumn(_("单位")), OutColumn(_("支部")), OutColumn(_("姓名")), OutColumn(_("工号")),
               OutColumn(_("免计原因"))]
    rows = [[member.unit_name, member.branch_name or "", member.name, member.staff_id, member.exempt_reason or ""]
            for member in members]
    return Sheet(_("免计名单"), columns, rows, heading=_heading(campaign, figures, _("免计名单")))


def participation_workbook(campaign, figures: CampaignFigures, members: Sequence[MemberStatus],
                           exempt: Sequence[MemberStatus]) -> bytes:
    """The whole workbook for `figures` (a liaison's: their unit's rows only, as the caller filtered)."""
    with collector_paused():  # some 100,000 cells (app/common/heap.py)
        return build_workbook([summary_sheet(campaign, figures), *figure_sheets(campaign, figures),
                               missing_sheet(campaign, figures, members), exempt_sheet(campaign, figures, exempt)])


def export_filename(campaign, figures: CampaignFigures) -> str:
    return _("%(campaign)s参与情况_%(day)s.xlsx", campaign=campaign.name,
             day=format_datetime(figures.as_of, "yyyyMMdd-HHmm"))
