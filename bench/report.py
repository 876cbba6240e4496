"""The results: one JSON document, the issue's targets checked, and a Markdown table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench.variants.common import VariantResult

MIB = 2**20


def assemble(
    meta: dict[str, Any],
    variants: list[VariantResult],
    memory: dict[str, Any] | None,
    reads: dict[str, Any] | None,
    sanitizer: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    rows = [v.as_dict() for v in variants]
    by_name = {row["name"]: row for row in rows}
    limit = (by_name.get("limit") or {}).get("throughput")
    naive = (by_name.get("naive") or {}).get("throughput")
    for row in rows:
        speed = row["throughput"]
        row["ratio_to_limit"] = round(speed / limit, 4) if speed and limit else None
        row["ratio_to_naive"] = round(speed / naive, 4) if speed and naive else None
    return {
        "schema": 1,
        "meta": meta,
        "variants": rows,
        "memory": memory,
        "reads": reads,
        "sanitizer": sanitizer,
        "targets": targets(by_name, memory, reads, sanitizer),
    }


def _ratio(by_name: dict[str, Any], name: str, base: str) -> float | None:
    speed = (by_name.get(name) or {}).get("throughput")
    reference = (by_name.get(base) or {}).get("throughput")
    return round(speed / reference, 3) if speed and reference else None


def _target(
    what: str, measured: float | None, goal: float, at_most: bool = False
) -> dict[str, Any]:
    met = None if measured is None else (measured <= goal if at_most else measured >= goal)
    return {"target": what, "measured": measured, "goal": goal, "met": met}


def targets(
    by_name: dict[str, Any],
    memory: dict[str, Any] | None,
    reads: dict[str, Any] | None,
    sanitizer: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """The issue's targets, each with what this run measured (None: not measured)."""
    prose = next((row for row in sanitizer or () if row["text"] == "plain prose"), {})
    single_latency = (by_name.get("single") or {}).get("latency") or {}
    growth = None if not memory or "growth" not in memory else round(memory["growth"], 4)
    reads = reads or {}
    return [
        _target("single / Celery ceiling >= 0.9", _ratio(by_name, "single", "ceiling"), 0.9),
        _target("single / naive >= 2", _ratio(by_name, "single", "naive"), 2.0),
        _target("bulk / raw COPY >= 0.2", _ratio(by_name, "bulk", "limit"), 0.2),
        _target("bulk / naive >= 25", _ratio(by_name, "bulk", "naive"), 25.0),
        _target("single p99 ms at half max <= 200", single_latency.get("p99_ms"), 200.0, True),
        _target("bulk RSS growth, checkpoint to end <= 0.10", growth, 0.10, True),
        _target("count p99 ms <= 5", (reads.get("count") or {}).get("p99_ms"), 5.0, True),
        _target("first page p99 ms <= 5", (reads.get("first_page") or {}).get("p99_ms"), 5.0, True),
        # "A few microseconds per kilobyte" for the common case: text with no `<` and no secret.
        _target("sanitizer, plain prose us/KB <= 10", prose.get("us_per_kb"), 10.0, True),
    ]


def write_json(report: dict[str, Any], out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / "latest.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    return path


def _num(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _times(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}x"


def markdown(report: dict[str, Any]) -> str:
    meta = report["meta"]
    lines = [
        f"N = {meta['n']:,} submissions of realistic size; {meta['concurrency']} worker "
        f"processes; {meta['cpus']} CPUs; PostgreSQL {meta['postgres']}, {meta['broker']}; "
        f"{meta['started_at']}.",
        "",
        "| variant | submissions/s | enqueue/s | p50 ms | p99 ms | at offered/s "
        "| peak RSS MiB | vs limit | vs naive |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in report["variants"]:
        latency = row["latency"] or {}
        rss = row["peak_rss_bytes"]
        label = row["label"] + (" (failed)" if row["error"] else "")
        lines.append(
            f"| {label} | {_num(row['throughput'])} | {_num(row['enqueue_rate'])} "
            f"| {_num(latency.get('p50_ms'), 1)} | {_num(latency.get('p99_ms'), 1)} "
            f"| {_num(latency.get('offered_rate'))} | {_num(rss / MIB if rss else None, 1)} "
            f"| {_times(row['ratio_to_limit'])} | {_times(row['ratio_to_naive'])} |"
        )
    memory = report.get("memory")
    if memory:
        lines += ["", _memory_line(memory)]
    reads = report.get("reads")
    if reads:
        lines += ["", _reads_line(reads)]
    sanitizer = report.get("sanitizer")
    if sanitizer:
        lines += ["", "| sanitizer: text (~4 KB) | policy | us per call | us per KB |"]
        lines.append("|---|---|---:|---:|")
        lines += [
            f"| {row['text']} | {row['policy']} | {row['us_per_call']:,.1f} "
            f"| {row['us_per_kb']:,.1f} |"
            for row in sanitizer
        ]
    lines += ["", "| target | measured | met |", "|---|---:|---|"]
    for target in report["targets"]:
        met = {True: "yes", False: "**no**", None: "not measured"}[target["met"]]
        lines.append(f"| {target['target']} | {_num(target['measured'], 3)} | {met} |")
    return "\n".join(lines)


def _memory_line(memory: dict[str, Any]) -> str:
    if "error" in memory:
        return f"Memory (bulk path): failed: {memory['error']}"
    return (
        f"Memory (bulk path, {memory['submissions']:,} submissions): worker RSS "
        f"{memory['rss_at_checkpoint_bytes'] / MIB:.1f} MiB after {memory['checkpoint']:,}, "
        f"{memory['rss_at_end_bytes'] / MIB:.1f} MiB after {memory['submissions']:,} "
        f"({memory['growth']:+.1%}); peak {memory['peak_rss_bytes'] / MIB:.1f} MiB."
    )


def _reads_line(reads: dict[str, Any]) -> str:
    if "error" in reads:
        return f"Reads: failed: {reads['error']}"
    return (
        f"Reads ({reads['rows']:,} rows over {reads['skills']:,} skills, {reads['samples']:,} "
        f"calls each): get_training_example_count p50 {reads['count']['p50_ms']:.2f} ms, "
        f"p99 {reads['count']['p99_ms']:.2f} ms; first page of get_training_examples_for_skill "
        f"p50 {reads['first_page']['p50_ms']:.2f} ms, p99 {reads['first_page']['p99_ms']:.2f} ms."
    )
