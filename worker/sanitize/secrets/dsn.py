"""Connection strings that are not URLs: keyword DSNs, `;` and `,` lists, `.pgpass`, Oracle.

- libpq keyword DSNs (`host=db user=app password=x dbname=y`): the value after `password=`,
  quoted (`'it''s'`, `'a b\\'c'`, read whole) or to the next space;
- ADO.NET, JDBC and ODBC lists (`Server=x;User Id=u;Password=p w;`, `PWD={a}}b}` with its
  doubled brace), Azure connection strings (`AccountKey=...;`, `SharedAccessKey=...`) and
  comma lists (StackExchange.Redis `host:6380,password=...,ssl=True`, `mount -o
  user=u,password=p`): the value up to the list's separator;
- `.pgpass` lines `host:port:database:user:password`: the rest of the line;
- Oracle `user/password@//host:1521/service` (EZConnect, JDBC thin, `sqlplus`, `expdp`, ...).
"""

from __future__ import annotations

import re

from worker.sanitize.secrets.needles import Needles, places
from worker.sanitize.secrets.spans import Evidence, Found
from worker.sanitize.secrets.values import quoted
from worker.sanitize.vocabulary import is_placeholder

_KEY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
# Starts with a literal, so the engine skips to it; the `p` and the boundary are checked after.
# After `password` (found in the lower-cased text): the `=` of a keyword DSN.
_KEYWORD_DSN = re.compile(r"[ \t]*=[ \t]*")
_KEYWORD_VALUE = re.compile(r"[^\s'\";]+")
_DSN_CONTEXT = re.compile(r"(?<![A-Za-z0-9_-])(?:host|hostaddr|dbname|user|port|sslmode)[ \t]*=")
# The key is found in the lower-cased text (no case-blind scan, no lookbehind: both make the
# engine try every position); the character before it and the value are checked after.
_LISTED_KEY = re.compile(
    r"(?:password|pwd|pass|accountkey|sharedaccesskey|sharedaccesssignature|shared access key"
    r"|client ?secret)[ \t]*=[ \t]*"
)
_BRACED = re.compile(r"\{((?:[^}\n]|\}\})*)\}(?!\})")
_LISTED_VALUE = {";": re.compile(r"[^;\"\n]+"), ",": re.compile(r"[^,;\"'\s]+")}
# One `Key=` of a list: at the start of the line or of a string, or after its separator.
_LIST_SEGMENT = {
    ";": re.compile(r"(?:^|[;\"'])[ \t]*[A-Za-z][A-Za-z0-9 _.]{0,40}?="),
    ",": re.compile(r"(?:^|[,\"'])[ \t]*[A-Za-z][A-Za-z0-9_.]{0,40}?="),
}
# `.pgpass`: led by the port field (a literal `:` the engine skips to); the host is read back.
_PGPASS = re.compile(r":(?:[0-9]{1,5}|\*):[^:\s]+:[^:\s]+:(?P<secret>[^\n]*?)[ \t\r]*$", re.M)
_PGPASS_HOST = re.compile(r"[ \t]*(?:[A-Za-z0-9*][A-Za-z0-9_.*-]*|\[[0-9A-Fa-f:.]+\])\Z")
# Oracle: `user/password@` read backwards from the `@` (a forward search would try every
# position), then what names it Oracle: `@//`, `thin:`, or a client command before the user.
_ORACLE_REVERSED = re.compile(r"(?P<secret>[^\s/@'\"=:]{1,128})/(?P<user>[A-Za-z0-9_$#]{1,30})")
_ORACLE_CLIENT = re.compile(
    r"(?i)(?:^|[\s'\"])(?:jdbc:oracle:thin:|(?:sqlplus|sqlldr|expdp|impdp|exp|imp|dgmgrl|sql"
    r"|conn|connect|rman[ \t]+target=?)(?:[ \t]+-[A-Za-z]+)*[ \t]+|connect\([ \t]*['\"])\Z"
)
_ORACLE_HOST = re.compile(r"(?://)?[A-Za-z0-9_.-]+(?::[0-9]{1,5})?")


def dsn_spans(view: str, needles: Needles) -> list[Found]:
    """Connection-string passwords that no URL holds."""
    found: list[Found] = []
    if "=" in view and needles.credential:
        if needles["password"]:
            found.extend(_keyword_dsn_spans(view, needles))
        if ";" in view or "," in view:
            found.extend(_listed_spans(view, needles))
    if view.count(":") >= 4:
        found.extend(_pgpass_spans(view))
    if "/" in view and "@" in view:
        found.extend(_oracle_spans(view))
    return found


