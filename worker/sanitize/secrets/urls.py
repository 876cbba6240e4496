"""URL credentials and signed URLs (other connection strings are `dsn.py`'s).

- `scheme://user:password@host`: the password runs to the first `@` that a host (or nothing:
  `@/db?host=/cloudsql/...`, a broker URL ending in `@`) follows, so it may hold `#`, `/`,
  `'`, spaces, an unencoded `@` or percent-escapes; `host:5432/` is a port, not a password.
  Database and broker schemes give `connection_string`, others `url_credentials`; a password
  that only names one (`user:password@localhost`) is a placeholder.
- Signed URLs and SAS tokens: the `sig`/`X-Amz-Signature`/`X-Goog-Signature`/
  `X-Amz-Security-Token` values, which make the URL (or the `SharedAccessSignature`) a bearer
  credential.
"""

from __future__ import annotations

import re

from worker.sanitize.secrets.needles import Needles
from worker.sanitize.secrets.spans import Evidence, Found
from worker.sanitize.vocabulary import NAMING_VALUES, is_placeholder

_DATABASE_SCHEMES = frozenset(
    (
        *("postgres", "postgresql", "mysql", "mariadb", "mongodb", "redis", "rediss", "amqp"),
        *("amqps", "mssql", "sqlserver", "oracle", "cockroachdb", "clickhouse", "cassandra"),
        *("neo4j", "couchdb", "memcached", "jdbc", "odbc", "sqlalchemy", "snowflake", "db2"),
        *("sqs", "kafka", "nats", "mqtt", "mqtts", "ldap", "ldaps", "influxdb", "elasticsearch"),
    )
)
# Read backwards from `://` (a forward search would try every position of the window).
_SCHEME_REVERSED = re.compile(r"[A-Za-z0-9+.-]{0,30}[A-Za-z](?![A-Za-z0-9+.-])")
_USER = re.compile(r"[^\s:/?#@\[\]'\"<>]{0,128}:")
_PORT = re.compile(r"[0-9]{1,5}(?:[/?#\s'\"<>),;\]]|\Z)")
_HOST = re.compile(r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_%-][A-Za-z0-9._%-]*)(?::[0-9]{1,5})?")
_HOST_END = frozenset("/?#'\"<>),;]\\\t\r\n `")
_URL_PLACEHOLDER = re.compile(
    r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|%[A-Za-z_][A-Za-z0-9_]*%|\{\{.*\}\}|<[^<>]*>|\[[^\[\]]*\]"
    r"|\([^()]*\)|\{[^{}]*\}"
)
# What may follow an `@` with no host after it: a path, a query, the end of the URL.
_NO_HOST_END = frozenset("/?#'\"`<>) \t\r\n")
_SIGNED = re.compile(
    r"(?i)[?&;](?:sig|signature|x-amz-signature|x-goog-signature|x-amz-security-token)"
    r"=(?P<secret>[^&\s\"'<>#]+)"
)


def url_spans(view: str, needles: Needles) -> list[Found]:
    """URL passwords and signatures."""
    found: list[Found] = []
    if "@" in view and ":" in view and "://" in view:
        found.extend(_userinfo_spans(view))
    queried = "=" in view and ("?" in view or "&" in view)
    if queried and needles.any("sig=", "signature=", "security-token="):
        found.extend(
            Found(*m.span("secret"), "url_signature", Evidence.LABELLED)
            for m in _SIGNED.finditer(view)
            if not is_placeholder(m["secret"])
        )
    return found


def _userinfo_spans(view: str) -> list[Found]:
    found = []
    at = view.find("://")
    while at != -1:
        scheme = _SCHEME_REVERSED.match(view[max(0, at - 32) : at][::-1])
        user = _USER.match(view, at + 3)
        at = view.find("://", at + 3)
        if scheme is None or user is None:
            continue
        start = user.end()
        line_end = view.find("\n", start)
        limit = min(len(view) if line_end == -1 else line_end, start + 256)
        end = _password_end(view, start, limit)
        if end is None or end == start or _port(view, start, end):
            continue
        password = view[start:end]
        if "://" in password or _placeholder(password):
            continue
        name = scheme[0][::-1].lower().split("+")[0]
        kind = "connection_string" if name in _DATABASE_SCHEMES else "url_credentials"
        found.append(Found(start, end, kind, Evidence.PAIRED))
    return found


def _port(view: str, start: int, end: int) -> bool:
    """Whether `host:` is followed by a port (`host:5432/db`), not by a password whose `@`
    comes later (`user:000;@host`): a port ends the authority before any `@`."""
    return _PORT.match(view, start) is not None and "/" in view[start:end]


def _placeholder(password: str) -> bool:
    """A URL password that stands for one: a name (`password`, `PASSWORD`, `DB_PASS`), a
    variable (`${DB_PASSWORD}`, `$PW`, `%PW%`, `{{ pw }}`), `<password>`, `****`. Any other
    character makes it a real one, percent-decoded in the view or not."""
    if password.lower() in NAMING_VALUES or _URL_PLACEHOLDER.fullmatch(password):
        return True
    if password[0] in "$%{<[(":
        return False  # not a whole `${...}`, `<...>`: a password that starts with the sign
    return is_placeholder(password.replace("<", "").replace(">", "") or password)


def _password_end(view: str, start: int, limit: int) -> int | None:
    """The `@` ending the password: the first one a host (or the URL's end) follows, within
    the line."""
    at = view.find("@", start, limit)
    while at != -1:
        if at + 1 >= len(view) or view[at + 1] in _NO_HOST_END:
            return at  # no host: a socket path in the query, or a URL the config completes
        host = _HOST.match(view, at + 1)
        if host is not None and (host.end() >= len(view) or view[host.end()] in _HOST_END):
            return at
        at = view.find("@", at + 1, limit)
    return None
