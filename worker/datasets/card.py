"""The dataset card of a Hugging Face layout: YAML front matter (configs, features, splits) and a
Markdown body with counts and provenance."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from worker.datasets.selection import COLUMNS
from worker.datasets.writing import ExportSummary

# `datasets` feature types of the exported columns; the rest are strings.
_DTYPES = {"quality_score": "int64"}
LOAD_SNIPPET = """```python
from datasets import load_dataset

dataset = load_dataset("json", data_files={files})
```"""


def _quoted(value: Any) -> str:
    # A JSON string is a valid YAML double-quoted scalar: no YAML library needed.
    return json.dumps(value, ensure_ascii=True)


def _front_matter(summary: ExportSummary, title: str) -> list[str]:
    lines = ["---", f"pretty_name: {_quoted(title)}", "tags:", "- training-intake"]
    lines += ["configs:", "- config_name: default", "  data_files:"]
    for split, written in summary.files.items():
        lines += [f"  - split: {_quoted(split)}", f"    path: {_quoted(written.name)}"]
    lines += ["dataset_info:", "  features:"]
    for name in COLUMNS:
        lines += [f"  - name: {name}", f"    dtype: {_DTYPES.get(name, 'string')}"]
    lines.append("  splits:")
    for split, written in summary.files.items():
        lines += [
            f"  - name: {_quoted(split)}",
            f"    num_bytes: {written.bytes}",
            f"    num_examples: {written.rows}",
        ]
    lines += [f"  download_size: {summary.bytes}", f"  dataset_size: {summary.bytes}", "---"]
    return lines


def _cell(value: Any) -> str:
    if isinstance(value, Mapping):
        value = ", ".join(f"{key} {inner}" for key, inner in value.items())
    text = "-" if value is None or value == "" else str(value)
    return text.replace("|", "\\|").replace("\n", " ")


def _table(rows: Mapping[str, Any]) -> list[str]:
    return ["| | |", "|---|---|", *(f"| {key} | {_cell(value)} |" for key, value in rows.items())]


def render(summary: ExportSummary, manifest: Mapping[str, Any], title: str) -> str:
    """README.md of a Hugging Face dataset folder."""
    filters = manifest["filters"]
    version = manifest.get("version") or {}
    splits = manifest.get("splits") or {}
    provenance = {
        "tenant": filters["tenant_id"],
        "skill": filters["skill_id"] or "all skills",
        "status": filters["status"] or "any",
        "source": filters["source"] or "any",
        "version": version.get("name"),
        "version taken at": version.get("created_at"),
        "version taken by": version.get("created_by"),
        "version note": version.get("note"),
        "near and exact duplicates": manifest["duplicates"],
        "split ratios": splits.get("ratios"),
        "split seed": splits.get("seed"),
        "exported at": manifest["created_at"],
    }
    counts = manifest["counts"]
    body = [
        f"# {title}",
        "",
        "Training examples of a skills platform (inputs, outputs and expected outputs), "
        "exported by training-intake. Splits are assigned by duplicate cluster: examples "
        "flagged as exact or near copies of one another always share a split.",
        "",
        "## Splits",
        "",
        "| split | file | examples | bytes | sha256 |",
        "|---|---|---:|---:|---|",
        *(
            f"| {split} | {f.name} | {f.rows} | {f.bytes} | `{f.sha256}` |"
            for split, f in summary.files.items()
        ),
        "",
        "## Provenance",
        "",
        *_table(provenance),
        "",
        "## Counts",
        "",
        *_table(
            {
                "examples": counts["examples"],
                "by source": counts["by_source"],
                "by status": counts["by_status"],
                "withdrawn since the version was taken": (manifest.get("withdrawn") or {}).get(
                    "count"
                ),
            }
        ),
        "",
        "## Loading",
        "",
        LOAD_SNIPPET.format(
            files=json.dumps({split: f.name for split, f in summary.files.items()})
        ),
        "",
    ]
    return "\n".join([*_front_matter(summary, title), "", *body])
