"""The roster blueprint and what its pages share: who may manage, reading filters, loading a person."""
from flask import Blueprint, abort, make_response, render_template
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.common.access import Role
from app.common.forms import INTEGER_LIMIT
from app.common.http import int_arg, no_store, private_pages
from app.errors import abort_with
from app.extensions import db
from app.members import services
from app.members.forms import ROLE_LABELS
from app.members.services import MemberFilters

bp = Blueprint("members", __name__, url_prefix="/members")
private_pages(bp)  # the roster: names, staff IDs, mobile numbers

MANAGERS = (Role.ORGANISER, Role.LIAISON)  # admin passes the organiser check


@bp.context_processor
def inject_role_labels():
    return {"role_labels": ROLE_LABELS}


def filters_from(args) -> MemberFilters:
    unit = args.get("unit", "")
    return MemberFilters(
        q=args.get("q", "")[: services.MAX_SEARCH_LENGTH],
        unit=services.STAFF_ONLY if unit == services.STAFF_ONLY else int_arg("unit", source=args, minimum=1, strict=False),
        branch=int_arg("branch", source=args, minimum=1, strict=False),
        active={"1": True, "0": False}.get(args.get("active", "")),
    )


def load_member(member_id: int):
    """The person with this id if the current user may see them; 404 otherwise (no leak across units)."""
    member = services.get_visible(current_user, member_id) if member_id <= INTEGER_LIMIT else None
    if member is None:
        abort(404)
    return member


def commit_or_conflict() -> None:
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        abort_with(409, _("工号或手机号刚被他人占用，未保存，请检查后重试。"))


def password_page(member, password: str, *, created: bool = False, status: int = 200):
    """Show a one-time password once; never cached, never put in the session."""
    return no_store(make_response(render_template("members/password.html", member=member, password=password,
                                                  created=created), status))
