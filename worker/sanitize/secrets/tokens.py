"""Tokens of a known format: found by prefix or shape, proven by checksum where it has one.

Finding runs first keeps the common case cheap: `runs.py` yields the runs of 12+ token
characters, and the prefix alternation only runs inside those.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from worker.sanitize.secrets import platforms, services
from worker.sanitize.secrets.entropy import plausible_body
from worker.sanitize.secrets.formats import Format
from worker.sanitize.secrets.needles import places
from worker.sanitize.secrets.shapes import SHAPES, Shape
from worker.sanitize.secrets.spans import Evidence, Found

FORMATS = platforms.FORMATS + services.FORMATS
_PREFIXES = sorted({prefix for fmt in FORMATS for prefix in fmt.prefixes}, key=len, reverse=True)
# What can start a token in a piece of a split one; three lower-case letters (`pat`, `cio`)
# start too many words to be worth a join.
PREFIX_START = re.compile(
    "(?<![A-Za-z0-9])(?:"
    + "|".join(re.escape(p) for p in _PREFIXES if len(p) > 3 or not (p.isalpha() and p.islower()))
    + ")"
)
# The shortest whole token of each kind (prefix and body): one cut shorter at a line end is
# continued by the next line.
SHORTEST: dict[str, int] = {}
for _fmt in FORMATS:
    _shortest = min(len(prefix) for prefix in _fmt.prefixes) + _fmt.length[0]
    SHORTEST[_fmt.kind] = min(SHORTEST.get(_fmt.kind, _shortest), _shortest)
_BY_HEAD: dict[str, list[tuple[str, Format]]] = {}
for _fmt in FORMATS:
    for _prefix in _fmt.prefixes:
        _BY_HEAD.setdefault(_prefix[:2], []).append((_prefix, _fmt))
for _candidates in _BY_HEAD.values():
    _candidates.sort(key=lambda pair: len(pair[0]), reverse=True)
_WORD = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_HEX_DIGITS = "0123456789ABCDEFabcdef"
_PERCENT_TAILS = frozenset(a + b for a in _HEX_DIGITS for b in _HEX_DIGITS)
# A dotted or dollar-joined segment glued to a token is part of it (`...token.01.crc`, a
# version or checksum suffix): the redaction covers the whole word as its syntax delimits it.
_GLUED_SUFFIX = re.compile(r"(?:[.$][A-Za-z0-9_-]+)+")


def token_spans(view: str, runs: list[tuple[int, int]]) -> list[Found]:
    """Every known-format token in `view`, prefixed or shaped; `runs` are its 12+ runs."""
    found: list[Found] = []
    for start, end in runs:
        for at in _starts(view, start, end):
            if view[at : at + 2] in _BY_HEAD:
                token = _prefixed(view, at)
                if token is not None:
                    found.append(token)
    found.extend(_shaped_spans(view, runs))
    return found


def _shaped_spans(view: str, runs: list[tuple[int, int]]) -> list[Found]:
    """Tokens of a shape: each lies in (or, a webhook URL, starts in) a run holding its
    needle. Where runs are few (prose) the needle is looked for in them; where they are many,
    its places in the text are found once and each run asks them with a bisection."""
    found: list[Found] = []
    few_runs = sum(end - start for start, end in runs) * 4 <= len(view)
    # Where runs are many, shapes whose needle the text lacks are dropped first (one scan
    # each, in C); where they are few, the needles are looked for in the runs alone.
    shapes = SHAPES if few_runs else [shape for shape in SHAPES if shape.needle in view]
    for shape in shapes:
        # (A one-character needle, `.` or `:`, is everywhere: looked for in the runs.)
        sparse = few_runs or len(shape.needle) == 1
        where = [] if sparse else places(view, shape.needle)
        for start, end in runs:
            if end - start < shape.shortest:
                continue
            if sparse:
                held = view.find(shape.needle, start, end) != -1
            else:
                index = bisect_left(where, start)
                held = index < len(where) and where[index] < end
            if held:
                limit = end if shape.in_runs else min(len(view), end + 400)
                found.extend(_shaped(view, shape, start, limit))
    return found


def _starts(view: str, start: int, end: int) -> list[int]:
    """Where a token can start in a run: its start, and after a `=`, `:` or `/` inside it
    (`KEY=ghp_...`, `https://user:ghp_...@`, `?key=AIza...`). Found with `str.find`: a regex
    would step through every character of the run."""
    starts = [start]
    if start > 0 and view[start - 1] == "%" and view[start : start + 2] in _PERCENT_TAILS:
        starts.append(start + 2)  # `Bearer%20xoxb-...`: a percent-escape glued to the token
    for separator in "=:/":
        at = view.find(separator, start, end)
        while at != -1:
            starts.append(at + 1)
            at = view.find(separator, at + 1, end)
    return starts


def _prefixed(view: str, at: int) -> Found | None:
    for prefix, fmt in _BY_HEAD.get(view[at : at + 2], ()):
        if not view.startswith(prefix, at):
            continue
        match = fmt.body.match(view, at + len(prefix))
        if match is None:
            continue
        body = match[0]
        proven = fmt.proof is not None and fmt.proof(prefix, body)
        if not proven and not plausible_body(body):
            continue
        end = match.end()
        suffix = _GLUED_SUFFIX.match(view, end)
        if suffix is not None:
            end = suffix.end()
        return Found(at, end, fmt.kind, Evidence.FORMAT)
    return None


def _shaped(view: str, shape: Shape, start: int, end: int) -> list[Found]:
    found = []
    for match in shape.pattern.finditer(view, start, end):
        token = match[shape.group]
        if token is None:
            continue
        if shape.group == 0 and match.start() and view[match.start() - 1] in _WORD:
            continue  # inside a longer word
        proven = shape.proof is not None and shape.proof(match[0])
        if shape.checked and not proven and not plausible_body(token.replace(".", "")):
            continue
        found.append(Found(*match.span(shape.group), shape.kind, Evidence.FORMAT))
    return found
