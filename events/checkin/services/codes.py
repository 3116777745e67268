"""The three codes: the rotating venue code, the printable static code and the member's own code.

Each is a signed token of its own purpose (app.common.tokens). A venue code is signed with the start
of its rotation slot as its time, so every display of an event shows the same code in the same slot
and a display's own clock never matters; it is accepted until `rotation + grace` after that start.
Ages are judged against app.common.clock, not the signer's clock.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.common.clock import utcnow
from app.common.tokens import InvalidToken, make_token, read_token_issued
from app.extensions import db
from events.checkin.models import CheckinMemberCode

VENUE_PURPOSE = "checkin.venue"
STATIC_PURPOSE = "checkin.static"
MEMBER_PURPOSE = "checkin.member"
_KIND_CODES = {"check_in": 0, "sign_out": 1}
_KINDS = {code: kind for kind, code in _KIND_CODES.items()}
_EPOCH = datetime(1970, 1, 1)
# A code signed this far in the future did not come from us (clock skew between app servers allowed).
_FUTURE_SKEW = timedelta(seconds=5)


class CodeRefused(Exception):
    """A code that cannot be used: `reason` is one of models.FAILURE_REASONS."""

    def __init__(self, reason: str, event_id: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.event_id = event_id


@dataclass(frozen=True)
class VenueScan:
    event_id: int
    kind: str
    issued_at: datetime
    age_seconds: float
    tail: bool  # in the last seconds of its acceptance
    method: str = "venue_code"


def grace_seconds() -> int:
    """How long after its slot a venue code is still accepted (the display's old code, a slow phone)."""
    return int(current_app.config.get("CHECKIN_TOKEN_GRACE_SECONDS", 30))


def tail_seconds() -> int:
    """The last seconds of a venue code's acceptance, in which a scan from a new device is flagged."""
    return int(current_app.config.get("CHECKIN_TOKEN_TAIL_SECONDS", 5))


def current_slot(event, now: datetime | None = None) -> int:
    """The number of the rotation slot `now` falls in (slots are rotation_seconds long from the epoch)."""
    now = now or utcnow()
    return int((now - _EPOCH).total_seconds()) // event.rotation_seconds


def slot_start(event, slot: int) -> datetime:
    """When rotation `slot` begins (the signing time of its venue code)."""
    return _EPOCH + timedelta(seconds=slot * event.rotation_seconds)


def seconds_to_next_slot(event, now: datetime | None = None) -> float:
    """How long the current venue code stays the newest (the display fetches the next one then)."""
    now = now or utcnow()
    return max(0.0, (slot_start(event, current_slot(event, now) + 1) - now).total_seconds())


def venue_token(event, kind: str, slot: int) -> str:
    """The venue code for `event` in rotation `slot`: identical for every display asking in that slot."""
    return make_token(VENUE_PURPOSE, [event.id, _KIND_CODES[kind]], issued_at=slot_start(event, slot))


def read_venue_token(token: str, event, now: datetime | None = None) -> VenueScan:
    """Check a scanned venue code against the event it claims: CodeRefused('invalid' | 'wrong_event' |
    'expired') unless it was signed for this event within rotation + grace."""
    now = now or utcnow()
    payload, issued_at = _read(VENUE_PURPOSE, token)
    if not (isinstance(payload, list) and len(payload) == 2 and all(type(v) is int for v in payload)
            and payload[1] in _KINDS):
        raise CodeRefused("invalid", event.id)
    if payload[0] != event.id:
        raise CodeRefused("wrong_event", event.id)
    age = (now - issued_at).total_seconds()
    lifetime = event.rotation_seconds + grace_seconds()
    if age < -_FUTURE_SKEW.total_seconds():
        raise CodeRefused("invalid", event.id)
    if age > lifetime:
        raise CodeRefused("expired", event.id)
    return VenueScan(event.id, _KINDS[payload[1]], issued_at, age, tail=age > lifetime - tail_seconds())


def static_token(event) -> str:
    """The printable static code of `event` (a poster): valid while static codes are allowed and its
    version is current."""
    return make_token(STATIC_PURPOSE, [event.id, event.static_code_version], issued_at=utcnow())


def read_static_token(token: str, event, now: datetime | None = None) -> VenueScan:
    """Check a static code: CodeRefused('invalid' | 'wrong_event' | 'static_off' | 'revoked')."""
    now = now or utcnow()
    payload, issued_at = _read(STATIC_PURPOSE, token)
    if not (isinstance(payload, list) and len(payload) == 2 and all(type(v) is int for v in payload)):
        raise CodeRefused("invalid", event.id)
    if payload[0] != event.id:
        raise CodeRefused("wrong_event", event.id)
    if not event.allow_static_code:
        raise CodeRefused("static_off", event.id)
    if payload[1] != event.static_code_version:
        raise CodeRefused("revoked", event.id)
    # A static code signs no kind: it makes whatever the event takes at the moment.
    return VenueScan(event.id, "check_in", issued_at, (now - issued_at).total_seconds(), tail=False,
                     method="static_code")


# ---------------------------------------------------------------- member codes

def member_code_version(user_id: int) -> int:
    """The member's current code version (1 until first reissued)."""
    version = db.session.scalar(sa.select(CheckinMemberCode.version).where(CheckinMemberCode.user_id == user_id))
    return version or 1


def member_token(user) -> str:
    """The member's personal code, carrying their current code version."""
    return make_token(MEMBER_PURPOSE, [user.id, member_code_version(user.id)], issued_at=utcnow())


def member_code_lifetime() -> timedelta:
    """How long a personal code stays valid if never reissued (default 400 days: a campaign year)."""
    return timedelta(days=int(current_app.config.get("CHECKIN_MEMBER_CODE_DAYS", 400)))


def read_member_token(token: str, now: datetime | None = None) -> int:
    """The member id a personal code names: CodeRefused('invalid' | 'expired' | 'revoked')."""
    now = now or utcnow()
    payload, issued_at = _read(MEMBER_PURPOSE, token)
    if not (isinstance(payload, list) and len(payload) == 2 and all(type(v) is int for v in payload)):
        raise CodeRefused("invalid")
    if now - issued_at > member_code_lifetime():
        raise CodeRefused("expired")
    if payload[1] != member_code_version(payload[0]):
        raise CodeRefused("revoked")
    return payload[0]


def reissue_member_code(user) -> int:
    """Revoke every earlier personal code of `user` and return the new version (race-safe increment)."""
    row = db.session.get(CheckinMemberCode, user.id, with_for_update=True)
    if row is None:
        row = CheckinMemberCode(user_id=user.id, version=1)
        db.session.add(row)
    row.version = (row.version or 1) + 1
    row.reissued_at = utcnow()
    db.session.flush()
    return row.version


def _read(purpose: str, token: str):
    if not isinstance(token, str) or not token or len(token) > 512:
        raise CodeRefused("invalid")
    try:
        return read_token_issued(purpose, token)
    except InvalidToken:
        raise CodeRefused("invalid") from None
