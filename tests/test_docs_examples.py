"""The fenced shell and Python examples of README.md and docs/getting-started.md, run as written.

Each document's examples run in order, in a fresh folder (where `.venv` is this environment),
against this run's servers and with a real worker, so an example that stops working fails here.
A block is left out only with a marker comment right before its fence, giving the reason:
`<!-- doc-test: skip (why) -->`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.integration.conftest import WorkerProcess, start_worker, stop_worker

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ("README.md", "docs/getting-started.md")
RUNNABLE = {"sh": "shell", "bash": "shell", "shell": "shell", "python": "python"}
SKIP = re.compile(r"^<!-- doc-test: skip \((?P<why>[^)]+)\) -->$")
FENCE = re.compile(r"^```(?P<language>[\w-]*)\s*$")
# Skipped blocks stay the exception: at most this many per document.
MAX_SKIPPED = 3


@dataclass(frozen=True)
class Block:
    document: str
    line: int
    language: str
    code: str
    skipped_because: str | None

    @property
    def runnable(self) -> bool:
        return self.language in RUNNABLE and self.skipped_because is None

    def __str__(self) -> str:
        return f"{self.document}:{self.line} ({self.language})"


def blocks(document: str) -> list[Block]:
    """The fenced blocks of a Markdown document, each with its skip marker's reason, if any."""
    lines = (ROOT / document).read_text().splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        end = index + 1
        while end < len(lines) and not lines[end].startswith("```"):
            end += 1
        marker = SKIP.match(lines[index - 1].strip()) if index > 0 else None
        found.append(
            Block(
                document,
                index + 1,
                opening["language"],
                "\n".join(lines[index + 1 : end]) + "\n",
                marker["why"] if marker else None,
            )
        )
        index = end + 1
    return found


@pytest.fixture(scope="module")
def worker(database_url: str, broker_url: str) -> Iterator[WorkerProcess]:
    running = start_worker(broker_url, concurrency=1)
    yield running
    stop_worker(running)
    running.log.unlink(missing_ok=True)


def workspace(tmp_path: Path, database_url: str, broker_url: str) -> tuple[Path, dict[str, str]]:
    """A folder as a newcomer's clone looks to the examples, and the environment to run them."""
    (tmp_path / ".venv").symlink_to(sys.prefix)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "INTAKE_DATA_DIR": str(tmp_path / ".intake"),
        "PATH": f"{Path(sys.prefix) / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(ROOT),
    }
    return tmp_path, env


def run(block: Block, folder: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    if RUNNABLE[block.language] == "shell":
        command = ["bash", "-euo", "pipefail", "-c", block.code]
    else:
        command = [sys.executable, "-c", block.code]
    return subprocess.run(
        command, cwd=folder, env=env, capture_output=True, text=True, timeout=180, check=False
    )


@pytest.mark.integration
@pytest.mark.parametrize("document", DOCUMENTS)
def test_the_examples_of_a_document_run_as_written(
    document: str,
    worker: WorkerProcess,
    database_url: str,
    broker_url: str,
    session_factory: object,
    tmp_path: Path,
) -> None:
    folder, env = workspace(tmp_path, database_url, broker_url)
    ran = 0
    for block in blocks(document):
        if not block.runnable:
            continue
        result = run(block, folder, env)
        assert result.returncode == 0, (
            f"{block} failed with exit status {result.returncode}:\n{block.code}\n"
            f"--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
        )
        assert "Traceback" not in result.stderr, f"{block}:\n{result.stderr}"
        ran += 1
    assert ran > 0


@pytest.mark.parametrize("document", DOCUMENTS)
def test_few_examples_are_skipped_and_each_says_why(document: str) -> None:
    found = blocks(document)
    skipped = [block for block in found if block.skipped_because is not None]
    assert len(skipped) <= MAX_SKIPPED, [str(block) for block in skipped]
    assert all(block.language in RUNNABLE for block in skipped), "only runnable blocks are skipped"
    # A marker that does not parse would leave its block running: every marker must parse.
    text = (ROOT / document).read_text()
    assert text.count("<!-- doc-test:") == len(skipped)


def test_the_getting_started_page_runs_the_whole_path() -> None:
    code = "".join(block.code for block in blocks("docs/getting-started.md") if block.runnable)
    for step in (
        "intake demo",
        "intake dev tenant create",
        "intake dev user create",
        "intake dev skill create",
        "IntakeClient()",
        "client.wait(",
        "intake review approve",
        "intake export",
        'eval "$(intake servers env)"',
    ):
        assert step in code, step
