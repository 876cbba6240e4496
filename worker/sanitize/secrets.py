"""Secret redaction: the built-in secret classes, their cheap prefilter, and the redaction step.

Every pattern starts with a literal (`ghp_`, `AKIA`, `://`, `eyJ`) so that the regex engine
skips to it with a fast scan; boundaries and shape checks are done on the few matches. Before
any pattern runs, memchr-speed checks decide whether it can match at all: token-shaped classes
need a run of 16 token characters (found with one `bytes.translate`), and each class needs its
literal needle. Text with neither (most prose) costs about a microsecond per kilobyte here.

Classes and their kind names: `private_key` (PEM blocks of every type, OpenSSH, PGP, SSH2,
PuTTY, age; the whole block, or to the end of its base64 lines when the END line is missing),
`connection_string` / `url_credentials` (the password of `scheme://user:password@host`),
`github_token`, `github_fine_grained_token`, `openai_key`, `anthropic_key`, `slack_token`,
`slack_webhook`, `stripe_key`, `google_api_key`, `aws_access_key`, `jwt`, `bearer_token`;
then `secret_assignment` / `aws_secret_key` / `authorization_header` (assignments.py) and
`base64_blob` (blobs.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from worker.sanitize import assignments, blobs
from worker.sanitize.draft import Draft, Findings, Step
from worker.sanitize.rules import Rule, redact_rule

# Bytes that can make up a token-shaped secret map to "x", everything else to " ": a run of
# 16 "x" in the translated text is the only way a token-shaped secret can be present.
_TOKEN_BYTES = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+/=-"
_TOKEN_MAP = bytes(0x78 if byte in _TOKEN_BYTES else 0x20 for byte in range(256))
_TOKEN_RUN = b"x" * 16

_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_TOKEN_CHARS = _WORD_CHARS | frozenset("_-")
_TOKEN_END = r"(?![A-Za-z0-9_-])"

# Schemes whose URL credentials are a database or broker password.
_DATABASE_SCHEMES = frozenset(
    (
        *("postgres", "postgresql", "mysql", "mariadb", "mongodb", "redis", "rediss", "amqp"),
        *("amqps", "mssql", "sqlserver", "oracle", "cockroachdb", "clickhouse", "cassandra"),
        *("neo4j", "couchdb", "memcached"),
    )
)
_SCHEME_BEFORE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*\Z")


def _starts_token(
    match: re.Match[str], start: int | None = None, chars: frozenset[str] = _TOKEN_CHARS
) -> bool:
    at = match.start() if start is None else start
    return at == 0 or match.string[at - 1] not in chars


def _token(match: re.Match[str]) -> bool:
    return _starts_token(match)


def _aws_key_id(match: re.Match[str]) -> bool:
    return _starts_token(match, chars=_WORD_CHARS)


def _random_body(match: re.Match[str]) -> bool:
    body = match["body"]
    return (
        _starts_token(match)
        and any(c.isdigit() for c in body)
        and any(c.isupper() for c in body)
        and any(c.islower() for c in body)
    )


def _token_with_digit(match: re.Match[str]) -> bool:
    return _starts_token(match) and any(c.isdigit() for c in match[0])


def _bearer(match: re.Match[str]) -> bool:
    # The pattern starts after the `B`: the word must begin right before it.
    if not _starts_token(match, match.start() - 1):
        return False
    value = match["secret"]
    if any(c.isdigit() for c in value):
        return True
    return len(value) >= 32 and value.lower() != value and value.upper() != value


def _url_credentials(match: re.Match[str]) -> bool:
    return (
        _SCHEME_BEFORE.search(match.string, max(0, match.start() - 40), match.start()) is not None
    )


def _url_credentials_kind(match: re.Match[str]) -> str:
    scheme = _SCHEME_BEFORE.search(match.string, max(0, match.start() - 40), match.start())
    name = scheme[0].lower().split("+")[0] if scheme is not None else ""
    return "connection_string" if name in _DATABASE_SCHEMES else "url_credentials"


_PEM_EDGE = r" (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)? ?-{4,5}"

BUILT_IN_RULES: tuple[Rule, ...] = (
    Rule(
        "private_key",
        re.compile(
            r"----(?:-BEGIN| BEGIN)"
            + _PEM_EDGE
            + r"(?:[\s\S]*?-{4,5} ?END"
            + _PEM_EDGE
            # No END line (a truncated key): the body's base64 and header lines go too.
            + r"|(?:(?:\r?\n|\\r?\\n)[ \t]*(?:[A-Za-z0-9+/=]+|[A-Za-z][A-Za-z0-9-]*:[^\r\n\\]*)?)*)"
        ),
        needles=("PRIVATE KEY",),
        requires="-",
        token_shaped=False,
    ),
    Rule(
        "private_key",
        re.compile(r"PuTTY-User-Key-File-\d+:[\s\S]*?(?:Private-MAC: *[0-9a-fA-F]+|\Z)"),
        needles=("PuTTY-User-Key-File-",),
    ),
    Rule("private_key", re.compile(r"AGE-SECRET-KEY-1[0-9A-Z]{58}"), needles=("AGE-SECRET-KEY-",)),
    Rule(
        "connection_string",
        re.compile(r"://(?P<user>[^\s:/?#@\[\]'\"<>]*):(?P<secret>[^\s/?#'\"<>]+)@"),
        needles=("://",),
        requires="@:",
        token_shaped=False,
        secret_group="secret",
        accept=_url_credentials,
        kind_of=_url_credentials_kind,
    ),
    Rule(
        "github_fine_grained_token",
        re.compile(r"github_pat_[A-Za-z0-9_]{22,}" + _TOKEN_END),
        needles=("github_pat_",),
        accept=_token,
    ),
    Rule(
        "github_token",
        re.compile(r"gh[pousr]_[A-Za-z0-9]{36,}" + _TOKEN_END),
        needles=("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
        accept=_token,
    ),
    Rule(
        "anthropic_key",
        re.compile(r"sk-ant-[A-Za-z0-9_-]{20,}"),
        needles=("sk-ant-",),
        accept=_token,
    ),
    Rule(
        "openai_key",
        re.compile(r"sk-(?!ant-)(?:proj-|svcacct-|admin-)?(?P<body>[A-Za-z0-9_-]{20,})"),
        needles=("sk-",),
        accept=_random_body,
    ),
    Rule(
        "slack_webhook",
        re.compile(
            r"hooks\.slack\.com/(?:services|workflows|triggers)/(?P<secret>[A-Za-z0-9/_-]+)"
        ),
        needles=("hooks.slack.com",),
        requires="/",
        secret_group="secret",
    ),
    Rule(
        "slack_token",
        re.compile(r"xox[abposre]-[A-Za-z0-9-]{10,}"),
        needles=("xox",),
        accept=_token_with_digit,
    ),
    Rule(
        "slack_token",
        re.compile(r"xapp-[A-Za-z0-9-]{10,}"),
        needles=("xapp-",),
        accept=_token_with_digit,
    ),
    Rule(
        "stripe_key",
        re.compile(r"sk_(?:live|test)_[A-Za-z0-9]{10,}"),
        needles=("sk_live_", "sk_test_"),
        accept=_token,
    ),
    Rule(
        "stripe_key",
        re.compile(r"rk_(?:live|test)_[A-Za-z0-9]{10,}"),
        needles=("rk_live_", "rk_test_"),
        accept=_token,
    ),
    Rule(
        "stripe_key",
        re.compile(r"whsec_[A-Za-z0-9]{20,}"),
        needles=("whsec_",),
        accept=_token,
    ),
    Rule(
        "google_api_key",
        re.compile(r"AIza[0-9A-Za-z_-]{35}" + _TOKEN_END),
        needles=("AIza",),
        accept=_token,
    ),
    Rule(
        "aws_access_key",
        re.compile(r"A(?:KIA|SIA|BIA|CCA)[A-Z0-9]{16}(?![A-Za-z0-9])"),
        needles=("AKIA", "ASIA", "ABIA", "ACCA"),
        accept=_aws_key_id,
    ),
    Rule(
        "jwt",
        re.compile(
            r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+){0,2}"
        ),
        needles=("eyJ",),
        requires=".",
        accept=_token,
    ),
    Rule(
        "bearer_token",
        re.compile(
            r"earer(?<=[Bb]earer)[ \t]+(?P<secret>[A-Za-z0-9._~+/-]{16,}=*)"
            r"(?![A-Za-z0-9._~+/=\[-])"
        ),
        needles=("earer",),
        secret_group="secret",
        accept=_bearer,
    ),
    Rule(
        "bearer_token",
        re.compile(
            r"EARER(?<=BEARER)[ \t]+(?P<secret>[A-Za-z0-9._~+/-]{16,}=*)(?![A-Za-z0-9._~+/=\[-])"
        ),
        needles=("EARER",),
        secret_group="secret",
        accept=_bearer,
    ),
)


_NOT_TOKEN_SHAPED = tuple(rule for rule in BUILT_IN_RULES if not rule.token_shaped)


def may_hold_token(text: str) -> bool:
    """False only when `text` has no run of 16 token characters: then no token rule can match."""
    return _TOKEN_RUN in text.encode("utf-8", "surrogatepass").translate(_TOKEN_MAP)


def redact_built_in(text: str) -> Findings:
    """`text` with every built-in secret class redacted, the cheap checks first."""
    kinds: frozenset[str] = frozenset()
    tokens = may_hold_token(text)
    for rule in BUILT_IN_RULES if tokens else _NOT_TOKEN_SHAPED:
        if rule.requires and not all(char in text for char in rule.requires):
            continue
        if rule.needles and not any(needle in text for needle in rule.needles):
            continue
        found = redact_rule(rule, text)
        text, kinds = found.text, kinds | found.kinds
    found = assignments.redact(text)
    text, kinds = found.text, kinds | found.kinds
    if tokens:
        found = blobs.redact(text)
        text, kinds = found.text, kinds | found.kinds
    return Findings(text, kinds)


def make_redactor(extra_rules: Sequence[Rule] = ()) -> Step:
    """The redaction step: built-in classes, then the operator's own patterns."""

    def redact_secrets(draft: Draft) -> Draft:
        found = redact_built_in(draft.text)
        text, kinds = found.text, found.kinds
        for rule in extra_rules:
            extra = redact_rule(rule, text)
            text, kinds = extra.text, kinds | extra.kinds
        return draft.redacted(text, kinds) if kinds else draft

    return redact_secrets
