"""The labelled near-duplicate corpus: pairs of examples, each marked duplicate or not."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True, slots=True)
class Pair:
    category: str
    duplicate: bool
    a: tuple[str, str]
    b: tuple[str, str]


def pairs() -> list[Pair]:
    """Every labelled pair of pairs.jsonl, in file order."""
    found = []
    for line in (HERE / "pairs.jsonl").read_text(encoding="utf-8").splitlines():
        raw = json.loads(line)
        found.append(
            Pair(
                raw["category"],
                raw["duplicate"],
                (raw["a"]["input"], raw["a"]["output"]),
                (raw["b"]["input"], raw["b"]["output"]),
            )
        )
    return found
