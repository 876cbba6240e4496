"""Providers' token formats as data: literal prefix, body alphabet and length, and proof.

The catalogue (`platforms.py`, `services.py`) was read from the public gitleaks, TruffleHog and
detect-secrets rule sets and the providers' documentation: every widely used provider whose
tokens carry a distinctive prefix. A body that a checksum or structure proves (`proof`) is a
secret whatever it looks like; any other body must not be a placeholder (`ghp_xxxx...`,
`sk-your-key-here`). `length` is the body's (min, max) length: a token cut short at a line end
is joined with the next line when the join gives a proven or full-length token.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from worker.sanitize.secrets import checksums

Proof = Callable[[str, str], bool]
END = r"(?![A-Za-z0-9_-])"
HEX32 = r"[0-9a-f]{32}"
HEX40 = r"[0-9a-f]{40}"
HEX64 = r"[0-9a-f]{64}"
ANY = r"[A-Za-z0-9_-]"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@dataclass(frozen=True, slots=True)
class Format:
    kind: str
    prefixes: tuple[str, ...]
    body: re.Pattern[str]  # matched right after the prefix
    length: tuple[int, int]
    proof: Proof | None = None


def make(
    kind: str,
    prefixes: str,
    body: str,
    length: tuple[int, int],
    proof: Proof | None = None,
    end: str = END,
) -> Format:
    return Format(kind, tuple(prefixes.split()), re.compile(body + end), length, proof)


def github(_prefix: str, body: str) -> bool:
    return checksums.github_style(body[:36])


def openai(_prefix: str, body: str) -> bool:
    return "T3BlbkFJ" in body


def anthropic(_prefix: str, body: str) -> bool:
    return body.startswith(("api03-", "admin01-")) and body.endswith("AA") and len(body) > 90


def pypi(_prefix: str, body: str) -> bool:
    return checksums.pypi_macaroon(body)


def age(prefix: str, body: str) -> bool:
    return checksums.bech32_valid(prefix + body)


def grafana(prefix: str, body: str) -> bool:
    return checksums.grafana_key(prefix + body)


def json_payload(_prefix: str, body: str) -> bool:
    return checksums.json_object(body.split("_", 1)[0]) is not None


def structured(_prefix: str, _body: str) -> bool:
    """The body's fixed structure (a UUID, hex groups, separators) is proof enough."""
    return True
