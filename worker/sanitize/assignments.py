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

from worker.sanitize.draft import REDACTED, Findings
from worker.sanitize.vocabulary import TYPE_WORDS, is_placeholder, key_kind


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_KEY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
_KEY_CLOSERS = frozenset(" \t\"']]")
# How every credential key ends, lower-cased: cheap tests before splitting the key into words.
_KEY_SUFFIXES = frozenset(("rd", "wd", "se", "de", "et", "en", "ey", "pw", "ss", "on"))
_KEY_ENDINGS = tuple(
    _words("password passwd passphrase passcode secret token key pwd pw pass authorization")
)
_QUOTED = {
    quote: re.compile(quote + r"((?:[^" + quote + r"\\\n]|\\.)*)" + quote) for quote in "\"'`"
}
_WHITESPACE = re.compile(r"\s")
_UNQUOTED = re.compile(r"[^\s\"'`,;&<>()\[\]{}]{1,512}")
# After an unquoted value: nothing but closing punctuation and a comment.
_QUIET_REST = re.compile(r"[ \t]*[,;)\]}]*[ \t]*(?:(?:#|//|--|/\*).*)?\r?")
_ENV_LEAD = re.compile(r"[ \t]*(?:(?:export|set|setx|ENV|ARG|-e|--env|--build-arg|-)[ \t]+)*")
# A flag that sets an environment variable inside a longer command line (`docker run -e K=v`).
_FLAG_LEAD = re.compile(r"(?:(?<![^\n])|[ \t])(?:-e|--env|--build-arg|--set|--set-string)[ \t]+\Z")
_REFERENCE_END = re.compile(r"&#?[A-Za-z0-9]+;\Z")
_UPPER_KEY = re.compile(r"[A-Z][A-Z0-9_]*")
_REFERENCE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_ANNOTATION_THEN_EQUALS = re.compile(r"[A-Za-z_][A-Za-z0-9_\[\], .|]*?[ \t]*=(?![=>])[ \t]*")
# `<password>xyz</password>`: found from the closing tag, the opening one checked after.
_XML_ELEMENT = re.compile(r">(?P<secret>[^<>\s]+)</(?P<key>[A-Za-z_][\w:.-]*)>")
# `<add key="Password" value="xyz"/>`: found from `value=`, the key looked up just before it.
_XML_VALUE = re.compile(r"value\s*=\s*([\"'])(?P<secret>[^\"'\s<>]+)\1", re.IGNORECASE)
_XML_KEY_BEFORE = re.compile(r"(?:name|key)\s*=\s*([\"'])(?P<key>[\w.:-]+)\1\s+\Z", re.IGNORECASE)
# `Authorization: Basic dXNlcjpwYXNz`: the credential after the scheme word (Bearer ones are
# redacted earlier by their own class).
_AUTHORIZATION_VALUE = re.compile(
    r"[ \t]*[\"']?"
    r"(?>(?:(?P<scheme>(?i:basic|bearer|token|digest|negotiate|apikey|sso-key))[ \t]+)?)"
    r"(?P<secret>[A-Za-z0-9._~+/=:-]{8,})"
)
_AWS_SECRET = re.compile(r"[A-Za-z0-9/+]{40}")


def redact(text: str) -> Findings:
    """`text` with assigned secrets replaced by the marker (keys and quotes are kept)."""
    spans: list[tuple[int, int, str]] = []
    if "=" in text or ":" in text:
        spans.extend(_separator_spans(text))
    # A lone character first: `"<" in text` is a memchr, `"</" in text` a slower search.
    if "<" in text and "</" in text:
        spans.extend(_xml_element_spans(text))
    if "<" in text and "=" in text and ("value" in text or "Value" in text or "VALUE" in text):
        spans.extend(_xml_value_spans(text))
    if not spans:
        return Findings(text)
    return _replace(text, spans)


def _replace(text: str, spans: list[tuple[int, int, str]]) -> Findings:
    parts: list[str] = []
    kinds: set[str] = set()
    last = 0
    for start, end, kind in sorted(spans):
        if start < last:
            continue
        parts.append(text[last:start])
        parts.append(REDACTED)
        kinds.add(kind)
        last = end
    parts.append(text[last:])
    return Findings("".join(parts), frozenset(kinds))


def _separators(text: str) -> list[int]:
    found = []
    for separator in "=:":
        at = text.find(separator)
        while at != -1:
            found.append(at)
            at = text.find(separator, at + 1)
    found.sort()
    return found


