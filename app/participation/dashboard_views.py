"""The participation pages (output side): the campaign dashboard, the unit ranking, the unit and branch
drill-down, the 未参与名单 with its ready-to-copy messages, the 情况通报 (print page and .docx) and the
workbook. Organisers see every unit; a unit liaison only their own (403 otherwise). Figures are
computed on each view (app/participation/services.py); these views only choose and render them."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.audit.services import record
from app.campaigns.models import Campaign
from app.campaigns.services import campaigns_in_order
from app.common import svgchart
from app.common.access import Role, roles_required
from app.common.http import download, int_arg, private_pages, xlsx_download
from app.extensions import db
from app.participation import exports, notice, presenting, services
from app.participation.figures import CampaignFigures, UnitFigures
from app.participation.settings import ATTENDANCE
from app.units.models import Unit

bp = Blueprint("stats", __name__, url_prefix="/participation")
private_pages(bp)  # drill-downs and chase lists: names, staff IDs, mobile numbers

VIEWERS = (Role.ORGANISER, Role.LIAISON)


def _campaign(campaign_id: int) -> Campaign:
    return db.get_or_404(Campaign, campaign_id)


def _unit_in_scope(unit_id: int) -> Unit:
    """The unit (a top-level unit) if the viewer may see it: organisers every one, a liaison only theirs."""
    unit = db.get_or_404(Unit, unit_id)
    if unit.parent_id is not None:
        abort(404)
    if not current_user.can_manage_unit(unit.id):
        abort(403)
    return unit


def _unit_row(figures: CampaignFigures, unit_id: int) -> UnitFigures:
    row = next((row for row in figures.units if row.unit_id == unit_id), None)
    if row is None:
        abort(404)
    return row


def _branch_or_404(unit: Unit, branch_id: int | None) -> Unit | None:
    if branch_id is None:
        return None
    branch = db.session.get(Unit, branch_id)
    if branch is None or branch.parent_id != unit.id:
        abort(404)
    return branch


def _chart_key(figures: CampaignFigures) -> str:
    keys = [key for key, _label in presenting.chart_choices(figures)]
    wanted = request.args.get("chart", presenting.COVERAGE)
    return wanted if wanted in keys else presenting.COVERAGE


def _bar_chart(figures: CampaignFigures, key: str, rows) -> str:
    label = dict(presenting.chart_choices(figures))[key]
    target = presenting.chart_target(figures, key)
    return svgchart.bar_chart(
        presenting.unit_bars(figures, key, rows), chart_id="unit-bars",
        title=_("各单位%(label)s", label=label),
        description=_("横条为各单位%(label)s（0–100%%），虚线为目标；数值与下表一致。", label=label),
        target=target, target_label=_("目标 %(rate)s", rate=presenting.percent_text(target)) if target else "",
        empty_text=_("暂无单位"))


def _trend_chart(campaign: Campaign, figures: CampaignFigures) -> tuple[str, list]:
    series = services.daily_series(campaign, live=figures)
    lines = presenting.trend_series(figures.columns, series)
    chart = svgchart.line_chart(lines, chart_id="daily-trend", title=_("每日参与情况"),
                                description=_("活动期间每日的覆盖率和各项参与率（按每日快照，今天为实时数据）。"),
                                empty_text=_("暂无每日数据"))
    return chart, series


# ---------------------------------------------------------------- pages

@bp.get("/")
@roles_required(*VIEWERS)
def index():
    """Every campaign, each linking to its dashboard (a liaison: to their unit's page)."""
    return render_template("participation/index.html", campaigns=campaigns_in_order(),
                           liaison_unit_id=None if current_user.is_organiser else current_user.liaison_unit_id)


@bp.get("/<int:campaign_id>")
@roles_required(*VIEWERS)
def dashboard(campaign_id: int):
    campaign = _campaign(campaign_id)
    if not current_user.is_organiser:
        unit_id = current_user.liaison_unit_id
        if unit_id is None:
            abort(403)
        return redirect(url_for("stats.unit", campaign_id=campaign.id, unit_id=unit_id))
    figures = services.campaign_figures(campaign)
    sorting = presenting.read_sorting(figures.columns, request.args.get("sort"), request.args.get("dir"))
    rows = presenting.sort_units(figures.units, sorting)
    chart_key = _chart_key(figures)
    trend, series = _trend_chart(campaign, figures)
    return render_template(
        "participation/dashboard.html", campaign=campaign, figures=figures, rows=rows, sorting=sorting,
        sort_units=presenting.sort_units, chart_key=chart_key, chart_choices=presenting.chart_choices(figures),
        bars=_bar_chart(figures, chart_key, rows), trend=trend, series=series, tab="dashboard",
        cells=presenting.RowCells(figures.columns, any(column.kind == ATTENDANCE for column in figures.columns)))


@bp.get("/<int:campaign_id>/ranking")
@roles_required(Role.ORGANISER)
def ranking(campaign_id: int):
    campaign = _campaign(campaign_id)
    figures = services.campaign_figures(campaign)
    return render_template("participation/ranking.html", campaign=campaign, figures=figures,
                           rows=presenting.ranked_units(figures), weights=presenting.weighted_columns(figures),
                           tab="ranking")


@bp.get("/<int:campaign_id>/units/<int:unit_id>")
@roles_required(*VIEWERS)
def unit(campaign_id: int, unit_id: int):
    """One unit (or, with ?branch=, one of its branches): its figures and each member with what they did."""
    campaign = _campaign(campaign_id)
    unit = _unit_in_scope(unit_id)
    branch = _branch_or_404(unit, int_arg("branch", minimum=1))
    figures = services.campaign_figures(campaign)
    row = _unit_row(figures, unit.id)
    if branch is not None:
        row = next((item for item in row.branches if item.branch_id == branch.id), None) or abort(404)
    members = services.unit_members(campaign, unit.id, as_of=figures.as_of,
                                    branch_id=branch.id if branch else None)
    exempt = services.exempt_members(campaign, as_of=figures.as_of, unit_id=unit.id)
    if branch is not None:
        exempt = [member for member in exempt if member.branch_id == branch.id]
    return render_template("participation/unit.html", campaign=campaign, figures=figures, unit=unit,
                           branch=branch, row=row, members=[m for m in members if m.exempt_reason is None],
                           exempt=exempt, tab="unit")


@bp.get("/<int:campaign_id>/units/<int:unit_id>/chase")
@roles_required(*VIEWERS)
def chase(campaign_id: int, unit_id: int):
    """未参与名单: who has done nothing, and per required activity who has not done it, with the messages."""
    campaign = _campaign(campaign_id)
    unit = _unit_in_scope(unit_id)
    figures = services.campaign_figures(campaign)
    row = _unit_row(figures, unit.id)
    members = [member for member in services.unit_members(campaign, unit.id, as_of=figures.as_of)
               if member.exempt_reason is None]
    groups = presenting.chase_groups(campaign.name, unit.name, figures.columns, members)
    key = request.args.get("key")
    if key is not None:
        groups = [group for group in groups if (group.key or "none") == key] or abort(404)
    return render_template("participation/chase.html", campaign=campaign, figures=figures, unit=unit, row=row,
                           groups=groups, key=key, tab="chase")


# ---------------------------------------------------------------- 情况通报 and the workbook (organisers)

def _notice(campaign: Campaign):
    figures = services.campaign_figures(campaign)
    members = services.campaign_members(campaign, as_of=figures.as_of)
    return figures, notice.build_notice(campaign, figures, members)


@bp.get("/<int:campaign_id>/notice")
@roles_required(Role.ORGANISER)
def notice_page(campaign_id: int):
    campaign = _campaign(campaign_id)
    figures, built = _notice(campaign)
    return render_template("participation/notice.html", campaign=campaign, figures=figures, notice=built,
                           tab="notice")


@bp.get("/<int:campaign_id>/notice.docx")
@roles_required(Role.ORGANISER)
def notice_docx(campaign_id: int):
    campaign = _campaign(campaign_id)
    _figures, built = _notice(campaign)
    content = notice.notice_docx(built)
    record("participation.notice_downloaded", target=campaign, summary=campaign.name)
    db.session.commit()
    return download(content, notice.notice_filename(built), notice.DOCX_MIMETYPE)


def _only_unit(figures: CampaignFigures, row: UnitFigures) -> CampaignFigures:
    return CampaignFigures(campaign_id=figures.campaign_id, as_of=figures.as_of, computed_at=figures.computed_at,
                           columns=figures.columns, units=[row], total=row)


@bp.get("/<int:campaign_id>/export.xlsx")
@roles_required(*VIEWERS)
def export(campaign_id: int):
    """The workbook: every unit for organisers, a liaison's own unit (?unit= is theirs or refused)."""
    campaign = _campaign(campaign_id)
    unit_id = int_arg("unit", minimum=1)
    if unit_id is None and not current_user.is_organiser:
        unit_id = current_user.liaison_unit_id
        if unit_id is None:
            abort(403)
    figures = services.campaign_figures(campaign)
    if unit_id is not None:
        unit = _unit_in_scope(unit_id)
        figures = _only_unit(figures, _unit_row(figures, unit.id))
        members = services.unit_members(campaign, unit.id, as_of=figures.as_of)
        exempt = services.exempt_members(campaign, as_of=figures.as_of, unit_id=unit.id)
    else:
        members = services.campaign_members(campaign, as_of=figures.as_of)
        # The 免计名单 is the exempt among them, in the same order: no second read of the roster.
        exempt = [member for member in members if member.exempt_reason is not None]
    content = exports.participation_workbook(campaign, figures, members, exempt)
    record("participation.exported", target=campaign, summary=campaign.name, unit_id=unit_id,
           rows=len(members), with_mobiles=True)
    db.session.commit()
    return xlsx_download(content, exports.export_filename(campaign, figures))
