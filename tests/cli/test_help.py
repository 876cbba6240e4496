"""Every command and group answers --help, and the existing commands keep their behaviour."""

from __future__ import annotations

import uuid
from typing import Any

import typer
from typer.testing import CliRunner

from tests.cli.conftest import Invoke
from worker.cli import app


def _paths(command: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix]
    for name, sub in getattr(command, "commands", {}).items():
        paths += _paths(sub, (*prefix, name))
    return paths


def test_every_command_answers_help() -> None:
    runner = CliRunner()
    paths = _paths(typer.main.get_command(app))
    assert {
        ("settings", "capture"),
        ("settings", "show"),
        ("consent", "grant"),
        ("consent", "revoke"),
        ("examples", "list"),
        ("examples", "count"),
        ("review", "approve"),
        ("review", "dismiss"),
        ("export",),
        ("stats",),
        ("dead-letters", "list"),
        ("dead-letters", "show"),
        ("dead-letters", "replay"),
        ("capture", "sample-rate"),
        ("migrate",),
        ("worker",),
        ("status",),
        ("demo",),
        ("servers", "start"),
    } <= set(paths)
    for path in paths:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage:" in result.stdout


def test_migrate_brings_the_database_to_head(intake: Invoke) -> None:
    result = intake("migrate")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "database at revision head"


def test_status_of_an_unknown_submission_exits_1_and_says_so(intake: Invoke) -> None:
    submission_id = str(uuid.uuid4())
    result = intake("status", submission_id, "--json")
    assert result.exit_code == 1
    assert result.stdout.strip() == (
        f'{{"submission_id": "{submission_id}", "outcome": null, "reason": null}}'
    )


def test_logs_can_be_json_lines_on_stderr(intake: Invoke) -> None:
    import json

    result = intake("-v", "--log-format", "json", "status", str(uuid.uuid4()))
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("{")]
    assert lines and all(json.loads(line)["level"] for line in lines)


def test_commands_are_quiet_unless_asked_to_say_more(intake: Invoke) -> None:
    quiet = intake("status", str(uuid.uuid4()))
    assert quiet.exit_code == 1
    assert quiet.stderr == ""
    said = intake("-v", "status", str(uuid.uuid4()))
    assert "INFO worker.runtime: using PostgreSQL" in said.stderr
