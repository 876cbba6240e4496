"""Credentials on command lines given as arguments, through stdin, and in `.netrc` entries.

- arguments that are the credential: `net user name pw`, `htpasswd -b file user pw`,
  `mysqladmin password pw`, `rabbitmqctl add_user user pw`, `AUTH pw` at a Redis prompt,
  `requirepass pw`, `mc alias set name url access secret`, `<tool> config set <credential
  key> <value>` (looked for in text that may hold a command line only);
- what `echo`/`printf` pipes (or `<<<` feeds) into `sudo -S`, `--password-stdin`, `chpasswd`;
- `.netrc` entries: `machine host login user password pw`.
"""

from __future__ import annotations

import re

from worker.sanitize.secrets.needles import Needles, places
from worker.sanitize.secrets.spans import Evidence, Found
from worker.sanitize.secrets.values import quoted, shell_word, skip_blanks, usable
from worker.sanitize.vocabulary import key_kind

KIND = "cli_credential"


_ALIAS = re.compile(
    r"mc[ \t]+(?:alias[ \t]+set|config[ \t]+host[ \t]+add)(?:[ \t]+\S+){3}[ \t]+(?P<secret>\S+)"
)
# Positional arguments that are a password or token: `net user NAME PW`, `htpasswd -b FILE
# USER PW`, `mysqladmin ... password PW`, `rabbitmqctl add_user USER PW`, `AUTH [USER] PW`,
# `requirepass PW`, `<tool> config set <credential key> VALUE`. Each is led by a literal.
_WORD = r"[ \t]+[^\s]+"
_ARGUMENTS: tuple[tuple[tuple[str, ...], bool, re.Pattern[str]], ...] = (
    # (needles the pattern starts at, whether a credential word must be in the text, pattern)
    (
        ("net user",),
        False,
        re.compile(r"(?i)net[ \t]+user[ \t]+[^\s/]+[ \t]+(?P<secret>[^\s/*]\S*)"),
    ),
    (
        ("htpasswd",),
        True,
        re.compile(
            r"htpasswd[ \t]+-[a-zA-Z]*b[a-zA-Z]*(?:" + _WORD + r"){1,2}[ \t]+(?P<secret>\S+)"
        ),
    ),
    (("mysqladmin",), True, re.compile(r"mysqladmin[^\n]*?[ \t]password[ \t]+(?P<secret>\S+)")),
    (
        ("rabbitmqctl",),
        False,
        re.compile(
            r"rabbitmqctl[ \t]+(?:add_user|change_password)" + _WORD + r"[ \t]+(?P<secret>\S+)"
        ),
    ),
    (
        ("auth ",),
        True,
        re.compile(r"(?i)AUTH(?:" + _WORD + r")?[ \t]+(?P<secret>\S+)[ \t]*$", re.M),
    ),
    (("mc alias", "mc config"), False, _ALIAS),
    (("setx",), True, re.compile(r"(?i)setx[ \t]+(?P<key>[\w.]+)[ \t]+(?P<secret>\S+)")),
    (
        ("requirepass", "masterauth"),
        True,
        re.compile(r"(?i)(?:requirepass|masterauth)[ \t]+(?P<secret>\S+)"),
    ),
    (
        ("config", "secret"),
        True,
        re.compile(
            r"(?i)(?:config|configure|secrets?)[ \t]+set[ \t]+"
            r"(?P<key>[\w./:@-]+)[ \t]+(?P<secret>\S+)"
        ),
    ),
)
_ARGUMENT_COMMANDS = frozenset(
    (
        *("net", "htpasswd", "mysqladmin", "rabbitmqctl", "redis-cli", "mc", "machine", "atlas"),
        *("aws", "gcloud", "az", "npm", "yarn", "git", "dotnet", "doppler", "requirepass"),
        *("setx",),
    )
)
_SEGMENTS = re.compile(r"\|\||&&|[|;]")
_REDIS_PROMPT = re.compile(r"(?:redis-cli|valkey-cli|[0-9a-z.-]+:[0-9]{2,5}(?:\[[0-9]+\])?>)")


def argument_spans(view: str, needles: Needles) -> list[Found]:
    """Credentials given as arguments, through stdin, and in `.netrc` entries."""
    found: list[Found] = []
    if _command_like(view, needles):
        found.extend(_positional_spans(view, needles))
        if needles.credential and needles["password"] and needles["machine"]:
            found.extend(_netrc_spans(view, needles.lowered))
    if "|" in view or ("<" in view and "<<<" in view):
        found.extend(_stdin_spans(view, needles))
    return found


