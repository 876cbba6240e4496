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
    producers: dict[str, Any] | None = None,
    secrets: dict[str, Any] | None = None,
    datasets: dict[str, Any] | None = None,
) -> dict[str, Any]:
    rows = [v.as_dict() for v in variants]
    by_name = {row["name"]: row for row in rows}
    limit = (by_name.get("limit") or {}).get("throughput")
    naive = (by_name.get("naive") or {}).get("throughput")
    for row in rows:
        speed = row["throughput"]
        row["ratio_to_limit"] = round(speed / limit, 4) if speed and limit else None
        row["ratio_to_naive"] = round(speed / naive, 4) if speed and naive else None
    assembled = {
        "schema": 1,
        "meta": meta,
        "variants": rows,
        "memory": memory,
        "reads": reads,
        "sanitizer": sanitizer,
        "secrets": secrets,
        "datasets": datasets,
        "targets": targets(by_name, memory, reads, sanitizer)
        + (secret_targets(secrets) if secrets is not None else []),
    }
    if producers is not None:
        assembled["producers"] = producers
        if "cpu" in producers:
            assembled["targets"].append(producers["cpu"]["target"])
    return assembled


def secret_targets(secrets: dict[str, Any]) -> list[dict[str, Any]]:
    """The secret detector's targets: recall on the corpora, no false positive."""
    return [
        _target("secret recall, every class >= 0.99", secrets["min_recall"], 0.99),
        _target("secret false positives on look-alikes <= 0", secrets["false_positives"], 0, True),
    ]


def _ratio(by_name: dict[str, Any], name: str, base: str) -> float | None:
    speed = (by_name.get(name) or {}).get("throughput")
    reference = (by_name.get(base) or {}).get("throughput")
    return round(speed / reference, 3) if speed and reference else None


def _target(
    what: str, measured: float | None, goal: float | None, at_most: bool = False
) -> dict[str, Any]:
    """A target met or not; with no goal, a ratio reported for reference."""
    met = None
    if measured is not None and goal is not None:
        met = measured <= goal if at_most else measured >= goal
    return {"target": what, "measured": measured, "goal": goal, "met": met}


def targets(
    by_name: dict[str, Any],
    memory: dict[str, Any] | None,
    reads: dict[str, Any] | None,
    sanitizer: list[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """The issue's targets, each with what this run measured (None: not measured)."""
    prose = next(
        (
            row
            for row in sanitizer or ()
            if row.get("kind", "text") == "text" and row["text"] == "plain prose"
        ),
        {},
    )
    single_latency = (by_name.get("single") or {}).get("latency") or {}
    growth = None if not memory or "growth" not in memory else round(memory["growth"], 4)
    reads = reads or {}
    return [
        _target("single / Celery no-op >= 4", _ratio(by_name, "single", "ceiling"), 4.0),
        _target("single / raw Redis round trips", _ratio(by_name, "single", "redis"), None),
        _target("bulk / COPY of rows + outcomes", _ratio(by_name, "bulk", "limit-outcomes"), None),
        _target("single / single before", _ratio(by_name, "single", "single-before"), None),
        _target("bulk / bulk before", _ratio(by_name, "bulk", "bulk-before"), None),
        _target("single / naive >= 2", _ratio(by_name, "single", "naive"), 2.0),
        _target("bulk / raw COPY >= 0.2", _ratio(by_name, "bulk", "limit"), 0.2),
        _target("bulk / naive >= 25", _ratio(by_name, "bulk", "naive"), 25.0),
        _target("single p99 ms at half max <= 100", single_latency.get("p99_ms"), 100.0, True),
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
    lines += _cpu_lines(report["variants"])
    memory = report.get("memory")
    if memory:
        lines += ["", _memory_line(memory)]
    reads = report.get("reads")
    if reads:
        lines += ["", _reads_line(reads)]
    sanitizer = report.get("sanitizer")
    if sanitizer:
        from bench.sanitizer import table

        lines += ["", *table(sanitizer)]
    if report.get("producers"):
        from bench.producer_speed import markdown_lines

        lines += ["", *markdown_lines(report["producers"])]
    if report.get("secrets"):
        lines += ["", secrets_table(report["secrets"])]
    if report.get("datasets"):
        from bench.datasets import markdown_lines

        lines += ["", *markdown_lines(report["datasets"])]
    lines += ["", "| target | measured | met |", "|---|---:|---|"]
    for target in report["targets"]:
        met = {True: "yes", False: "**no**", None: "not measured"}[target["met"]]
        if target["goal"] is None:
            met = "reference" if target["measured"] is not None else "not measured"
        lines.append(f"| {target['target']} | {_num(target['measured'], 3)} | {met} |")
    return "\n".join(lines)


_SERVERS = (("worker", "worker"), ("postgres", "PostgreSQL"), ("redis", "Redis"))


def _cpu_lines(variants: list[dict[str, Any]]) -> list[str]:
    """CPU a submission of each queued variant's throughput phase, and what one core of each
    serves at that cost (the capacity estimate of docs/throughput.md)."""
    measured = [row for row in variants if row.get("cpu_us")]
    if not measured:
        return []
    lines = [
        "",
        "| CPU us a submission (throughput phase) | worker | PostgreSQL | Redis "
        "| a worker core serves/s | a PostgreSQL core serves/s | a Redis core serves/s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in measured:
        cpu = row["cpu_us"]
        spent = [cpu.get(key) for key, _ in _SERVERS]
        served = [None if not us else 1e6 / us for us in spent]
        lines.append(
            f"| {row['label']} | "
            + " | ".join(_num(us, 1) for us in spent)
            + " | "
            + " | ".join(_num(rate) for rate in served)
            + " |"
        )
    return lines


def secrets_table(secrets: dict[str, Any]) -> str:
    lines = [
        "| secrets: class | positives | recall | look-alikes | false positives |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in secrets["classes"]:
        recall = "-" if row["recall"] is None else f"{row['recall']:.1%}"
        fp_rate = "-" if row["fp_rate"] is None else f"{row['fp_rate']:.1%}"
        lines.append(
            f"| {row['name']} | {row['positives']} | {recall} | {row['negatives']} | {fp_rate} |"
        )
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