def around(view: str, start: int, end: int) -> str:
    """The line around [start, end), at most 300 characters either side: the context a
    connection string gives lies close by, and a bound keeps many matches on one long line
    from making the work quadratic."""
    low = max(view.rfind("\n", max(0, start - 300), start) + 1, start - 300, 0)
    line_end = view.find("\n", end, end + 300)
    return view[low : min(len(view), end + 300) if line_end == -1 else line_end]


def _keyword_dsn_spans(view: str, needles: Needles) -> list[Found]:
    found = []
    for at in places(needles.lowered, "password"):
        match = _KEYWORD_DSN.match(view, at + 8)
        if match is None or (at and view[at - 1] in _KEY_CHARS):
            continue
        needles.spend()
        if _DSN_CONTEXT.search(around(view, match.start(), match.end())) is None:
            continue
        if view.startswith("'", match.end()):
            span = quoted(view, match.end())
        else:
            value = _KEYWORD_VALUE.match(view, match.end())
            span = value.span() if value is not None else None
        if span is not None and span[1] > span[0] and not is_placeholder(view[span[0] : span[1]]):
            found.append(Found(*span, "connection_string", Evidence.PAIRED))
    return found


def _listed_spans(view: str, needles: Needles) -> list[Found]:
    found: list[Found] = []
    for key in _listed_keys(needles):
        separator = ";"
        if key.start():
            before = view[key.start() - 1]
            if before == ",":
                separator = ","
            elif before not in ";\"' \t\n{":
                continue
        span = _listed_value(view, key.end(), separator)
        if span is None:
            continue
        needles.spend()
        context = around(view, key.start(), span[1])
        if separator not in context:
            continue  # a lone `password=`: an assignment
        if len(_LIST_SEGMENT[separator].findall(context)) < 2 and not (
            separator == "," and context.count(",") >= 2
        ):
            continue  # not a `Key=Value;Key=Value` list: an assignment, code
        start, end = span
        if end <= start or is_placeholder(view[start:end]):
            continue
        named = key[0].replace(" ", "")
        kind = (
            "azure_storage_key" if named.startswith(("account", "shared")) else "connection_string"
        )
        found.append(Found(start, end, kind, Evidence.PAIRED))
    return found


def _listed_keys(needles: Needles) -> list[re.Match[str]]:
    """The `Password=`-like keys of lists, found from their needles with `str.find`."""
    lowered = needles.lowered
    starts: set[int] = set()
    # Each needle, and how far before it its key may start (`client secret`, `clientsecret`).
    for needle, backs in (("pass", (0,)), ("pwd", (0,)), ("accountkey", (0,)), ("shared", (0,))):
        starts.update(_positions(needles, needle, backs))
    starts.update(_positions(needles, "secret", (7, 6)))
    matches = (_LISTED_KEY.match(lowered, start) for start in sorted(starts))
    return [match for match in matches if match is not None]


def _positions(needles: Needles, needle: str, backs: tuple[int, ...]) -> list[int]:
    found: list[int] = []
    if not needles[needle]:
        return found
    at = needles.lowered.find(needle)
    while at != -1:
        found.extend(at - back for back in backs if at >= back)
        at = needles.lowered.find(needle, at + 1)
    return found


def _listed_value(view: str, at: int, separator: str) -> tuple[int, int] | None:
    char = view[at : at + 1]
    if char == "{":
        braced = _BRACED.match(view, at)
        return braced.span(1) if braced is not None else None
    if char in ("'", '"'):
        return quoted(view, at)
    match = _LISTED_VALUE[separator].match(view, at)
    if match is None:
        return None
    end = match.end()
    while end > at and view[end - 1] in " \t\r":
        end -= 1
    return at, end


def _pgpass_spans(view: str) -> list[Found]:
    found = []
    for match in _PGPASS.finditer(view):
        line_start = view.rfind("\n", 0, match.start()) + 1
        if _PGPASS_HOST.match(view, line_start, match.start()) is None:
            continue
        host = view[line_start : match.start()].strip()
        secret = match["secret"]
        if host.isdigit() or not secret or is_placeholder(secret):
            continue
        if ":" in secret.replace("\\:", ""):
            continue  # more fields than `.pgpass` has: `/etc/passwd`, a log line
        found.append(Found(*match.span("secret"), "connection_string", Evidence.PAIRED))
    return found


def _oracle_spans(view: str) -> list[Found]:
    found = []
    at = view.find("@")
    while at != -1:
        credentials = _ORACLE_REVERSED.match(view[max(0, at - 200) : at][::-1])
        if credentials is not None and _ORACLE_HOST.match(view, at + 1) is not None:
            user_start = at - credentials.end()
            context = view[max(0, user_start - 80) : user_start]
            if view.startswith("@//", at) or _ORACLE_CLIENT.search(context):
                start = at - credentials.end("secret")
                if not is_placeholder(view[start:at]):
                    found.append(Found(start, at, "connection_string", Evidence.PAIRED))
        at = view.find("@", at + 1)
    return found
