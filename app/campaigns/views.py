"""Campaigns (专项活动): everyone signed in sees them; organisers manage campaigns and their phases."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.campaigns import services
from app.campaigns.forms import CampaignForm, MoveForm, PhaseForm
from app.campaigns.models import Campaign, CampaignPhase
from app.common.access import Role, login_required, roles_required
from app.common.clock import local_today
from app.common.forms import ConfirmForm
from app.common.problems import attach_problem
from app.errors import abort_with
from app.extensions import db
from app.hooks import hooks_of, sections_with_data

bp = Blueprint("campaigns", __name__, url_prefix="/campaigns")


def _campaign_or_404(campaign_id: int) -> Campaign:
    return db.get_or_404(Campaign, campaign_id)


def _phase_or_404(campaign_id: int, phase_id: int) -> CampaignPhase:
    phase = db.get_or_404(CampaignPhase, phase_id)
    if phase.campaign_id != campaign_id:
        abort(404)
    return phase


def _form_values(form) -> dict:
    return {"name": form.name.data, "description": form.description.data or "",
            "starts_on": form.starts_on.data, "ends_on": form.ends_on.data}


# ---------------------------------------------------------------- pages

@bp.get("/")
@login_required
def index():
    today = local_today()
    campaigns = services.campaigns_in_order()
    rows = [(campaign, services.campaign_status(campaign, today), services.current_phase(campaign, today))
            for campaign in campaigns]
    return render_template("campaigns/index.html", rows=rows, today=today)


@bp.get("/<int:campaign_id>")
@login_required
def show(campaign_id: int):
    campaign = _campaign_or_404(campaign_id)
    today = local_today()
    return render_template(
        "campaigns/show.html", campaign=campaign, today=today,
        status=services.campaign_status(campaign, today), steps=services.timeline(campaign, today),
        current=services.current_phase(campaign, today),
        activity_sections=sections_with_data(hooks_of().campaign_sections, campaign, current_user),
    )


# ---------------------------------------------------------------- campaigns (organisers)

@bp.route("/new", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def create():
    form = CampaignForm()
    if form.validate_on_submit():
        try:
            campaign = services.create_campaign(current_user, **_form_values(form))
        except services.CampaignProblem as problem:
            attach_problem(form, problem, default="name")
        else:
            db.session.commit()
            flash(_("已创建专项活动“%(name)s”，可以继续添加阶段。", name=campaign.name), "success")
            return redirect(url_for("campaigns.show", campaign_id=campaign.id))
    return render_template("campaigns/form.html", form=form, campaign=None), 400 if form.is_submitted() else 200


@bp.route("/<int:campaign_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def edit(campaign_id: int):
    campaign = _campaign_or_404(campaign_id)
    form = CampaignForm(obj=campaign) if request.method == "GET" else CampaignForm()
    if form.validate_on_submit():
        try:
            services.update_campaign(current_user, campaign, **_form_values(form))
        except services.CampaignProblem as problem:
            attach_problem(form, problem, default="name")
        else:
            db.session.commit()
            flash(_("已保存。"), "success")
            return redirect(url_for("campaigns.show", campaign_id=campaign.id))
    return render_template("campaigns/form.html", form=form, campaign=campaign), \
        400 if form.is_submitted() else 200


@bp.route("/<int:campaign_id>/delete", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def delete(campaign_id: int):
    campaign = _campaign_or_404(campaign_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = campaign.name
        try:
            services.delete_campaign(current_user, campaign)
        except services.CampaignProblem as problem:
            db.session.rollback()
            return render_template("campaigns/delete.html", campaign=_campaign_or_404(campaign_id), phase=None,
                                   form=form, problem=str(problem)), 409
        db.session.commit()
        flash(_("已删除专项活动“%(name)s”。", name=name), "success")
        return redirect(url_for("campaigns.index"))
    return render_template("campaigns/delete.html", campaign=campaign, phase=None, form=form), \
        400 if form.is_submitted() else 200


# ---------------------------------------------------------------- phases (organisers)

@bp.route("/<int:campaign_id>/phases/new", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def add_phase(campaign_id: int):
    campaign = _campaign_or_404(campaign_id)
    form = PhaseForm()
    if form.validate_on_submit():
        try:
            services.add_phase(current_user, campaign, **_form_values(form))
        except services.CampaignProblem as problem:
            attach_problem(form, problem, default="name")
        else:
            db.session.commit()
            flash(_("已添加阶段。"), "success")
            return redirect(url_for("campaigns.show", campaign_id=campaign.id))
    return render_template("campaigns/phase_form.html", form=form, campaign=campaign, phase=None), \
        400 if form.is_submitted() else 200


@bp.route("/<int:campaign_id>/phases/<int:phase_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def edit_phase(campaign_id: int, phase_id: int):
    phase = _phase_or_404(campaign_id, phase_id)
    form = PhaseForm(obj=phase) if request.method == "GET" else PhaseForm()
    if form.validate_on_submit():
        try:
            services.update_phase(current_user, phase, **_form_values(form))
        except services.CampaignProblem as problem:
            attach_problem(form, problem, default="name")
        else:
            db.session.commit()
            flash(_("已保存。"), "success")
            return redirect(url_for("campaigns.show", campaign_id=campaign_id))
    return render_template("campaigns/phase_form.html", form=form, campaign=phase.campaign, phase=phase), \
        400 if form.is_submitted() else 200


@bp.route("/<int:campaign_id>/phases/<int:phase_id>/delete", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def delete_phase(campaign_id: int, phase_id: int):
    phase = _phase_or_404(campaign_id, phase_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        name = phase.name
        services.remove_phase(current_user, phase)
        db.session.commit()
        flash(_("已删除阶段“%(name)s”。", name=name), "success")
        return redirect(url_for("campaigns.show", campaign_id=campaign_id))
    return render_template("campaigns/delete.html", campaign=phase.campaign, phase=phase, form=form), \
        400 if form.is_submitted() else 200


@bp.post("/<int:campaign_id>/phases/<int:phase_id>/move")
@roles_required(Role.ORGANISER)
def move_phase(campaign_id: int, phase_id: int):
    phase = _phase_or_404(campaign_id, phase_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort_with(400, _("无效的移动方向"))
    if services.move_phase(current_user, phase, form.direction.data):
        db.session.commit()
    return redirect(url_for("campaigns.show", campaign_id=campaign_id, _anchor=f"phase-{phase_id}"))
