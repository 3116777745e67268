"""Python's cyclic garbage collector paused while a request builds many small objects.

A collection of the oldest generation walks every tracked object in the worker, and a worker that
keeps a campaign's participation parts holds hundreds of thousands of them: building the next tens of
thousands (a roster read, a workbook) set off such a collection and tripled the time (100 ms became
300 ms). What is built there makes no reference cycles that must go at once; the collector runs as
usual as soon as the block ends.
"""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic collector off (it is turned back on after, if it was on)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
