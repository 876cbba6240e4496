"""Credentials in cookies and `Bearer` tokens.

(Headers named for a credential, `Authorization` included, are assignments: see
`assignments.py`; sentences are `prose.py`'s.)
- `Bearer <token>` anywhere;
- `Cookie:`, `Set-Cookie:`, `curl -b/--cookie`: every cookie value that is a session,
  token or credential by name, or random-looking by shape (`theme=dark` stays).
"""

from __future__ import annotations

import re

from worker.sanitize.secrets.entropy import looks_random
from worker.sanitize.secrets.needles import Needles, places
from worker.sanitize.secrets.spans import Evidence, Found
from worker.sanitize.vocabulary import TYPE_WORDS, is_placeholder

_SCHEME = re.compile(
    r"(?i)(basic|bearer|token|digest|negotiate|apikey|sso-key|key|aws4-hmac-sha256)[ \t]+"
)
# Both start with a literal, so the engine skips to it; the letter before is checked after.
_BEARER = re.compile(r"earer[ \t]+(?P<secret>[A-Za-z0-9._~+/-]{16,}=*)(?![A-Za-z0-9._~+/=\[-])")
# After `cookie` (found in the lower-cased text): the header's `:` and value.
_COOKIE_HEADER = re.compile(r"[\"']?[ \t]*:[ \t]*(?P<value>[^\r\n\"'`]*)")
_COOKIE_COLON = re.compile(r"[\"']?[ \t]*:")
# Led by the `-` of the flag, so the engine skips to one; only run when `curl` is there.
_COOKIE_FLAG = re.compile(r"-(?:b|-cookie)[ \t]+([\"'])(?P<value>[^\"'\n]*)\1")
_COOKIE_PAIR = re.compile(r"(?P<name>[^=;\s,]+)=(?P<value>[^;\s,]*)")
_COOKIE_NAMES = re.compile(
    r"(?i)sess|sid|token|auth|jwt|csrf|xsrf|remember|login|secret|key|credential"
)


def header_spans(view: str, needles: Needles) -> list[Found]:
    """Cookies and `Bearer` tokens (the text has a run of 12+)."""
    found: list[Found] = []
    if ":" in view and needles["cookie"]:
        headers = [
            at
            for at in places(needles.lowered, "cookie")
            if _COOKIE_COLON.match(view, at + 6) and _word_before(view, at + 1, "cC")
        ]
        for at, following in zip(headers, [*headers[1:], len(view)], strict=False):
            # A header's value ends where the next header starts, which is read on its own:
            # a line of many `Cookie:` is read once, not once a header.
            match = _COOKIE_HEADER.match(view, at + 6, following)
            if match is not None:
                found.extend(_cookie_values(view, match.start("value"), match.end("value")))
    if needles["bearer"]:
        found.extend(
            Found(*m.span("secret"), "bearer_token", Evidence.PAIRED)
            for m in _BEARER.finditer(view)
            if _word_before(view, m.start(), "bB") and _credential_like(m["secret"])
        )
    flagged = "-" in view and " -" in view
    if flagged and (" -b " in view or " --cookie " in view):
        for match in _COOKIE_FLAG.finditer(view):
            found.extend(_cookie_values(view, match.start("value"), match.end("value")))
    return found


def _word_before(view: str, at: int, first: str) -> bool:
    """Whether the word a literal match starts inside begins right before it with `first`."""
    if at < 1 or view[at - 1] not in first:
        return False
    return at < 2 or not (view[at - 2].isalnum() or view[at - 2] == "_")


def _credential_like(value: str) -> bool:
    if is_placeholder(value) or value.lower() in TYPE_WORDS:
        return False
    if any(char.isdigit() for char in value):
        return True
    return len(value) >= 16 and value.lower() != value and value.upper() != value


def _cookie_values(view: str, start: int, end: int) -> list[Found]:
    found = []
    for pair in _COOKIE_PAIR.finditer(view, start, end):
        value = pair["value"]
        if len(value) < 6 or is_placeholder(value):
            continue
        named = _COOKIE_NAMES.search(pair["name"]) is not None
        if named or looks_random(value):
            found.append(Found(*pair.span("value"), "session_cookie", Evidence.MENTIONED))
    return found
