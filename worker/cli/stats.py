"""`intake stats`: outcomes by kind and reason over a window, and training examples per skill."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from worker.cli import output
from worker.cli.database import snapshot
from worker.cli.errors import cannot_write
from worker.cli.options import JsonOption, checked
from worker.operations import stats as operations


def stats(
    tenant: Annotated[str | None, typer.Option("--tenant", help="Only this tenant.")] = None,
    since: Annotated[
        str,
        typer.Option(
            "--since",
            help="Window: 30m, 24h, 7d, 2w...",
            callback=checked(operations.parse_window),
        ),
    ] = "24h",
    skills: Annotated[
        int, typer.Option("--skills", min=1, help="Skills to list (most examples first).")
    ] = 20,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Also draw the stats to this PNG file.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Outcomes by kind and reason over a window, and training examples per skill."""
    window = operations.parse_window(since)
    with snapshot() as session:
        result = operations.collect_stats(
            session, window=window, tenant_id=tenant, skill_limit=skills
        )
    if plot is not None:
        from worker.cli import plots

        try:
            plots.draw(result, plot)
        except plots.PlottingUnavailable as exc:
            output.fail(str(exc))
        except OSError as exc:
            output.fail(cannot_write(plot, exc))
    if as_json:
        output.emit_json(_document(result, plot))
        return
    scope = f"tenant {tenant}" if tenant else "all tenants"
    output.table(
        f"outcomes since {result.since:%Y-%m-%d %H:%M:%S} UTC ({scope})",
        ["kind", "outcome", "reason", "count"],
        [[o.kind, o.outcome, o.reason, o.count] for o in result.outcomes],
    )
    output.table(
        "training examples per skill",
        ["skill", "name", "total", "approved", "pending", "dismissed", f"new in {since}"],
        [
            [s.skill_id, s.skill_name, s.total, s.approved, s.pending, s.dismissed, s.recent]
            for s in result.skills
        ],
    )
    if plot is not None:
        output.say(f"plot written to {plot}")


def _document(result: operations.Stats, plot: Path | None) -> dict[str, Any]:
    """The stats as one JSON document."""
    return {
        "tenant_id": result.tenant_id,
        "since": result.since,
        "until": result.until,
        "totals": result.outcome_totals(),
        "outcomes": [
            {"kind": o.kind, "outcome": o.outcome, "reason": o.reason, "count": o.count}
            for o in result.outcomes
        ],
        "skills": [
            {
                "skill_id": s.skill_id,
                "skill_name": s.skill_name,
                "tenant_id": s.tenant_id,
                "total": s.total,
                "approved": s.approved,
                "pending": s.pending,
                "dismissed": s.dismissed,
                "recent": s.recent,
            }
            for s in result.skills
        ],
        "bucket_seconds": int(result.bucket.total_seconds()),
        "timeline": [
            {"start": t.start, "outcome": t.outcome, "reason": t.reason, "count": t.count}
            for t in result.timeline
        ],
        "plot": None if plot is None else str(plot),
    }
