"""The TypeScript producer seen from Python: its build, and its answers for the shared tables."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "producers" / "typescript"
CONTRACT_CLI = PACKAGE / "dist" / "test" / "support" / "contract-cli.js"
CASES_FILE = Path(__file__).resolve().parent / "contract_cases.json"


def load_table() -> dict[str, Any]:
    return json.loads(CASES_FILE.read_text())  # type: ignore[no-any-return]


def _expand(value: Any) -> Any:
    if isinstance(value, list):
        return [_expand(item) for item in value]
    if isinstance(value, dict):
        if "$repeat" in value:
            text, times = value["$repeat"]
            return text * times
        return {key: _expand(item) for key, item in value.items()}
    return value


def message_of(table: dict[str, Any], case: dict[str, Any]) -> Any:
    """The submission a case of the table describes."""
    if "message" in case:
        return _expand(case["message"])
    message = {**table["bases"][case["base"]], **_expand(case.get("set", {}))}
    for field in case.get("unset", []):
        del message[field]
    return message


def build() -> None:
    """Install (when needed) and compile the package; skips the test only where node is absent."""
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    npm = shutil.which("npm")
    assert npm is not None, "node is installed without npm"
    if not (PACKAGE / "node_modules").is_dir():
        _run([npm, "ci", "--no-audit", "--no-fund"])
    _run([npm, "run", "build"])


def _run(command: list[str]) -> None:
    done = subprocess.run(command, cwd=PACKAGE, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{' '.join(command[1:])} failed:\n{done.stdout}\n{done.stderr}"


def ask(request: dict[str, Any]) -> list[dict[str, Any]]:
    """One request to the package's contract tool (see test/support/contract-cli.ts)."""
    done = subprocess.run(
        ["node", str(CONTRACT_CLI)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=PACKAGE,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]
