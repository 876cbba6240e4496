"""The PNG chart of a run: throughput, steady-load latency and peak worker memory per variant."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

log = logging.getLogger("bench.chart")

MIB = 2**20
SHORT = {
    "limit": "raw COPY\n(limit)",
    "ceiling": "Celery no-op\n(ceiling)",
    "naive": "naive\nworker",
    "inline": "inline\n(today)",
    "single": "intake.submit\n(single)",
    "bulk": "submit_many\n(bulk)",
}


def _label(row: dict[str, Any]) -> str:
    return SHORT.get(row["name"], str(row["name"]))


def _times(ratio: float) -> str:
    return f"{ratio:,.0f}x" if ratio >= 10 else f"{ratio:.2g}x"


def draw(report: dict[str, Any], out: Path) -> Path | None:
    """Write `latest.png` next to the JSON; None (with a message) when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log.warning("no chart: matplotlib is not installed (pip install matplotlib)")
        return None

    rows = [row for row in report["variants"] if not row["error"]]
    labels = [_label(row) for row in rows]
    positions = range(len(rows))
    figure, (speed, latency, memory) = plt.subplots(1, 3, figsize=(17, 5.5))

    throughput = [row["throughput"] or 0 for row in rows]
    bars = speed.bar(positions, throughput, color="#4c72b0")
    speed.set_yscale("log")
    if any(throughput):
        speed.set_ylim(top=max(throughput) * 4)  # room for the labels above the bars
    speed.set_title("submissions/s, end to end (log scale)")
    for bar, row in zip(bars, rows, strict=True):
        note = f"{row['throughput']:,.0f}"
        if row["ratio_to_naive"]:
            note += f"\n{_times(row['ratio_to_naive'])} naive"
        speed.annotate(note, (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                       ha="center", va="bottom", fontsize=7)  # fmt: skip

    timed = [row for row in rows if row["latency"]]
    width = 0.4
    spots = range(len(timed))
    latency.bar([p - width / 2 for p in spots], [r["latency"]["p50_ms"] for r in timed], width,
                label="p50", color="#55a868")  # fmt: skip
    latency.bar([p + width / 2 for p in spots], [r["latency"]["p99_ms"] for r in timed], width,
                label="p99", color="#c44e52")  # fmt: skip
    latency.set_yscale("log")
    latency.set_title("enqueue to row, ms, at half the max rate (log)")
    if timed:
        latency.legend()
    latency.set_xticks(list(spots), [_label(r) for r in timed], fontsize=7)

    measured = [row for row in rows if row["peak_rss_bytes"]]
    memory.bar(range(len(measured)), [r["peak_rss_bytes"] / MIB for r in measured],
               color="#8172b2")  # fmt: skip
    memory.set_title("peak RSS, MiB (worker main + pool; inline: callers)")
    memory.set_xticks(range(len(measured)), [_label(r) for r in measured], fontsize=7)

    speed.set_xticks(list(positions), labels, fontsize=7)
    meta = report["meta"]
    figure.suptitle(
        f"training-intake, N = {meta['n']:,}, {meta['concurrency']} worker processes, "
        f"{meta['cpus']} CPUs ({meta['started_at'][:10]})"
    )
    figure.text(0.5, 0.01, _footnote(report), ha="center", fontsize=8)
    figure.tight_layout(rect=(0, 0.04, 1, 1))
    out.mkdir(parents=True, exist_ok=True)
    path = out / "latest.png"
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def _footnote(report: dict[str, Any]) -> str:
    parts = []
    memory = report.get("memory") or {}
    if "growth" in memory:
        parts.append(
            f"bulk worker RSS {memory['rss_at_checkpoint_bytes'] / MIB:.0f} MiB after "
            f"{memory['checkpoint']:,}, {memory['rss_at_end_bytes'] / MIB:.0f} MiB after "
            f"{memory['submissions']:,} ({memory['growth']:+.1%})"
        )
    reads = report.get("reads") or {}
    if "count" in reads:
        parts.append(
            f"reads over {reads['rows']:,} rows: count p99 {reads['count']['p99_ms']:.2f} ms, "
            f"first page p99 {reads['first_page']['p99_ms']:.2f} ms"
        )
    return "; ".join(parts)
