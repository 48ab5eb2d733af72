"""The cyclic garbage collector held off while the model is built.

Loading makes millions of long-lived objects in one go (values, pages, tokens) and
no reference cycles among them; with the collector on, each young-generation
collection walks everything made since the last one and the full ones walk the
whole model again, for nothing: that is over a second of a 10,000-objective check.
Objects are still freed by reference counting while it is off.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_collector() -> Iterator[None]:
    """No automatic collections inside; the collector's state is restored after (nesting is fine)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