def _command_like(view: str, needles: Needles) -> bool:
    """Whether `view` may hold a command line or a configuration file: more than one line, a
    shell prompt or inline code, or a first word that is a command. (A paragraph of prose
    skips the look for the commands that take a password as an argument.)"""
    if "\n" in view or "`" in view:
        return True
    if ("$" in view and "$ " in view) or (">" in view and "> " in view):
        return True
    first = needles.lowered[:64].lstrip().split(" ", 1)[0]
    if first in _ARGUMENT_COMMANDS:
        return True
    # A command after another on the line: `cd /srv && net user backup pw /add`.
    if ";" in view or "|" in view or "&&" in view:
        return any(
            segment.lstrip().split(" ", 1)[0] in _ARGUMENT_COMMANDS
            for segment in _SEGMENTS.split(needles.lowered)
        )
    return False


def _positional_spans(view: str, needles: Needles) -> list[Found]:
    found = []
    for words, worded, pattern in _ARGUMENTS:
        if worded and not needles.credential:
            continue
        for word in words:
            if not needles[word]:
                continue
            at = needles.lowered.find(word)
            while at != -1:
                match = pattern.match(view, at)
                at = needles.lowered.find(word, at + 1)
                if match is None:
                    continue
                if "key" in pattern.groupindex and key_kind(_last_key(match["key"])) is None:
                    continue
                if words[0] == "auth " and not _redis_auth(view, match.start()):
                    continue
                span = shell_word(view, match.start("secret"))
                if span is not None and _credential(view, span):
                    found.append(Found(*span, KIND, Evidence.LABELLED))
    return found


def _credential(view: str, span: tuple[int, int]) -> bool:
    """A positional value is a credential unless it is a plain word out of quotes (`password
    debian` in a manual's example, `newpass`)."""
    value = view[span[0] : span[1]]
    if not usable(value):
        return False
    in_quotes = span[0] > 0 and view[span[0] - 1] in ("'", '"')
    return in_quotes or not (value.isalpha() and (value.islower() or value.istitle()))


def _redis_auth(view: str, at: int) -> bool:
    """Whether `AUTH` at `at` is Redis's command: typed at a Redis prompt or given to
    `redis-cli` on its line."""
    before = view[view.rfind("\n", 0, at) + 1 : at]
    return _REDIS_PROMPT.search(before) is not None


def _last_key(key: str) -> str:
    return re.split(r"[./:]", key.strip("\"'"))[-1] or key


# What reads a password or token from standard input when `echo`/`printf` pipes one in.
_STDIN_READERS = re.compile(
    r"sudo[ \t]+(?:-[A-Za-z]*S|--stdin)|--password-stdin|--with-token|--stdin|chpasswd|kinit"
    r"|cryptsetup|passwd|-passin[ \t]+stdin|vault[ \t]+login[ \t]+-(?:[ \t]|$)"
)
_BASIC_ENCODER = re.compile(r"\|[ \t]*(?:base64|openssl[ \t]+(?:base64|enc[ \t]+-base64))\b")
_ECHO = re.compile(r"(?:echo|printf)(?:[ \t]+-[neE]+)*[ \t]+")
_HERE_STRING = re.compile(r"<<<[ \t]*")


