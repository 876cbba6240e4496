"""Whether a value given in a sentence is a credential, not the words a sentence goes on with.

A word a sentence goes on with (`is stored`, `must be`, `on the fridge`, `40 characters`), a
plain dictionary word unless quoted, code (`input()`, `settings.password`), a setting
(`NAME=value`) or a placeholder is no secret; after a weak noun (`key`, `token`, `secret`) the
value must be long and random; with no verb (`bank pw Welcome@123`) it must be shaped like a
password (digits, and mixed case or a symbol).
"""

from __future__ import annotations

import re

from worker.sanitize.secrets.entropy import looks_random
from worker.sanitize.vocabulary import (
    FUNCTION_WORDS,
    NAMING_VALUES,
    STATUS_WORDS,
    TYPE_WORDS,
    is_placeholder,
    phrase_is_passphrase,
)

KIND = "secret_in_prose"
TRAILING = ".,;:?)\"'"
# Code, YAML syntax, names: `input()`, `settings.password`, `!!binary`, `user_password`, and
# a name with a digest after it (`node-cache-Linux-x64-6f3e...`, a cache key).
_CODE = re.compile(
    r"[()\[\]{}]|::|->|^[A-Za-z_]\w*\.[A-Za-z_]|^[a-z]+(?:_[a-z]+)+$|^!!|^[|>][-+]?$"
    r"|^(?:[A-Za-z][A-Za-z0-9]*[-_.])+[0-9a-f]{16,}$"
)
_UNITS = frozenset(
    (
        *("characters", "chars", "character", "digits", "digit", "letters", "bytes", "bits"),
        *("long", "words", "symbols", "days", "hours", "minutes", "seconds", "times"),
        *("tokens", "weeks", "months", "years", "more", "max", "min", "minimum", "maximum"),
    )
)
_SPACE = re.compile(r"\s")
# A value in a sentence: quoted, or a run up to a space, a quote or a `;` or `,`.
_VALUE = re.compile(
    r"\"([^\"\n]{1,200})\"|'([^'\n]{1,200})'|`([^`\n]{1,200})`|([^\s\"'`;,]{1,512})"
)


def next_word(view: str, at: int) -> str:
    match = re.match(r"[ \t]+([A-Za-z]+)", view[at : at + 30])
    return match[1].lower() if match is not None else ""


def is_secret(value: str, in_quotes: bool, strong: bool, adjacent: bool, after: str) -> bool:
    word = value.lower().rstrip("!.")
    if len(value) < 3 or is_placeholder(value) or word in NAMING_VALUES:
        return False
    if word in FUNCTION_WORDS or word in TYPE_WORDS or word in STATUS_WORDS:
        return False
    if after in _UNITS or _CODE.search(value) or value.startswith(("http", "/", "./", "~/", "-")):
        return False
    if in_quotes and _SPACE.search(value):
        return strong and phrase_is_passphrase(value)
    if "=" in value.rstrip("="):
        return False  # `NAME=value`: a setting
    if not strong:
        # A weak noun (`key`, `token`): only a long random value, not a fingerprint or an id.
        fingerprint = value.startswith("0x") or (value.upper() == value and value.isalnum())
        return len(value) >= 16 and looks_random(value) and not fingerprint
    if adjacent:
        # No verb: only what can be nothing but a password (`bank pw Welcome@123`).
        return password_shaped(value)
    digits = any(char.isdigit() for char in value)
    mixed = value.lower() != value and value.upper() != value
    if value.isdigit():
        return len(value) >= 4
    plain = value.isalpha() and (value.islower() or value.istitle())
    symbols = any(not char.isalnum() for char in value)
    return in_quotes or (not plain and (digits or symbols or mixed) and len(value) >= 4)


def password_shaped(value: str) -> bool:
    """What can be nothing but a password, whatever words surround it: eight or more
    characters with digits, and mixed case or symbols (not all capitals)."""
    digits = any(char.isdigit() for char in value)
    mixed = value.lower() != value and value.upper() != value
    symbols = any(not char.isalnum() and char not in "-_." for char in value)
    return len(value) >= 8 and digits and (symbols or mixed) and value.upper() != value


def value_at(view: str, at: int) -> tuple[int, int, bool, str] | None:
    """The value a sentence gives at `at`: its span (quotes and trailing punctuation left
    out), whether it was quoted, and the word after it."""
    value = _VALUE.match(view, at)
    if value is None:
        return None
    group = value.lastindex or 4
    start, end = value.span(group)
    in_quotes = group != 4
    if not in_quotes:
        while end > start and view[end - 1] in TRAILING:
            end -= 1
    return start, end, in_quotes, next_word(view, value.end())
