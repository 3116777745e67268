"""Recording a check-in or sign-out, and refusing one: the rules every path (venue code, static code,
member code, manual, paper) shares.

A record is unique per (event, member, kind) in the database: checking in twice answers "已于 19:02
签到" and two racing requests make one row (the loser's INSERT fails inside a savepoint and it reads
the winner's row). A refusal records a CheckinFailure with its reason and raises CheckinRefused;
the view commits so that the failure is kept. Nothing here commits.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from app.accounts.models import User
from app.common.clock import to_local, utcnow
from app.common.problems import Problem
from app.extensions import db
from events.checkin.models import CheckinEvent, CheckinFailure, CheckinRecord, CheckinThrottle
from events.checkin.services.invitees import add_invitee, ensure_snapshot, is_invited
from events.checkin.services.windows import opens_at, refusal_for


@dataclass
class Scanner:
    """Who and what is asking: the signed-in account (None before login), the browser's device key
    (sha256 of an id kept in its session), its address, and whether this browser had loaded one of
    the event's pages before (a forwarded screenshot's browser has not)."""

    user: User | None = None
    device_key: str | None = None
    address: str | None = None
    seen_event: bool = False


@dataclass
class Outcome:
    """A check-in that now exists: `already` when it existed before this request."""

    record: CheckinRecord
    already: bool
    member: User = field(repr=False, default=None)

    @property
    def message(self) -> str:
        time = to_local(self.record.checked_at).strftime("%H:%M")
        if self.record.kind == "sign_out":
            return _("已于 %(time)s 签退", time=time) if self.already else _("签退成功（%(time)s）", time=time)
        return _("已于 %(time)s 签到", time=time) if self.already else _("签到成功（%(time)s）", time=time)


class CheckinRefused(Problem):
    """No attendance was recorded; `reason` is one of FAILURE_REASONS (already logged as a failure)."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def refusal_message(reason: str, event: CheckinEvent | None = None, *, staff: bool = False) -> str:
    """The sentence a person is shown for a refusal (a member scanning, or `staff` scanning others)."""
    if reason == "not_open" and event is not None:
        return _("签到尚未开始，%(time)s 开始签到", time=to_local(opens_at(event)).strftime("%m-%d %H:%M"))
    messages = {
        "expired": _("二维码已过期，请重新扫描现场大屏上的最新二维码"),
        "invalid": _("二维码无效（可能不完整或被改动），请重新扫描"),
        "revoked": _("此二维码已作废，请使用最新的二维码"),
        "wrong_event": _("此二维码不属于本次活动"),
        "not_invited": _("该人员不在本次活动的应到名单中") if staff
        else _("您不在本次活动的应到名单中，如有疑问请联系组织者"),
        "not_open": _("签到尚未开始"),
        "closed": _("本次活动的签到已结束"),
        "static_off": _("本次活动不接受固定二维码签到，请扫描现场大屏上的二维码"),
        "pending_lost": _("签到请求已失效（登录用时过长或换了浏览器），请重新扫描现场二维码"),
        "inactive": _("该账号已停用或不在人员名册中，无法签到") if staff
        else _("您的账号已停用或不在人员名册中，无法签到"),
        "rate_limited": _("尝试过于频繁，请稍后再试"),
    }
    return messages.get(reason, messages["invalid"])


# ---------------------------------------------------------------- throttle (failures only)

def _limits() -> dict[str, int]:
    config = current_app.config
    return {"member": int(config.get("CHECKIN_MAX_MEMBER_FAILURES", 10)),
            "session": int(config.get("CHECKIN_MAX_SESSION_FAILURES", 20)),
            # a whole hall behind one office address: high enough never to stop honest scans
            "address": int(config.get("CHECKIN_MAX_ADDRESS_FAILURES", 3000))}


def _window() -> timedelta:
    return timedelta(seconds=int(current_app.config.get("CHECKIN_THROTTLE_WINDOW_SECONDS", 600)))


def _throttle_keys(scanner: Scanner, member_id: int | None) -> list[str]:
    keys = []
    member_id = member_id or (scanner.user.id if scanner.user is not None else None)
    if member_id:
        keys.append(f"member:{member_id}")
    if scanner.device_key:
        keys.append(f"session:{scanner.device_key}")
    if scanner.address:
        keys.append(f"address:{scanner.address[:100]}")
    return keys


def throttled(scanner: Scanner, member_id: int | None = None, now: datetime | None = None) -> bool:
    """Whether this member, browser session or address has failed too often in the current window."""
    now = now or utcnow()
    keys = _throttle_keys(scanner, member_id)
    if not keys:
        return False
    limits = _limits()
    for key, hits, started in db.session.execute(sa.select(
            CheckinThrottle.key, CheckinThrottle.hits, CheckinThrottle.window_started_at)
            .where(CheckinThrottle.key.in_(keys))):
        if started >= now - _window() and hits >= limits[key.split(":", 1)[0]]:
            return True
    return False


