"""What a detector reports (a span, a kind, its evidence), and replacing spans with the marker."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from enum import IntEnum
from typing import NamedTuple

from worker.sanitize.draft import REDACTED, Findings


class Evidence(IntEnum):
    """How a span was recognised; the most specific evidence names the kind of a merged span."""

    FORMAT = 0  # a provider's own format: prefix, structure, checksum
    PAIRED = 1  # the secret half of a recognised pair, a connection string's password
    LABELLED = 2  # a value a credential-named key gives
    MENTIONED = 3  # a value a header, cookie or sentence gives
    ENTROPY = 4  # a random-looking run with no label


class Found(NamedTuple):
    """A span of the view, the kind of secret it is, and how it was recognised (a tuple:
    detectors find the same secret often, and tuples hash and sort in C)."""

    start: int
    end: int
    kind: str
    evidence: Evidence


class Taken:
    """Spans already found, merged, for asking quickly whether a new span meets one."""

    __slots__ = ("_spans", "_starts")

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        merged: list[tuple[int, int]] = []
        for low, high in sorted(spans):
            if merged and low <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], high))
            else:
                merged.append((low, high))
        self._spans = merged
        self._starts = [low for low, _high in merged]

    def meets(self, start: int, end: int) -> bool:
        index = bisect_left(self._starts, end) - 1
        return index >= 0 and self._spans[index][1] > start

    def holds(self, found: Found) -> bool:
        """Whether one span holds the whole of `found`."""
        index = bisect_right(self._starts, found.start) - 1
        return index >= 0 and self._spans[index][1] >= found.end


def replace(text: str, found: list[Found]) -> Findings:
    """`text` with every found span replaced by one marker; overlapping spans become one.

    A merged span is named by its most specific evidence (`Bearer eyJ...` is a `jwt`, not a
    `bearer_token`); a span that is already the marker is not a finding.
    """
    if not found:
        return Findings(text)
    parts: list[str] = []
    kinds: set[str] = set()
    last = 0
    group: list[Found] = []
    group_end = -1
    for item in sorted(found, key=lambda f: (f.start, -f.end)):
        if item.end <= item.start:
            continue
        if group and item.start < group_end:
            group.append(item)
            group_end = max(group_end, item.end)
            continue
        last = _flush(text, group, group_end, last, parts, kinds)
        group, group_end = [item], item.end
    last = _flush(text, group, group_end, last, parts, kinds)
    if not kinds:
        return Findings(text)
    parts.append(text[last:])
    return Findings("".join(parts), frozenset(kinds))


def _flush(
    text: str, group: list[Found], end: int, last: int, parts: list[str], kinds: set[str]
) -> int:
    if not group:
        return last
    start = group[0].start
    if text[start:end].replace(REDACTED, "").strip(" \t\r\n\"'`") == "":
        return last
    best = min(item.evidence for item in group)
    kinds.update(item.kind for item in group if item.evidence == best)
    parts.append(text[last:start])
    parts.append(REDACTED)
    return end
