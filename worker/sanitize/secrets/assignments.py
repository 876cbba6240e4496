"""Secrets assigned to a credential-named key: code, env files, JSON, YAML, query strings, XML.

A key qualifies when its last word names a credential (`password`, `DB_PASSWORD`, `apiKey`,
`client_secret`, `X-Auth-Token`, `PGPASSWORD`); `token_count`, `password_policy` or
`max_tokens` do not. What follows the separator must look like a value, not like prose:

- a quoted value is a secret when it is one token (no whitespace) and not a placeholder
  (`"hunter2"` yes; `"must be 8 characters"`, `"${DB_PASSWORD}"`, `"<password>"` no);
- an unquoted value in an env line (`DB_PASSWORD=xyz`, `export TOKEN=xyz`, `- KEY=xyz`), a
  query string (`?password=xyz`), a CLI flag (`--password=xyz`) or under an UPPER_CASE key is a
  secret whatever it looks like;
- any other unquoted value (YAML, prose, code) must be the last thing on its line and hold a
  digit or symbol: `password: hunter2` is redacted, `password: must be at least 8 characters`,
  `Password: required`, `password = user_input`, `password: str` and
  `token = settings.token` are not.
"""

from __future__ import annotations

import re

from worker.sanitize.secrets import authorization, elements
from worker.sanitize.secrets.assigned import quoted_or_random, random_not_digest, unquoted_is_secret
from worker.sanitize.secrets.needles import Needles
from worker.sanitize.secrets.spans import Evidence, Found
from worker.sanitize.secrets.values import quoted
from worker.sanitize.vocabulary import (
    KEY_ENDINGS,
    TYPE_WORDS,
    is_placeholder,
    key_kind,
    phrase_is_passphrase,
)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_BROAD_KEYS = ("credential", "credentials", "creds")
_KEY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
_KEY_REVERSED = re.compile(r"[A-Za-z0-9_.-]*")
_KEY_CLOSERS = frozenset(" \t\"']]")
# How every credential key ends, lower-cased: cheap tests before splitting the key into words.
_KEY_SUFFIXES = frozenset(
    ("rd", "wd", "se", "de", "et", "en", "ey", "pw", "ss", "on", "th", "ls", "al", "ds")
)
# `password: correct horse battery staple`: three to eight plain words up to the line end.
_PASSPHRASE = re.compile(
    r"[a-z]{2,16}(?:[ -][a-z]{2,16}){2,7}(?:[ -][0-9]{1,6})?(?=[ \t]*(?:\r?\n|\Z))"
)
_PASSPHRASE_KEYS = ("password", "passwd", "passphrase", "pass", "pw", "pwd", "secret")
# How keys end whose value identifies a credential whose secret half comes next (lower-cased,
# `-` and spaces read as `_`).
_IDENTIFIER_ENDINGS = (
    *("client_id", "clientid", "app_id", "appid", "application_id", "applicationid"),
    *("key_id", "keyid", "consumer_key", "consumerkey", "account_sid", "accountsid"),
)
_WHITESPACE = re.compile(r"\s")
# A command and its arguments: what a backticked value run by the shell starts with.
_COMMAND_WORD = re.compile(r"[a-z][a-z0-9_.-]*(?:[ \t]|\Z)")
_UNQUOTED = re.compile(r"[^\s\"'`,;&<>()\[\]{}]{1,512}")
# (A space before the `=`, as annotated assignments are written: `token: abc=def` is a value.)
# A type is one name, subscripted or joined by `|` (`str`, `Optional[str]`, `str | None`):
# `password: X password = Y` holds two values, not a type.
_ANNOTATION_THEN_EQUALS = re.compile(
    r"(?:[A-Za-z_][A-Za-z0-9_.]*(?:\[[^\]=\n]*\])?[ \t]*\|[ \t]*)*"
    r"[A-Za-z_][A-Za-z0-9_.]*(?:\[[^\]=\n]*\])?[ \t]+=(?![=>])[ \t]*"
)


_AWS_SECRET = re.compile(r"[A-Za-z0-9/+]{40}")


def scan(text: str, needles: Needles) -> tuple[list[Found], list[int]]:
    """The assigned secrets of `text` (values only: keys and quotes are kept), and where the
    values of identifier keys (`client_id`, `consumer_key`, `account_sid`) start: the other
    half of a pair follows those (see `pairs.py`). No key can name a credential in a text
    without a credential word (`needles.credential`); each value read is spent from the
    text's budget (may raise `Exhausted`)."""
    spans: list[tuple[int, int, str]] = []
    identifiers: list[int] = []
    worded = needles.credential
    if "=" in text or ":" in text:
        spans.extend(_separator_spans(text, identifiers, needles))
    if not worded:
        return [], identifiers
    # A lone character first: `"<" in text` is a memchr, `"</" in text` a slower search.
    if "<" in text and "</" in text:
        spans.extend(elements.element_spans(text))
    if "<" in text and "=" in text and ("value" in text or "Value" in text or "VALUE" in text):
        spans.extend(elements.value_spans(text))
    return [Found(start, end, kind, Evidence.LABELLED) for start, end, kind in spans], identifiers


def _separators(text: str) -> list[int]:
    found = []
    for separator in "=:":
        at = text.find(separator)
        while at != -1:
            found.append(at)
            at = text.find(separator, at + 1)
    found.sort()
    return found


