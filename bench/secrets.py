"""Secret detection as a classifier: recall and false positives per class, from the corpora.

Run as `python -m bench.secrets [--json PATH]`: prints a table, writes JSON. A positive is
recalled when no part of its secret survives redaction; it is exact when the stored text is
the expected one (nothing else touched, one marker per secret) and its kinds are right. A
look-alike is a false positive when redaction changes it at all.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tests.worker.sanitize_corpus import Entry, entries
from worker.sanitize import redact

POSITIVE_FILES = ("secrets_positive.txt", "syntax_positive.txt", "generated_positive.txt")
NEGATIVE_FILES = ("secrets_negative.txt", "syntax_negative.txt", "generated_negative.txt")


@dataclass
class ClassScore:
    name: str
    positives: int = 0
    recalled: int = 0
    exact: int = 0
    negatives: int = 0
    false_positives: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float | None:
        return self.recalled / self.positives if self.positives else None

    @property
    def fp_rate(self) -> float | None:
        return self.false_positives / self.negatives if self.negatives else None


def parse_name(entry: Entry) -> tuple[str, str]:
    group, _, label = entry.name.partition("|")
    return group.strip(), label.strip()


def leaked(entry: Entry, stored: str) -> bool:
    """Whether any part of the text the expectation replaces is still in the stored text."""
    assert entry.expected is not None
    matcher = difflib.SequenceMatcher(None, entry.text, entry.expected, autojunk=False)
    for tag, i1, i2, _j1, _j2 in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            fragment = entry.text[i1:i2].strip()
            if len(fragment) >= 6 and fragment in stored:
                return True
    return False


def score() -> dict[str, ClassScore]:
    classes: dict[str, ClassScore] = defaultdict(lambda: ClassScore(""))
    for file_name in POSITIVE_FILES:
        for entry in entries(file_name):
            group, kinds = parse_name(entry)
            row = classes[group]
            row.name = group
            row.positives += 1
            result = redact(entry.text)
            if not leaked(entry, result.text) and result.changed:
                row.recalled += 1
            else:
                row.misses.append(f"{file_name}: {entry.text[:120]!r}")
            if result.text == entry.expected and result.secrets_found == tuple(
                sorted(kinds.split())
            ):
                row.exact += 1
    for file_name in NEGATIVE_FILES:
        for entry in entries(file_name):
            group, _what = parse_name(entry)
            row = classes[group]
            row.name = group
            row.negatives += 1
            if redact(entry.text).changed:
                row.false_positives += 1
                row.misses.append(f"{file_name}: false positive {entry.text[:120]!r}")
    return dict(sorted(classes.items()))


def report(scores: dict[str, ClassScore]) -> list[dict[str, object]]:
    rows = []
    for row in scores.values():
        data = asdict(row)
        data.pop("misses")
        data["recall"] = row.recall
        data["fp_rate"] = row.fp_rate
        rows.append(data)
    return rows


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def table(scores: dict[str, ClassScore]) -> str:
    lines = [
        "| class | positives | recall | exact | look-alikes | false positives |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    total = ClassScore("all")
    for row in scores.values():
        exact = row.exact / row.positives if row.positives else None
        lines.append(
            f"| {row.name} | {row.positives} | {_pct(row.recall)} | {_pct(exact)} "
            f"| {row.negatives} | {_pct(row.fp_rate)} |"
        )
        total.positives += row.positives
        total.recalled += row.recalled
        total.exact += row.exact
        total.negatives += row.negatives
        total.false_positives += row.false_positives
    lines.append(
        f"| **all** | {total.positives} | {_pct(total.recall)} "
        f"| {_pct(total.exact / total.positives)} | {total.negatives} | {_pct(total.fp_rate)} |"
    )
    return "\n".join(lines)


def measure() -> dict[str, object]:
    """The per-class rows and the time taken, as the benchmark report embeds them."""
    started = time.perf_counter()
    scores = score()
    recalls = [row.recall for row in scores.values() if row.recall is not None]
    return {
        "classes": report(scores),
        "min_recall": min(recalls) if recalls else None,
        "false_positives": sum(row.false_positives for row in scores.values()),
        "seconds": round(time.perf_counter() - started, 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--misses", action="store_true", help="list every miss and false positive")
    args = parser.parse_args(argv)
    scores = score()
    print(table(scores))
    if args.misses:
        for row in scores.values():
            for miss in row.misses:
                print(f"{row.name}: {miss}")
    if args.json is not None:
        args.json.write_text(json.dumps(report(scores), indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
