"""One run: servers, schema, seed, the variants, the memory, reads and sanitizer modes, a report."""

from __future__ import annotations

import logging
import os
import platform
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import redis

from bench import report, workload, world
from bench.broker import is_redis
from bench.options import Options
from bench.servers import Servers, servers
from bench.tables import Database
from bench.variants import runner
from bench.variants.common import Context, VariantResult

log = logging.getLogger("bench.run")

# Outcomes published for `IntakeClient.status()` expire sooner than the default week, so a
# million-submission run does not fill Redis; a SET with a shorter expiry costs the same.
WORKER_ENV = {"INTAKE_OUTCOME_TTL": "600"}


class Refused(RuntimeError):
    """The run would destroy data it did not make."""


def run(options: Options) -> dict[str, Any]:
    """Measure everything `options` asks for and return the report (also written to disk)."""
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    log_dir = Path(tempfile.mkdtemp(prefix="intake-bench-logs-"))
    failed = True
    try:
        with servers() as found:
            report_data = _measure(options, found, log_dir, started_at)
        failed = any(row["error"] for row in report_data["variants"]) or any(
            "error" in (report_data.get(mode) or {}) for mode in ("memory", "reads", "datasets")
        )
    finally:
        if failed:
            log.warning("worker logs kept in %s", log_dir)
        else:
            shutil.rmtree(log_dir, ignore_errors=True)
    return report_data


def _measure(options: Options, found: Servers, log_dir: Path, started_at: str) -> dict[str, Any]:
    from worker import migrate

    migrate.upgrade(found.database_url)
    db = Database(found.database_url)
    try:
        if found.database_configured and db.foreign_data() and not options.force:
            raise Refused(
                "DATABASE_URL holds tenants or feedback the bench did not make; each variant "
                "empties skill_feedback and intake_outcomes. Point it at a scratch database or "
                "pass --force."
            )
        seeded = world.build()
        world.seed(found.database_url, seeded)
        ctx = Context(
            options=options,
            database_url=found.database_url,
            broker_url=found.broker_url,
            db=db,
            workload=workload.Workload(seeded, options.seed),
            log_dir=log_dir,
            worker_env=dict(WORKER_ENV),
        )
        results: list[VariantResult] = []
        for name in options.variants:
            log.info("variant %s: %d submissions", name, options.n)
            results.append(runner(name)(ctx))
        memory = None
        if options.memory_n:
            from bench.memory import run_memory

            log.info("memory mode: %d submissions through the bulk path", options.memory_n)
            memory = run_memory(ctx)
        reads = None
        if options.reads_rows:
            from bench.reads import run_reads

            log.info("reads mode: %d rows over %d skills", options.reads_rows, options.reads_skills)
            reads = run_reads(ctx, seeded)
        producers = None
        if options.producers_n:
            from bench.producer_speed import run_producers

            log.info("producer mode: Python and TypeScript producers, single and bulk")
            producers = run_producers(ctx)
        datasets = None
        if options.datasets_rows:
            from bench.datasets import run_datasets

            log.info("datasets mode: %d examples exported with splits and duplicates dropped",
                     options.datasets_rows)  # fmt: skip
            datasets = run_datasets(ctx, seeded)
        ctx.fresh_tables()
        world.unseed(found.database_url)
        sanitizer = None
        if options.sanitizer_repeat:
            from bench.sanitizer import measure

            log.info("sanitizer mode: microseconds per KB of each kind of text")
            sanitizer = measure(options.sanitizer_repeat)
        secrets = None
        if options.sanitizer_repeat:
            from bench import secrets as secret_corpus

            log.info("secrets mode: recall and false positives per class of the corpora")
            secrets = secret_corpus.measure()
        meta = _meta(options, found, db, started_at)
    finally:
        db.close()
    return report.assemble(meta, results, memory, reads, sanitizer, producers, secrets, datasets)


def _meta(options: Options, found: Servers, db: Database, started_at: str) -> dict[str, Any]:
    return {
        "started_at": started_at,
        "n": options.n,
        "concurrency": options.concurrency,
        "quick": options.quick,
        "latency_seconds": options.latency_seconds,
        "seed": options.seed,
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "postgres": db.server_version(),
        "broker": _broker_name(found.broker_url),
        "database_origin": "configured" if found.database_configured else "embedded",
        "broker_origin": "configured" if found.broker_configured else "embedded",
        "commit": _commit(),
        "mix": workload.describe(),
        "world": {"tenants": 50, "users_per_tenant": 20, "skills_per_tenant": 20},
        "worker_env": WORKER_ENV,
        "end_to_end": "first enqueue to the poll that saw the last row (or task) done",
        "rss": "sum of VmRSS of the worker's main process and its pool children, sampled "
        "from /proc every 100 ms",
    }


def _broker_name(url: str) -> str:
    if not is_redis(url):
        return url.split(":", 1)[0]
    client = redis.Redis.from_url(url, socket_timeout=5)
    try:
        return f"Redis {client.info('server').get('redis_version', '?')}"
    finally:
        client.close()


def _commit() -> str | None:
    try:
        found = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=Path(__file__).resolve().parents[1],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return found.stdout.strip() or None
