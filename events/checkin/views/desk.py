"""Staff at the door: a member code opened by a steward's phone (confirm page, one 签到 button), the
desk page (USB scanner field, lookup by query), and the organisers' manual check-in and annulment."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.common.access import AUTHENTICATED, Role, roles_required
from app.common.clock import utcnow
from app.common.http import private_pages
from app.errors import abort_with
from app.extensions import db
from events.checkin.forms import DeskCodeForm, LookupForm, ManualForm, MemberCodeCheckinForm, ReasonForm
from events.checkin.models import CheckinRecord
from events.checkin.services import desk as desk_services
from events.checkin.services import scanning
from events.checkin.services.codes import CodeRefused, read_member_token
from events.checkin.services.recording import CheckinRefused
from events.checkin.services.scanning import ReasonRequired
from events.checkin.views.common import event_or_404, scanner, staff_event_or_404

bp = Blueprint("desk", __name__)
private_pages(bp)


# ---------------------------------------------------------------- a member code opened by staff

@bp.route("/m/<token>", methods=["GET", "POST"])
@roles_required(AUTHENTICATED)
def member_code(token: str):
    """Staff see who the code names and check them in; anyone else sees nothing of the member."""
    events = scanning.staffed_events(current_user)
    if not events:
        own = _own_code(token)
        return render_template("checkin/member_code_other.html", own=own), 200 if own else 403
    form = MemberCodeCheckinForm()
    form.event_id.choices = [(event.id, event.title) for event in events]
    try:
        member = scanning.member_from_code(token, current_user, events[0] if len(events) == 1 else None, scanner())
    except CheckinRefused as refused:
        db.session.commit()
        return render_template("checkin/member_code.html", member=None, refused=refused, form=form,
                               events=events), 400
    outcome = refused = None
    if form.validate_on_submit():
        event = next(event for event in events if event.id == form.event_id.data)
        try:
            outcome = scanning.check_in_by_member_code(event, token, current_user, scanner())
        except CheckinRefused as problem:
            refused = problem
        db.session.commit()
    elif request.method == "POST":
        abort(400)
    status = 400 if refused is not None else 200
    return render_template("checkin/member_code.html", member=member, form=form, events=events,
                           outcome=outcome, refused=refused, statuses=desk_services.statuses_of(member, events)), status


def _own_code(token: str) -> bool:
    try:
        return read_member_token(token) == current_user.id
    except CodeRefused:
        return False


# ---------------------------------------------------------------- the desk page

@bp.route("/events/<int:event_id>/desk", methods=["GET", "POST"])
@roles_required(AUTHENTICATED)
def desk(event_id: int):
    """The steward's page: a field a USB scanner types a member code into, and a lookup by query."""
    event = staff_event_or_404(event_id)
    form = DeskCodeForm()
    outcome = refused = None
    if form.validate_on_submit():
        try:
            outcome = scanning.check_in_by_member_code(event, scanning.extract_code(form.code.data),
                                                       current_user, scanner())
        except CheckinRefused as problem:
            refused = problem
        db.session.commit()
        form = DeskCodeForm(formdata=None)
    lookup = LookupForm(request.args, meta={"csrf": False})
    found = desk_services.lookup(event, lookup.q.data) if lookup.q.data and lookup.validate() else None
    status = 400 if refused is not None or (request.method == "POST" and outcome is None) else 200
    return render_template("checkin/desk.html", event=event, form=form, lookup=lookup, found=found,
                           outcome=outcome, refused=refused, manual_form=ManualForm(),
                           now=utcnow()), status


@bp.post("/events/<int:event_id>/manual")
@roles_required(Role.ORGANISER)
def manual(event_id: int):
    """An organiser checks someone in by hand, with a reason (stewards may only scan)."""
    event = event_or_404(event_id)
    form = ManualForm()
    if not form.validate_on_submit():
        abort_with(400, _("请填写原因"))
    member = desk_services.member_or_404(form.member_id.data)
    try:
        outcome = scanning.manual_check_in(event, member, current_user, form.reason.data, scanner(),
                                           kind=form.kind.data)
    except (CheckinRefused, ReasonRequired) as problem:
        db.session.commit()
        flash(problem.message, "error")
    else:
        db.session.commit()
        flash(_("%(name)s：%(message)s", name=member.name, message=outcome.message), "success")
    return redirect(url_for("checkin.desk.desk", event_id=event.id, q=request.form.get("q", "")[:64]))


@bp.post("/events/<int:event_id>/records/<int:record_id>/annul")
@roles_required(Role.ORGANISER)
def annul(event_id: int, record_id: int):
    """An organiser takes back a check-in, with a reason (audit-logged)."""
    event = event_or_404(event_id)
    record = db.get_or_404(CheckinRecord, record_id)
    if record.event_id != event.id:
        abort(404)
    form = ReasonForm()
    if not form.validate_on_submit():
        abort_with(400, _("请填写作废原因"))
    try:
        scanning.annul(event, record, current_user, form.reason.data)
    except ReasonRequired as problem:
        abort_with(400, problem.message)
    db.session.commit()
    flash(_("已作废该签到记录。"), "success")
    return redirect(url_for("checkin.manage.show", event_id=event.id))
