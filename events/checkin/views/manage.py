"""Organisers: the events of each campaign, their set-up, stewards, static codes, refusals and records."""
import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.common.access import Role, roles_required
from app.common.clock import utcnow
from app.common.forms import ConfirmForm, options
from app.common.http import download, int_arg, private_pages
from app.common.problems import attach_problem
from app.common.qr import qr_png, qr_svg
from app.extensions import db
from events.checkin.forms import EventForm, ReasonForm, StewardForm
from events.checkin.models import FAILURE_LABELS, CheckinEvent, CheckinFailure, CheckinRecord
from events.checkin.services import attendance, codes, scanning, setup
from events.checkin.services.invitees import ensure_snapshot, rule_count
from events.checkin.services.windows import opens_at, window_state
from events.checkin.views.common import event_or_404

bp = Blueprint("manage", __name__)
private_pages(bp)

RECENT = 50


@bp.get("/")
@roles_required(Role.ORGANISER)
def index():
    campaign_id = int_arg("campaign")
    return render_template("checkin/manage/index.html", events=setup.events_of(campaign_id),
                           campaigns=setup.campaign_choices(), campaign_id=campaign_id, now=utcnow(),
                           window_state=window_state)


def _form(event: CheckinEvent | None) -> EventForm:
    if event is not None and request.method == "GET":
        values = setup.settings_of(event)
        form = EventForm(data={
            "campaign_id": values.campaign_id, "title": values.title, "event_type": values.event_type,
            "place": values.place, "host_unit_id": values.host_unit_id or 0, "starts_at": values.starts_at_local,
            "ends_at": values.ends_at_local, "opens_minutes_before": values.opens_minutes_before,
            "late_at": values.late_at_local, "closes_at": values.closes_at_local,
            "sign_out_opens_at": values.sign_out_opens_local, "sign_out_closes_at": values.sign_out_closes_local,
            "invitee_scope": values.invitee_scope, "unit_ids": values.unit_ids, "group_ids": values.group_ids,
            "member_staff_ids": "\n".join(values.member_staff_ids), "statuses": values.statuses,
            "committee_only": values.committee_only, "capacity": values.capacity,
            "allow_static_code": values.allow_static_code, "rotation_seconds": values.rotation_seconds,
            "leave_days_after": values.leave_days_after})
    else:
        form = EventForm(campaign_id=int_arg("campaign", strict=False)) if request.method == "GET" else EventForm()
    units = setup.unit_choices()
    form.campaign_id.choices = options(setup.campaign_choices())
    form.host_unit_id.choices = options([(0, _("— 不指定")), *units])
    form.unit_ids.choices = options(units)
    form.group_ids.choices = options(setup.group_choices())
    return form


def _settings(form: EventForm) -> setup.EventSettings:
    return setup.EventSettings(
        campaign_id=form.campaign_id.data, title=form.title.data, event_type=form.event_type.data,
        place=form.place.data or "", host_unit_id=form.host_unit_id.data or None,
        starts_at_local=form.starts_at.data, ends_at_local=form.ends_at.data,
        opens_minutes_before=form.opens_minutes_before.data, late_at_local=form.late_at.data,
        closes_at_local=form.closes_at.data, sign_out_opens_local=form.sign_out_opens_at.data,
        sign_out_closes_local=form.sign_out_closes_at.data, invitee_scope=form.invitee_scope.data,
        unit_ids=list(form.unit_ids.data or []), group_ids=list(form.group_ids.data or []),
        member_staff_ids=form.staff_id_list(), statuses=list(form.statuses.data or []),
        committee_only=form.committee_only.data, capacity=form.capacity.data,
        allow_static_code=form.allow_static_code.data, rotation_seconds=form.rotation_seconds.data,
        leave_days_after=form.leave_days_after.data)


def _save(form: EventForm, event: CheckinEvent | None):
    try:
        if event is None:
            event = setup.create_event(current_user, _settings(form))
        else:
            setup.update_event(current_user, event, _settings(form))
    except setup.SetupProblem as problem:
        db.session.rollback()
        if not attach_problem(form, problem):
            flash(problem.message, "error")
        return None
    db.session.commit()
    flash(_("已保存。"), "success")
    return redirect(url_for("checkin.manage.show", event_id=event.id))


