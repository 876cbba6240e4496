"""The text as a reader sees it, for detection, with the way back to the stored text's offsets.

A secret can be written so that a pattern misses it and a browser, a JSON parser or a shell
still shows it whole: `AKIA&#73;OSF...`, `ghp\\u005f...`, a full-width low line, a zero-width space
inside a token, a backslash-newline inside a quoted string, a token percent-encoded whole in a
URL. Detection runs on a view with those decoded: HTML character references (named and
numeric, with or without `;`, escaped again or not), JSON and C-style backslash escapes
(`\\uXXXX`, `\\u{...}`, `\\xXX`, `\\n`, `\\"`, `\\/`, ...), backslash line continuations, runs
of three or more percent-escapes that spell token characters (UTF-8 included; `%2F%3A%40` is
left as it is), NFKC compatibility forms, and format characters (zero-width, soft hyphen)
dropped. A span found in the view maps back to the original text, widened to whole escapes, so
the stored text gets the marker where the obfuscated secret was.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache
from html.entities import html5

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "'": "'", "/": "/", "\\": "\\"}
# Markdown and shell escape punctuation with a backslash (`ghp\_...` shows as `ghp_...`).
_ESCAPES.update((char, char) for char in "_-.+~*=")
# Two patterns, each led by its literal, so the engine skips to an `&` or a backslash.
# A reference escaped again (`&amp;#x41;`, `&amp;amp;lt;`) reads as the reference itself: so a
# text and the same text neutralized (every `&` escaped) give one view, and redact alike.
_REFERENCES = re.compile(
    r"&(?:amp;)*(?:#[0-9]{1,7};?|#[xX][0-9a-fA-F]{1,6};?|[A-Za-z][A-Za-z0-9]{1,31};?)"
)
_ESCAPED_AGAIN = re.compile(r"&(?:amp;)+(?=[#A-Za-z])")
_PERCENTS = re.compile(r"(?:%[0-9A-Fa-f]{2}){3,}")
_BACKSLASHES = re.compile(
    r"\\(?:u\{[0-9a-fA-F]{1,6}\}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2}"
    r"|[nrt\"'/\\_.+~*=-]|\r?\n)"
)
# Blocks whose NFKC forms spell token characters: superscripts, letterlike symbols, number
# forms, enclosed alphanumerics, ligatures, small and full-width forms, mathematical letters.
# A class of a few ranges is scanned fast; their folds are computed on the first text that
# is not ASCII.
_COMPAT_BLOCKS = (
    (0xAA, 0xBF),
    (0x2070, 0x2190),
    (0x2460, 0x2500),
    (0xFB00, 0xFB07),
    (0xFE50, 0xFE70),
    (0xFF01, 0xFF5F),
    (0x1D400, 0x1D800),
    (0x1F100, 0x1F200),
)
_HYPHENS = "\u2010\u2011\u2012\u2013\u2212"
_INVISIBLE = (
    "\u00ad\u034f\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
)
_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.~+/=-")


@cache
def _compat() -> tuple[re.Pattern[str], dict[str, str]]:
    """Compatibility forms that fold to ASCII, and what each character folds to."""
    table = {}
    for low, high in _COMPAT_BLOCKS:
        for point in range(low, high):
            char = chr(point)
            folded = unicodedata.normalize("NFKC", char)
            # (Not the forms NFKC turns into a space and a combining mark: `¯` is no ` `.)
            visible = not any(c.isspace() for c in folded)
            if folded != char and visible and any(c.isascii() and c.isprintable() for c in folded):
                table[char] = folded
    # Hyphens a browser shows for `&hyphen;` and its kin read as `-` (NFKC keeps them).
    table.update(dict.fromkeys(_HYPHENS, "-"))
    ranges = "".join(f"{chr(low)}-{chr(high - 1)}" for low, high in _COMPAT_BLOCKS) + _HYPHENS
    return re.compile("[" + ranges + _INVISIBLE + "]"), table


@dataclass(frozen=True, slots=True)
class View:
    """`text` is what detection reads; `span` maps one of its spans back to the original."""

    text: str
    # Parallel lists, one entry per segment of the view: where it starts in the view and in the
    # original, where it ends in the original, and whether it is a decoded escape (atomic).
    _view_starts: tuple[int, ...] = ()
    _starts: tuple[int, ...] = ()
    _ends: tuple[int, ...] = ()
    _atomic: tuple[bool, ...] = ()

    @property
    def is_identity(self) -> bool:
        return not self._view_starts

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span holding view[start:end], whole escapes included."""
        if not self._view_starts:
            return start, end
        first = bisect_right(self._view_starts, start) - 1
        last = bisect_right(self._view_starts, max(start, end - 1)) - 1
        begin = self._starts[first]
        if not self._atomic[first]:
            begin += start - self._view_starts[first]
        if self._atomic[last]:
            finish = self._ends[last]
        else:
            finish = self._starts[last] + end - self._view_starts[last]
        return begin, finish


