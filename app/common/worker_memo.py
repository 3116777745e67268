"""What a worker renders once and keeps: a fragment or page whose key holds everything it depends on
(locale, roles, URL, …), so no write in another worker ever has to clear it."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

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
