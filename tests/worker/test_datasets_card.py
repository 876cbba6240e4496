"""The Hugging Face layout: one JSONL per split and a dataset card with counts and provenance."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session, sessionmaker

from tests import factories
from tests.worker.datasets_helpers import example, take_version
from worker.datasets import export
from worker.datasets.export import ExportRequest
from worker.datasets.formats import ExportFormat
from worker.datasets.selection import ExportFilters, Selection
from worker.datasets.splits import SplitPlan


def _front_matter(card: str) -> dict[str, Any]:
    assert card.startswith("---\n")
    header, _, _ = card[4:].partition("\n---\n")
    loaded: dict[str, Any] = yaml.safe_load(header)
    return loaded


def _write(factory: sessionmaker[Session], request: ExportRequest, folder: Path) -> export.Written:
    with factory() as session, session.begin():
        prepared = export.prepare(session, request)
        return export.write_files(session, prepared, folder, created_at=datetime.now(UTC))


def test_the_hf_folder_holds_a_jsonl_per_split_and_a_card_describing_them(
    session: Session, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    world = factories.world(session)
    for n in range(40):
        example(session, world, quality_score=n % 10 + 1)
    filters = ExportFilters(world.tenant.id)
    take_version(
        session_factory, Selection(filters, SplitPlan(0.5, 0.25, 0.25)), "2026-12", note="first cut"
    )
    folder = tmp_path / "golden"
    written = _write(
        session_factory, ExportRequest(filters, ExportFormat.HF, version="2026-12"), folder
    )

    assert sorted(p.name for p in folder.iterdir()) == [
        "README.md", "manifest.json", "test.jsonl", "train.jsonl", "validation.jsonl",
    ]  # fmt: skip
    card = (folder / "README.md").read_text()
    meta = _front_matter(card)
    [config] = meta["configs"]
    assert {f["split"]: f["path"] for f in config["data_files"]} == {
        "train": "train.jsonl", "validation": "validation.jsonl", "test": "test.jsonl",
    }  # fmt: skip
    lines = {
        split: (folder / f"{split}.jsonl").read_text().splitlines()
        for split in ("train", "validation", "test")
    }
    assert {s["name"]: s["num_examples"] for s in meta["dataset_info"]["splits"]} == {
        split: len(found) for split, found in lines.items()
    }
    assert sum(len(found) for found in lines.values()) == 40
    assert {f["name"] for f in meta["dataset_info"]["features"]} >= {"id", "example_input"}
    # Every record of a split file is a complete example, without a split column.
    record = json.loads(lines["train"][0])
    assert "split" not in record and record["tenant_id"] == world.tenant.id
    for text in (world.tenant.id, "2026-12", "first cut", "ds@example.test", "load_dataset"):
        assert text in card
    assert written.manifest["files"]["train"]["examples"] == len(lines["train"])
    assert written.manifest["version"]["name"] == "2026-12"


def test_a_live_hf_export_gets_the_default_split_plan(
    session: Session, session_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    world = factories.world(session)
    example(session, world)
    written = _write(
        session_factory,
        ExportRequest(ExportFilters(world.tenant.id), ExportFormat.HF),
        tmp_path / "hf",
    )
    assert written.manifest["splits"]["ratios"] == {"train": 0.8, "validation": 0.1, "test": 0.1}
    assert _front_matter((tmp_path / "hf" / "README.md").read_text())["pretty_name"].startswith(
        "Golden examples of"
    )
