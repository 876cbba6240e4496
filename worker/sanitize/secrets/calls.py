"""Secrets passed positionally to what takes credentials: clients, signers, basic-auth pairs.

A quoted argument of a call to a client or credential constructor, a signer or a key
derivation (`Client("AC...", "<token>")`, `AcsClient('LTAI...', '<secret>')`,
`algoliasearch('APPID', '<key>')`, `jwt.encode(payload, "<hex>")`, `hmac.new(b"<key>")`,
`Fernet("<key>")`) is a secret when it is random (lower-case hex of 32+ characters included:
a digest is never an argument there). The second argument of a user/password pair
(`HTTPBasicAuth("u", "pw")`, `auth=("u", "pw")`, `NetworkCredential("u", "pw")`) is the
password whatever it looks like.
"""

from __future__ import annotations

import re

from worker.sanitize.secrets.entropy import looks_random
from worker.sanitize.secrets.needles import Needles
from worker.sanitize.secrets.spans import Evidence, Found, Taken
from worker.sanitize.secrets.values import quoted
from worker.sanitize.vocabulary import NAMING_VALUES, TYPE_WORDS, is_placeholder

# Callee names, lower-cased, whose arguments are credentials, and those taking a user and
# a password (a `name=(...)` tuple is named by its key: `auth=("u", "pw")`).
_CALLEE = re.compile(
    r"client|credential|authenticat|auth|signer|algoliasearch|searchclient|fernet|hmac"
    r"|jwt\.(?:encode|decode)|login|connect|apikey|secretkey|accesskey|secret|passw|token"
)
_PAIR_CALLEE = re.compile(
    r"basicauth|httpbasicauth|httpdigestauth|networkcredential|pscredential"
    r"|usernamepasswordcredentials?|passwordauthentication|(?:^|\.)auth="
)
_NAME_REVERSED = re.compile(r"[ \t]*=?[ \t]*[a-z0-9_.]{1,80}")
_LITERAL_PREFIX = frozenset("bBrRuUfF")
_MAX_ARGUMENTS = 6


def call_spans(
    view: str, needles: Needles, known: list[Found], runs: list[tuple[int, int]]
) -> list[Found]:
    """Credential arguments of calls in `view` that no `known` span names already (a call's
    token of a known format or pair keeps that kind); `runs` are the text's runs of 12+.

    Calls are found from their random literals (runs in quotes), and for user/password pairs
    from their names: no scan of the text for callee names."""
    if "(" not in view or not ('"' in view or "'" in view):
        return []
    openings = set()
    for start, end in runs:
        if end - start >= 16 and start and view[start - 1] in ("'", '"'):
            opening = _call_opening(view, start - 1)
            if opening is not None:
                openings.add(opening)
    if needles.credential:
        openings.update(_pair_openings(view, needles))
    found = []
    taken = Taken([(f.start, f.end) for f in known])
    for opening in sorted(openings):
        name = _callee(needles.lowered, opening)
        if name is None or _CALLEE.search(name) is None:
            continue
        pair = _PAIR_CALLEE.search(name) is not None
        for index, (start, end) in enumerate(_literal_arguments(view, opening + 1)):
            value = view[start:end]
            if taken.meets(start, end):
                continue
            if (pair and index == 1 and _password(value)) or _random_secret(value):
                found.append(Found(start, end, "paired_secret", Evidence.PAIRED))
    return found


def _callee(lowered: str, opening: int) -> str | None:
    """The name before the `(` at `opening` (`jwt.encode`, `auth=` for a keyword tuple)."""
    name = _NAME_REVERSED.match(lowered[max(0, opening - 80) : opening][::-1])
    if name is None:
        return None
    return "".join(name[0][::-1].split())


def _call_opening(view: str, quote: int) -> int | None:
    """The `(` of the call whose argument list holds the literal opening at `quote`: right
    before it, or before the earlier arguments on its line (balanced parentheses between)."""
    low = max(0, quote - 300)
    before = view[low:quote]
    if before[-1:] in _LITERAL_PREFIX:
        before = before[:-1]  # `b"..."`, `r'...'`
    before = before.rstrip()
    if before.endswith("("):
        return low + len(before) - 1
    if not before.endswith(","):
        return None
    line_start = before.rfind("\n") + 1
    opening = before.rfind("(", line_start)
    while opening != -1:
        between = before[opening + 1 :]
        if between.count("(") == between.count(")"):
            return low + opening
        opening = before.rfind("(", line_start, opening)
    return None


def _pair_openings(view: str, needles: Needles) -> list[int]:
    """The `(` after names of user/password constructors (`HTTPBasicAuth(`, `auth=(`)."""
    openings = []
    for needle in ("auth", "credential"):
        if not needles[needle]:
            continue
        at = needles.lowered.find(needle)
        while at != -1:
            opening = view.find("(", at, at + 48)
            if opening != -1:
                openings.append(opening)
            at = needles.lowered.find(needle, at + 1)
    return openings


def _literal_arguments(view: str, at: int) -> list[tuple[int, int]]:
    """The spans of the quoted arguments of the call whose `(` ends just before `at`."""
    found = []
    limit = min(len(view), at + 600)
    for _ in range(_MAX_ARGUMENTS):
        while at < limit and view[at] in " \t\r\n":
            at += 1
        if at >= limit or view[at] == ")":
            break
        if view[at] in _LITERAL_PREFIX and view[at + 1 : at + 2] in ("'", '"'):
            at += 1
        if view[at] in ("'", '"'):
            span = quoted(view, at)
            if span is None:
                break
            found.append(span)
            at = span[1] + 1
        at = _next_argument(view, at, limit)
        if at == -1:
            break
    return found


def _next_argument(view: str, at: int, limit: int) -> int:
    """Where the argument after the one at `at` starts, or -1 at the call's end."""
    depth = 0
    while at < limit:
        char = view[at]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0:
                return -1
            depth -= 1
        elif char == "," and depth == 0:
            return at + 1
        elif char in ("'", '"'):
            span = quoted(view, at)
            at = span[1] if span is not None else at
        at += 1
    return -1


def _random_secret(value: str) -> bool:
    return len(value) >= 16 and looks_random(value) and not is_placeholder(value)


def _password(value: str) -> bool:
    return (
        bool(value)
        and not is_placeholder(value)
        and value.lower() not in NAMING_VALUES
        and value.lower() not in TYPE_WORDS
        and not any(char.isspace() for char in value)
    )
