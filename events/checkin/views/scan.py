"""Members: a scanned venue or static code (the first GET records; not signed in → login → done),
and their own member code."""
from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.audit.services import record as audit
from app.common.access import Role, login_required, public, roles_required
from app.common.forms import ConfirmForm
from app.common.http import private_pages
from app.common.qr import qr_svg_inline
from app.extensions import db
from events.checkin.services import codes, scanning
from events.checkin.services.recording import CheckinRefused
from events.checkin.views.common import PENDING_KEY, event_or_404, mark_seen, scanner, writes_on_get

bp = Blueprint("scan", __name__)
private_pages(bp)


def _result(event, *, outcome=None, refused: CheckinRefused | None = None):
    if event is not None:
        mark_seen(event.id)
    status = 200 if refused is None else 400
    return render_template("checkin/scan_result.html", event=event, outcome=outcome, refused=refused), status


def _scan(event_id: int, token: str, *, static: bool):
    event = event_or_404(event_id)
    try:
        result = scanning.scan_code(event, token, scanner(event.id), static=static)
    except CheckinRefused as refused:
        db.session.commit()  # keeps the failure for the organiser
        return _result(event, refused=refused)
    if isinstance(result, scanning.PendingStarted):
        session[PENDING_KEY] = result.token
        mark_seen(event.id)
        db.session.commit()
        flash(_("请先登录，登录后将自动完成“%(title)s”的签到。", title=event.title), "info")
        return redirect(url_for("auth.login", next=url_for("checkin.scan.complete")))
    db.session.commit()
    return _result(event, outcome=result)


@bp.get("/e/<int:event_id>/<token>")
@public
@writes_on_get
def venue(event_id: int, token: str):
    """The URL in the venue display's QR code: anyone may open it; not signed in → pending → login."""
    return _scan(event_id, token, static=False)


@bp.get("/e/<int:event_id>/static/<token>")
@public
@writes_on_get
def static_code(event_id: int, token: str):
    """The URL in a printed static code (only while the organiser allows static codes)."""
    return _scan(event_id, token, static=True)


@bp.get("/pending")
@login_required
@writes_on_get
def complete():
    """Where login returns a scanning browser: records the check-in it scanned (within 5 minutes)."""
    secret = session.get(PENDING_KEY)
    secret = secret if isinstance(secret, str) and len(secret) < 100 else None
    try:
        outcome = scanning.complete_pending(secret, scanner())
    except CheckinRefused as refused:
        db.session.commit()
        session.pop(PENDING_KEY, None)
        return _result(scanning.pending_event(secret), refused=refused)
    event = event_or_404(outcome.record.event_id)
    db.session.commit()
    session.pop(PENDING_KEY, None)
    return _result(event, outcome=outcome)


@bp.get("/my-code")
@roles_required(Role.MEMBER)
def my_code():
    """The member's personal code: staff scan it to check them in."""
    url = url_for("checkin.desk.member_code", token=codes.member_token(current_user), _external=True)
    return render_template("checkin/my_code.html", qr=qr_svg_inline(url), form=ConfirmForm())


@bp.post("/my-code/reissue")
@roles_required(Role.MEMBER)
def reissue_code():
    """Revoke the member's earlier codes (a screenshot shared) and show a new one."""
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("checkin.scan.my_code"))
    codes.reissue_member_code(current_user)
    audit("checkin.member_code_reissued", target=current_user, summary=_("重新生成个人签到码"))
    db.session.commit()
    flash(_("已生成新的签到码，之前的签到码（包括截图）已作废。"), "success")
    return redirect(url_for("checkin.scan.my_code"))
