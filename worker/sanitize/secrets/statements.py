"""Secrets that a statement sets without `=` or `:`: SQL, `#define`, `define()`, PowerShell, calls.

- SQL: `CREATE USER u WITH PASSWORD 'x'`, `ALTER ROLE u PASSWORD 'x'`, `IDENTIFIED BY 'x'`
  (or unquoted, as Oracle takes it), `SET PASSWORD = PASSWORD('x')`; quotes doubled inside;
- C and C++ `#define API_SECRET "x"` (the name must name a credential);
- PowerShell `ConvertTo-SecureString "x" -AsPlainText`;
- a credential name passed with its value, in a call or a pair: `define('DB_PASSWORD', 'x')`,
  `os.environ.setdefault("API_KEY", "x")`, `System.setProperty("db.password", "x")`,
  `headers.put("X-Api-Key", "x")`, `("client_secret", "x")`.
"""

from __future__ import annotations

import re

from worker.sanitize.secrets.needles import Needles, places
from worker.sanitize.secrets.spans import Evidence, Found
from worker.sanitize.secrets.values import quoted
from worker.sanitize.vocabulary import NAMING_VALUES, TYPE_WORDS, is_placeholder, key_kind

_SQL_KEYWORD = re.compile(r"(?:password|identified[ \t]+by)(?:[ \t]*\(|[ \t]+)[ \t]*", re.I)
# An unquoted password ends the statement or comes before the clause that goes on with it.
_SQL_UNQUOTED = re.compile(
    r"[A-Za-z0-9_#$!%^*+.-]{4,128}(?=[ \t]*(?:;|\r?\n|\Z|[ \t]+(?:DEFAULT|ACCOUNT|PASSWORD"
    r"|QUOTA|PROFILE|REPLACE|CONTAINER|WITH|REQUIRE|FAILED_LOGIN_ATTEMPTS|PASSWORD_LOCK_TIME)\b))"
)
_SQL_NOT_VALUES = frozenset(("values", "externally", "globally", "password", "null", "default"))
_DEFINE = re.compile(r"#[ \t]*define[ \t]+(?P<key>[A-Za-z_][A-Za-z0-9_]*)[ \t]+(?=\S)")
_DEFINE_VALUE = re.compile(r"[^\s\"'/]+")
_SECURE_STRING = re.compile(r"(?i)ConvertTo-SecureString[ \t]+(?:-String[ \t]+)?(?=[\"'])")
# A quoted name, a comma, a quoted value: found from the `,` between the two quotes.
_PAIRED_LITERALS = re.compile(r"(?P<close>[\"'])[ \t]*,[ \t]*(?=[\"'])")
_NAME_REVERSED = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
_INSERT = re.compile(
    r"(?i)insert[ \t]+into[ \t]+[\w.\"`\[\]]+[ \t]*\((?P<columns>[^()]{1,400})\)\s*values\s*\("
)
# A default after the value of a credential's name: `||`, `??`, `or`.
_FALLBACK = re.compile(r"[ \t]*(?=['\"])")  # after the operator, found with `str.find`
_FALLBACK_OPERATORS = ("||", "??", " or", "\tor")
# Calls that encode a literal as base64, and a `user:password` literal given to one.
_ENCODERS = ("btoa(", "buffer.from(", "b64encode(", "encodetostring(")
_ENCODED_BASIC = re.compile(
    r"[ \t]*(?:b|\[\]byte\()?([\"'`])[^\"'`\s:$]{1,64}:(?P<secret>[^\"'`\s]{4,128})\1"
)
_NAMES = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CALLEE_REVERSED = re.compile(r"[A-Za-z0-9_]+")
_SETTERS = re.compile(
    r"define|defined|setdefault|setenv|putenv|set|put|add|append|setitem|setproperty|getenv"
    r"|getproperty|get|fetch|env|environ|header|setheader|add_header|addheader|option|config"
    r"|setting|settings|store|save|setvar|setsecret|set_secret|set_password|setpassword|credential"
    r"|credentials"
)