def _separator_spans(text: str) -> list[tuple[int, int, str]]:
    spans = []
    for at in _separators(text):
        key_end = at
        while key_end and text[key_end - 1] in _KEY_CLOSERS and at - key_end < 4:
            key_end -= 1
        # Cheap tests first: most separators in prose follow a word no keyword ends like.
        if text[key_end - 2 : key_end].lower() not in _KEY_SUFFIXES:
            continue
        if not text[max(0, key_end - 13) : key_end].lower().endswith(_KEY_ENDINGS):
            continue
        value_from = _value_position(text, at)
        if value_from is None:
            continue
        key_start = _key_start(text, key_end)
        key = text[key_start:key_end]
        kind = key_kind(key)
        if kind is None:
            continue
        if kind == "authorization_header":
            span = _authorization_value(text, value_from)
        else:
            span = _secret_value(text, key, key_start, text[at], value_from)
        if span is not None:
            start, end = span
            if kind == "aws_secret_key" and not _AWS_SECRET.fullmatch(text, start, end):
                kind = "secret_assignment"
            spans.append((start, end, kind))
    return spans


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
    start = end
    while start > 0 and end - start < 96 and text[start - 1] in _KEY_CHARS:
        start -= 1
    while start < end - 1 and text[start] in "-.":
        start += 1
    return start


def _authorization_value(text: str, at: int) -> tuple[int, int] | None:
    match = _AUTHORIZATION_VALUE.match(text, at)
    if match is None or is_placeholder(match["secret"]):
        return None
    if match["scheme"] is None and match["secret"].isalpha():
        return None  # `Authorization: required` is prose; a bare credential has digits or symbols
    return match.span("secret")


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
    quote = _QUOTED.get(text[at])
    if quote is not None:
        match = quote.match(text, at)
        if match is None:
            return None
        value = match[1]
        if not value or _WHITESPACE.search(value) or is_placeholder(value):
            return None
        return match.span(1)
    match = _UNQUOTED.match(text, at)
    if match is None:
        return None
    line_end = text.find("\n", match.end())
    rest = text[match.end() : len(text) if line_end == -1 else line_end]
    if _unquoted_is_secret(text, key, key_start, separator, match, rest):
        return match.span()
    return None


def _unquoted_is_secret(
    text: str, key: str, key_start: int, separator: str, match: re.Match[str], rest: str
) -> bool:
    value = match[0]
    if is_placeholder(value) or value.lower() in TYPE_WORDS:
        return False
    tight = separator == "=" and text[key_start + len(key) : match.start()] == "="
    before = text[key_start - 1] if key_start else ""
    if before == ";" and _REFERENCE_END.search(text, max(0, key_start - 33), key_start):
        before = ""  # the `;` ends a character reference such as `&lt;`, not a query field
    line_start = text.rfind("\n", 0, key_start) + 1
    if tight and (
        before in ("?", "&", ";")
        or text.startswith("--", max(key_start - 2, 0))
        or _ENV_LEAD.fullmatch(text, line_start, key_start) is not None
        or _FLAG_LEAD.search(text, max(line_start, key_start - 32), key_start) is not None
    ):
        return True  # env line, query string, command-line flag: whatever follows is the value
    if _QUIET_REST.fullmatch(rest) is None:
        return False
    if "." in value and _REFERENCE.fullmatch(value):
        return False  # settings.password, os.environ
    if _UPPER_KEY.fullmatch(key) is not None:
        return True
    if value.isalpha() or (_REFERENCE.fullmatch(value) and not any(c.isdigit() for c in value)):
        return False
    if value.isdigit() and len(value) < 6:
        return False
    return not value.startswith(("/", "./", "../", "~/", "http://", "https://"))


def _xml_element_spans(text: str) -> list[tuple[int, int, str]]:
    spans = []
    for match in _XML_ELEMENT.finditer(text):
        key = match["key"]
        if not key.lower().endswith(_KEY_ENDINGS):
            continue
        kind = key_kind(key.rpartition(":")[2])
        opened = text.endswith("<" + key + ">", 0, match.start() + 1)
        if kind is not None and opened and not is_placeholder(match["secret"]):
            spans.append((*match.span("secret"), kind))
    return spans


def _xml_value_spans(text: str) -> list[tuple[int, int, str]]:
    spans = []
    for match in _XML_VALUE.finditer(text):
        named = _XML_KEY_BEFORE.search(text, max(0, match.start() - 120), match.start())
        if named is None or not named["key"].lower().endswith(_KEY_ENDINGS):
            continue
        kind = key_kind(named["key"].rpartition(":")[2])
        if kind is not None and not is_placeholder(match["secret"]):
            spans.append((*match.span("secret"), kind))
    return spans
