"""Which servers a process uses: a command never makes servers in a folder that has none."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from worker import runtime
from worker.embedded.errors import EmbeddedServerError
from worker.settings import reload_settings


@pytest.fixture
def mistyped_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "no" / "such" / "folder"
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.setenv("INTAKE_DATA_DIR", str(folder))
    reload_settings()
    runtime.forget()
    yield folder
    monkeypatch.undo()
    reload_settings()
    runtime.forget()


def test_a_command_refuses_a_data_folder_where_no_server_ever_ran(mistyped_folder: Path) -> None:
    # Found by hand: `INTAKE_DATA_DIR=/typo intake stats` made the folder, started an empty
    # PostgreSQL there and advised `intake migrate`.
    with pytest.raises(EmbeddedServerError, match="no servers were ever started there"):
        runtime.prepare()
    assert not mistyped_folder.exists()
