"""The words of credentials: keys that name one, and values that only stand for one."""

from __future__ import annotations

import re
from functools import lru_cache

from worker.sanitize.draft import REDACTED


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# How every credential key ends, lower-cased: a cheap test before splitting a key into words.
KEY_ENDINGS = tuple(
    _words(
        "password passwd passphrase passcode secret token key pwd pw pass authorization auth "
        "credentials credential creds"
    )
)
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_SINGLE_WORDS = _words(
    "password passwd passphrase passcode secret token apikey pwd pw pass auth credentials "
    "credential creds"
)
_WORD_ENDINGS = ("password", "passwd", "passphrase", "secret", "token", "apikey", "credentials")
_WORD_PAIRS = frozenset(
    (first, "key")
    for first in _words(
        "api access secret private signing encryption master auth app client account storage "
        "license subscription function hmac shared admin service deploy session write"
    )
)
# Keys that end like a credential and never hold one: pagination cursors, model vocabulary.
_NOT_SECRET_PAIRS = frozenset(
    (first, "token")
    for first in _words("page next continuation sync pagination pad eos bos unk cls sep mask")
)
_NOT_SECRET_KEYS = frozenset(("PWD", "OLDPWD"))  # the shell's working directory

# Words that stand where a value goes in type annotations and configuration defaults.
TYPE_WORDS = _words(
    "str string int integer bool boolean number any none null nil true false undefined bytes "
    "text varchar char secretstr optional object void unknown never float double long yes no on "
    "off required include omit same-origin"
)
# Words a sentence about a credential goes on with ("the password is required"), never the
# credential itself; a run of other words after a password label is a passphrase.
FUNCTION_WORDS = _words(
    "a an the is are was were be been being must should shall will would can could may might "
    "not no at least most of to for with without in on by from as and or but if then than that "
    "this these those it its your you my our their his her we they he she use set see enter "
    "type required optional characters chars letters digits long length minimum maximum min max "
    "only also more less any all each every one two etc none null empty blank same here there "
    "when where which who what how has have had do does did into onto per via stored hashed "
    "valid invalid wrong incorrect expired missing changed reset too very still now just"
)
# Words of a tool's report on a credential (`passwd: password updated successfully`).
STATUS_WORDS = _words(
    "updated changed successfully success succeeded failed failure unchanged accepted rejected "
    "denied ok done saved verified mismatch incorrect expired "
    "rotated revoked generated created deleted removed sent received authentication "
    "authenticated unauthorized forbidden error warning"
)
_PLACEHOLDER_WORDS = re.compile(r"(?i)your[_-]?(?:api[_-]?)?(?:key|token|secret|pass)")
_CONSTANT_NAME = re.compile(r"[A-Z]+(?:_[A-Z]+)+")
_FILLED = re.compile(r"[xX*•]{6,}|\.\.\.|…")
_REFERENCE_TO_SETTING = re.compile(
    r"(?:process\.env|os\.environ|import\.meta\.env|settings|config|secrets|env)[.\[]"
)
_PLACEHOLDER_CHARS = frozenset("*xX.-_•…# ")
# `%API_KEY%` (a Windows variable), `%s` and `%(password)s` (format fields); not `%E5%AF...`.
_PERCENT_FIELD = re.compile(r"%(?:[A-Za-z_][A-Za-z0-9_]*%|\([A-Za-z_]\w*\)[sdr]|[sdr]\Z)")
# Values that only name what goes there in a template (`postgres://user:password@localhost`);
# an assignment's value is used as it is (`POSTGRES_PASSWORD=secret` is the password).
NAMING_VALUES = frozenset(
    (
        *("password", "passwd", "pass", "pwd", "secret", "token", "apikey", "api_key", "key"),
        *("changeme", "change_me", "changeit", "mypassword", "my_password", "yourpassword"),
        *("your_password", "example", "redacted", "placeholder", "dummy", "none", "null"),
    )
)


@lru_cache(maxsize=4096)
def key_kind(key: str) -> str | None:
    """The kind of secret a key holds (`secret_assignment`, ...), or None for other keys."""
    if key in _NOT_SECRET_KEYS:
        return None
    words = [word.lower() for word in _WORDS.findall(key)]
    if not words:
        return None
    last = words[-1]
    if tuple(words[-2:]) in _NOT_SECRET_PAIRS or "public" in words or "publishable" in words:
        return None  # a public key, `NEXT_PUBLIC_API_KEY`: published by design
    if last == "authorization":
        return "authorization_header"
    if not (
        last in _SINGLE_WORDS or last.endswith(_WORD_ENDINGS) or tuple(words[-2:]) in _WORD_PAIRS
    ):
        return None
    if words[-3:] == ["secret", "access", "key"] or (words[0] == "aws" and "secret" in words):
        return "aws_secret_key"
    return "secret_assignment"


def phrase_is_passphrase(phrase: str) -> bool:
    """Whether words given as a password are a passphrase (`correct horse battery staple`),
    not a sentence about one (`must be 8 characters`), a credential's name (`top secret`) or
    a tool's report (`passwd: password updated successfully`)."""
    words = phrase.lower().replace("-", " ").split()
    return 1 <= len(words) <= 8 and not any(
        word in FUNCTION_WORDS or word in TYPE_WORDS or word in STATUS_WORDS or key_kind(word)
        for word in words
    )


@lru_cache(maxsize=4096)
def is_placeholder(value: str) -> bool:
    """Whether a value stands for a secret rather than being one (`${X}`, `<password>`, `***`)."""
    if not value or value == REDACTED or value[0] in "${<[(":
        return True
    if value[0] == "%" and _PERCENT_FIELD.fullmatch(value):
        return True
    if "<" in value or ">" in value or "&lt;" in value or "&gt;" in value or "{{" in value:
        return True
    if _PLACEHOLDER_WORDS.search(value) or _CONSTANT_NAME.fullmatch(value):
        return True  # YOUR_API_KEY, your-token-here, CHANGE_ME
    if _FILLED.search(value) or _REFERENCE_TO_SETTING.match(value):
        return True  # ghp_xxxxxxxx..., sk-..., process.env.API_KEY, settings.TOKEN
    if value.isalpha() and value.isupper() and len(value) <= 24:
        return True  # TOKEN, PASSWORD: the name of what goes there
    return set(value) <= _PLACEHOLDER_CHARS
