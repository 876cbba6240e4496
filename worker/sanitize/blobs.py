"""Long base64 blobs: keys, certificates and tokens that no named secret class covers.

A blob is a run of at least 64 base64 or base64url characters (`A-Z a-z 0-9 + / _ -`, with up
to two `=` of padding) that looks random: at least a fifth of it upper case and a fifth lower
case, at least one digit, and the character class changing between neighbours at least 40% of
the time (random base64 changes about 64% of the time). That leaves alone hex digests (git SHAs,
sha256 and sha512 are one case), long identifiers and paths (`AbstractSingletonProxyFactory...`,
`src/main/java/...`: long lower-case runs, few class changes) and UUIDs.
"""

from __future__ import annotations

import re
from itertools import pairwise

from worker.sanitize.draft import REDACTED, Findings

MIN_LENGTH = 64
_BLOB = re.compile(
    r"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{" + str(MIN_LENGTH) + r",}={0,2}(?![A-Za-z0-9+/_=\[-])"
)


def _class(char: str) -> int:
    if "a" <= char <= "z":
        return 0
    if "A" <= char <= "Z":
        return 1
    if "0" <= char <= "9":
        return 2
    return 3


def looks_random(run: str) -> bool:
    core = run.rstrip("=")
    length = len(core)
    if length < MIN_LENGTH:
        return False
    upper = sum(1 for c in core if "A" <= c <= "Z")
    lower = sum(1 for c in core if "a" <= c <= "z")
    if upper * 5 < length or lower * 5 < length or not any(c.isdigit() for c in core):
        return False
    classes = [_class(c) for c in core]
    changes = sum(1 for a, b in pairwise(classes) if a != b)
    return changes * 5 >= (length - 1) * 2


def redact(text: str) -> Findings:
    found = False

    def replace(match: re.Match[str]) -> str:
        nonlocal found
        if looks_random(match[0]):
            found = True
            return REDACTED
        return match[0]

    redacted = _BLOB.sub(replace, text)
    return Findings(redacted, frozenset(("base64_blob",))) if found else Findings(text)
