"""What the check-in views share: loading an event, the scanning browser, writing in a GET."""
from __future__ import annotations

import hashlib
import secrets
from functools import wraps

from flask import abort, request, session
from flask_login import current_user

from app.database import end_read_transaction, writes_in_get
from app.extensions import db
from events.checkin.models import CheckinEvent
from events.checkin.services.recording import Scanner
from events.checkin.services.scanning import can_scan

DEVICE_KEY = "ck_dev"
SEEN_KEY = "ck_seen"
PENDING_KEY = "ck_pending"
MAX_SEEN = 20


def event_or_404(event_id: int) -> CheckinEvent:
    return db.get_or_404(CheckinEvent, event_id)


def staff_event_or_404(event_id: int) -> CheckinEvent:
    """An event the signed-in user may scan for (organiser or its steward); others get 403."""
    event = event_or_404(event_id)
    if not can_scan(current_user, event):
        abort(403)
    return event


def device_key(create: bool = True) -> str | None:
    """sha256 of a random id this browser keeps in its session (who scanned, for the flags and limits)."""
    raw = session.get(DEVICE_KEY)
    if not isinstance(raw, str) or len(raw) > 64:
        if not create:
            return None
        raw = session[DEVICE_KEY] = secrets.token_urlsafe(16)
    return hashlib.sha256(raw.encode("ascii", "replace")).hexdigest()


def seen(event_id: int) -> bool:
    value = session.get(SEEN_KEY)
    return isinstance(value, list) and event_id in value


def mark_seen(event_id: int) -> None:
    value = session.get(SEEN_KEY)
    value = [item for item in value if isinstance(item, int)] if isinstance(value, list) else []
    if event_id not in value:
        session[SEEN_KEY] = [*value, event_id][-MAX_SEEN:]


def scanner(event_id: int | None = None) -> Scanner:
    """The browser making this request, as the services see it."""
    user = current_user._get_current_object() if current_user.is_authenticated else None
    return Scanner(user=user, device_key=device_key(), address=(request.remote_addr or "")[:64] or None,
                   seen_event=seen(event_id) if event_id is not None else False)


def writes_on_get(view):
    """A GET that records (a scanned link): end the read transaction the request began (loading the
    user) and run the view in transactions that may write (IMMEDIATE on SQLite)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user.is_authenticated:
            current_user.id  # noqa: B018  (loaded now, before the read transaction ends)
        end_read_transaction()
        with writes_in_get():
            return view(*args, **kwargs)

    return wrapped
