"""Backoff for transient faults: exponential, capped, with jitter."""

from __future__ import annotations

import random

from worker.settings import get_settings


def backoff(attempt: int) -> float:
    """Seconds to wait before retry number `attempt + 1`: between half and all of the ceiling."""
    settings = get_settings()
    ceiling = min(settings.retry_backoff_max, settings.retry_backoff_base * 2**attempt)
    return random.uniform(ceiling / 2, ceiling)
