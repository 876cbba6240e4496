"""The credential an `Authorization` header gives: after its scheme, or among its parameters.

`Authorization: Basic dXNlcjpwYXNz` and `Bearer ...` give one value; `Digest username="u",
..., response="..."`, `AWS4-HMAC-SHA256 Credential=..., Signature=...` and OAuth 1 headers give
a list of parameters, of which the ones that prove the password or are the token are secret.
A value followed by `(` is code (`Basic base64encode(...)`).
"""

from __future__ import annotations

import re

from worker.sanitize.vocabulary import is_placeholder

# `Authorization: Basic dXNlcjpwYXNz`: the credential after the scheme word (Bearer ones are
# redacted earlier by their own class).
_AUTHORIZATION_VALUE = re.compile(
    r"[ \t]*[\"'`]?"
    r"(?>(?:(?P<scheme>(?i:basic|bearer|token|digest|negotiate|apikey|sso-key|ssws|bot|oauth"
    r"|aws4-hmac-sha256))[ \t]+)?)"
    r"(?P<secret>[A-Za-z0-9._~+/=:-]{8,})(?![(\w])"
)
# Schemes whose credentials are a list of parameters (`Digest username="u", response="..."`):
# the parameters that prove the password or are the token.
_PARAMETER_LIST = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*[ \t]*=[ \t]*[\"A-Za-z0-9]")
_AUTH_PARAMETER = re.compile(
    r"(?i)(?:^|[ \t,])(?P<name>response|signature|oauth_signature|oauth_token|sig)[ \t]*=[ \t]*"
    r"(?:\"(?P<quoted>[^\"\n]+)\"|(?P<bare>[^\s,\"]+))"
)


# A Digest, AWS4 or OAuth 1 header's parameters fit in this many characters.
_HEADER_LENGTH = 2048
_NEXT_HEADER = re.compile(r"(?i)authorization")


def authorization_spans(text: str, at: int) -> list[tuple[int, int, str]]:
    match = _AUTHORIZATION_VALUE.match(text, at)
    if match is None:
        return []
    if _PARAMETER_LIST.match(text, match.start("secret")):
        # `Digest username="u", ..., response="..."`: a list of parameters.
        # Its parameters are on its line, before the next header and within a header's
        # length: a line of many headers must not read the rest of the line for each one.
        end = min(len(text), at + _HEADER_LENGTH)
        line_end = text.find("\n", at, end)
        end = end if line_end == -1 else line_end
        following = _NEXT_HEADER.search(text, match.start("secret"), end)
        line = text[at : end if following is None else following.start()]
        found = []
        for parameter in _AUTH_PARAMETER.finditer(line):
            group = "quoted" if parameter["quoted"] is not None else "bare"
            if not is_placeholder(parameter[group]):
                start, end = parameter.span(group)
                found.append((at + start, at + end, "authorization_header"))
        return found
    span = _authorization_value(match)
    if span is None:
        return []
    bearer = (match["scheme"] or "").lower() == "bearer"
    return [(*span, "bearer_token" if bearer else "authorization_header")]


def _authorization_value(match: re.Match[str]) -> tuple[int, int] | None:
    if is_placeholder(match["secret"]):
        return None
    if match["scheme"] is None and match["secret"].isalpha():
        return None  # `Authorization: required` is prose; a bare credential has digits or symbols
    return match.span("secret")
