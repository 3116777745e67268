"""会议记录 (host, recorder, topics, minutes, photos), the printable 签到表 that is also the paper
fallback, and the entry of paper sheets afterwards (organisers)."""
import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.common.access import Role, roles_required
from app.common.clock import utcnow
from app.common.forms import INTEGER_LIMIT, ConfirmForm, options
from app.common.http import no_store, private_pages
from app.common.problems import attach_problem
from app.extensions import db
from events.checkin.attendance_forms import MinutesForm, PaperForm, PhotoForm
from events.checkin.models import CheckinPhoto
from events.checkin.services import attendance_report as attendance
from events.checkin.services import minutes as minutes_services
from events.checkin.services import paper as paper_services
from events.checkin.services.invitees import rule_members
from events.checkin.views.att_common import event_or_404, take_snapshot, viewer_unit

bp = Blueprint("records", __name__, url_prefix="/records")
private_pages(bp)  # the sheet and the record name people

MAX_READ = minutes_services.MAX_PHOTO_BYTES + 1  # one byte more than allowed, so "too large" is seen


@bp.app_context_processor
def record_access():
    return {"checkin_may_keep_record": lambda event: minutes_services.may_keep_record(current_user, event)}


def _record_event(event_id: int):
    """The event if the current user may keep its record (organisers, the host's liaison); else 404."""
    event = event_or_404(event_id)
    if not minutes_services.may_keep_record(current_user, event):
        abort(404)
    return event


@bp.route("/<int:event_id>", methods=["GET", "POST"])
@roles_required(Role.ORGANISER, Role.LIAISON)
def minutes(event_id: int):
    event = _record_event(event_id)
    row = minutes_services.minutes_of(event)
    form = MinutesForm(obj=row)
    if form.validate_on_submit():
        try:
            minutes_services.save_minutes(event, actor=current_user, host=form.host.data, recorder=form.recorder.data,
                                          topics=form.topics.data, minutes=form.minutes.data)
        except minutes_services.MinutesProblem as problem:
            db.session.rollback()
            attach_problem(form, problem, "minutes")
        else:
            db.session.commit()
            flash(_("会议记录已保存。"), "success")
            return redirect(url_for("checkin.records.minutes", event_id=event.id))
    scope = None if current_user.is_organiser else current_user.liaison_unit_id
    return render_template("events/checkin/records/minutes.html", event=event, scope=scope, form=form,
                           photos=minutes_services.photos_of(event), photo_form=PhotoForm(),
                           confirm_form=ConfirmForm(), max_photos=minutes_services.MAX_PHOTOS, updated=row)


@bp.post("/<int:event_id>/photos")
@roles_required(Role.ORGANISER, Role.LIAISON)
def add_photo(event_id: int):
    event = _record_event(event_id)
    form = PhotoForm()
    if form.validate_on_submit():
        upload = form.photo.data
        try:
            minutes_services.add_photo(event, actor=current_user, content=upload.read(MAX_READ),
                                       filename=upload.filename or "")
        except minutes_services.MinutesProblem as problem:
            db.session.rollback()
            flash(problem.message, "error")
        else:
            db.session.commit()
            flash(_("照片已保存。"), "success")
    else:
        flash(_("请选择照片。"), "error")
    return redirect(url_for("checkin.records.minutes", event_id=event.id))


def _photo_or_404(photo_id: int) -> CheckinPhoto:
    if not 0 < photo_id <= INTEGER_LIMIT:
        abort(404)
    photo = db.get_or_404(CheckinPhoto, photo_id)
    _record_event(photo.event_id)
    return photo


@bp.get("/photos/<int:photo_id>")
@roles_required(Role.ORGANISER, Role.LIAISON)
def photo(photo_id: int):
    photo = _photo_or_404(photo_id)
    content = minutes_services.photo_bytes(photo)
    if content is None:
        abort(404)
    response = current_app.response_class(content, mimetype=photo.content_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    return no_store(response)


@bp.post("/photos/<int:photo_id>/delete")
@roles_required(Role.ORGANISER, Role.LIAISON)
def delete_photo(photo_id: int):
    photo = _photo_or_404(photo_id)
    event_id = photo.event_id
    path = minutes_services.delete_photo(photo, actor=current_user)
    db.session.commit()
    path.unlink(missing_ok=True)
    flash(_("照片已删除。"), "success")
    return redirect(url_for("checkin.records.minutes", event_id=event_id))


@bp.get("/<int:event_id>/sheet")
@roles_required(Role.ORGANISER, Role.LIAISON)
def sheet(event_id: int):
    """The print-ready 签到表: before the meeting a blank sheet to sign; afterwards 实到、请假、缺席及原因."""
    event = event_or_404(event_id)
    scope = viewer_unit(event)
    if take_snapshot(event):
        db.session.commit()
    if event.snapshot_taken_at is None:
        people, figures = _rule_people(event, scope), None
    else:
        people, figures = attendance.people(event, unit_id=scope), attendance.event_attendance(event, unit_id=scope)
    return render_template("events/checkin/records/sheet.html", event=event, scope=scope, people=people,
                           figures=figures, now=utcnow())


def _rule_people(event, scope):
    """Before the snapshot: the members the rule names now, for a sheet printed ahead of the meeting."""
    query = (sa.select(User).where(User.id.in_(sa.select(rule_members(event).subquery().c.id)))
             .options(joinedload(User.unit), joinedload(User.branch)).order_by(User.unit_id, User.branch_id, User.name))
    if scope is not None:
        query = query.where(User.unit_id == scope)
    return [attendance.Person(user_id=user.id, name=user.name, staff_id=user.staff_id, mobile=None,
                              unit_id=user.unit_id, unit_name=user.unit.name if user.unit else "",
                              branch_name=user.branch.name if user.branch else "", group_name="",
                              political_status=user.political_status or "", status="absent", checked_at=None,
                              method=None, flagged=False, leave_kind=None, leave_status=None, leave_reason="",
                              exemption_reason="")
            for user in db.session.scalars(query).unique()]


@bp.route("/<int:event_id>/paper", methods=["GET", "POST"])
@roles_required(Role.ORGANISER)
def paper(event_id: int):
    event = event_or_404(event_id)
    if take_snapshot(event):
        db.session.commit()
    candidates = [person for person in attendance.people(event) if person.checked_at is None]
    form = PaperForm()
    form.members.choices = options([(person.user_id, person.name) for person in candidates])
    if form.validate_on_submit():
        try:
            added = paper_services.enter_paper(event, list(form.members.data or []), actor=current_user,
                                               note=form.note.data)
        except paper_services.PaperProblem as problem:
            db.session.rollback()
            flash(problem.message, "error")
        else:
            db.session.commit()
            flash(_("已录入 %(n)s 人的纸质签到。", n=len(added)), "success")
            return redirect(url_for("checkin.records.paper", event_id=event.id))
    return render_template("events/checkin/records/paper.html", event=event, scope=None, form=form,
                           candidates=candidates, open=paper_services.may_enter_paper(event))