def statement_spans(view: str, needles: Needles) -> list[Found]:
    """Values that SQL, preprocessor, PowerShell statements and calls give credentials."""
    found: list[tuple[int, int]] = []
    quoted_or_ended = "'" in view or '"' in view or ";" in view
    if quoted_or_ended and ((needles.credential and needles["password"]) or needles["identified"]):
        found.extend(_sql_spans(view, needles.lowered))
    if needles.credential and "#" in view and needles["define"]:
        found.extend(_define_spans(view))
    if "-" in view and needles["convertto-securestring"]:
        for at in places(needles.lowered, "convertto-securestring"):
            match = _SECURE_STRING.match(view, at)
            span = quoted(view, match.end()) if match is not None else None
            if span is not None and _usable(view[span[0] : span[1]]):
                found.append(span)
    if needles.credential and "(" in view and _paired_quotes(view):
        found.extend(_paired_literal_spans(view))
        if needles["insert"]:
            found.extend(_inserted_spans(view, needles.lowered))
    # (`encode` is in both `b64encode(` and `EncodeToString(`: three scans where none is.)
    quoted_call = "(" in view and ("'" in view or '"' in view or "`" in view)
    if quoted_call and needles.any("btoa", "buffer.from", "encode"):
        found.extend(_encoded_basic_spans(view, needles.lowered))
    if needles.credential and _fallbacks(view):
        found.extend(_fallback_spans(view))
    return [Found(start, end, "secret_assignment", Evidence.LABELLED) for start, end in found]


def _encoded_basic_spans(view: str, lowered: str) -> list[tuple[int, int]]:
    """`btoa('user:pw')`, `Buffer.from("user:pw")`, `b64encode(b"user:pw")`: HTTP Basic
    credentials being encoded; the password is the secret unless it is a plain word."""
    found = []
    for encoder in _ENCODERS:
        for at in places(lowered, encoder):
            match = _ENCODED_BASIC.match(view, at + len(encoder))
            if match is not None and not match["secret"].isalpha() and _usable(match["secret"]):
                found.append(match.span("secret"))
    return found


def _paired_quotes(view: str) -> bool:
    """Whether a quote is followed by a comma somewhere (each pair asked after its quote, which
    costs a memchr where the pair costs a scan)."""
    return ("'" in view and "'," in view) or ('"' in view and '",' in view)


def _fallbacks(view: str) -> bool:
    """Whether `||`, `??` or `or` before a quote may give a default."""
    return (
        ("|" in view and "||" in view)
        or ("?" in view and "??" in view)
        or ("'" in view and " or '" in view)
        or ('"' in view and ' or "' in view)
    )


def _usable(value: str) -> bool:
    lowered = value.lower()
    return (
        bool(value)
        and not is_placeholder(value)
        and lowered not in TYPE_WORDS
        and lowered not in NAMING_VALUES
    )


def _sql_spans(view: str, lowered: str) -> list[tuple[int, int]]:
    found = []
    for word in ("password", "identified"):
        at = lowered.find(word)
        while at != -1:
            match = _SQL_KEYWORD.match(view, at)
            # Not a method or function named for it (`keyring.set_password("svc", ...)`), nor
            # a command's flag (`--password 'x'`, which `clis.py` reads).
            if match is not None and (
                at == 0 or not (view[at - 1].isalnum() or view[at - 1] in "_.-")
            ):
                span = _sql_value(view, match.end(), word == "identified")
                if span is not None and _usable(view[span[0] : span[1]]):
                    found.append(span)
            at = lowered.find(word, at + len(word))
    return found


def _sql_value(view: str, at: int, unquoted_too: bool) -> tuple[int, int] | None:
    if view[at : at + 1] in ("'", '"'):
        return quoted(view, at)
    if not unquoted_too:
        return None
    value = _SQL_UNQUOTED.match(view, at)
    if value is None or value[0].lower() in _SQL_NOT_VALUES:
        return None
    if value[0].isalpha() and (value[0].islower() or value[0].istitle()):
        return None  # "identified by their name": prose
    return value.span()


