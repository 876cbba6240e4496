"""Export formats: one line (or CSV record) per example, from a row of a dataset query."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from worker.datasets.chat import ChatOptions, Problem, conversation, problems
from worker.datasets.selection import COLUMNS


class ExportFormat(StrEnum):
    JSONL = "jsonl"
    OPENAI_CHAT = "openai-chat"
    CSV = "csv"
    # Hugging Face `datasets` layout: one JSONL file per split and a dataset card.
    HF = "hf"


@dataclass(frozen=True, slots=True)
class Refused:
    """An example a format cannot write, and why."""

    problems: list[Problem]


class LineWriter(Protocol):
    def header(self) -> str | None: ...

    def __call__(self, row: Any) -> str | Refused: ...


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def record(row: Any, *, with_split: bool) -> dict[str, Any]:
    """Every column of an example (and its split, when the file holds several)."""
    found = {name: getattr(row, name) for name in COLUMNS}
    found["created_at"] = _iso(found["created_at"])
    found["reviewed_at"] = _iso(found["reviewed_at"])
    if with_split:
        found["split"] = row.split
    return found


class JsonLines:
    def __init__(self, *, with_split: bool) -> None:
        self.with_split = with_split

    def header(self) -> str | None:
        return None

    def __call__(self, row: Any) -> str | Refused:
        return json.dumps(record(row, with_split=self.with_split), ensure_ascii=False) + "\n"


class CsvLines:
    """One CSV record at a time (RFC 4180 quoting, so multi-line texts stay one record)."""

    def __init__(self, *, with_split: bool) -> None:
        self.with_split = with_split
        self.columns = (*COLUMNS, "split") if with_split else COLUMNS
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\r\n")

    def header(self) -> str | None:
        return self._line(self.columns)

    def __call__(self, row: Any) -> str | Refused:
        found = record(row, with_split=self.with_split)
        return self._line(["" if found[name] is None else found[name] for name in self.columns])

    def _line(self, values: Iterable[Any]) -> str:
        self.buffer.seek(0)
        self.buffer.truncate()
        self.writer.writerow(values)
        return self.buffer.getvalue()


class ChatLines:
    """`{"messages": [...]}` lines; a line a fine-tuning job would refuse is left out."""

    def __init__(self, options: ChatOptions, system_messages: Mapping[str, Any] | None) -> None:
        self.options = options
        # Pinned descriptions of a version; None reads each row's current skill description.
        self.system_messages = system_messages

    def header(self) -> str | None:
        return None

    def system_for(self, row: Any) -> str | None:
        if self.options.system is not None:
            return self.options.system
        if self.system_messages is not None:
            found = self.system_messages.get(row.skill_id)
            return None if found is None else str(found)
        description: str | None = row.skill_description
        return description if description and description.strip() else None

    def __call__(self, row: Any) -> str | Refused:
        document = conversation(
            row.example_input,
            row.example_output,
            row.expected_output,
            self.system_for(row),
            self.options,
        )
        found = problems(document, self.options.max_tokens)
        if found:
            return Refused(found)
        return json.dumps(document, ensure_ascii=False) + "\n"


def line_writer(
    export_format: ExportFormat,
    *,
    with_split: bool,
    chat: ChatOptions | None = None,
    system_messages: Mapping[str, Any] | None = None,
) -> LineWriter:
    """The line writer of a format (`with_split`: add a split column to a one-file export)."""
    if export_format is ExportFormat.CSV:
        return CsvLines(with_split=with_split)
    if export_format is ExportFormat.OPENAI_CHAT:
        return ChatLines(chat or ChatOptions(), system_messages)
    return JsonLines(with_split=with_split)
