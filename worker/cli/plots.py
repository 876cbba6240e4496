"""`intake stats --plot`: the stats drawn with matplotlib (optional, imported lazily)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from worker.operations.stats import Stats

INSTALL_HINT = "pip install 'matplotlib>=3.8,<4'"


class PlottingUnavailable(RuntimeError):
    """matplotlib is not installed."""


def _figure_class() -> Any:
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise PlottingUnavailable(
            f"--plot needs matplotlib, which is not installed: {INSTALL_HINT}"
        ) from exc
    return Figure


def draw(stats: Stats, path: Path) -> None:
    """Two panels: outcomes by kind and reason, and examples per skill by status."""
    figure_class = _figure_class()
    # The object API needs no GUI backend and no global pyplot state.
    figure = figure_class(figsize=(11, 8), layout="constrained")
    outcomes_axes, skills_axes = figure.subplots(2, 1)

    labels = [
        f"{item.kind or '?'} {item.outcome}" + (f" ({item.reason})" if item.reason else "")
        for item in stats.outcomes
    ]
    outcomes_axes.barh(labels or ["none"], [item.count for item in stats.outcomes] or [0])
    outcomes_axes.invert_yaxis()
    scope = f"tenant {stats.tenant_id}" if stats.tenant_id else "all tenants"
    outcomes_axes.set_title(
        f"Outcomes since {stats.since:%Y-%m-%d %H:%M} UTC ({scope})", loc="left"
    )
    outcomes_axes.set_xlabel("submissions")

    names = [skill.skill_name or skill.skill_id for skill in stats.skills] or ["none"]
    left = [0] * len(names)
    for status, color in (
        ("approved", "tab:green"),
        ("pending", "tab:orange"),
        ("dismissed", "tab:gray"),
    ):
        counts = [getattr(skill, status) for skill in stats.skills] or [0]
        skills_axes.barh(names, counts, left=left, label=status, color=color)
        left = [a + b for a, b in zip(left, counts, strict=True)]
    skills_axes.invert_yaxis()
    skills_axes.set_title("Training examples per skill", loc="left")
    skills_axes.set_xlabel("examples")
    skills_axes.legend(loc="lower right")
    figure.savefig(path, dpi=100)
