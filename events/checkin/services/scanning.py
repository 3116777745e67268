"""The check-in paths: a scanned venue or static code (completed after login through a pending
check-in kept server-side), a member code scanned by staff, and the organisers' manual check-in and
annulment (audit-logged). Each returns an Outcome or raises CheckinRefused (already logged)."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from app.accounts.models import User
from app.audit.services import record as audit
from app.common.clock import to_local, utcnow
from app.common.problems import Problem
from app.extensions import db
from events.checkin.models import CheckinEvent, CheckinPending, CheckinRecord, CheckinSteward
from events.checkin.services.codes import (
    CodeRefused,
    VenueScan,
    read_member_token,
    read_static_token,
    read_venue_token,
)
from events.checkin.services.recording import (
    CheckinRefused,
    Outcome,
    Scanner,
    record_checkin,
    refuse,
    throttled,
)
from events.checkin.services.windows import refusal_for, window_state


@dataclass
class PendingStarted:
    """The scan was good but nobody is signed in: `token` goes into the browser's session; after login
    complete_pending(token) records the check-in."""

    token: str
    expires_at: datetime


def digest(token: str) -> str:
    """A pending check-in's id: the sha256 of the secret its browser keeps (a copy of the table opens none)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def pending_lifetime() -> timedelta:
    """How long a scan waits for its login (default 5 minutes)."""
    return timedelta(seconds=int(current_app.config.get("CHECKIN_PENDING_SECONDS", 300)))


def _read_code(event: CheckinEvent, token: str, *, static: bool, now: datetime) -> VenueScan:
    scan = read_static_token(token, event, now) if static else read_venue_token(token, event, now)
    if static:
        # A static code signs no kind: it makes what the event takes now (签退 in the sign-out window).
        kind = window_state(event, now).kind or "check_in"
        scan = VenueScan(scan.event_id, kind, scan.issued_at, scan.age_seconds, scan.tail, scan.method)
    return scan


def scan_code(event: CheckinEvent, token: str, scanner: Scanner, *, static: bool = False,
              now: datetime | None = None) -> Outcome | PendingStarted:
    """A venue (or static) code opened in a browser: checked on this first request; the signed-in
    member is recorded at once, otherwise a pending check-in waits for their login."""
    now = now or utcnow()
    method = "static_code" if static else "venue_code"
    if throttled(scanner, now=now):
        raise refuse("rate_limited", event=event, scanner=scanner, method=method, now=now)
    try:
        scan = _read_code(event, token, static=static, now=now)
    except CodeRefused as refused:
        raise refuse(refused.reason, event=event, scanner=scanner, method=method, now=now) from None
    reason = refusal_for(event, scan.kind, now)
    if reason is not None:
        raise refuse(reason, event=event, scanner=scanner, method=method, now=now)
    if scanner.user is not None:
        return record_checkin(event, scanner.user, kind=scan.kind, method=method, scanner=scanner,
                              token_tail=scan.tail, now=now)
    secret = secrets.token_urlsafe(24)
    expires_at = now + pending_lifetime()
    db.session.add(CheckinPending(
        id=digest(secret), event_id=event.id, kind=scan.kind, method=method, token_issued_at=scan.issued_at,
        flag_token_tail=scan.tail and not scanner.seen_event, device_key=scanner.device_key,
        address=(scanner.address or "")[:64] or None, created_at=now, expires_at=expires_at))
    return PendingStarted(secret, expires_at)


def pending_event(secret: str | None) -> CheckinEvent | None:
    """The event a browser's pending check-in is for (to name it on the login page), if any."""
    if not secret:
        return None
    row = db.session.get(CheckinPending, digest(secret))
    return db.session.get(CheckinEvent, row.event_id) if row is not None else None


def complete_pending(secret: str | None, scanner: Scanner, now: datetime | None = None) -> Outcome:
    """Record the check-in a browser scanned before signing in: within the pending lifetime and while
    the window is open, even though the venue code has rotated since; once only."""
    now = now or utcnow()
    row = db.session.get(CheckinPending, digest(secret), with_for_update=True) if secret else None
    if row is None or row.expires_at < now:
        event = db.session.get(CheckinEvent, row.event_id) if row is not None else None
        raise refuse("pending_lost", event=event, scanner=scanner, method=row.method if row else None, now=now)
    event = db.session.get(CheckinEvent, row.event_id)
    if row.completed_at is not None and row.user_id != scanner.user.id:
        raise refuse("pending_lost", event=event, scanner=scanner, method=row.method, now=now)
    outcome = record_checkin(event, scanner.user, kind=row.kind, method=row.method, scanner=scanner,
                             token_tail=row.flag_token_tail, now=now)
    row.completed_at = row.completed_at or now
    row.user_id = scanner.user.id
    return outcome


def purge_pending(now: datetime | None = None) -> int:
    """Forget pending check-ins well past their lifetime (they can no longer complete)."""
    cutoff = (now or utcnow()) - pending_lifetime() - timedelta(hours=1)
    return db.session.execute(sa.delete(CheckinPending).where(CheckinPending.expires_at < cutoff)).rowcount or 0


# ---------------------------------------------------------------- staff: member codes