def _separator_spans(
    text: str, identifiers: list[int], needles: Needles
) -> list[tuple[int, int, str]]:
    spans = []
    worded = needles.credential
    for at in _separators(text):
        key_end = at
        while key_end and text[key_end - 1] in _KEY_CLOSERS and at - key_end < 4:
            key_end -= 1
        # Cheap tests first: most separators in prose follow a word no keyword ends like.
        suffix = text[key_end - 2 : key_end].lower()
        if suffix in ("id", "ey") and _identifier_key(text, key_end):
            identifiers.append(at + 1)
        if not worded or suffix not in _KEY_SUFFIXES:
            continue
        if not text[max(0, key_end - 13) : key_end].lower().endswith(KEY_ENDINGS):
            continue
        value_from = _value_position(text, at)
        if value_from is None:
            continue
        key_start = _key_start(text, key_end)
        key = text[key_start:key_end]
        bare_key = key.lower() == "key"  # `key = K003...` in an rclone or INI section
        kind = "secret_assignment" if bare_key else key_kind(key)
        if kind is None or _colon_path(text, key_start, at):
            continue
        needles.spend()
        if kind == "authorization_header":
            spans.extend(authorization.authorization_spans(text, value_from))
            continue
        span = _secret_value(text, key, key_start, text[at], value_from)
        if span is not None and bare_key:
            span = span if random_not_digest(text[span[0] : span[1]]) else None
        elif span is not None and key.lower().endswith(_BROAD_KEYS):
            span = span if quoted_or_random(text, span) else None
        if span is not None:
            start, end = span
            if kind == "aws_secret_key" and not _AWS_SECRET.fullmatch(text, start, end):
                kind = "secret_assignment"
            spans.append((start, end, kind))
    return spans


def _colon_path(text: str, key_start: int, at: int) -> bool:
    """Whether the key is one segment of a colon-separated name (an ARN's
    `...:secretsmanager:us-east-1:123:secret:prod/db`, a URN): no assignment."""
    return (
        text[at] == ":"
        and key_start > 0
        and text[key_start - 1] == ":"
        and text[at + 1 : at + 2] not in (" ", "\t", "")
    )


def _identifier_key(text: str, key_end: int) -> bool:
    tail = text[max(0, key_end - 16) : key_end].lower().replace("-", "_").replace(" ", "_")
    return tail.endswith(_IDENTIFIER_ENDINGS)


def _value_position(text: str, at: int) -> int | None:
    """Where the value after the separator at `at` begins, or None if this is no assignment."""
    char, before = text[at], text[at - 1] if at else ""
    after = text[at + 1 : at + 2]
    if char == ":":
        if after == ":" or before == ":":
            return None
        return at + 2 if after == "=" else at + 1
    if before in ("!", "<", ">", "+", "-", "*", "/", "%", "&", "|", "^", "~", ":", "="):
        return None  # a comparison, a compound assignment, or the tail of `:=`/`==`
    end = at + 1
    while text.startswith("=", end):
        end += 1  # `==`, `===`: a hard-coded comparison is as secret as an assignment
    if text.startswith(">", end):
        end += 1  # `=>`
    return end


def _key_start(text: str, end: int) -> int:
    # The key read backwards from its end: one regex match, not a loop over its characters.
    key = _KEY_REVERSED.match(text[max(0, end - 96) : end][::-1])
    start = end - (key.end() if key is not None else 0)
    while start < end - 1 and text[start] in "-.":
        start += 1
    return start


def _secret_value(
    text: str, key: str, key_start: int, separator: str, at: int
) -> tuple[int, int] | None:
    """The span of the secret value starting near `at`, or None if it is not one."""
    while at < len(text) and text[at] in " \t":
        at += 1
    if at >= len(text):
        return None
    if separator == ":" and text[at] not in "\"'`":
        annotation = _ANNOTATION_THEN_EQUALS.match(text, at)
        if annotation is not None:
            at = annotation.end()  # `password: str = "x"`: the value is after the `=`
    if at < len(text) and text[at] in "rbfuRBFU" and text[at + 1 : at + 2] in ("'", '"'):
        at += 1
    if at >= len(text):
        return None
    if text[at] in "\"'`":
        span = quoted(text, at)
        if span is None:
            return None
        value = text[span[0] : span[1]]
        if not value or is_placeholder(value) or value.lower() in TYPE_WORDS:
            return None
        if text[at] == "`" and text[at - 1] == "=" and _COMMAND_WORD.match(value):
            return None  # `MY_PWD=\`pwd\``: the shell's command substitution
        if _WHITESPACE.search(value) and not _quoted_phrase(key, value):
            return None
        return span
    if separator == ":" or text[at - 1 : at] in (" ", "\t", "="):
        phrase = _passphrase(text, key, at)
        if phrase is not None:
            return phrase
    match = _UNQUOTED.match(text, at)
    if match is None or is_placeholder(match[0].rstrip("\\")):
        return None  # (`--key=NAME\` continued on the next line: the name is no secret)
    line_end = text.find("\n", match.end())
    rest = text[match.end() : len(text) if line_end == -1 else line_end]
    if unquoted_is_secret(text, key, key_start, separator, match, rest):
        return match.span()
    return None


def _passphrase(text: str, key: str, at: int) -> tuple[int, int] | None:
    if not key.lower().endswith(_PASSPHRASE_KEYS):
        return None
    match = _PASSPHRASE.match(text, at)
    if match is None or not phrase_is_passphrase(match[0]):
        return None
    return match.span()


def _quoted_phrase(key: str, value: str) -> bool:
    """A quoted value with spaces under a password key: a passphrase of up to eight words."""
    words = value.split()
    return (
        key.lower().endswith(_PASSPHRASE_KEYS)
        and 2 <= len(words) <= 8
        and phrase_is_passphrase(value)
    )
