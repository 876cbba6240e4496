"""The command line of `python -m bench`: options in, JSON + PNG + a Markdown table out."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from dataclasses import replace
from pathlib import Path
from types import FrameType

from bench.options import DEFAULT_VARIANTS, VARIANTS, Options, quick_defaults

DEFAULTS = Options()


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description="Measure every ingest path side by side: raw COPY, the Celery no-op "
        "ceiling, the naive worker, the inline path, intake.submit and intake.submit_many.",
    )
    p.add_argument("--n", type=int, default=DEFAULTS.n, help="submissions per variant")
    p.add_argument(
        "--concurrency",
        type=int,
        default=DEFAULTS.concurrency,
        help="worker pool processes (and inline callers) for every variant",
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="short latency phases, memory and reads modes scaled down",
    )
    p.add_argument(
        "--variants",
        default=",".join(DEFAULT_VARIANTS),
        help=f"comma-separated subset of {','.join(VARIANTS)}",
    )
    p.add_argument("--latency-seconds", type=float, help="seconds of steady load per variant")
    p.add_argument("--memory-n", type=int, help="submissions of the memory mode (0 skips it)")
    p.add_argument("--memory-checkpoint", type=int, help="first RSS reading after this many")
    p.add_argument("--no-memory", action="store_true", help="skip the memory mode")
    p.add_argument("--reads-rows", type=int, help="rows loaded for the reads mode (0 skips it)")
    p.add_argument(
        "--reads-skills",
        type=int,
        default=DEFAULTS.reads_skills,
        help="skills the rows are spread over (at most 1000)",
    )
    p.add_argument("--reads-samples", type=int, help="timed calls of each read")
    p.add_argument("--no-reads", action="store_true", help="skip the reads mode")
    p.add_argument("--no-sanitizer", action="store_true", help="skip the sanitizer mode")
    p.add_argument(
        "--producers-n",
        type=int,
        help="submissions per path of the producer mode, Python vs TypeScript (0 skips it)",
    )
    p.add_argument("--datasets-rows", type=int, help="examples of the datasets mode (0 skips it)")
    p.add_argument("--no-datasets", action="store_true", help="skip the datasets mode")
    p.add_argument("--out", type=Path, default=DEFAULTS.out, help="folder of latest.json/.png")
    p.add_argument("--seed", type=int, default=DEFAULTS.seed)
    p.add_argument("--timeout", type=float, help="seconds any one phase may take")
    p.add_argument(
        "--force",
        action="store_true",
        help="allow emptying skill_feedback in a configured database with other data",
    )
    p.add_argument("--no-chart", action="store_true", help="skip the PNG")
    p.add_argument(
        "--baseline-tree",
        type=Path,
        help="another checkout (with its .venv) whose workers run single-before and bulk-before",
    )
    return p  # fmt: skip


def options_from(argv: list[str] | None = None) -> Options:
    args = parser().parse_args(argv)
    variants = tuple(v.strip() for v in args.variants.split(",") if v.strip())
    unknown = set(variants) - set(VARIANTS)
    if unknown:
        parser().error(f"unknown variants: {', '.join(sorted(unknown))}")
    if any(v.endswith("-before") for v in variants) and args.baseline_tree is None:
        parser().error("the *-before variants need --baseline-tree")
    if args.n < 1 or args.concurrency < 1:
        parser().error("--n and --concurrency must be at least 1")
    options = Options(
        n=args.n,
        concurrency=args.concurrency,
        quick=args.quick,
        variants=tuple(v for v in VARIANTS if v in variants),
        reads_skills=max(1, min(1000, args.reads_skills)),
        out=args.out,
        seed=args.seed,
        timeout=args.timeout,
        force=args.force,
        chart=not args.no_chart,
        baseline_tree=args.baseline_tree,
    )
    if args.quick:
        options = replace(options, **quick_defaults())  # type: ignore[arg-type]
    explicit = {
        "latency_seconds": args.latency_seconds,
        "memory_n": 0 if args.no_memory else args.memory_n,
        "memory_checkpoint": args.memory_checkpoint,
        "reads_rows": 0 if args.no_reads else args.reads_rows,
        "reads_samples": args.reads_samples,
        "sanitizer_repeat": 0 if args.no_sanitizer else None,
        "producers_n": args.producers_n,
        "datasets_rows": 0 if args.no_datasets else args.datasets_rows,
    }
    options = replace(options, **{k: v for k, v in explicit.items() if v is not None})
    if options.memory_n and args.memory_n is not None and args.memory_checkpoint is None:
        options = replace(options, memory_checkpoint=max(1, options.memory_n // 10))
    return options


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    # Unwind like Ctrl-C, so every `finally` stops the workers and servers this run started.
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(name)s: %(message)s", stream=sys.stderr
    )
    logging.getLogger("bench").setLevel(logging.INFO)
    options = options_from(argv)
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        from bench import chart, report
        from bench.run import Refused, run

        try:
            results = run(options)
        except Refused as exc:
            print(f"refused: {exc}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            print("interrupted: every worker and server this run started was stopped",
                  file=sys.stderr)  # fmt: skip
            return 130
        path = report.write_json(results, options.out)
        print(f"results: {path}", file=sys.stderr)
        if options.chart:
            picture = chart.draw(results, options.out)
            if picture is not None:
                print(f"chart: {picture}", file=sys.stderr)
        print(report.markdown(results))
        failed = [row["name"] for row in results["variants"] if row["error"]]
        return 1 if failed else 0
    finally:
        signal.signal(signal.SIGTERM, previous)
