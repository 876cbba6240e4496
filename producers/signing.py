"""Message authentication: HMAC-SHA256 over a canonical JSON form of the submission.

The canonical form is the submission object without its `signature` field, serialized with
sorted keys, no insignificant whitespace and non-ASCII characters as themselves, in UTF-8:
what `JSON.stringify` gives for an object whose keys were inserted in sorted order. Several
keys can be configured at once (each with an id), so keys rotate without downtime: producers
sign with the newest, workers accept any configured one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from producers.errors import ProducerConfigurationError

SIGNATURE_FIELD = "signature"
ALGORITHM = "HMAC-SHA256"


class SigningKeyError(ProducerConfigurationError, ValueError):
    """A signing-key configuration that cannot be used."""


def parse_keys(spec: str | None) -> dict[str, bytes]:
    """Keys from `"id1:secret1,id2:secret2"` (the INTAKE_SIGNING_KEYS format)."""
    keys: dict[str, bytes] = {}
    for entry in (spec or "").split(","):
        entry = entry.strip()
        if not entry:
            continue
        key_id, separator, secret = entry.partition(":")
        if not separator or not key_id or len(secret) < 16:
            raise SigningKeyError(
                "INTAKE_SIGNING_KEYS entries are id:secret with a secret of 16+ characters"
            )
        keys[key_id] = secret.encode()
    return keys


def canonical(submission: Mapping[str, Any]) -> bytes:
    body = {name: value for name, value in submission.items() if name != SIGNATURE_FIELD}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8", "surrogatepass")


def signature_of(submission: Mapping[str, Any], key_id: str, secret: bytes) -> dict[str, str]:
    digest = hmac.new(secret, canonical(submission), hashlib.sha256).digest()
    value = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return {"key_id": key_id, "alg": ALGORITHM, "value": value}


def sign(submission: Mapping[str, Any], key_id: str, secret: bytes) -> dict[str, Any]:
    """The submission with its `signature` field set."""
    return {**submission, SIGNATURE_FIELD: signature_of(submission, key_id, secret)}


def verify(submission: Any, keys: Mapping[str, bytes]) -> bool:
    """Whether `submission` carries a valid signature by one of `keys`."""
    if not isinstance(submission, Mapping):
        return False
    claimed = submission.get(SIGNATURE_FIELD)
    if not isinstance(claimed, Mapping):
        return False
    key_id, value = claimed.get("key_id"), claimed.get("value")
    if not isinstance(key_id, str) or not isinstance(value, str) or key_id not in keys:
        return False
    if claimed.get("alg", ALGORITHM) != ALGORITHM:
        return False
    try:
        expected = signature_of(submission, key_id, keys[key_id])["value"]
        return hmac.compare_digest(expected.encode(), value.encode("ascii"))
    except (UnicodeError, TypeError, ValueError, RecursionError):
        # Not text a signature can be made of (lone surrogates, non-ASCII, unserializable or
        # absurdly nested values): whatever it claims, it is not authentic.
        return False
