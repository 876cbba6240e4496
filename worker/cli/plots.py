"""`intake stats --plot`: the stats drawn with matplotlib (optional, imported lazily).

Four panels, for an operator asking "is intake healthy, and since when is it not":
outcomes over time (stacked, one colour per outcome); the reasons of everything not accepted
over time, on a scale of their own (a handful of rejections next to a thousand acceptances
would vanish on a shared one); those reasons' totals; and training examples per skill.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from worker.operations.stats import Stats

INSTALL_HINT = "pip install 'matplotlib>=3.8,<4'"

OUTCOME_COLOURS = {
    "accepted": "#59a14f",
    "duplicate": "#76b7d6",
    "skipped": "#f1a340",
    "rejected": "#d62728",
    "failed": "#5e2a84",
}
OUTCOME_ORDER = tuple(OUTCOME_COLOURS)
# The reasons of an outcome take shades of its hue, so both timelines read alike; the worst
# outcomes are stacked first (at the bottom) and listed first.
REASON_SHADES = {
    "failed": ("#5e2a84", "#a782c3"),
    "rejected": (
        "#d62728",
        "#8c1c13",
        "#ff9896",
        "#e377c2",
        "#b5546e",
        "#ff6f61",
        "#7b1e3a",
        "#f4a6c5",
    ),
    "skipped": ("#f1a340", "#b35806", "#fdd49e", "#d9a35f"),
    "duplicate": ("#76b7d6", "#2b6a99", "#b9d9ea"),
}
PROBLEMS_FIRST = ("failed", "rejected", "skipped", "duplicate")
STATUS_COLOURS = {"approved": "#59a14f", "pending": "#f1a340", "dismissed": "#9d9d9d"}


class PlottingUnavailable(RuntimeError):
    """matplotlib is not installed."""


def _matplotlib() -> tuple[Any, Any]:
    try:
        from matplotlib import dates
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise PlottingUnavailable(
            f"--plot needs matplotlib, which is not installed: {INSTALL_HINT}"
        ) from exc
    return Figure, dates


def _reason_label(outcome: str, reason: str | None) -> str:
    return f"{outcome}: {reason}" if reason else outcome


def draw(stats: Stats, path: Path) -> None:
    """Render the stats to a PNG at `path`."""
    figure_class, dates = _matplotlib()
    # The object API needs no GUI backend and no global pyplot state.
    figure = figure_class(figsize=(13, 11), layout="constrained")
    grid = figure.add_gridspec(3, 2, height_ratios=(3.2, 2.4, 2.6))
    over_time = figure.add_subplot(grid[0, :])
    reasons_over_time = figure.add_subplot(grid[1, :], sharex=over_time)
    reason_totals = figure.add_subplot(grid[2, 0])
    skills = figure.add_subplot(grid[2, 1])

    scope = f"tenant {stats.tenant_id}" if stats.tenant_id else "all tenants"
    figure.suptitle(
        f"training-intake, {scope}: {stats.since:%Y-%m-%d %H:%M} to "
        f"{stats.until:%Y-%m-%d %H:%M} UTC",
        fontsize=14,
        fontweight="bold",
    )
    width = stats.bucket / timedelta(days=1) * 0.9
    _outcomes_over_time(over_time, stats, width)
    colours = _reasons_over_time(reasons_over_time, stats, width)
    for axes in (over_time, reasons_over_time):
        axes.set_xlim(
            dates.date2num(stats.since - stats.bucket / 2),
            dates.date2num(stats.until + stats.bucket / 2),
        )
        locator = dates.AutoDateLocator(minticks=4, maxticks=12)
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(dates.ConciseDateFormatter(locator))
        axes.grid(axis="y", alpha=0.3)
        axes.set_axisbelow(True)
    _reason_totals(reason_totals, stats, colours)
    _skills(skills, stats)
    # (A PNG whatever the name ends with: matplotlib would add ".png" to a name without one.)
    figure.savefig(path, dpi=100, format="png")


def _stack(
    axes: Any, series: dict[str, dict[datetime, int]], colours: dict[str, str], width: float
) -> dict[datetime, int]:
    """Stacked bars, one series after the other; returns each bucket's total."""
    base: dict[datetime, int] = defaultdict(int)
    for label, counts in series.items():
        starts = sorted(counts)
        if not starts:
            continue
        total = sum(counts.values())
        axes.bar(
            starts,
            [counts[s] for s in starts],
            width=width,
            bottom=[base[s] for s in starts],
            align="edge",
            color=colours[label],
            label=f"{label} ({total:,})",
        )
        for start in starts:
            base[start] += counts[start]
    return base


def _label_totals(axes: Any, totals: dict[datetime, int], bucket: timedelta, limit: int) -> None:
    """Each bar's total centred above it, when there are few enough bars to read them."""
    if not totals or len(totals) > limit:
        return
    for start, total in totals.items():
        axes.annotate(
            f"{total:,}",
            (start + bucket * 0.45, total),
            xytext=(0, 2),
            textcoords="offset points",
            fontsize=8,
            ha="center",
            va="bottom",
        )


