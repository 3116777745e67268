"""请假 (members ask for themselves; liaisons for their unit's members; organisers and liaisons decide)
and 不计入应到 (organisers)."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.common.access import Role, roles_required
from app.common.clock import utcnow
from app.common.forms import INTEGER_LIMIT, ConfirmForm
from app.common.http import private_pages
from app.common.problems import attach_problem
from app.extensions import db
from events.checkin.attendance_forms import DecisionForm, ExemptionForm, LeaveForm, LeaveForMemberForm
from events.checkin.models import CheckinExemption, CheckinLeave
from events.checkin.services import leave as services
from events.checkin.views.att_common import event_or_404, take_snapshot, viewer_unit

bp = Blueprint("leave", __name__, url_prefix="/leave")
private_pages(bp)  # names and reasons of leave


@bp.app_context_processor
def leave_labels():
    return {"leave_kind_label": services.kind_label, "leave_status_label": services.status_label}


def _leave_or_404(leave_id: int) -> CheckinLeave:
    if not 0 < leave_id <= INTEGER_LIMIT:
        abort(404)
    return db.get_or_404(CheckinLeave, leave_id)


def _show_problem(form, problem) -> None:
    if not attach_problem(form, problem):
        flash(problem.message, "error")


# ---------------------------------------------------------------- members

@bp.get("/")
@roles_required(Role.MEMBER)
def mine():
    events = services.invited_events(current_user)
    leaves = services.member_leaves(current_user)
    return render_template("events/checkin/leave/mine.html", events=events, leaves=leaves,
                           deadline=services.leave_deadline, withdraw_form=ConfirmForm(), now=utcnow())


def _member_event(event_id: int):
    event = event_or_404(event_id)
    if not services.is_invited(event, current_user.id):
        abort(404)
    return event


@bp.route("/events/<int:event_id>/request", methods=["GET", "POST"])
@roles_required(Role.MEMBER)
def request_own(event_id: int):
    event = _member_event(event_id)
    form = LeaveForm()
    if form.validate_on_submit():
        try:
            services.request_leave(event, current_user, kind=form.kind.data, reason=form.reason.data,
                                   actor=current_user)
        except services.LeaveProblem as problem:
            db.session.rollback()
            _show_problem(form, problem)
        else:
            db.session.commit()
            flash(_("请假申请已提交，等待审批。"), "success")
            return redirect(url_for("checkin.leave.mine"))
    return render_template("events/checkin/leave/request.html", event=event, form=form, member=current_user,
                           deadline=services.leave_deadline(event))


@bp.post("/<int:leave_id>/withdraw")
@roles_required(Role.MEMBER, Role.LIAISON, Role.ORGANISER)
def withdraw(leave_id: int):
    leave = _leave_or_404(leave_id)
    if not services.may_withdraw(current_user, leave):
        abort(404)
    try:
        services.withdraw(leave, actor=current_user)
    except services.LeaveProblem as problem:
        db.session.rollback()
        flash(problem.message, "error")
    else:
        db.session.commit()
        flash(_("已撤回请假申请。"), "success")
    if current_user.id == leave.user_id:
        return redirect(url_for("checkin.leave.mine"))
    return redirect(url_for("checkin.leave.event", event_id=leave.event_id))


# ---------------------------------------------------------------- staff

@bp.get("/pending")
@roles_required(Role.ORGANISER, Role.LIAISON)
def pending():
    leaves = services.pending_for(current_user)
    return render_template("events/checkin/leave/pending.html", leaves=leaves, form=DecisionForm(), now=utcnow())


@bp.post("/<int:leave_id>/decide")
@roles_required(Role.ORGANISER, Role.LIAISON)
def decide(leave_id: int):
    leave = _leave_or_404(leave_id)
    if not services.may_decide(current_user, leave):
        abort(404)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(_("请选择批准或不批准。"), "error")
        return redirect(url_for("checkin.leave.pending"))
    try:
        services.decide(leave, approve=form.decision.data == "approve", actor=current_user, note=form.note.data)
    except services.LeaveProblem as problem:
        db.session.rollback()
        flash(problem.message, "error")
    else:
        db.session.commit()
        flash(_("已批准 %(name)s 的申请。", name=leave.user.name) if leave.status == "approved"
              else _("已不批准 %(name)s 的申请。", name=leave.user.name), "success")
    return redirect(url_for("checkin.leave.pending"))


@bp.route("/events/<int:event_id>", methods=["GET", "POST"])
@roles_required(Role.ORGANISER, Role.LIAISON)
def event(event_id: int):
    """The event's requests and exemptions; liaisons ask for their unit's members here (POST)."""
    event = event_or_404(event_id)
    scope = viewer_unit(event)
    if take_snapshot(event):
        db.session.commit()
    form = LeaveForMemberForm(prefix="ask")
    if scope is not None and form.validate_on_submit():
        member = services.find_member(form.staff_id.data, unit_id=scope)
        try:
            if member is None:
                raise services.LeaveProblem(_("本单位没有这个工号或手机号的在册人员。"), "staff_id")
            services.request_leave(event, member, kind=form.kind.data, reason=form.reason.data, actor=current_user)
        except services.LeaveProblem as problem:
            db.session.rollback()
            _show_problem(form, problem)
        else:
            db.session.commit()
            flash(_("已为 %(name)s 提交申请。", name=member.name), "success")
            return redirect(url_for("checkin.leave.event", event_id=event.id))
    return render_template("events/checkin/leave/event.html", event=event, scope=scope,
                           leaves=services.event_leaves(event, unit_id=scope),
                           exemptions=services.exemptions(event) if scope is None else [],
                           form=form, exemption_form=ExemptionForm(prefix="exempt"), confirm_form=ConfirmForm(),
                           accepts=services.accepts_leave(event), now=utcnow())


@bp.post("/events/<int:event_id>/exemptions")
@roles_required(Role.ORGANISER)
def add_exemption(event_id: int):
    event = event_or_404(event_id)
    form = ExemptionForm(prefix="exempt")
    if form.validate_on_submit():
        member = services.find_member(form.staff_id.data)
        try:
            if member is None:
                raise services.LeaveProblem(_("没有这个工号或手机号的在册人员。"), "staff_id")
            services.add_exemption(event, member, reason=form.reason.data, actor=current_user)
        except services.LeaveProblem as problem:
            db.session.rollback()
            flash(problem.message, "error")
        else:
            db.session.commit()
            flash(_("%(name)s 不计入本次应到。", name=member.name), "success")
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
    return redirect(url_for("checkin.leave.event", event_id=event.id))


@bp.post("/exemptions/<int:exemption_id>/delete")
@roles_required(Role.ORGANISER)
def remove_exemption(exemption_id: int):
    if not 0 < exemption_id <= INTEGER_LIMIT:
        abort(404)
    exemption = db.get_or_404(CheckinExemption, exemption_id)
    event_id = exemption.event_id
    services.remove_exemption(exemption, actor=current_user)
    db.session.commit()
    flash(_("已恢复计入应到。"), "success")
    return redirect(url_for("checkin.leave.event", event_id=event_id))
