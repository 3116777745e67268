"""The venue display (desktop or TV, full screen): a QR code that is a URL with the current venue
token, and a live counter. The page polls a cheap JSON state with an ETag (304 when nothing changed)
and fetches the QR image of each new rotation slot; the display's own clock never matters."""
from flask import Blueprint, abort, current_app, jsonify, render_template, request, url_for
from flask_login import current_user

from app.common.access import AUTHENTICATED, roles_required
from app.common.clock import utcnow
from app.common.http import private_pages
from app.common.qr import qr_png, qr_svg
from app.database import end_read_transaction, writes_in_get
from app.extensions import db
from events.checkin.services import attendance, codes
from events.checkin.services.invitees import ensure_snapshot
from events.checkin.services.windows import snapshot_due, window_state
from events.checkin.views.common import staff_event_or_404

bp = Blueprint("display", __name__)
private_pages(bp)

POLL_MS = 2000


def _with_snapshot(event_id: int):
    """The event, its invitee list frozen first if the window has just opened (a write, rarely)."""
    event = staff_event_or_404(event_id)
    if event.snapshot_taken_at is None and snapshot_due(event, utcnow()):
        current_user.id  # noqa: B018  (loaded before the read transaction ends)
        end_read_transaction()
        with writes_in_get():
            event = staff_event_or_404(event_id)
            ensure_snapshot(event)
            db.session.commit()
        event = staff_event_or_404(event_id)
    return event


@bp.get("/events/<int:event_id>/display")
@roles_required(AUTHENTICATED)
def show(event_id: int):
    """The full-screen page; organisers and the event's stewards open it on the venue's screen."""
    event = staff_event_or_404(event_id)
    return render_template("checkin/display.html", event=event, poll_ms=POLL_MS,
                           state_url=url_for("checkin.display.state", event_id=event.id))


def state_of(event, now) -> dict:
    window = window_state(event, now)
    checked, expected = attendance.live_counter(event) if event.snapshot_taken_at else (0, 0)
    slot = codes.current_slot(event, now) if window.accepting else None
    state = {"phase": window.phase, "kind": window.kind, "slot": slot, "checked_in": checked,
             "expected": expected, "capacity": event.capacity}
    if event.event_type == "assembly" and event.snapshot_taken_at:
        quorum = attendance.quorum(event)
        state["quorum"] = {"present": quorum.present, "expected": quorum.expected, "reached": quorum.reached}
    state["version"] = "-".join(str(value) for value in (
        window.phase, slot, checked, expected, state.get("quorum", {}).get("present", "")))
    if slot is not None:
        state["qr"] = url_for("checkin.display.qr", event_id=event.id, fmt="svg", slot=slot, kind=window.kind)
        state["next_in"] = round(codes.seconds_to_next_slot(event, now), 1)
    return state


@bp.get("/events/<int:event_id>/display/state")
@roles_required(AUTHENTICATED)
def state(event_id: int):
    """The display's state as JSON; 304 when the version the page holds is still current."""
    event = _with_snapshot(event_id)
    body = state_of(event, utcnow())
    etag = f'"{body["version"]}"'
    if request.headers.get("If-None-Match") == etag:
        response = current_app.response_class(status=304)
    else:
        response = jsonify(body)
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/events/<int:event_id>/display/qr.<any(svg, png):fmt>")
@roles_required(AUTHENTICATED)
def qr(event_id: int, fmt: str):
    """The QR code of one rotation slot (the current one or the one just before), as SVG (or PNG)."""
    event = staff_event_or_404(event_id)
    now = utcnow()
    slot = request.args.get("slot", "")
    kind = request.args.get("kind", "check_in")
    current = codes.current_slot(event, now)
    if not slot.isdigit() or int(slot) not in (current, current - 1) or kind not in ("check_in", "sign_out"):
        abort(404)
    url = url_for("checkin.scan.venue", event_id=event.id, token=codes.venue_token(event, kind, int(slot)),
                  _external=True)
    response = current_app.response_class(
        qr_svg(url) if fmt == "svg" else qr_png(url), mimetype="image/svg+xml" if fmt == "svg" else "image/png")
    response.headers["Cache-Control"] = f"private, max-age={event.rotation_seconds}"
    return response
