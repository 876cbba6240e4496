"""`intake stats`: outcomes by kind and reason, examples per skill, and a plot."""

from __future__ import annotations

import json
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests import factories
from tests.cli.conftest import Invoke, add_example
from worker.models import IntakeOutcome


def _outcomes(session: Session, tenant_id: str) -> None:
    for kind, outcome, reason in [
        ("usage_capture", "skipped", "no_consent"),
        ("usage_capture", "skipped", "no_consent"),
        ("golden_example", "accepted", None),
    ]:
        session.add(
            IntakeOutcome(
                submission_id=str(uuid.uuid4()),
                tenant_id=tenant_id,
                kind=kind,
                outcome=outcome,
                reason=reason,
            )
        )
    session.commit()


def test_stats_count_outcomes_and_examples_of_a_tenant(intake: Invoke, session: Session) -> None:
    world = factories.world(session)
    _outcomes(session, world.tenant.id)
    _outcomes(session, factories.tenant(session).id)
    add_example(session, world)
    result = intake("stats", "--tenant", world.tenant.id, "--since", "1h", "--json")
    assert result.exit_code == 0, result.output
    stats = json.loads(result.stdout)
    assert stats["totals"] == {"skipped": 2, "accepted": 1}
    assert stats["outcomes"][0] == {
        "kind": "usage_capture",
        "outcome": "skipped",
        "reason": "no_consent",
        "count": 2,
    }
    [skill] = stats["skills"]
    assert (skill["skill_id"], skill["total"], skill["approved"]) == (world.skill.id, 1, 1)


def test_stats_print_two_tables_when_piped(intake: Invoke, session: Session) -> None:
    world = factories.world(session)
    _outcomes(session, world.tenant.id)
    result = intake("stats")
    assert result.exit_code == 0, result.output
    assert "usage_capture\tskipped\tno_consent\t2" in result.stdout.splitlines()
    assert "skill\tname\ttotal\tapproved\tpending\tdismissed\tnew in 24h" in result.stdout


def test_a_malformed_window_is_a_clear_error(intake: Invoke) -> None:
    result = intake("stats", "--since", "yesterday")
    assert result.exit_code == 2
    assert "30m, 24h or 7d" in result.stderr


def test_plot_draws_a_png(intake: Invoke, session: Session, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    world = factories.world(session)
    _outcomes(session, world.tenant.id)
    add_example(session, world)
    target = tmp_path / "stats.png"
    result = intake("stats", "--plot", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_without_matplotlib_says_how_to_install_it(
    intake: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # None in sys.modules makes the import fail, as it does where matplotlib is not installed.
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    result = intake("stats", "--plot", str(tmp_path / "s.png"))
    assert result.exit_code == 1
    assert "matplotlib" in result.stderr and "pip install" in result.stderr
    assert not (tmp_path / "s.png").exists()


def test_stats_of_a_tenant_nobody_knows_is_an_error(intake: Invoke) -> None:
    result = intake("stats", "--tenant", "nope")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: unknown tenant: nope"


def test_stats_of_a_tenant_known_only_by_its_rejections_are_shown(
    intake: Invoke, session: Session
) -> None:
    session.add(
        IntakeOutcome(
            submission_id=str(uuid.uuid4()),
            tenant_id="not-on-the-platform",
            kind="golden_example",
            outcome="rejected",
            reason="unknown_tenant",
        )
    )
    session.commit()
    result = intake("stats", "--tenant", "not-on-the-platform", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["totals"] == {"rejected": 1}


def test_the_timeline_counts_outcomes_per_bucket(intake: Invoke, session: Session) -> None:
    from datetime import timedelta

    from sqlalchemy import func, select

    world = factories.world(session)
    now = session.execute(select(func.now())).scalar_one()
    for hours_ago, outcome, reason in [
        (5, "accepted", None),
        (5, "accepted", None),
        (1, "rejected", "not_author"),
    ]:
        session.add(
            IntakeOutcome(
                submission_id=str(uuid.uuid4()),
                tenant_id=world.tenant.id,
                kind="golden_example",
                outcome=outcome,
                reason=reason,
                recorded_at=now - timedelta(hours=hours_ago),
            )
        )
    session.commit()
    stats = json.loads(intake("stats", "--tenant", world.tenant.id, "--json").stdout)
    assert stats["bucket_seconds"] == 30 * 60
    assert [(t["outcome"], t["reason"], t["count"]) for t in stats["timeline"]] == [
        ("accepted", None, 2),
        ("rejected", "not_author", 1),
    ]
    starts = [t["start"] for t in stats["timeline"]]
    assert starts == sorted(starts)


def test_plot_of_a_busy_day_with_a_few_problems_is_drawn(
    intake: Invoke, session: Session, tmp_path: Path
) -> None:
    pytest.importorskip("matplotlib")
    from datetime import timedelta

    from sqlalchemy import func, select

    world = factories.world(session)
    now = session.execute(select(func.now())).scalar_one()
    for n in range(300):
        session.add(
            IntakeOutcome(
                submission_id=str(uuid.uuid4()),
                tenant_id=world.tenant.id,
                kind="usage_capture",
                outcome="accepted" if n % 100 else "failed",
                reason=None if n % 100 else "retries_exhausted",
                recorded_at=now - timedelta(minutes=n * 4),
            )
        )
    session.commit()
    for window in ("24h", "30m", "7d"):
        target = tmp_path / f"stats-{window}.png"
        result = intake("stats", "--since", window, "--plot", str(target))
        assert result.exit_code == 0, result.output
        assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
