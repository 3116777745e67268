"""What a worker works out once and keeps: a fragment or page whose key holds everything it depends on
(locale, roles, URL, …), so no write in another worker ever has to clear it (kept); a part kept under
the data version it was made from, one per slot (latest); and a part that also holds for a window of
time (windowed). In debug, where templates and catalogues may change under it, nothing is kept."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from flask import current_app

T = TypeVar("T")


def kept(key: tuple, build: Callable[[], T], *, store: str, limit: int) -> T:
    """`build()`'s result, kept in this worker under `key` in the memo `store` (emptied at once when it
    holds `limit` entries); in debug, where templates and catalogues may change under it, never kept."""
    app = current_app._get_current_object()
    if app.debug:
        return build()
    memo = app.extensions.setdefault(store, {})
    value = memo.get(key)
    if value is None:
        value = build()
        if len(memo) >= limit:
            memo.clear()
        memo[key] = value
    return value


SLOTS = 512  # a bound on the slots of one store whatever happens: emptied at once past it


def slots(store: str) -> dict:
    """The slots of the memo `store` in this worker ({slot: what latest/windowed hold})."""
    memo = current_app.extensions.setdefault(store, {})
    if len(memo) > SLOTS:
        memo.clear()
    return memo


def latest(store: str, slot: tuple, version: Any, build: Callable[[], T], *, keep: bool = True) -> T:
    """`build()`, kept in `slot` of `store` while `version` stays the same (one value per slot: a newer
    version replaces the older at once, so nothing piles up while writes go on)."""
    if current_app.debug:
        keep = False
    memo = slots(store)
    held = memo.get(slot)
    if held is not None and held[0] == version:
        return held[1]
    value = build()
    if keep:
        memo[slot] = (version, value)
    return value


def windowed(store: str, slot: tuple, version: Any, as_of: datetime, build: Callable[[], T],
             until: Callable[[T], datetime | None], *, derive: Callable[[Any, T], T | None] | None = None) -> T:
    """`build()` for `as_of`, kept in `slot` of `store` under `version` and reused for any as-of from
    the one it was built for until `until(value)` (None: no end); `derive(held version, held value)` may
    give the value for a new version from the one held for the same window (None: build it). A value
    for an earlier as-of never replaces the one held for a later."""
    keep = not current_app.debug
    memo = slots(store)
    held = memo.get(slot)
    covers = held is not None and held[1] <= as_of and (held[2] is None or as_of < held[2])
    if covers and held[0] == version:
        return held[3]
    value = derive(held[0], held[3]) if covers and derive is not None else None
    if value is None:
        value = build()
        if held is not None and held[0] == version and held[1] > as_of:
            keep = False
    if keep:
        memo[slot] = (version, as_of, until(value), value)
    return value
