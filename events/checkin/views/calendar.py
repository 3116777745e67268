"""三会一课 (organisers: every branch; liaisons: their unit's): each branch's required meetings by month
and quarter, and its members without attendance for 3, 4 and 5 months."""
from flask import Blueprint, abort, render_template
from flask_login import current_user

from app.common.access import Role, roles_required
from app.common.clock import local_today, utcnow
from app.common.forms import INTEGER_LIMIT
from app.common.http import int_arg, private_pages
from app.extensions import db
from app.units.models import Unit
from events.checkin.services import calendar as services

bp = Blueprint("calendar", __name__, url_prefix="/calendar")
private_pages(bp)  # names and mobile numbers of inactive members


def _year() -> int:
    year = int_arg("year", local_today().year, strict=False)
    return year if 2000 <= year <= 2100 else local_today().year


def _scope() -> int | None:
    return None if current_user.is_organiser else current_user.liaison_unit_id


@bp.get("/")
@roles_required(Role.ORGANISER, Role.LIAISON)
def index():
    year = _year()
    lines = services.hosts_overview(services.calendar_hosts(_scope()), year)
    return render_template("events/checkin/calendar/index.html", lines=lines, year=year,
                           requirements=services.requirements())


@bp.get("/<int:unit_id>")
@roles_required(Role.ORGANISER, Role.LIAISON)
def branch(unit_id: int):
    if not 0 < unit_id <= INTEGER_LIMIT:
        abort(404)
    host = db.get_or_404(Unit, unit_id)
    scope = _scope()
    if scope is not None and scope not in (host.id, host.parent_id):
        abort(404)
    year = _year()
    now = utcnow()
    return render_template("events/checkin/calendar/branch.html", host=host, year=year,
                           rows=services.branch_calendar(host, year, now=now),
                           inactive=services.inactive_members(host, now=now), now=now)