def view_of(text: str) -> View:
    """The detection view of `text`; the text itself (no copy, no map) when nothing is encoded."""
    folded = [] if text.isascii() else _folded(text)
    if not folded and "&" not in text and "\\" not in text and "%" not in text:
        return View(text)
    events = _decoded_events(text) + folded
    if "%" in text:
        events += _percent_events(text)
    if not events:
        return View(text)
    events.sort()  # escapes are ASCII, folded characters not: the two never overlap
    return _build(text, events)


def _decoded_events(text: str) -> list[tuple[int, int, str]]:
    found = []
    for pattern, needle in ((_REFERENCES, "&"), (_BACKSLASHES, "\\")):
        if needle in text:
            for match in pattern.finditer(text):
                decoded = _decode(match[0])
                if decoded is not None:
                    found.append((match.start(), match.end(), decoded))
                elif match[0].startswith("&amp;"):
                    # Escaped again, but what follows is no reference: the `&amp;` alone.
                    found.append((match.start(), match.start() + 5, "&"))
    return found


def _percent_events(text: str) -> list[tuple[int, int, str]]:
    """Runs of percent-escapes, one event per character they spell (UTF-8 as a browser reads
    it), when they spell a token's characters only: a run that spells a delimiter, a control
    character or bytes that are not UTF-8 is left alone, so that a URL keeps its structure."""
    found = []
    for match in _percent_runs(text):
        try:
            decoded = bytes.fromhex(match[0].replace("%", "")).decode("utf-8")
        except UnicodeDecodeError:
            continue
        if not all(char.isalnum() or char in "-_.~+" for char in decoded):
            continue  # a URL's own delimiters (`%2F`, `%40`, `%3A`) stay as written
        at = match.start()
        for char in decoded:
            width = 3 * len(char.encode("utf-8"))
            found.append((at, at + width, _fold(char)))
            at += width
    return found


def _percent_runs(text: str) -> list[re.Match[str]]:
    """`_PERCENTS` matched at each `%` (found with `str.find`: a search for the pattern would
    try it at every character)."""
    runs = []
    at = text.find("%")
    while at != -1:
        match = _PERCENTS.match(text, at)
        if match is not None:
            runs.append(match)
        at = text.find("%", at + 1 if match is None else match.end())
    return runs


def _folded(text: str) -> list[tuple[int, int, str]]:
    """Compatibility forms and the invisible characters inside tokens, in one scan."""
    pattern, table = _compat()
    found = []
    for match in pattern.finditer(text):
        char = match[0]
        if char in _INVISIBLE:
            if _inside(text, match.start()):
                found.append((match.start(), match.end(), ""))
        elif char in table:
            found.append((match.start(), match.end(), table[char]))
    return found


def _inside(text: str, at: int) -> bool:
    """Whether an invisible character sits inside a token (a ZWJ in an emoji is text)."""
    return 0 < at < len(text) - 1 and text[at - 1] in _TOKEN_CHARS and text[at + 1] in _TOKEN_CHARS


def _build(text: str, events: list[tuple[int, int, str]]) -> View:
    pieces: list[str] = []
    view_starts: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    atomic: list[bool] = []
    at = position = 0
    for start, end, decoded in events:
        if start > at:
            view_starts.append(position)
            starts.append(at)
            ends.append(start)
            atomic.append(False)
            pieces.append(text[at:start])
            position += start - at
        view_starts.append(position)
        starts.append(start)
        ends.append(end)
        atomic.append(True)
        pieces.append(decoded)
        position += len(decoded)
        at = end
    view_starts.append(position)
    starts.append(at)
    ends.append(len(text))
    atomic.append(False)
    pieces.append(text[at:])
    return View("".join(pieces), tuple(view_starts), tuple(starts), tuple(ends), tuple(atomic))


def _decode(escape: str) -> str | None:
    """What one reference or escape shows as, or None when it is not one a reader decodes."""
    if escape[0] == "&":
        unwrapped = _ESCAPED_AGAIN.sub("&", escape, count=1)
        if unwrapped != escape:
            return _decode(unwrapped)
        if escape[1] == "#":
            digits = escape[2:].rstrip(";")
            point = int(digits[1:], 16) if digits[:1] in "xX" else int(digits)
            return _fold(chr(point)) if 0 < point < 0x110000 else None
        name = escape[1:]
        decoded = html5.get(name)
        return None if decoded is None else _fold(decoded)
    body = escape[1:]
    if body[0] in "\r\n":
        return ""  # a line continuation: the line goes on
    if body[0] in "uUx":
        digits = body[1:].strip("{}")
        point = int(digits, 16)
        return _fold(chr(point)) if point < 0x110000 else None
    return _ESCAPES[body]


def _fold(decoded: str) -> str:
    if decoded.isascii():
        return decoded
    _pattern, table = _compat()
    return "".join(table.get(char, char) for char in decoded)
