"""Tokens that `printf` puts together from its format and arguments (`printf 'xoxb-%s-%s' ...`)."""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import islice

from worker.sanitize.secrets.needles import places
from worker.sanitize.secrets.spans import Evidence, Found
from worker.sanitize.secrets.splits import Detect

# `printf 'xoxb-%s-%s' "$A" 12345 ...`: a format whose `%s` the arguments fill in.
_PRINTF = re.compile(
    r"printf[ \t]+(?:-v[ \t]+\w+[ \t]+)?(['\"])(?P<format>[^'\"\n]*%s[^'\"\n]*)\1"
    # At most 16 arguments are read: a line of a thousand printf calls must
    # not read the rest of the line as each one's arguments.
    r"(?P<arguments>(?:[ \t]+(?:'[^'\n]*'|\"[^\"\n]*\"|[^\s'\"|;&)]+)){1,16})"
)
_ARGUMENT = re.compile(r"'([^'\n]*)'|\"([^\"\n]*)\"|([^\s'\"|;&)]+)")


def printf_spans(view: str, detect: Detect) -> list[Found]:
    """Tokens of a known format that `printf` puts together from its format and arguments:
    the format and the arguments are redacted as one span.

    What every call prints is read in one pass, a line each (no token crosses a line), so a
    line of a thousand calls costs one detection, not a thousand.
    """
    printed: list[str] = []
    calls: list[tuple[int, int]] = []
    for at in places(view, "printf"):
        match = _PRINTF.match(view, at)
        if match is None:
            continue
        pieces = match["format"].split("%s")
        arguments = [  # as many as the format takes
            next(group for group in argument.groups() if group is not None)
            for argument in islice(_ARGUMENT.finditer(match["arguments"]), len(pieces) - 1)
        ]
        if len(arguments) < len(pieces) - 1:
            continue
        filled = zip(arguments[: len(pieces) - 1], pieces[1:], strict=True)
        printed.append(pieces[0] + "".join(argument + piece for argument, piece in filled))
        calls.append((match.start("format"), match.end()))
    if not printed:
        return []
    starts = [0]
    for line in printed[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    found: dict[int, Found] = {}
    for token in detect("\n".join(printed)):
        call = bisect_right(starts, token.start) - 1
        if token.evidence is Evidence.FORMAT and call not in found:
            found[call] = Found(*calls[call], token.kind, Evidence.FORMAT)
    return list(found.values())
