"""考勤统计 (organisers: every unit; liaisons: their own unit's invitees only): the event list, one
event's figures per unit and branch with the rate's formula, the 党员大会 quorum, the 未签到名单, the
full list with status and time, and the workbook."""
import sqlalchemy as sa
from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from app.audit.services import record
from app.common.access import Role, roles_required
from app.common.clock import utcnow
from app.common.http import private_pages, xlsx_download
from app.extensions import db
from app.units.models import Unit
from events.checkin import exports
from events.checkin.models import ATTENDANCE_LABELS, ATTENDANCE_STATUSES, CheckinEvent, CheckinInvitee
from events.checkin.services import attendance_report as attendance
from events.checkin.views.att_common import event_or_404, rule_names_unit, take_snapshot, viewer_unit

bp = Blueprint("attendance", __name__, url_prefix="/attendance")
private_pages(bp)  # names, staff IDs, mobile numbers of the absent

INDEX_LIMIT = 100
COMING_LIMIT = 30


@bp.app_template_filter("checkin_percent")
def checkin_percent(value: float | None) -> str:
    """0.8567 -> 85.7%; None (nobody counted) -> —."""
    return "—" if value is None else f"{value * 100:.1f}%"


def visible_events(limit: int = INDEX_LIMIT) -> list[CheckinEvent]:
    """Events whose attendance the current user may see, newest first: every one for organisers; for a
    liaison those inviting their unit's members (by the snapshot, or by the rule for meetings still to
    come: their liaison asks leave there) or held by their unit or its branches."""
    order = (CheckinEvent.starts_at.desc(), CheckinEvent.id.desc())
    query = sa.select(CheckinEvent).order_by(*order).limit(limit)
    if current_user.is_organiser:
        return list(db.session.scalars(query))
    unit_id = current_user.liaison_unit_id
    invites = sa.select(CheckinInvitee.event_id).where(CheckinInvitee.unit_id == unit_id)
    hosts = sa.select(Unit.id).where(sa.or_(Unit.id == unit_id, Unit.parent_id == unit_id))
    shown = list(db.session.scalars(
        query.where(sa.or_(CheckinEvent.id.in_(invites), CheckinEvent.host_unit_id.in_(hosts)))))
    coming = db.session.scalars(  # one statement per meeting still before its snapshot (a handful)
        sa.select(CheckinEvent).where(CheckinEvent.snapshot_taken_at.is_(None), CheckinEvent.cancelled_at.is_(None),
                                      CheckinEvent.ends_at >= utcnow()).order_by(*order).limit(COMING_LIMIT))
    known = {event.id for event in shown}
    shown += [event for event in coming if event.id not in known and rule_names_unit(event, unit_id)]
    return sorted(shown, key=lambda event: (event.starts_at, event.id), reverse=True)


@bp.get("/")
@roles_required(Role.ORGANISER, Role.LIAISON)
def index():
    scope = None if current_user.is_organiser else current_user.liaison_unit_id
    lines = attendance.summaries(visible_events(), unit_id=scope)
    return render_template("events/checkin/attendance/index.html", lines=lines, scope=scope, now=utcnow())


def _prepare(event_id: int):
    event = event_or_404(event_id)
    scope = viewer_unit(event)
    if take_snapshot(event):
        db.session.commit()  # a snapshot taken now is kept (idempotent: insert or ignore)
    return event, scope


@bp.get("/<int:event_id>")
@roles_required(Role.ORGANISER, Role.LIAISON)
def event(event_id: int):
    event, scope = _prepare(event_id)
    figures = attendance.event_attendance(event, unit_id=scope)
    absent = attendance.absentees(event, unit_id=scope)
    return render_template("events/checkin/attendance/event.html", event=event, scope=scope, figures=figures,
                           absent=absent, formula=attendance.rate_formula(),
                           quorum_formula=attendance.quorum_formula(), now=utcnow())


@bp.get("/<int:event_id>/people")
@roles_required(Role.ORGANISER, Role.LIAISON)
def people(event_id: int):
    event, scope = _prepare(event_id)
    status = request.args.get("status", "")
    statuses = (status,) if status in ATTENDANCE_STATUSES else None
    rows = attendance.people(event, unit_id=scope, statuses=statuses)
    return render_template("events/checkin/attendance/people.html", event=event, scope=scope, rows=rows,
                           status=status if statuses else "", statuses=ATTENDANCE_STATUSES,
                           labels=ATTENDANCE_LABELS, method_label=exports.method_label, now=utcnow())


@bp.get("/<int:event_id>/export")
@roles_required(Role.ORGANISER, Role.LIAISON)
def export(event_id: int):
    event, scope = _prepare(event_id)
    content = exports.attendance_workbook(event, unit_id=scope)
    record("checkin.attendance_exported", target=event, summary=event.title, unit_id=scope)
    db.session.commit()
    return xlsx_download(content, _("%(title)s 考勤.xlsx", title=event.title))
