"""Competition ranking ("1, 1, 3"): equal keys share a rank, the next rank skips."""
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

T = TypeVar("T")


def competition_ranks(items: Iterable[T], key: Callable[[T], Any]) -> list[tuple[int, T]]:
    """Sort by key ascending and give equal keys the same rank, leaving gaps after ties."""
    ordered = sorted(items, key=key)
    ranked: list[tuple[int, T]] = []
    previous_key = object()
    rank = 0
    for position, item in enumerate(ordered, start=1):
        item_key = key(item)
        if item_key != previous_key:
            rank = position
            previous_key = item_key
        ranked.append((rank, item))
    return ranked
