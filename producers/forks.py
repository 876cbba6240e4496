"""Objects that hold per-process state (buffers, sockets) start afresh in a forked child."""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable


def reset_in_child(method: Callable[[], None]) -> None:
    """Call the bound `method` in every child forked from now on, while its object lives.

    Only a weak reference is kept: a client that is gone is not kept alive by its fork hook.
    """
    ref = weakref.WeakMethod(method)

    def after_fork() -> None:
        bound = ref()
        if bound is not None:
            bound()

    os.register_at_fork(after_in_child=after_fork)
