"""Checks that prove a token is of its format: checksums and self-describing structure.

A token that passes is a secret whatever it looks like; one that fails may still be a
(hand-made or truncated) secret and is judged on its randomness instead. Line joining uses
these to decide that two halves of a split token belong together.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from functools import lru_cache

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_BASE62_VALUE = {char: value for value, char in enumerate(BASE62)}
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_VALUE = {char: value for value, char in enumerate(_BECH32)}
_BECH32_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def base62(number: int, width: int) -> str:
    digits = []
    while number:
        number, digit = divmod(number, 62)
        digits.append(BASE62[digit])
    return "".join(reversed(digits)).rjust(width, "0")


def crc32_base62(entropy: str) -> str:
    """The six-character checksum GitHub and npm tokens end with: CRC32 of the random part."""
    return base62(zlib.crc32(entropy.encode("ascii")), 6)


@lru_cache(maxsize=1024)
def github_style(body: str) -> bool:
    """`ghp_`/`npm_` bodies: 30 random base62 characters, then their CRC32 in base62."""
    if len(body) != 36 or not all(char in _BASE62_VALUE for char in body):
        return False
    return crc32_base62(body[:30]) == body[30:]


def bech32_polymod(values: list[int]) -> int:
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for bit, generator in enumerate(_BECH32_GENERATOR):
            if top >> bit & 1:
                checksum ^= generator
    return checksum


def bech32_expand(hrp: str) -> list[int]:
    return [ord(char) >> 5 for char in hrp] + [0] + [ord(char) & 31 for char in hrp]


def bech32_valid(text: str) -> bool:
    """A Bech32 string (age keys: `AGE-SECRET-KEY-1...`) whose checksum holds."""
    lowered = text.lower()
    hrp, separator, data = lowered.rpartition("1")
    if not separator or not hrp or len(data) < 6:
        return False
    values = [_BECH32_VALUE.get(char, -1) for char in data]
    if -1 in values:
        return False
    return bech32_polymod(bech32_expand(hrp) + values) == 1


def b64decode(text: str) -> bytes | None:
    """Standard or URL-safe base64, padding optional; None when it is not base64."""
    core = text.rstrip("=")
    if not core:
        return None
    padded = core + "=" * (-len(core) % 4)
    try:
        if "-" in core or "_" in core:
            return base64.urlsafe_b64decode(padded)
        return base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        return None


def json_object(segment: str) -> dict[str, object] | None:
    decoded = b64decode(segment)
    if decoded is None or not decoded.startswith(b"{"):
        return None
    try:
        value = json.loads(decoded)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


@lru_cache(maxsize=1024)
def jwt_header(token: str) -> bool:
    """A JWT or JWE: its first segment is a JSON header naming an algorithm."""
    header = json_object(token.split(".", 1)[0])
    return header is not None and ("alg" in header or "enc" in header or "typ" in header)


def pypi_macaroon(body: str) -> bool:
    """A PyPI upload token: a version-2 macaroon whose location is PyPI or TestPyPI."""
    decoded = b64decode(body)
    return decoded is not None and decoded.startswith(
        (b"\x02\x01\x08pypi.org\x02", b"\x02\x01\x0dtest.pypi.org\x02")
    )


def grafana_key(token: str) -> bool:
    """A Grafana API key: base64 of a JSON object holding the key (`{"k":...`)."""
    value = json_object(token)
    return value is not None and "k" in value


def discord_user(first_segment: str) -> bool:
    """A Discord bot token starts with its bot's user id (a snowflake) in base64."""
    decoded = b64decode(first_segment)
    return decoded is not None and 15 <= len(decoded) <= 20 and decoded.isdigit()
