"""Regenerate the published JSON Schema: `python -m producers.schema`."""

from __future__ import annotations

import json
from pathlib import Path

from producers.contract import json_schema

SCHEMA_FILE = Path(__file__).resolve().parent / "submission.v1.json"


def render() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    SCHEMA_FILE.write_text(render())
    print(f"wrote {SCHEMA_FILE.name}")
