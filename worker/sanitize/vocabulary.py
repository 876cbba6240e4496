"""The words of credentials: keys that name one, and values that only stand for one."""

from __future__ import annotations

import re

from worker.sanitize.draft import REDACTED


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_SINGLE_WORDS = _words("password passwd passphrase passcode secret token apikey pwd pw pass")
_WORD_ENDINGS = ("password", "passwd", "passphrase", "secret", "token", "apikey")
_WORD_PAIRS = frozenset(
    (first, "key")
    for first in _words("api access secret private signing encryption master auth app client")
)
_NOT_SECRET_KEYS = frozenset(("PWD", "OLDPWD"))  # the shell's working directory

# Words that stand where a value goes in type annotations and configuration defaults.
TYPE_WORDS = _words(
    "str string int integer bool boolean number any none null nil true false undefined bytes "
    "text varchar char secretstr optional object void unknown never float double long yes no on "
    "off required"
)
_PLACEHOLDER_WORDS = re.compile(r"(?i)your[_-]?(?:api[_-]?)?(?:key|token|secret|pass)")
_CONSTANT_NAME = re.compile(r"[A-Z]+(?:_[A-Z]+)+")
_PLACEHOLDER_CHARS = frozenset("*xX.-_•…# ")


def key_kind(key: str) -> str | None:
    """The kind of secret a key holds (`secret_assignment`, ...), or None for other keys."""
    if key in _NOT_SECRET_KEYS:
        return None
    words = [word.lower() for word in _WORDS.findall(key)]
    if not words:
        return None
    last = words[-1]
    if last == "authorization":
        return "authorization_header"
    if not (
        last in _SINGLE_WORDS or last.endswith(_WORD_ENDINGS) or tuple(words[-2:]) in _WORD_PAIRS
    ):
        return None
    if words[-3:] == ["secret", "access", "key"] or (words[0] == "aws" and "secret" in words):
        return "aws_secret_key"
    return "secret_assignment"


def is_placeholder(value: str) -> bool:
    """Whether a value stands for a secret rather than being one (`${X}`, `<password>`, `***`)."""
    if not value or value == REDACTED or value[0] in "$%{<[(":
        return True
    if "<" in value or ">" in value or "&lt;" in value or "&gt;" in value or "{{" in value:
        return True
    if _PLACEHOLDER_WORDS.search(value) or _CONSTANT_NAME.fullmatch(value):
        return True  # YOUR_API_KEY, your-token-here, CHANGE_ME
    return set(value) <= _PLACEHOLDER_CHARS
