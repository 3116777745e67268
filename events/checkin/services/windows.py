"""When an event takes check-ins and sign-outs: pure rules on the event's times and a given moment."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

UPCOMING, OPEN, LATE, CLOSED, CANCELLED, SIGN_OUT = "upcoming", "open", "late", "closed", "cancelled", "sign_out"


@dataclass(frozen=True)
class WindowState:
    """`phase` is one of the constants above; `kind` the record a code scanned now makes (None: none)."""

    phase: str
    kind: str | None

    @property
    def accepting(self) -> bool:
        return self.kind is not None


def opens_at(event) -> datetime:
    """The check-in window opens `opens_minutes_before` the start."""
    return event.starts_at - timedelta(minutes=event.opens_minutes_before or 0)


def in_sign_out_window(event, now: datetime) -> bool:
    """Whether `now` falls in the event's sign-out (签退) window, if it has one."""
    return (event.sign_out_opens_at is not None and event.sign_out_closes_at is not None
            and event.sign_out_opens_at <= now <= event.sign_out_closes_at)


def window_state(event, now: datetime) -> WindowState:
    """What the event takes at `now`: the sign-out window wins where the two overlap (the display
    then shows the sign-out code); check-ins after late_at are late; nothing once closed or cancelled."""
    if event.cancelled_at is not None:
        return WindowState(CANCELLED, None)
    if in_sign_out_window(event, now):
        return WindowState(SIGN_OUT, "sign_out")
    if now < opens_at(event):
        return WindowState(UPCOMING, None)
    if now <= event.late_at:
        return WindowState(OPEN, "check_in")
    if now <= event.closes_at:
        return WindowState(LATE, "check_in")
    return WindowState(CLOSED, None)


def refusal_for(event, kind: str, now: datetime) -> str | None:
    """The failure reason when a `kind` record cannot be made at `now` (not_open / closed), else None."""
    if event.cancelled_at is not None:
        return "closed"
    if kind == "sign_out":
        if event.sign_out_opens_at is None:
            return "closed"
        if now < event.sign_out_opens_at:
            return "not_open"
        return None if now <= event.sign_out_closes_at else "closed"
    if now < opens_at(event):
        return "not_open"
    return None if now <= event.closes_at else "closed"


def is_late(event, checked_at: datetime) -> bool:
    """A check-in after late_at is 迟到."""
    return checked_at > event.late_at


def snapshot_due(event, now: datetime) -> bool:
    """The invitee list is frozen once the check-in window has opened."""
    return now >= opens_at(event)
