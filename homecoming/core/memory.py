"""Long computations over many small objects (matching a list of 50,000 rows, importing it)."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_paused = 0  # how many ``collection_paused`` blocks are running (in any thread)
_was_enabled = True  # whether the collector ran before the first of them


@contextmanager
def collection_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused for the block, and run once after it.

    Matching a long list makes millions of sets, tuples and model instances that live until the end: the
    collector, triggered every few hundred allocations, walks all of them again and again for nothing
    (a third of the matching time was spent there). Memory freed by reference counting is freed as usual;
    only cycles wait for the end of the block. Blocks may nest or run in several threads at once: the
    collector runs again when the last one ends."""
    global _paused, _was_enabled
    with _lock:
        if _paused == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _lock:
            _paused -= 1
            restore = _paused == 0 and _was_enabled
            if restore:
                gc.enable()
        if restore:
            gc.collect()
