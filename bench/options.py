"""What one run measures: sizes, modes, concurrency and where the results go."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# In the order they run; `limit` and `naive` come first because every row is compared to them.
VARIANTS = (
    "limit",
    "limit-outcomes",
    "redis",
    "ceiling",
    "naive",
    "inline",
    "single",
    "bulk",
    # The same two paths with the workers of another checkout (--baseline-tree): old code and
    # new, side by side in one run.
    "single-before",
    "bulk-before",
)
# What a run measures unless told: the *-before variants need another checkout.
DEFAULT_VARIANTS = tuple(variant for variant in VARIANTS if not variant.endswith("-before"))


@dataclass(frozen=True, slots=True)
class Options:
    """A run's settings; a zero `memory_n`, `reads_rows`, `sanitizer_repeat` or `datasets_rows`
    skips that mode."""

    n: int = 20_000
    concurrency: int = 2
    quick: bool = False
    variants: tuple[str, ...] = DEFAULT_VARIANTS
    # Another checkout of the service (with its own .venv) whose workers run the *-before
    # variants.
    baseline_tree: Path | None = None
    # Length of each steady-load latency phase, in seconds of offered load.
    latency_seconds: float = 10.0
    memory_n: int = 1_000_000
    memory_checkpoint: int = 100_000
    reads_rows: int = 5_000_000
    reads_skills: int = 1_000
    reads_samples: int = 2_000
    # Best-of samples per text of the sanitizer mode (0 skips it).
    sanitizer_repeat: int = 7
    # Submissions each producer (Python, TypeScript) enqueues per path in the producer mode.
    producers_n: int = 20_000
    # Examples loaded, flagged and exported by the datasets mode (0 skips it).
    datasets_rows: int = 1_000_000
    out: Path = Path(__file__).resolve().parent / "results"
    seed: int = 5
    # Seconds any one phase may take before it is abandoned; None derives it from the sizes.
    timeout: float | None = None
    # Allow emptying skill_feedback in a configured database that holds rows not made by the bench.
    force: bool = False
    chart: bool = True

    def phase_timeout(self, items: int) -> float:
        """How long a phase of `items` submissions may run: generous, but the run always ends."""
        if self.timeout is not None:
            return self.timeout
        return max(120.0, items / 50)


def quick_defaults() -> dict[str, object]:
    """What `--quick` changes unless an option says otherwise: short phases, scaled-down modes."""
    return {
        "latency_seconds": 3.0,
        "memory_n": 50_000,
        "memory_checkpoint": 5_000,
        "reads_rows": 250_000,
        "reads_samples": 500,
        "sanitizer_repeat": 3,
        "producers_n": 0,
        "datasets_rows": 50_000,
    }
