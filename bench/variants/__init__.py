"""The measured variants, by name: each returns one VariantResult."""

from __future__ import annotations

from collections.abc import Callable

from bench.variants.common import Context, VariantResult


def runner(name: str) -> Callable[[Context], VariantResult]:
    """The function that measures variant `name` (imported on demand)."""
    if name == "limit":
        from bench.variants.limit import run_limit

        return run_limit
    if name in ("limit-outcomes", "redis"):
        from bench.variants import references

        return references.RUNNERS[name]
    if name == "inline":
        from bench.variants.inline import run_inline

        return run_inline
    from bench.variants import queued

    return queued.RUNNERS[name]
