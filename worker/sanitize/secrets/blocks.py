"""Armoured blocks: private keys (redacted whole), public material and ciphertext (left alone).

A private block is PEM of every type (`RSA`, `EC`, `DSA`, `OPENSSH`, `ENCRYPTED`, PKCS#8,
`PGP PRIVATE KEY BLOCK`), SSH2 and PuTTY key files: the whole block, or up to the end of its
base64 lines when the END line is missing; a block whose body holds no key material (`...`,
`<your key here>`) is a placeholder. Certificates, public keys, PGP public key blocks,
signatures and messages are public: the random-looking base64 inside them is left alone.
Ciphertext and attachments are data, not credentials: Ansible Vault and age-encrypted files,
SOPS `ENC[...]` values, MIME parts sent as base64. No random-looking run in them is redacted
for its randomness alone.
"""

from __future__ import annotations

import re

from worker.sanitize.secrets.needles import Needles
from worker.sanitize.secrets.spans import Evidence, Found

_PEM_EDGE = r" (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)? ?-{4,5}"
_PRIVATE = (
    re.compile(
        r"----(?:-BEGIN| BEGIN)"
        + _PEM_EDGE
        + r"(?:[\s\S]*?-{4,5} ?END"
        + _PEM_EDGE
        # No END line (a truncated key): the body's base64 and header lines go too.
        + r"|(?:(?:\r?\n|\\r?\\n)[ \t]*(?:[A-Za-z0-9+/=]+|[A-Za-z][A-Za-z0-9-]*:[^\r\n\\]*)?)*)"
    ),
    re.compile(r"PuTTY-User-Key-File-\d+:[\s\S]*?(?:Private-MAC: *[0-9a-fA-F]+|\Z)"),
)
_PUBLIC = re.compile(
    r"-{4,5} ?BEGIN (?:[A-Z0-9]+ )*(?:CERTIFICATE(?: REQUEST)?|PUBLIC KEY(?: BLOCK)?|SIGNATURE"
    r"|MESSAGE|X509 CRL|PARAMETERS|PKCS7|CMS|TRUSTED CERTIFICATE|AGE ENCRYPTED FILE) ?-{4,5}"
    r"[\s\S]*?"
    r"(?:-{4,5} ?END [A-Z0-9 ]+ ?-{4,5}|\Z)"
)


_KEY_MATERIAL = re.compile(r"[A-Za-z0-9+/=]{40,}|(?:[A-Za-z0-9+/]{16,}[=]*\s*){4,}")
_HEADER_LINE = re.compile(r"-{4,5} ?(?:BEGIN|END) [A-Z0-9 ]*?-{4,5}|[A-Za-z][A-Za-z0-9-]*:[^\n]*")
# Each kind of data zone, and the needle (in the lower-cased text) it opens with.
_DATA_ZONES = (
    ("$ansible_vault;", re.compile(r"\$ANSIBLE_VAULT;[^\n]*(?:\n[ \t]*[0-9a-f]+)+")),
    ("enc[", re.compile(r"ENC\[[A-Z0-9_]+,[^\]\n]*\]")),
    (
        "content-transfer-encoding",
        re.compile(
            r"(?i:content-transfer-encoding)[ \t]*:[ \t]*base64[^\n]*\n(?:[^\n]+\n)*?\r?\n"
            r"(?:[ \t]*[A-Za-z0-9+/=]+\r?(?:\n|\Z))+"
        ),
    ),
)


def private_spans(view: str) -> list[Found]:
    found: list[Found] = []
    if "PRIVATE KEY" in view:
        found.extend(
            Found(*match.span(), "private_key", Evidence.FORMAT)
            for match in _PRIVATE[0].finditer(view)
            if _holds_key(match[0])
        )
    if "PuTTY-User-Key-File-" in view:
        found.extend(
            Found(*match.span(), "private_key", Evidence.FORMAT)
            for match in _PRIVATE[1].finditer(view)
        )
    return found


def _holds_key(block: str) -> bool:
    """Whether a private key block holds key material, not a placeholder body."""
    body = _HEADER_LINE.sub("", block.replace("\\n", "\n"))
    return _KEY_MATERIAL.search(body) is not None


def data_zones(view: str, needles: Needles) -> list[tuple[int, int]]:
    """Where ciphertext and base64 attachments are."""
    zones = []
    for needle, pattern in _DATA_ZONES:
        if not needles[needle]:
            continue
        # Each zone opens with its needle: matched at the needle's places (a search would try
        # the case-blind header at every character).
        at = needles.lowered.find(needle)
        while at != -1:
            match = pattern.match(view, at)
            if match is not None:
                zones.append(match.span())
            at = needles.lowered.find(needle, at + 1 if match is None else match.end())
    return zones


def public_zones(view: str) -> list[tuple[int, int]]:
    """Where certificates and public keys are: nothing in them is a secret."""
    if "BEGIN " not in view or "----" not in view:
        return []
    return [match.span() for match in _PUBLIC.finditer(view)]