def is_steward(user: User, event: CheckinEvent) -> bool:
    """Whether `user` is assigned as a steward of `event`."""
    return db.session.scalar(sa.select(sa.literal(True)).where(
        CheckinSteward.event_id == event.id, CheckinSteward.user_id == user.id)) is True


def can_scan(user: User, event: CheckinEvent) -> bool:
    """Organisers and the event's stewards may check members in from their member code."""
    return user.is_authenticated and (user.is_organiser or is_steward(user, event))


def staffed_events(user: User, now: datetime | None = None) -> list[CheckinEvent]:
    """The events taking check-ins now that `user` may scan for (organisers: all of them)."""
    now = now or utcnow()
    horizon = now + timedelta(days=1)
    query = (sa.select(CheckinEvent).where(CheckinEvent.cancelled_at.is_(None),
                                           CheckinEvent.starts_at <= horizon,
                                           sa.func.coalesce(CheckinEvent.sign_out_closes_at,
                                                            CheckinEvent.closes_at) >= now)
             .order_by(CheckinEvent.starts_at, CheckinEvent.id))
    if not user.is_organiser:
        query = query.where(CheckinEvent.id.in_(
            sa.select(CheckinSteward.event_id).where(CheckinSteward.user_id == user.id)))
    return [event for event in db.session.scalars(query) if window_state(event, now).accepting]


def extract_code(text: str) -> str:
    """The token in what a USB scanner typed: a whole member-code URL or the bare token."""
    text = "".join((text or "").split())
    marker = "/checkin/m/"
    if marker in text:
        text = text.rsplit(marker, 1)[1]
    return text.split("?", 1)[0].split("#", 1)[0].rstrip("/")[:512]


def member_from_code(code: str, staff: User, event: CheckinEvent | None, scanner: Scanner,
                     now: datetime | None = None) -> User:
    """The member a personal code names, for staff; refusals are logged against `event`."""
    now = now or utcnow()
    try:
        member_id = read_member_token(code, now)
    except CodeRefused as refused:
        raise refuse(refused.reason, event=event, scanner=scanner, method="member_code", recorded_by=staff,
                     staff=True, now=now) from None
    member = db.session.get(User, member_id)
    if member is None:
        raise refuse("invalid", event=event, scanner=scanner, method="member_code", recorded_by=staff,
                     staff=True, now=now)
    return member


def check_in_by_member_code(event: CheckinEvent, code: str, staff: User, scanner: Scanner,
                            now: datetime | None = None) -> Outcome:
    """A steward or organiser checks a member in from their personal code (in the window only)."""
    now = now or utcnow()
    if throttled(scanner, now=now):
        raise refuse("rate_limited", event=event, scanner=scanner, method="member_code", recorded_by=staff,
                     staff=True, now=now)
    member = member_from_code(code, staff, event, scanner, now)
    kind = window_state(event, now).kind or "check_in"
    return record_checkin(event, member, kind=kind, method="member_code", scanner=scanner, recorded_by=staff,
                          now=now)


# ---------------------------------------------------------------- organisers: by hand

class ReasonRequired(Problem):
    pass


def _reason(text: str) -> str:
    reason = " ".join((text or "").split())[:200]
    if not reason:
        raise ReasonRequired(_("请填写原因"), field="reason")
    return reason


def manual_check_in(event: CheckinEvent, member: User, organiser: User, reason: str, scanner: Scanner, *,
                    kind: str = "check_in", method: str = "manual", now: datetime | None = None) -> Outcome:
    """An organiser records a member by hand (or from the paper sheet), with a reason, audit-logged;
    also after the window closed, and for someone not on the list (added to it)."""
    reason = _reason(reason)
    outcome = record_checkin(event, member, kind=kind, method=method, scanner=scanner, recorded_by=organiser,
                             note=reason, check_window=False, add_if_uninvited=True, now=now)
    if not outcome.already:
        audit("checkin.manual" if method == "manual" else "checkin.paper", target=event, actor=organiser,
              summary=_("为 %(name)s（%(staff_id)s）手工登记%(kind)s：%(reason)s", name=member.name,
                        staff_id=member.staff_id, kind=_("签退") if kind == "sign_out" else _("签到"),
                        reason=reason),
              member_id=member.id, kind=kind, method=method, reason=reason)
    return outcome


def annul(event: CheckinEvent, record: CheckinRecord, organiser: User, reason: str) -> None:
    """Take back a check-in, with a reason: the row goes (so the member can check in again) and the
    audit log keeps who, when, how and why."""
    reason = _reason(reason)
    member = db.session.get(User, record.user_id)
    audit("checkin.annulled", target=event, actor=organiser,
          summary=_("作废 %(name)s 的%(kind)s记录（%(time)s）：%(reason)s", name=member.name if member else "?",
                    kind=_("签退") if record.kind == "sign_out" else _("签到"),
                    time=to_local(record.checked_at).strftime("%m-%d %H:%M"), reason=reason),
          member_id=record.user_id, kind=record.kind, method=record.method,
          checked_at=record.checked_at.isoformat(), reason=reason)
    db.session.delete(record)
    db.session.flush()


__all__ = ["CheckinRefused", "Outcome", "PendingStarted", "Scanner", "annul", "can_scan",
           "check_in_by_member_code", "complete_pending", "manual_check_in", "scan_code", "staffed_events"]