def _count_failure(scanner: Scanner, member_id: int | None, now: datetime) -> None:
    table = CheckinThrottle.__table__
    cutoff = now - _window()
    dialect = db.session.get_bind(mapper=CheckinThrottle.__mapper__).dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for key in _throttle_keys(scanner, member_id):
        statement = insert(CheckinThrottle).values(key=key, hits=1, window_started_at=now)
        stale = table.c.window_started_at < cutoff
        db.session.execute(statement.on_conflict_do_update(index_elements=["key"], set_={
            "hits": sa.case((stale, 1), else_=table.c.hits + 1),
            "window_started_at": sa.case((stale, now), else_=table.c.window_started_at)}))


def refuse(reason: str, *, event: CheckinEvent | None, scanner: Scanner, member: User | None = None,
           method: str | None = None, recorded_by: User | None = None, detail: str = "",
           staff: bool = False, now: datetime | None = None) -> CheckinRefused:
    """Log a failed attempt with its reason (and count it against the throttle); the exception to raise."""
    now = now or utcnow()
    member_id = member.id if member is not None else (scanner.user.id if scanner.user and not staff else None)
    if reason == "rate_limited" and member_id is None and recorded_by is None:
        # Nobody to name: logging every refused request of an anonymous flood would be the flood's write.
        return CheckinRefused(reason, refusal_message(reason, event, staff=staff))
    db.session.add(CheckinFailure(
        event_id=event.id if event is not None else None, user_id=member_id, reason=reason, method=method,
        recorded_by_id=recorded_by.id if recorded_by is not None else None, device_key=scanner.device_key,
        address=(scanner.address or "")[:64] or None, detail=detail[:200], created_at=now))
    if reason != "rate_limited":
        _count_failure(scanner, None if staff else member_id, now)
    return CheckinRefused(reason, refusal_message(reason, event, staff=staff))


# ---------------------------------------------------------------- recording

def existing_record(event_id: int, user_id: int, kind: str) -> CheckinRecord | None:
    """The member's record of `kind` at the event, if any (there is at most one)."""
    return db.session.scalars(sa.select(CheckinRecord).where(
        CheckinRecord.event_id == event_id, CheckinRecord.user_id == user_id, CheckinRecord.kind == kind)).first()


def _shared_device(event: CheckinEvent, member: User, kind: str, device_key: str | None) -> bool:
    if not device_key:
        return False
    return db.session.scalar(sa.select(sa.literal(True)).where(
        CheckinRecord.event_id == event.id, CheckinRecord.device_key == device_key,
        CheckinRecord.kind == kind, CheckinRecord.user_id != member.id).limit(1)) is True


def record_checkin(event: CheckinEvent, member: User, *, kind: str, method: str, scanner: Scanner,
                   recorded_by: User | None = None, note: str = "", token_tail: bool = False,
                   check_window: bool = True, add_if_uninvited: bool = False,
                   now: datetime | None = None) -> Outcome:
    """Record `member`'s `kind` at `event` once: refusals are logged and raised (inactive, outside the
    window, not invited); an existing record is returned as `already`; flags mark, never block."""
    now = now or utcnow()
    staff = recorded_by is not None
    if not member.active or member.unit_id is None:
        raise refuse("inactive", event=event, scanner=scanner, member=member, method=method,
                     recorded_by=recorded_by, staff=staff, now=now)
    reason = refusal_for(event, kind, now)
    if reason is not None and (check_window or reason == "not_open" or event.cancelled_at is not None):
        raise refuse(reason, event=event, scanner=scanner, member=member, method=method,
                     recorded_by=recorded_by, staff=staff, now=now)
    ensure_snapshot(event, now)
    previous = existing_record(event.id, member.id, kind)
    if previous is not None:
        return Outcome(previous, True, member)
    if not is_invited(event, member.id):
        if not add_if_uninvited:
            raise refuse("not_invited", event=event, scanner=scanner, member=member, method=method,
                         recorded_by=recorded_by, staff=staff, now=now)
        add_invitee(event, member, now)
    code_scan = method in ("venue_code", "static_code")
    record = CheckinRecord(
        event_id=event.id, user_id=member.id, kind=kind, method=method, checked_at=now,
        recorded_by_id=recorded_by.id if recorded_by is not None else None, note=note[:200],
        device_key=scanner.device_key, address=(scanner.address or "")[:64] or None,
        flag_shared_device=code_scan and _shared_device(event, member, kind, scanner.device_key),
        flag_token_tail=code_scan and token_tail and not scanner.seen_event)
    try:
        with db.session.begin_nested():
            db.session.add(record)
    except IntegrityError:
        # Another request recorded the same (event, member, kind) meanwhile: theirs stands.
        winner = existing_record(event.id, member.id, kind)
        if winner is None:
            raise
        return Outcome(winner, True, member)
    return Outcome(record, False, member)
