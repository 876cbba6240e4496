"""Golden datasets at scale: a million-example export with splits and duplicate dropping beside
the plain export (rows per second, memory), and what flagging duplicates adds to ingest."""

from __future__ import annotations

import logging
import os
import shutil
import statistics
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

from bench.reads import load
from bench.variants.common import Context
from bench.world import World
from worker.datasets import backfill, export
from worker.datasets.export import ExportRequest
from worker.datasets.formats import ExportFormat
from worker.datasets.selection import ExportFilters
from worker.datasets.splits import SplitPlan
from worker.db import sqlalchemy_url
from worker.ingest import pipeline

log = logging.getLogger("bench.datasets")

INGEST_BATCH = 500
INGEST_BATCHES = 20


def _rss() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@contextmanager
def _peak_rss() -> Iterator[dict[str, int]]:
    """Samples this process's RSS every 10 ms; yields a dict that gets `growth` at the end."""
    found = {"baseline": _rss(), "peak": 0}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            found["peak"] = max(found["peak"], _rss())
            done.wait(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield found
    finally:
        done.set()
        sampler.join()
        found["growth"] = max(found["peak"], _rss()) - found["baseline"]


def _export(factory: sessionmaker[Session], request: ExportRequest, folder: Path) -> dict[str, Any]:
    with _peak_rss() as memory:
        started = time.perf_counter()
        with factory() as session, session.begin():
            session.connection(
                execution_options={
                    "isolation_level": "REPEATABLE READ",
                    "postgresql_readonly": True,
                }
            )
            prepared = export.prepare(session, request)
            written = export.write_files(
                session, prepared, folder if not prepared.one_file else folder / "all.jsonl",
                created_at=datetime.now(UTC),
            )  # fmt: skip
        seconds = time.perf_counter() - started
    rows = written.summary.rows
    return {
        "rows": rows,
        "seconds": round(seconds, 2),
        "rows_per_second": round(rows / seconds) if seconds else None,
        "bytes": written.summary.bytes,
        "rss_growth_bytes": memory["growth"],
        "by_split": dict(written.summary.by_split),
    }


def _flag_all(factory: sessionmaker[Session], tenant_id: str) -> float:
    """Flag every loaded example (the backfill: skill by skill, 500 a transaction); seconds."""
    started = time.perf_counter()
    with factory() as session:
        skills = backfill.skills_of(session, tenant_id)
    for skill_id in skills:
        after = None
        while True:
            with factory() as session, session.begin():
                step = backfill.flag_unflagged(session, tenant_id, skill_id, after=after)
            if step.after is None:
                break
            after = step.after
    return time.perf_counter() - started


def _ingest_cost(ctx: Context, factory: sessionmaker[Session]) -> dict[str, Any]:
    """Microseconds a submission spends in the pipeline, and in `flag_duplicates`, in-process."""
    spent = [0.0]
    original: Callable[..., Any] = pipeline.flag_duplicates

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - started

    pipeline.flag_duplicates = timed  # type: ignore[assignment]
    totals: list[float] = []
    flags: list[float] = []
    try:
        chunks = ctx.workload.chunks("datasets-ingest", INGEST_BATCH * INGEST_BATCHES, INGEST_BATCH)
        for batch in chunks:
            spent[0] = 0.0
            started = time.perf_counter()
            pipeline.process_batch(factory, batch)
            totals.append((time.perf_counter() - started) / len(batch))
            flags.append(spent[0] / len(batch))
    finally:
        pipeline.flag_duplicates = original  # type: ignore[assignment]
    return {
        "submissions": INGEST_BATCH * len(totals),
        "batch": INGEST_BATCH,
        # Medians over batches: the machine is shared, and one slow batch says little.
        "pipeline_us_per_submission": round(statistics.median(totals) * 1e6, 1),
        "flag_us_per_submission": round(statistics.median(flags) * 1e6, 1),
        "flag_share": round(sum(flags) / sum(totals), 4),
        "basis": "process_batch in-process as the worker role, batches of 500 realistic "
        "submissions into empty tables; medians over batches; flag time is inside it",
    }


def run_datasets(ctx: Context, world: World) -> dict[str, Any]:
    """Load `datasets_rows` examples into one tenant, flag them, export them three ways."""
    rows = ctx.options.datasets_rows
    tenant = world.all_skills[0].tenant_id
    skills = [skill for skill in world.all_skills if skill.tenant_id == tenant]
    report: dict[str, Any] = {"rows": rows, "skills": len(skills)}
    folder = Path(tempfile.mkdtemp(prefix="intake-bench-datasets-"))
    engine = create_engine(sqlalchemy_url(ctx.database_url), pool_size=1)
    factory = sessionmaker(engine)
    try:
        ctx.fresh_tables()
        report["ingest"] = _ingest_cost(ctx, factory)
        log.info("datasets: flagging adds %s us to %s us a submission",
                 report["ingest"]["flag_us_per_submission"],
                 report["ingest"]["pipeline_us_per_submission"])  # fmt: skip
        ctx.fresh_tables()
        report["load_seconds"] = round(load(ctx, world, skills, rows), 2)
        report["flag_seconds"] = round(_flag_all(factory, tenant), 2)
        ctx.db.connection.execute("VACUUM (ANALYZE) skill_feedback, intake_example_duplicates")
        filters = ExportFilters(tenant, status=None)
        plans = {
            "plain": ExportRequest(filters),
            "splits + drop duplicates": ExportRequest(
                filters, plan=SplitPlan(), drop_duplicates=True, split_files=True
            ),
            "hf + drop duplicates": ExportRequest(filters, ExportFormat.HF, drop_duplicates=True),
        }
        report["exports"] = {}
        for name, request in plans.items():
            target = folder / name.replace(" ", "").replace("+", "-")
            target.mkdir()
            report["exports"][name] = _export(factory, request, target)
            shutil.rmtree(target)
            log.info("datasets: %s export %s", name, report["exports"][name])
    except Exception as exc:  # noqa: BLE001 - recorded in the report; the run goes on
        report["error"] = f"{type(exc).__name__}: {exc}"
        log.error("datasets mode failed: %s", report["error"])
    finally:
        engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)
        ctx.fresh_tables()
    return report


def markdown_lines(report: dict[str, Any]) -> list[str]:
    """The datasets mode's rows of the Markdown report."""
    if "error" in report:
        return [f"Datasets: failed: {report['error']}"]
    ingest = report["ingest"]
    lines = [
        f"| dataset export ({report['rows']:,} examples, one tenant) | examples read/s "
        "| written | written/s | seconds | RSS growth MiB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, found in report["exports"].items():
        lines.append(
            f"| {name} | {report['rows'] / found['seconds']:,.0f} | {found['rows']:,} "
            f"| {found['rows_per_second']:,} | {found['seconds']:,.1f} "
            f"| {found['rss_growth_bytes'] / 2**20:.1f} |"
        )
    lines += [
        "",
        f"Duplicate flags at ingest: {ingest['flag_us_per_submission']} us of "
        f"{ingest['pipeline_us_per_submission']} us a submission ({ingest['flag_share']:.1%}, "
        f"in-process pipeline, batches of {ingest['batch']}); flagging {report['rows']:,} stored "
        f"examples took {report['flag_seconds']:,.1f} s.",
    ]
    return lines
