"""Secrets in XML: `<password>xyz</password>`, `<add key="Password" value="xyz"/>`."""

from __future__ import annotations

import re

from worker.sanitize.vocabulary import KEY_ENDINGS, is_placeholder, key_kind

# `<password>xyz</password>`: found from the closing tag, the opening one checked after.
_XML_ELEMENT = re.compile(r">(?P<secret>[^<>\s]+)</(?P<key>[A-Za-z_][\w:.-]*)>")
# `<add key="Password" value="xyz"/>`: found from `value` (`Value`, `VALUE`) with `str.find`
# (a case-blind regex would be tried at every character), the key looked up before it.
_XML_VALUE = re.compile(r"\s*=\s*([\"'])(?P<secret>[^\"'\s<>]+)\1")
_XML_KEY_BEFORE = re.compile(r"(?:name|key)\s*=\s*([\"'])(?P<key>[\w.:-]+)\1\s+\Z", re.IGNORECASE)


def element_spans(text: str) -> list[tuple[int, int, str]]:
    spans = []
    for match in _XML_ELEMENT.finditer(text):
        key = match["key"]
        if not key.lower().endswith(KEY_ENDINGS):
            continue
        kind = key_kind(key.rpartition(":")[2])
        opened = text.endswith("<" + key + ">", 0, match.start() + 1)
        if kind is not None and opened and not is_placeholder(match["secret"]):
            spans.append((*match.span("secret"), kind))
    return spans


def value_spans(text: str) -> list[tuple[int, int, str]]:
    spans = []
    for match in _values(text):
        named = _XML_KEY_BEFORE.search(text, max(0, match.start() - 125), match.start() - 5)
        if named is None or not named["key"].lower().endswith(KEY_ENDINGS):
            continue
        kind = key_kind(named["key"].rpartition(":")[2])
        if kind is not None and not is_placeholder(match["secret"]):
            spans.append((*match.span("secret"), kind))
    return spans


def _values(text: str) -> list[re.Match[str]]:
    """The quoted values after `value=` (`Value=`, `VALUE=`), from `alue`'s places."""
    found = []
    for tail in ("alue", "ALUE"):
        at = text.find(tail, 1)
        while at != -1:
            if text[at - 1] in "vV":
                match = _XML_VALUE.match(text, at + 4)
                if match is not None:
                    found.append(match)
            at = text.find(tail, at + 4)
    return found
