"""`intake servers`: the embedded servers of a data folder, found by other processes too."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from producers import settings as producer_settings
from worker.cli import app
from worker.embedded import EmbeddedServers

NO_URLS = {"DATABASE_URL": None, "CELERY_BROKER_URL": None, "BROKER_URL": None}


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / ".intake"
    yield folder
    EmbeddedServers(folder).stop()


def servers(data_dir: Path, *args: str) -> Result:
    return CliRunner().invoke(
        app, ["servers", *args], env={**NO_URLS, "INTAKE_DATA_DIR": str(data_dir)}
    )


def test_started_servers_are_recorded_for_other_processes_and_forgotten_when_stopped(
    data_dir: Path,
) -> None:
    started = servers(data_dir, "start")
    assert started.exit_code == 0, started.output
    recorded = json.loads((data_dir / producer_settings.SERVERS_FILE).read_text())
    database = recorded["DATABASE_URL"]["url"]
    broker = recorded["CELERY_BROKER_URL"]["url"]
    # The service's database, not the server's maintenance database.
    assert database.startswith("postgresql://postgres@127.0.0.1:") and database.endswith("/intake")
    assert broker.startswith("redis://127.0.0.1:") and broker.endswith("/0")

    status = servers(data_dir, "status")
    assert f"PostgreSQL: {database}" in status.stdout
    assert f"Redis: {broker}" in status.stdout

    exported = servers(data_dir, "env")
    assert exported.stdout.splitlines() == [
        f"export DATABASE_URL={database}",
        f"export CELERY_BROKER_URL={broker}",
    ]

    # A producer with no URL in its environment finds the broker through the data folder.
    env = {k: v for k, v in os.environ.items() if k not in NO_URLS}
    code = (
        "from producers import IntakeClient\n"
        "with IntakeClient() as client:\n"
        "    print(client.broker_url)\n"
        "    print(client.status(client.submit_golden_example(tenant_id='t', user_id='u',"
        " skill_id='s', example_input='i', example_output='o')).outcome)\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "INTAKE_DATA_DIR": str(data_dir)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert found.stdout.splitlines() == [broker, "None"]

    assert servers(data_dir, "stop").exit_code == 0
    assert not (data_dir / producer_settings.SERVERS_FILE).exists()
    assert producer_settings.embedded_servers(data_dir) == {}
    assert servers(data_dir, "status").stdout.count("not running") == 2


def test_env_without_running_servers_and_no_start_says_how_to_start_them(
    data_dir: Path,
) -> None:
    result = servers(data_dir, "env", "--no-start")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "error: the embedded servers are not running: `intake servers start`"
    )


def test_env_prints_configured_urls_as_they_are(data_dir: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["servers", "env"],
        env={
            "DATABASE_URL": "postgresql://u:p w@db.internal/platform",
            "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
            "INTAKE_DATA_DIR": str(data_dir),
        },
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "export DATABASE_URL='postgresql://u:p w@db.internal/platform'",
        "export CELERY_BROKER_URL=redis://redis.internal:6379/0",
    ]
    assert not data_dir.exists()
