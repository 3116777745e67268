"""The input side's pages (blueprint `participation_input`): 免计 exemptions and offline participation.

Liaisons enter for their own unit and see the decisions; organisers see every unit and decide, one
record or the ticked ones at once. Thin views: the rules are in exemptions.py, offline.py and
offline_import.py; each request commits once.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.campaigns.models import Campaign
from app.common.access import Role, roles_required
from app.common.clock import local_today
from app.common.forms import ConfirmForm, options
from app.common.http import int_arg, private_pages, xlsx_download
from app.common.problems import attach_problem
from app.common.xlsx import ImportFailed
from app.errors import abort_with
from app.extensions import db
from app.participation import exemptions, offline, offline_import
from app.participation.exemptions import ExemptionData, InputFilters, InputProblem
from app.participation.input_forms import (
    ALL_CAMPAIGNS,
    DecisionForm,
    ExemptionForm,
    OfflineEditForm,
    OfflineForm,
    OfflineImportForm,
)
from app.participation.models import (
    EXEMPTION_KIND_LABELS,
    INPUT_STATUS_LABELS,
    OFFLINE_SOURCE_LABELS,
    OfflineParticipation,
    ParticipationExemption,
)
from app.participation.offline import OfflineData, OfflineFilters
from app.units.models import Unit

bp = Blueprint("participation_input", __name__, url_prefix="/participation")
private_pages(bp)  # names, staff IDs and reasons
MANAGERS = (Role.ORGANISER, Role.LIAISON)
MAX_DECIDED = 1000


@bp.context_processor
def labels():
    return {"status_labels": INPUT_STATUS_LABELS, "kind_labels": EXEMPTION_KIND_LABELS,
            "source_labels": OFFLINE_SOURCE_LABELS}


# ---------------------------------------------------------------- shared

def campaigns() -> list[Campaign]:
    return list(db.session.scalars(sa.select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.id.desc())))


def current_campaign_id(choices: list[Campaign]) -> int | None:
    """The campaign running today (the latest-starting one), else the latest."""
    today = local_today()
    running = [campaign for campaign in choices if campaign.starts_on <= today <= campaign.ends_on]
    chosen = running[0] if running else (choices[0] if choices else None)
    return chosen.id if chosen else None


def top_units() -> list[Unit]:
    return list(db.session.scalars(sa.select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.sort_order, Unit.id)))


def own_unit() -> Unit | None:
    unit_id = None if current_user.is_organiser else current_user.liaison_unit_id
    return db.session.get(Unit, unit_id) if unit_id else None


def unit_members(unit_id: int | None) -> list[User]:
    """The active roster members of a unit, by branch then name (the pickers)."""
    if unit_id is None:
        return []
    return list(db.session.scalars(sa.select(User).where(User.unit_id == unit_id, User.active.is_(True))
                                   .options(selectinload(User.branch))
                                   .order_by(User.branch_id.nulls_first(), User.name, User.staff_id)))


def filters_from(args) -> InputFilters:
    status = args.get("status", "")
    return InputFilters(status=status if status in INPUT_STATUS_LABELS else None,
                        unit_id=int_arg("unit", source=args, minimum=1, strict=False),
                        campaign_id=int_arg("campaign", source=args, minimum=1, strict=False),
                        q=" ".join(args.get("q", "").split())[:32])


def _id(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None


def picked() -> tuple[list[int], str | None]:
    """The records a decision applies to, and the decision when a record's own button (id:decision) sent
    it; otherwise the ticked boxes, with the decision of the bar."""
    single = request.form.get("single", "")
    if single:
        raw_id, _sep, decision = single.partition(":")
        return ([_id(raw_id)] if _id(raw_id) is not None else []), decision
    ids = [_id(value) for value in request.form.getlist("item_id")]
    return [value for value in ids if value is not None][:MAX_DECIDED], None


def show_problem(form, problem: InputProblem, default: str | None = None) -> None:
    if not attach_problem(form, problem, default):
        flash(problem.message, "warning")


def list_page(query, endpoint_template: str, **context):
    page = db.paginate(query, page=int_arg("page", 1, minimum=1, strict=False), per_page=exemptions.PER_PAGE,
                       error_out=False, count=True)
    return render_template(endpoint_template, page=page, units=top_units() if current_user.is_organiser else [],
                           campaigns=campaigns(), own_unit=own_unit(), decision_form=DecisionForm(),
                           action_form=ConfirmForm(), **context)


# ---------------------------------------------------------------- exemptions

@bp.get("/exemptions")
@roles_required(*MANAGERS)
def exemption_list():
    filters = filters_from(request.args)
    counts = exemptions.status_counts(current_user, ParticipationExemption, exemptions.visible_exemptions)
    return list_page(exemptions.exemption_query(current_user, filters), "participation/input/exemptions.html",
                     filters=filters, counts=counts)


def _exemption_data(form: ExemptionForm) -> ExemptionData:
    campaign_id = form.campaign_id.data if form.campaign_id.data != ALL_CAMPAIGNS else None
    return ExemptionData(form.kind.data, form.reason.data or "", form.starts_on.data, form.ends_on.data, campaign_id)


def _exemption_form(form: ExemptionForm, exemption: ParticipationExemption | None = None, status: int = 200):
    unit = own_unit()
    return render_template("participation/input/exemption_form.html", form=form, exemption=exemption,
                           members=unit_members(unit.id) if unit else [], own_unit=unit), status


@bp.route("/exemptions/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def exemption_new():
    form = ExemptionForm()
    form.set_campaigns(campaigns())
    if request.method == "GET":
        form.starts_on.data = form.starts_on.data or local_today()
    if not form.validate_on_submit():
        return _exemption_form(form, status=400 if request.method == "POST" else 200)
    member = db.session.scalar(sa.select(User).where(User.staff_id == form.staff_id.data))
    if member is None or not exemptions.may_enter_for(current_user, member):
        form.staff_id.errors = [_("工号不在本单位的人员名册中。")]
        return _exemption_form(form, status=400)
    try:
        exemptions.enter_exemption(current_user, member, _exemption_data(form))
    except InputProblem as problem:
        db.session.rollback()
        show_problem(form, problem, "staff_id")
        return _exemption_form(form, status=400)
    db.session.commit()
    flash(_("已提交 %(name)s 的免计申请，等待组织者审核。", name=member.name), "success")
    return redirect(url_for(".exemption_list"))


def load_exemption(exempt_id: int) -> ParticipationExemption:
    exemption = exemptions.get_visible(current_user, exempt_id)
    if exemption is None:
        abort(404)
    return exemption


@bp.route("/exemptions/<int:exempt_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def exemption_edit(exempt_id: int):
    exemption = load_exemption(exempt_id)
    if not exemptions.may_edit(current_user, exemption):
        abort(403)
    form = ExemptionForm(obj=exemption if request.method == "GET" else None)
    form.set_campaigns(campaigns())
    if request.method == "GET":
        form.staff_id.data = exemption.user.staff_id
        form.campaign_id.data = exemption.campaign_id or ALL_CAMPAIGNS
    form.staff_id.data = exemption.user.staff_id  # the member stays
    if not form.validate_on_submit():
        return _exemption_form(form, exemption, status=400 if request.method == "POST" else 200)
    try:
        exemptions.update_exemption(current_user, exemption, _exemption_data(form))
    except InputProblem as problem:
        db.session.rollback()
        show_problem(form, problem)
        return _exemption_form(form, exemption, status=400)
    db.session.commit()
    flash(_("已保存，申请重新等待审核。"), "success")
    return redirect(url_for(".exemption_list"))


@bp.post("/exemptions/<int:exempt_id>/delete")
@roles_required(*MANAGERS)
def exemption_delete(exempt_id: int):
    exemption = load_exemption(exempt_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        exemptions.delete_exemption(current_user, exemption)
    except InputProblem as problem:
        db.session.rollback()
        abort_with(403, problem.message)
    db.session.commit()
    flash(_("已撤回免计申请。"), "success")
    return redirect(url_for(".exemption_list"))


@bp.post("/exemptions/decide")
@roles_required(Role.ORGANISER)
def exemption_decide():
    ids, decision = picked()
    items = list(db.session.scalars(sa.select(ParticipationExemption).where(ParticipationExemption.id.in_(ids)))) \
        if ids else []
    return _decide(items, decision, exemptions.decide_exemptions, url_for(".exemption_list", **request.args.to_dict()))


def _decide(items, decision: str | None, decide, back: str):
    form = DecisionForm()
    if decision is not None:
        form.decision.data = decision
    if not form.validate_on_submit():
        flash(_("请选择审核结果后重试。"), "warning")
        return redirect(back)
    if not items:
        flash(_("请先勾选要审核的记录。"), "warning")
        return redirect(back)
    try:
        changed = decide(current_user, items, decision or form.decision.data, form.note.data or "")
    except InputProblem as problem:
        db.session.rollback()
        flash(problem.message, "warning")
        return redirect(back)
    db.session.commit()
    flash(_("已审核 %(n)s 条记录。", n=changed), "success")
    return redirect(back)


# ---------------------------------------------------------------- offline participation

def offline_filters_from(args) -> OfflineFilters:
    base = filters_from(args)
    key = args.get("key", "")
    return OfflineFilters(base.status, base.unit_id, base.campaign_id, base.q,
                          key=key if key in dict(offline.activities()) else None)


@bp.get("/offline")
@roles_required(*MANAGERS)
def offline_list():
    filters = offline_filters_from(request.args)
    counts = exemptions.status_counts(current_user, OfflineParticipation, offline.visible_offline)
    return list_page(offline.offline_query(current_user, filters), "participation/input/offline.html",
                     filters=filters, counts=counts, activities=offline.activities(),
                     activity_labels=dict(offline.activities()))


@bp.route("/offline/new", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def offline_new():
    unit = own_unit()
    unit_id = unit.id if unit else int_arg("unit", source=request.values, minimum=1, strict=False)
    members = unit_members(unit_id)
    choices = campaigns()
    form = OfflineForm()
    form.set_choices(choices, offline.activities(), members)
    if request.method == "GET":
        form.campaign_id.data = int_arg("campaign", minimum=1, strict=False) or current_campaign_id(choices)
        form.took_part_on.data = local_today()

    def page(status: int = 200):
        return render_template("participation/input/offline_form.html", form=form, members=members, own_unit=unit,
                               unit_id=unit_id, units=top_units() if unit is None else [], record=None), status

    if not choices:
        flash(_("还没有专项活动。"), "warning")
        return page()
    if not form.validate_on_submit():
        return page(400 if request.method == "POST" else 200)
    campaign = db.session.get(Campaign, form.campaign_id.data)
    chosen = [member for member in members if member.id in set(form.members.data or ())]
    try:
        entered = offline.enter_offline(current_user, campaign, chosen, OfflineData(
            form.key.data, form.took_part_on.data, form.source.data, form.note.data or ""))
        db.session.commit()
    except InputProblem as problem:
        db.session.rollback()
        show_problem(form, problem, "members")
        return page(400)
    except IntegrityError:
        db.session.rollback()
        form.members.errors = [_("有人员刚被他人录入了同一活动，未保存，请刷新后重试。")]
        return page(409)
    flash(_("已录入 %(n)s 人的线下参与，等待组织者审核。", n=len(entered)), "success")
    return redirect(url_for(".offline_list", campaign=campaign.id))


def load_offline(offline_id: int) -> OfflineParticipation:
    item = offline.get_visible(current_user, offline_id)
    if item is None:
        abort(404)
    return item


@bp.route("/offline/<int:offline_id>/edit", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def offline_edit(offline_id: int):
    item = load_offline(offline_id)
    if not offline.may_edit(current_user, item):
        abort(403)
    form = OfflineEditForm(obj=item if request.method == "GET" else None)
    form.key.choices = options(offline.activities())
    if request.method == "GET":
        form.key.data = item.provider_key

    def page(status: int = 200):
        return render_template("participation/input/offline_form.html", form=form, record=item, members=[],
                               own_unit=own_unit(), unit_id=item.unit_id, units=[]), status

    if not form.validate_on_submit():
        return page(400 if request.method == "POST" else 200)
    try:
        offline.update_offline(current_user, item, OfflineData(form.key.data, form.took_part_on.data,
                                                               form.source.data, form.note.data or ""))
        db.session.commit()
    except InputProblem as problem:
        db.session.rollback()
        show_problem(form, problem)
        return page(400)
    except IntegrityError:
        db.session.rollback()
        abort_with(409, _("该人员已有这项活动的线下参与记录。"))
    flash(_("已保存，记录重新等待审核。"), "success")
    return redirect(url_for(".offline_list", campaign=item.campaign_id))


@bp.post("/offline/<int:offline_id>/delete")
@roles_required(*MANAGERS)
def offline_delete(offline_id: int):
    item = load_offline(offline_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        offline.delete_offline(current_user, item)
    except InputProblem as problem:
        db.session.rollback()
        abort_with(403, problem.message)
    db.session.commit()
    flash(_("已撤回线下参与记录。"), "success")
    return redirect(url_for(".offline_list"))


@bp.post("/offline/decide")
@roles_required(Role.ORGANISER)
def offline_decide():
    ids, decision = picked()
    items = list(db.session.scalars(sa.select(OfflineParticipation).where(OfflineParticipation.id.in_(ids)))) \
        if ids else []
    return _decide(items, decision, offline.decide_offline, url_for(".offline_list", **request.args.to_dict()))


@bp.route("/offline/import", methods=["GET", "POST"])
@roles_required(*MANAGERS)
def offline_import_page():
    choices = campaigns()
    form = OfflineImportForm()
    form.set_choices(choices, offline.activities())
    if request.method == "GET":
        form.campaign_id.data = current_campaign_id(choices)

    def page(status: int = 200, problems=None):
        return render_template("participation/input/offline_import.html", form=form, problems=problems,
                               own_unit=own_unit()), status

    if not form.validate_on_submit():
        return page(400 if request.method == "POST" else 200)
    campaign = db.session.get(Campaign, form.campaign_id.data)
    upload = form.file.data
    try:
        result = offline_import.import_offline(upload.read(), campaign, actor=current_user, default_key=form.key.data,
                                               default_source=form.source.data, filename=upload.filename or "")
        db.session.commit()
    except ImportFailed as failure:
        db.session.rollback()
        return page(400, failure.problems)
    except IntegrityError:
        db.session.rollback()
        abort_with(409, _("导入时有记录被他人同时录入，没有导入任何数据，请重新导入。"))
    flash(_("已导入 %(n)s 条线下参与记录（新增 %(created)s 条，重新提交 %(reentered)s 条），等待组织者审核。",
            n=result.total, created=result.created, reentered=result.reentered), "success")
    return redirect(url_for(".offline_list", campaign=campaign.id))


@bp.get("/offline/import/template")
@roles_required(*MANAGERS)
def offline_import_template():
    return xlsx_download(offline_import.template(), "线下参与导入模板.xlsx", private=False)