def _outcomes_over_time(axes: Any, stats: Stats, width: float) -> None:
    series: dict[str, dict[datetime, int]] = {outcome: {} for outcome in OUTCOME_ORDER}
    for point in stats.timeline:
        counts = series.setdefault(point.outcome, {})
        counts[point.start] = counts.get(point.start, 0) + point.count
    colours = {**{o: "#7f7f7f" for o in series}, **OUTCOME_COLOURS}
    totals = _stack(axes, series, colours, width)
    _label_totals(axes, totals, stats.bucket, limit=36)
    bucket = _duration(stats.bucket)
    axes.set_title(f"Submissions by outcome, per {bucket}", loc="left", fontweight="bold")
    axes.set_ylabel("submissions")
    if totals:
        axes.legend(loc="upper left", ncols=len(series), fontsize=9, frameon=False)
        axes.set_ylim(0, max(totals.values()) * 1.18)
    else:
        _empty(axes, "no submissions in this window")


def _reasons_over_time(axes: Any, stats: Stats, width: float) -> dict[str, str]:
    """The not-accepted ones by reason over time; returns the colour given to each reason."""
    series: dict[str, dict[datetime, int]] = {}
    for point in sorted(
        stats.timeline, key=lambda p: (_problem_rank(p.outcome), p.reason or "", p.start)
    ):
        if point.outcome == "accepted":
            continue
        counts = series.setdefault(_reason_label(point.outcome, point.reason), {})
        counts[point.start] = counts.get(point.start, 0) + point.count
    colours = _reason_colours(series)
    totals = _stack(axes, series, colours, width)
    _label_totals(axes, totals, stats.bucket, limit=60)
    axes.set_title(
        "Not accepted, by reason (own scale: small counts stay visible)",
        loc="left",
        fontweight="bold",
    )
    axes.set_ylabel("submissions")
    axes.yaxis.get_major_locator().set_params(integer=True)
    if totals:
        axes.legend(loc="upper left", ncols=min(4, len(series)), fontsize=9, frameon=False)
        axes.set_ylim(0, max(totals.values()) * 1.35 + 0.5)
    else:
        _empty(axes, "every submission in this window was accepted")
    return colours


def _reason_totals(axes: Any, stats: Stats, colours: dict[str, str]) -> None:
    totals: dict[str, int] = defaultdict(int)
    for item in stats.outcomes:
        if item.outcome != "accepted":
            totals[_reason_label(item.outcome, item.reason)] += item.count
    labels = sorted(
        totals, key=lambda label: (_problem_rank(label.split(":", 1)[0]), -totals[label], label)
    )
    axes.set_title("Not accepted, totals by reason", loc="left", fontweight="bold")
    if not labels:
        _empty(axes, "nothing to show")
        axes.set_yticks([])
        return
    bars = axes.barh(
        labels,
        [totals[label] for label in labels],
        color=[colours.get(label, "#7f7f7f") for label in labels],
    )
    axes.bar_label(bars, labels=[f"{totals[label]:,}" for label in labels], padding=3, fontsize=9)
    axes.invert_yaxis()
    axes.set_xlabel("submissions")
    axes.set_xlim(0, max(totals.values()) * 1.2)
    axes.xaxis.get_major_locator().set_params(integer=True)


def _skills(axes: Any, stats: Stats) -> None:
    axes.set_title("Training examples per skill", loc="left", fontweight="bold")
    if not stats.skills:
        _empty(axes, "no training examples yet")
        axes.set_yticks([])
        return
    names = [skill.skill_name or skill.skill_id for skill in stats.skills]
    left = [0] * len(names)
    for status, colour in STATUS_COLOURS.items():
        counts = [getattr(skill, status) for skill in stats.skills]
        axes.barh(names, counts, left=left, label=f"{status} ({sum(counts):,})", color=colour)
        left = [a + b for a, b in zip(left, counts, strict=True)]
    for index, total in enumerate(left):
        axes.annotate(
            f"{total:,}",
            (total, index),
            xytext=(3, 0),
            textcoords="offset points",
            va="center",
            fontsize=9,
        )
    axes.invert_yaxis()
    axes.set_xlabel("examples")
    axes.set_xlim(0, max(left) * 1.2 or 1)
    # Below the axes, where it can cover no bar.
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncols=3, fontsize=9, frameon=False)


def _problem_rank(outcome: str) -> int:
    return PROBLEMS_FIRST.index(outcome) if outcome in PROBLEMS_FIRST else len(PROBLEMS_FIRST)


def _reason_colours(labels: Any) -> dict[str, str]:
    """A shade of its outcome's hue for each `outcome: reason` label, in order of appearance."""
    used: dict[str, int] = defaultdict(int)
    colours = {}
    for label in labels:
        outcome = label.split(":", 1)[0]
        shades = REASON_SHADES.get(outcome, ("#7f7f7f",))
        colours[label] = shades[used[outcome] % len(shades)]
        used[outcome] += 1
    return colours


def _empty(axes: Any, message: str) -> None:
    axes.text(
        0.5, 0.5, message, transform=axes.transAxes, ha="center", va="center", color="#7f7f7f"
    )


def _duration(bucket: timedelta) -> str:
    minutes = int(bucket.total_seconds() // 60)
    if minutes % 1440 == 0:
        days = minutes // 1440
        return "day" if days == 1 else f"{days} days"
    if minutes % 60 == 0:
        hours = minutes // 60
        return "hour" if hours == 1 else f"{hours} hours"
    return f"{minutes} minutes"
