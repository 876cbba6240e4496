"""Whether a value assigned to a credential-named key is the secret, or code, a name, a path."""

from __future__ import annotations

import re

from worker.sanitize.secrets.entropy import HEX, looks_random
from worker.sanitize.secrets.prose_values import password_shaped
from worker.sanitize.vocabulary import TYPE_WORDS, is_placeholder

# After an unquoted value: nothing but closing punctuation and a comment.
_QUIET_REST = re.compile(r"[ \t]*[,;)\]}]*[ \t]*(?:(?:#|//|--|/\*).*)?\r?")
_ENV_LEAD = re.compile(
    r"[ \t]*(?:[$#>][ \t]+)?(?:(?:export|set|setx|ENV|ARG|-e|--env|--build-arg|-|sudo|env)[ \t]+)*"
)
# A flag that sets an environment variable inside a longer command line (`docker run -e K=v`).
_FLAG_LEAD = re.compile(r"(?:(?<![^\n])|[ \t])(?:-e|--env|--build-arg|--set|--set-string)[ \t]+\Z")
# Another `key=value` after a space: settings side by side (`user=bob password=X host=db`).
_NEXT_SETTING = re.compile(r"[ \t]+[A-Za-z_][A-Za-z0-9_.-]*(?:=[^=\s]|:[ \t])")
_REFERENCE_END = re.compile(r"&#?[A-Za-z0-9]+;\Z")
_UPPER_KEY = re.compile(r"[A-Z][A-Z0-9_]*")
_REFERENCE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


def random_not_digest(value: str) -> bool:
    """A bare `key` holds a secret when its value is random, and not a digest (a cache key)."""
    if len(value) < 20 or not looks_random(value):
        return False
    return not (all(char in HEX for char in value) and len(value) in (32, 40, 56, 64, 96, 128))


def quoted_or_random(text: str, span: tuple[int, int]) -> bool:
    """A key that names credentials in general (`LoadCredential=`, `--set-credential=`) holds
    one when its value is a quoted literal or random, not a path or a setting."""
    quoted_value = span[0] > 0 and text[span[0] - 1] in "\"'`"
    return quoted_value or looks_random(text[span[0] : span[1]])


def unquoted_is_secret(
    text: str, key: str, key_start: int, separator: str, match: re.Match[str], rest: str
) -> bool:
    value = match[0]
    if is_placeholder(value) or value.lower() in TYPE_WORDS:
        return False
    tight = separator == "=" and text[key_start + len(key) : match.start()] == "="
    before = text[key_start - 1] if key_start else ""
    if before == ";" and _REFERENCE_END.search(text, max(0, key_start - 33), key_start):
        before = ""  # the `;` ends a character reference such as `&lt;`, not a query field
    line_start = text.rfind("\n", 0, key_start) + 1
    if tight and (
        before in ("?", "&", ";")
        or text.startswith("--", max(key_start - 2, 0))
        or _ENV_LEAD.fullmatch(text, line_start, key_start) is not None
        or _FLAG_LEAD.search(text, max(line_start, key_start - 32), key_start) is not None
        or _NEXT_SETTING.match(rest) is not None
        or _UPPER_KEY.fullmatch(key) is not None
    ):
        # Env line or variable, query string, command-line flag, `key=value` pairs side by
        # side (logfmt, env before a command): whatever follows is the value.
        return True
    if before in ('"', "'") and rest.startswith(before) and not value.isalpha():
        return True  # a quoted `Name: value` string, as `curl -H "X-API-Key: ..."` passes one
    if _QUIET_REST.fullmatch(rest) is None:
        # Words follow (`password: must be 8 characters long`): a sentence, unless the value,
        # set apart by a space or `=`, can be nothing but a password (`password: Xk9mQ2pL7 and the
        # user is admin`), not code (`auth = oss2.Auth(...)`).
        apart = text[match.start() - 1] in " \t" or separator == "="
        code = rest.startswith(("(", "[", ".")) or ("." in value and _REFERENCE.fullmatch(value))
        return apart and not code and password_shaped(value)
    if "." in value and _REFERENCE.fullmatch(value):
        return False  # settings.password, os.environ
    if _UPPER_KEY.fullmatch(key) is not None:
        return True
    core = value.rstrip(".,;:!?")  # a word that ends a sentence is still a word
    if core.isalpha() or (_REFERENCE.fullmatch(core) and not any(c.isdigit() for c in core)):
        return False
    if value.isdigit() and len(value) < 6:
        return False
    return not value.startswith(("/", "./", "../", "~/", "http://", "https://"))
