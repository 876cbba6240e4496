"""Characters PostgreSQL cannot store, and cutting text short without breaking what it holds."""

from __future__ import annotations

import re
import unicodedata

from worker.sanitize.draft import REDACTED, Draft

_SURROGATES = re.compile("[\ud800-\udfff]")
_REFERENCE_BODY = re.compile(r"#?[A-Za-z0-9]*")
_REFERENCE_CHARS = frozenset("#;0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
# Code points that belong to the character before them: cutting in front of one would strip
# an accent from its letter or break an emoji sequence apart.
_JOINERS = frozenset("\u200c\u200d\u034f")


def storable(text: str) -> str:
    """`text` as PostgreSQL can store it: surrogate pairs joined, NUL and lone surrogates U+FFFD.

    NUL becomes U+FFFD rather than vanishing so that no two tokens are glued together
    (`<\\0script>` must not turn into `<script>`); other control characters are kept, since
    PostgreSQL accepts them and terminal output (ANSI colours) is legitimate content.
    """
    if not text.isascii() and _SURROGATES.search(text):
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    return text


def repair(draft: Draft) -> Draft:
    text = storable(draft.text)
    return draft if text is draft.text else draft.rewritten(text)


def precut(text: str, limit: int) -> str:
    """Drop what cannot matter: everything past `limit` and the partial word it cut through."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    # The word the cut goes through is dropped whole, so no half-token (half a key) survives.
    stop = max(head.rfind(" "), head.rfind("\n"), head.rfind("\t"))
    return head[: stop + 1]


def cut(text: str, limit: int) -> str:
    """The longest prefix of `text` within `limit` that splits no marker, reference or grapheme."""
    if len(text) <= limit:
        return text
    end = max(limit, 0)
    while True:
        moved = _back_off(text, end)
        if moved == end:
            return text[:end]
        end = moved


def _back_off(text: str, end: int) -> int:
    if end <= 0:
        return 0
    marker = text.find(REDACTED, max(0, end - len(REDACTED) + 1), end + len(REDACTED) - 1)
    if marker != -1 and marker < end:
        return marker
    amp = text.rfind("&", max(0, end - 32), end)
    if (
        amp != -1
        and text[end] in _REFERENCE_CHARS
        and _REFERENCE_BODY.fullmatch(text, amp + 1, end) is not None
    ):
        return amp
    if _extends_previous(text[end]) or text[end - 1] in _JOINERS:
        return end - 1
    if text[end - 1] == "\r" and text[end] == "\n":
        return end - 1
    return end


def _extends_previous(char: str) -> bool:
    if char.isascii():
        return False
    if char in _JOINERS or "\ufe00" <= char <= "\ufe0f" or "\U0001f3fb" <= char <= "\U0001f3ff":
        return True
    if "\U000e0020" <= char <= "\U000e007f" or "\U000e0100" <= char <= "\U000e01ef":
        return True
    return unicodedata.category(char) in ("Mn", "Me", "Mc")