def _define_spans(view: str) -> list[tuple[int, int]]:
    found = []
    for match in _DEFINE.finditer(view):
        if key_kind(match["key"]) is None:
            continue
        at = match.end()
        if view[at] in ("'", '"'):
            span = quoted(view, at)
        else:
            value = _DEFINE_VALUE.match(view, at)
            span = value.span() if value is not None and not value[0].isdigit() else None
        if span is not None and _usable(view[span[0] : span[1]]):
            found.append(span)
    return found


def _inserted_spans(view: str, lowered: str) -> list[tuple[int, int]]:
    """`INSERT INTO users (name, password) VALUES ('admin', 'x')`: the value in the place of
    a credential column."""
    found = []
    inserts = (_INSERT.match(view, at) for at in places(lowered, "insert"))
    for insert in (match for match in inserts if match is not None):
        columns = [column.strip(' \t\n"`[]') for column in insert["columns"].split(",")]
        wanted = {index for index, column in enumerate(columns) if key_kind(column)}
        if not wanted:
            continue
        at, index = insert.end(), 0
        while index <= max(wanted) and at < len(view):
            while at < len(view) and view[at] in " \t\n":
                at += 1
            span = quoted(view, at) if view[at : at + 1] in ("'", '"') else None
            if span is not None and index in wanted and _usable(view[span[0] : span[1]]):
                found.append(span)
            comma = view.find(",", span[1] + 1 if span is not None else at, at + 400)
            closing = view.find(")", span[1] + 1 if span is not None else at, at + 400)
            if comma == -1 or (closing != -1 and closing < comma):
                break
            at, index = comma + 1, index + 1
    return found


def _fallback_spans(view: str) -> list[tuple[int, int]]:
    """`secret = process.env.SECRET || 'x'`, `os.getenv("TOKEN") or "x"`: the default a
    credential falls back to is one."""
    found = []
    fallbacks = [
        (at, _FALLBACK.match(view, at + len(operator)))
        for operator in _FALLBACK_OPERATORS
        for at in places(view, operator)
    ]
    for at, fallback in fallbacks:
        if fallback is None:
            continue
        line_start = view.rfind("\n", 0, at) + 1
        line = view[line_start:at]
        if not any(key_kind(name) for name in _NAMES.findall(line)):
            continue
        span = quoted(view, fallback.end())
        if span is not None and _usable(view[span[0] : span[1]]):
            found.append(span)
    return found


def _setter_call(view: str, opening: int) -> bool:
    """Whether the quoted name opening at `opening` is the first argument of a call that sets
    or reads a setting (`define(`, `setdefault(`, `put(`), or the first item of a tuple."""
    before = view[max(0, opening - 40) : opening].rstrip()
    if not before.endswith("("):
        return False
    callee = _CALLEE_REVERSED.match(before[:-1].rstrip()[::-1])
    if callee is None:
        return True  # `("client_secret", "x")`: a tuple
    return _SETTERS.fullmatch(callee[0][::-1].lower()) is not None


def _paired_literal_spans(view: str) -> list[tuple[int, int]]:
    found = []
    for comma in _PAIRED_LITERALS.finditer(view):
        close = comma.start()
        name = _NAME_REVERSED.match(view[max(0, close - 64) : close][::-1])
        if name is None:
            continue
        opening = close - name.end() - 1
        if view[opening : opening + 1] != comma["close"]:
            continue  # not a whole quoted name before the comma
        if not _setter_call(view, opening):
            continue  # a list of strings, or a function given a password and a salt
        key = view[close - name.end() : close].replace(":", ".").rsplit(".", 1)[-1]
        kind = key_kind(key)
        span = None if kind is None else quoted(view, comma.end())
        if span is None:
            continue
        value = view[span[0] : span[1]]
        if kind == "authorization_header" and " " in value:
            scheme = value.index(" ") + 1  # `("Authorization", "Basic dXNl...")`
            span, value = (span[0] + scheme, span[1]), value[scheme:]
        if _usable(value) and not any(char.isspace() for char in value):
            found.append(span)
    return found