@bp.route("/events/new", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def create():
    form = _form(None)
    if not form.campaign_id.choices:
        flash(_("请先创建专项活动，再在活动下新建签到活动。"), "warning")
    if form.validate_on_submit() and (response := _save(form, None)) is not None:
        return response
    return render_template("checkin/manage/form.html", form=form, event=None), 400 if form.is_submitted() else 200


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def edit(event_id: int):
    event = event_or_404(event_id)
    form = _form(event)
    if form.validate_on_submit() and (response := _save(form, event)) is not None:
        return response
    event = event_or_404(event_id)
    return render_template("checkin/manage/form.html", form=form, event=event), 400 if form.is_submitted() else 200


@bp.get("/events/<int:event_id>")
@roles_required(Role.ORGANISER)
def show(event_id: int):
    event = event_or_404(event_id)
    now = utcnow()
    if scanning.purge_pending(now):  # scans whose login never came, long past completing
        db.session.commit()
    frozen = event.snapshot_taken_at is not None
    figures = attendance.counts(event) if frozen else None
    records = db.session.scalars(sa.select(CheckinRecord).where(CheckinRecord.event_id == event.id)
                                 .order_by(CheckinRecord.checked_at.desc()).limit(RECENT)).all()
    failures = db.session.scalars(sa.select(CheckinFailure).where(CheckinFailure.event_id == event.id)
                                  .order_by(CheckinFailure.created_at.desc()).limit(RECENT)).all()
    return render_template(
        "checkin/manage/show.html", event=event, state=window_state(event, now), opens_at=opens_at(event),
        figures=figures, preview=None if frozen else rule_count(event), records=records, failures=failures,
        stewards=setup.stewards_of(event), steward_form=StewardForm(), action_form=ConfirmForm(),
        reason_form=ReasonForm(), late=attendance.record_is_late,
        failure_label=lambda reason: FAILURE_LABELS.get(reason, reason))


@bp.post("/events/<int:event_id>/cancel")
@roles_required(Role.ORGANISER)
def cancel(event_id: int):
    return _set_cancelled(event_id, True)


@bp.post("/events/<int:event_id>/restore")
@roles_required(Role.ORGANISER)
def restore(event_id: int):
    return _set_cancelled(event_id, False)


def _set_cancelled(event_id: int, cancelled: bool):
    event = event_or_404(event_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    setup.set_cancelled(current_user, event, cancelled)
    db.session.commit()
    flash(_("已取消该活动。") if cancelled else _("已恢复该活动。"), "success")
    return redirect(url_for("checkin.manage.show", event_id=event.id))


@bp.post("/events/<int:event_id>/snapshot")
@roles_required(Role.ORGANISER)
def snapshot(event_id: int):
    """Freeze the invitee list now if the window has opened (it is otherwise frozen on first need)."""
    event = event_or_404(event_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not ensure_snapshot(event):
        flash(_("签到开放后才能固定应到名单。"), "warning")
    db.session.commit()
    return redirect(url_for("checkin.manage.show", event_id=event.id))


# ---------------------------------------------------------------- stewards

@bp.post("/events/<int:event_id>/stewards")
@roles_required(Role.ORGANISER)
def add_steward(event_id: int):
    event = event_or_404(event_id)
    form = StewardForm()
    if form.validate_on_submit():
        try:
            user = setup.add_steward(current_user, event, form.login.data)
        except setup.SetupProblem as problem:
            flash(problem.message, "error")
        else:
            db.session.commit()
            flash(_("已指定 %(name)s 为签到员。", name=user.name), "success")
    else:
        flash(_("请输入工号或手机号"), "error")
    return redirect(url_for("checkin.manage.show", event_id=event.id))


@bp.post("/events/<int:event_id>/stewards/<int:user_id>/remove")
@roles_required(Role.ORGANISER)
def remove_steward(event_id: int, user_id: int):
    event = event_or_404(event_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not setup.remove_steward(current_user, event, user_id):
        abort(404)
    db.session.commit()
    flash(_("已取消签到员。"), "success")
    return redirect(url_for("checkin.manage.show", event_id=event.id))


# ---------------------------------------------------------------- static code

def _static_url(event: CheckinEvent) -> str:
    if not event.allow_static_code:
        abort(404)
    return url_for("checkin.scan.static_code", event_id=event.id, token=codes.static_token(event), _external=True)


@bp.get("/events/<int:event_id>/static.png")
@roles_required(Role.ORGANISER)
def static_png(event_id: int):
    event = event_or_404(event_id)
    return download(qr_png(_static_url(event), box_size=16), _("签到码-%(title)s.png", title=event.title),
                    "image/png")


@bp.get("/events/<int:event_id>/static.svg")
@roles_required(Role.ORGANISER)
def static_svg(event_id: int):
    event = event_or_404(event_id)
    return download(qr_svg(_static_url(event)).encode("utf-8"), _("签到码-%(title)s.svg", title=event.title),
                    "image/svg+xml")


@bp.post("/events/<int:event_id>/static/withdraw")
@roles_required(Role.ORGANISER)
def withdraw_static(event_id: int):
    event = event_or_404(event_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    setup.withdraw_static_code(current_user, event)
    db.session.commit()
    flash(_("已作废之前打印的固定签到码。"), "success")
    return redirect(url_for("checkin.manage.show", event_id=event.id))
