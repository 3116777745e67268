"""The one clock the server trusts. Times are naive UTC in the database, Asia/Shanghai on screen."""
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

DISPLAY_ZONE = ZoneInfo("Asia/Shanghai")

_offset = timedelta(0)
_frozen: datetime | None = None


def utcnow() -> datetime:
    """Current time as naive UTC (how every timestamp is stored)."""
    if _frozen is not None:
        return _frozen
    return datetime.now(UTC).replace(tzinfo=None) + _offset


def to_local(value: datetime) -> datetime:
    """A stored naive-UTC time as an aware Asia/Shanghai time."""
    return value.replace(tzinfo=UTC).astimezone(DISPLAY_ZONE)


def local_today() -> date:
    """Today's date in Asia/Shanghai, by the server clock."""
    return to_local(utcnow()).date()


def from_local(value: datetime) -> datetime:
    """A naive Asia/Shanghai time typed in a form, as naive UTC for storage."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=DISPLAY_ZONE)
    return value.astimezone(UTC).replace(tzinfo=None)


@contextmanager
def frozen_at(moment: datetime):
    """Tests: stop the clock at `moment` (naive UTC) for the duration of the block."""
    global _frozen
    previous, _frozen = _frozen, moment
    try:
        yield
    finally:
        _frozen = previous


def advance(delta: timedelta) -> None:
    """Tests: move the clock forward (or the frozen moment, when frozen)."""
    global _offset, _frozen
    if _frozen is not None:
        _frozen += delta
    else:
        _offset += delta


def reset() -> None:
    global _offset, _frozen
    _offset, _frozen = timedelta(0), None