def _stdin_spans(view: str, needles: Needles) -> list[Found]:
    found = []
    if needles["echo"] or needles["printf"]:
        echoes = [_ECHO.match(view, at) for at in places(needles.lowered, "echo")]
        echoes += [_ECHO.match(view, at) for at in places(needles.lowered, "printf")]
        lines: dict[int, _Pipes] = {}
        for echo in echoes:
            if echo is None:
                continue
            span = _echoed(view, echo)
            if span is None:
                continue
            line_end = view.find("\n", span[1])
            line_end = len(view) if line_end == -1 else line_end
            pipes = lines.get(line_end)
            if pipes is None:
                line_start = view.rfind("\n", 0, span[1]) + 1
                pipes = lines[line_end] = _Pipes(view, line_start, line_end)
            pipe = view.find("|", span[1], line_end)
            if pipe == -1:
                continue
            if pipes.last_reader >= pipe:
                found.extend(_piped(view, span, pipes.last_chpasswd >= span[1]))
            elif pipes.last_encoder >= span[1] and _user_and_secret(view, span):
                found.extend(_piped(view, span, True))  # `echo -n 'u:pw' | base64`: Basic
    if "<" in view and "<<<" in view:
        # Where each line's first reader ends, found once a line: a line of a thousand `<<<`
        # must not search its own beginning a thousand times.
        reader_end: dict[int, int | None] = {}
        line_start = scanned = 0
        for here in _HERE_STRING.finditer(view):
            newline = view.rfind("\n", scanned, here.start())
            line_start, scanned = (line_start if newline == -1 else newline + 1), here.start()
            if line_start not in reader_end:
                line_end = view.find("\n", line_start)
                reader = _STDIN_READERS.search(
                    view, line_start, len(view) if line_end == -1 else line_end
                )
                reader_end[line_start] = None if reader is None else reader.end()
            end = reader_end[line_start]
            if end is not None and end <= here.start():
                span = shell_word(view, here.end())
                if span is not None:
                    found.extend(_piped(view, span, False))
    return found


class _Pipes:
    """Where the last reader of standard input, Basic encoder and `chpasswd` of a line start
    (-1: none): read once a line, since a line of a thousand `echo`s asks for each one's
    pipeline."""

    def __init__(self, view: str, start: int, end: int) -> None:
        self.last_reader = _last_start(_STDIN_READERS, view, start, end)
        self.last_encoder = _last_start(_BASIC_ENCODER, view, start, end)
        self.last_chpasswd = view.rfind("chpasswd", start, end)


def _last_start(pattern: re.Pattern[str], view: str, start: int, end: int) -> int:
    last = -1
    for match in pattern.finditer(view, start, end):
        last = match.start()
    return last


def _user_and_secret(view: str, span: tuple[int, int]) -> bool:
    """Whether an echoed value is `user:password` with a password that is no plain word."""
    user, colon, secret = view[span[0] : span[1]].partition(":")
    return bool(user and colon) and not secret.isalpha() and len(secret) >= 4


def _echoed(view: str, echo: re.Match[str]) -> tuple[int, int] | None:
    """What `echo` writes, or the value after `printf`'s format (`printf '%s\\n' 'pw'`: the view
    has decoded the format's `\\n`, so the format may run over a line)."""
    if view.startswith("printf", echo.start()):
        if view[echo.end() : echo.end() + 1] in ("'", '"'):
            format_span = quoted(view, echo.end(), multiline=True)
            format_end = format_span[1] + 1 if format_span is not None else 0
        else:
            format_span = shell_word(view, echo.end())  # `printf %s 'pw'`
            format_end = format_span[1] if format_span is not None else 0
        if format_span is not None and "%" in view[format_span[0] : format_span[1]]:
            return shell_word(view, skip_blanks(view, format_end))
    return shell_word(view, echo.end())


def _piped(view: str, span: tuple[int, int], user_first: bool) -> list[Found]:
    start, end = span
    if user_first:  # `echo 'user:password' | chpasswd`
        cut = view.find(":", start, end)
        start = cut + 1 if cut != -1 else start
    value = view[start:end]
    if not usable(value):
        return []
    return [Found(start, end, KIND, Evidence.LABELLED)]


# `.netrc`: `machine HOST login USER password PW`, on one line or several.
_NETRC_PASSWORD = re.compile(r"(?<![^\s])password[ \t]+(?P<secret>\S+)")
_NETRC_ENTRY = re.compile(
    r"(?<![^\s])(?:machine[ \t]+\S+|default)(?:\s+(?:login|account)[ \t]+\S+)*\s+\Z"
)


def _netrc_passwords(lowered: str) -> list[re.Match[str]]:
    found = []
    at = lowered.find("password")
    while at != -1:
        match = _NETRC_PASSWORD.match(lowered, at)
        if match is not None:
            found.append(match)
        at = lowered.find("password", at + 8)
    return found


def _netrc_spans(view: str, lowered: str) -> list[Found]:
    found = []
    for match in _netrc_passwords(lowered):
        context = view[max(0, match.start() - 300) : match.start()]
        if _NETRC_ENTRY.search(context) is None:
            continue
        span = match.span("secret")
        if _credential(view, span):
            found.append(Found(*span, KIND, Evidence.LABELLED))
    return found
