"""Reading one value as its syntax delimits it: quoted strings, shell words, the rest of a line.

Detection reads the view, where `\\'` and `\\"` are already decoded to bare quotes, so a quoted
value ends at the quote that closes it as a reader sees it: a doubled quote (`'it''s'`, SQL and
libpq) or a quote with a letter or digit right after it (`'it\\'s'` seen as `'it's'`) is inside
the value. A redaction that stopped at such a quote would leave the rest of the secret behind.
"""

from __future__ import annotations

import re

from worker.sanitize.vocabulary import NAMING_VALUES, is_placeholder

_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_UNQUOTED_WORD = re.compile(r"[^\s;|&<>)`'\"]+")


def quoted(
    view: str, at: int, limit: int = 1024, multiline: bool = False
) -> tuple[int, int] | None:
    """The span of the quoted value whose opening quote is at `at`, quotes excluded; it ends
    with its line unless `multiline`."""
    quote = view[at]
    end = min(len(view), at + limit)
    line_end = -1 if multiline else view.find("\n", at, end)
    if line_end != -1:
        end = line_end
    close = view.find(quote, at + 1, end)
    while close != -1:
        after = view[close + 1 : close + 2]
        if after == quote:
            close = view.find(quote, close + 2, end)  # a doubled quote: one quote in the value
        elif after and after in _WORD_CHARS:
            close = view.find(quote, close + 1, end)  # an escaped quote, decoded in the view
        else:
            return at + 1, close
    return None


def shell_word(view: str, at: int, limit: int = 512) -> tuple[int, int] | None:
    """The span of one shell word at `at`: a quoted string's content, or characters up to a
    space or an operator; None when there is none."""
    if at >= len(view):
        return None
    if view[at] in "'\"":
        return quoted(view, at, limit)
    word = _UNQUOTED_WORD.match(view, at, min(len(view), at + limit))
    return word.span() if word is not None else None


def skip_blanks(view: str, at: int) -> int:
    while at < len(view) and view[at] in " \t":
        at += 1
    return at


def usable(value: str) -> bool:
    """Whether a value given to a credential's flag or argument can be one: not a variable,
    a flag, a placeholder or the credential's name."""
    return (
        len(value) >= 3
        and value[0] not in "-$<%{*"
        and not is_placeholder(value)
        and value.lower() not in NAMING_VALUES
    )
