"""Generated positives of the token classes: every provider format, plain and obfuscated."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

from tests.worker.sanitize_corpus.providers import ALL_TOKENS as TOKENS
from tests.worker.sanitize_corpus.writing import MARK, broken, entry, fill

# Where a token appears with nothing naming it: its format alone must give it away.
UNLABELLED = [
    "here's the one I used yesterday: {s} -- it stopped working after the rotation",
    "2024-05-01T12:00:01Z INFO uploader: authenticated with {s} (scope=repo)",
    'client = Client("{s}", timeout=30)',
    '  File "deploy.py", line 12, in <module>\n    connect("{s}")\nValueError: rejected',
    '["{s}"]',
    "- {s}",
    "try `{s}` instead",
    "$ gh auth login --with-token <<< {s}",
    "<td>{s}</td>",
    "new Client({{ key: process.env.X ?? '{s}' }})",
]
# Where a label names it too: the most specific kind (the format's) must be reported.
LABELLED = [
    "export SERVICE_TOKEN={s}",
    '{{"token": "{s}", "expires_in": 3600}}',
    "api_key: {s}",
    'curl -H "Authorization: Bearer {s}" https://api.example.com/v1/me',
]


def prefixed(rnd: random.Random) -> Iterator[str]:
    for kind, makers in TOKENS.items():
        for make in makers:
            for template in [*rnd.sample(UNLABELLED, 2), rnd.choice(LABELLED)]:
                yield entry("prefixed_token", kind, *fill(template, make(rnd)))


def _entity(token: str, at: int, rnd: random.Random) -> str:
    char = token[at]
    named = {"_": "&lowbar;", ".": "&period;", "-": "&hyphen;"}
    # Without its `;` a numeric reference runs on through the digits after it, as browsers read it.
    loose = f"&#{ord(char)}" if not token[at + 1 : at + 2].isdigit() else f"&#{ord(char)};"
    code = rnd.choice([f"&#{ord(char)};", f"&#x{ord(char):x};", named.get(char, loose)])
    return token[:at] + code + token[at + 1 :]


def _fullwidth(token: str, at: int, _rnd: random.Random) -> str:
    return token[:at] + chr(ord(token[at]) + 0xFEE0) + token[at + 1 :]


def _json_escape(token: str, at: int, _rnd: random.Random) -> str:
    return token[:at] + f"\\u{ord(token[at]):04x}" + token[at + 1 :]


def _zero_width(token: str, at: int, _rnd: random.Random) -> str:
    return token[:at] + "\u200b" + token[at:]


OBFUSCATIONS: list[tuple[str, Callable[[str, int, random.Random], str], str]] = [
    ("html entity", _entity, "<p>use {s} for the upload</p>"),
    ("full-width character", _fullwidth, "token in the chat: {s}"),
    ("json unicode escape", _json_escape, '{{"note": "deploy with {s}"}}'),
    ("zero-width space", _zero_width, "copied from the wiki: {s}"),
]
SPLITS = [
    (
        "wrapped line",
        "pasted from the terminal:\n{a}\n{b}\nthat's all",
        "pasted from the terminal:\n{m}\nthat's all",
    ),
    ("string concatenation", 'key = ("{a}" +\n       "{b}")', 'key = ("{m}")'),
    ("backslash continuation", 'TOKEN="{a}\\\n{b}"', 'TOKEN="{m}"'),
]


def obfuscated(rnd: random.Random) -> Iterator[str]:
    kinds = [
        k for k in TOKENS if k not in ("private_key", "jwt", "discord_token", "telegram_bot_token")
    ]
    for kind in kinds:
        token = rnd.choice(TOKENS[kind])(rnd)
        name, transform, template = rnd.choice(OBFUSCATIONS)
        at = rnd.randrange(4, min(len(token) - 2, 12))
        if name == "full-width character" and not token[at].isalnum() and token[at] != "_":
            at = next(i for i in range(4, len(token)) if token[i].isalnum())
        shown = transform(token, at, rnd)
        yield entry("obfuscated", kind, *fill(template, shown))
        split_name, template, expected = rnd.choice(SPLITS)
        cut = rnd.randrange(len(token) // 3, 2 * len(token) // 3)
        if split_name == "backslash continuation" and kind == "aws_access_key":
            continue  # an env value under a label: the label case, not the split
        text = template.format(a=broken(token[:cut]), b=token[cut:])
        yield entry("obfuscated", kind, text, expected.format(m=MARK))
