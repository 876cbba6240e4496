"""Checking a chat fine-tuning JSONL file line by line, as a training job would."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from worker.datasets.chat import DEFAULT_MAX_TOKENS, Problem, problems
from worker.operations.errors import InvalidValue

# Refused lines named in a report (the counts cover all of them).
NAMED_LINES = 20


@dataclass(slots=True)
class ValidationReport:
    """How many lines a file has, how many a job would refuse and why, and the first of them."""

    path: str
    lines: int = 0
    refused: int = 0
    by_problem: Counter[str] = field(default_factory=Counter)
    first_refused: list[tuple[int, list[str]]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.path,
            "lines": self.lines,
            "refused": self.refused,
            "by_problem": dict(sorted(self.by_problem.items())),
            "first_refused": [{"line": n, "problems": p} for n, p in self.first_refused],
        }

    def describe(self) -> str:
        if not self.refused:
            return f"{self.path}: {self.lines} line(s), all ready for chat fine-tuning"
        problems_found = ", ".join(f"{n} {p}" for p, n in sorted(self.by_problem.items()))
        where = ", ".join(str(n) for n, _ in self.first_refused)
        return (
            f"{self.path}: {self.refused} of {self.lines} line(s) would be refused "
            f"({problems_found}); first at line(s) {where}"
        )


def line_problems(raw: bytes, max_tokens: int = DEFAULT_MAX_TOKENS) -> list[Problem]:
    """What a fine-tuning job would refuse in one raw line of a JSONL file."""
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return [Problem.MALFORMED]
    return problems(document, max_tokens)


def validate_file(path: Path, max_tokens: int = DEFAULT_MAX_TOKENS) -> ValidationReport:
    """Read a JSONL file one line at a time and report the lines a job would refuse."""
    report = ValidationReport(str(path))
    try:
        with path.open("rb") as lines:
            for number, raw in enumerate(lines, start=1):
                report.lines += 1
                found = line_problems(raw, max_tokens)
                if found:
                    report.refused += 1
                    report.by_problem.update(str(p) for p in found)
                    if len(report.first_refused) < NAMED_LINES:
                        report.first_refused.append((number, [str(p) for p in found]))
    except OSError as exc:
        raise InvalidValue(f"cannot read {path}: {exc.strerror or exc}") from exc
    return report
