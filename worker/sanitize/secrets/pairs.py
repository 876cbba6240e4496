"""The secret half of a pair: found from the identifier half, which is easier to recognise.

An AWS access key id (`AKIA...`), a Twilio account SID (`AC` + 32 hex) or a value under an
identifier key (`client_id`, `consumer_key`, `account_sid`, `access_key_id`) is
followed by its secret within a few lines: after a separator on the same line
(`AKIA... / wJalr...`, `AKIA...,wJalr...`, a second positional argument) or as the next
line's value. The nearest candidate of the secret's shape is taken; when the nearest is
already the marker, the pair is done (so redacting twice changes nothing).

CSV tables are pairs by column: a header row naming a credential column (`Password`,
`Secret access key`, `client_secret`) makes that column's cells in the rows below secrets.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable

from worker.sanitize.draft import REDACTED
from worker.sanitize.secrets.entropy import looks_random
from worker.sanitize.secrets.needles import Needles
from worker.sanitize.secrets.spans import Evidence, Found, Taken
from worker.sanitize.vocabulary import is_placeholder, key_kind

_WINDOW = 300
# Candidates are whole runs (found left to right, each consumed once), then tested by shape.
_CANDIDATE = re.compile(r"[A-Za-z0-9/+=_.~-]+")
_AWS_SECRET = re.compile(r"[A-Za-z0-9/+]{40}")
_HEX32 = re.compile(r"[0-9a-f]{32}")
_RANDOM = re.compile(r"[A-Za-z0-9/+=_.~-]{20,200}")
# An identifier key's value, skipped: the secret is the next value.
_ID_VALUE = re.compile(r"[ \t]*[\"']?[A-Za-z0-9._@/+-]{6,}")
_CSV_SPLIT = re.compile(r",|\t")


_HEADER_CELL = re.compile(r"[\w \"'-]{1,40}")


def pair_spans(
    view: str, needles: Needles, found: list[Found], identifiers: list[int]
) -> list[Found]:
    """Partners of the anchors in `found`, of identifier keys' values (which start at
    `identifiers`) and of CSV credential columns (whose header names a credential)."""
    partners: list[Found] = []
    for anchor in [f for f in found if f.kind in ("aws_access_key", "twilio_key")]:
        if anchor.kind == "aws_access_key":
            partner = _near(view, anchor.end, _AWS_SECRET, looks_random)
            if partner is not None:
                partners.append(Found(*partner, "aws_secret_key", Evidence.PAIRED))
        elif view.startswith("AC", anchor.start):
            partner = _near(view, anchor.end, _HEX32, looks_random)
            if partner is not None:
                partners.append(Found(*partner, "twilio_key", Evidence.PAIRED))
    if identifiers:
        taken = Taken([(f.start, f.end) for f in found])
        for at in identifiers:
            value = _ID_VALUE.match(view, at)
            partner = _near(view, value.end(), _RANDOM, _random_secret) if value else None
            if partner is not None and not taken.meets(*partner):
                partners.append(Found(*partner, "paired_secret", Evidence.PAIRED))
    if needles.credential and "\n" in view and ("," in view or "\t" in view):
        partners.extend(_csv_columns(view, needles.lowered))
    return partners


def _random_secret(value: str) -> bool:
    if "=" in value.rstrip("="):
        return False  # `state=...`: another parameter, which its own name explains
    return looks_random(value.strip("=")) and not is_placeholder(value)


def _near(
    view: str, after: int, pattern: re.Pattern[str], accept: Callable[[str], bool]
) -> tuple[int, int] | None:
    """The first candidate within three lines after `after`, unless the marker comes first."""
    limit = min(len(view), after + _WINDOW)
    lines = 0
    at = after
    while lines < 3:
        line_end = view.find("\n", at, limit)
        stop = limit if line_end == -1 else line_end
        marker = view.find(REDACTED, at, stop)
        for match in _CANDIDATE.finditer(view, at, stop if marker == -1 else marker):
            if pattern.fullmatch(match[0]) and accept(match[0]):
                return match.span()
        if marker != -1 or line_end == -1:
            return None
        at, lines = line_end + 1, lines + 1
    return None


def _csv_columns(view: str, lowered: str) -> list[Found]:
    found: list[Found] = []
    lines = view.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    # A header names a credential column: only the lines holding a credential word qualify.
    for number in _worded_lines(lowered, offsets):
        header = lines[number]
        if len(header) > 400 or ("," not in header and "\t" not in header):
            continue
        cells = [cell.strip().strip("\"'") for cell in _CSV_SPLIT.split(header)]
        if len(header) > 400 or not all(_HEADER_CELL.fullmatch(cell) for cell in cells if cell):
            continue
        secret_columns = {
            index
            for index, cell in enumerate(cells)
            if cell and len(cell.split()) <= 4 and key_kind(cell) is not None
        }
        if not secret_columns:
            continue
        for row_number in range(number + 1, min(len(lines), number + 50)):
            row = lines[row_number]
            if len(_CSV_SPLIT.split(row)) != len(cells):
                break
            found.extend(_row_secrets(row, offsets[row_number], secret_columns, cells))
    return found


def _worded_lines(lowered: str, offsets: list[int]) -> list[int]:
    numbers = set()
    for word in ("pass", "pwd", "token", "secret", "key"):
        at = lowered.find(word)
        while at != -1:
            numbers.add(bisect_right(offsets, at) - 1)
            at = lowered.find(word, at + 1)
    return sorted(numbers)


def _cell_is_secret(value: str) -> bool:
    if not value or any(char.isspace() for char in value) or is_placeholder(value):
        return False
    if key_kind(value) is not None:
        return False  # a second header row
    return any(char.isdigit() for char in value) or looks_random(value) or not value.isalpha()


def _row_secrets(row: str, offset: int, columns: set[int], header: list[str]) -> list[Found]:
    found = []
    start = 0
    for index, cell in enumerate(_CSV_SPLIT.split(row)):
        value = cell.strip().strip("\"'")
        if index in columns and _cell_is_secret(value):
            begin = offset + start + cell.index(value)
            kind = (
                "aws_secret_key" if key_kind(header[index]) == "aws_secret_key" else "paired_secret"
            )
            found.append(Found(begin, begin + len(value), kind, Evidence.PAIRED))
        start += len(cell) + 1
    return found
