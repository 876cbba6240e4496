"""Credentials given to command-line flags (arguments and stdin are `arguments.py`'s).

- long flags named for a credential, value after a space (`--password 'x'`, `--api-key x`,
  `-storepass x`); `--password=x` is an assignment (`assignments.py`);
- short flags of the commands that take a password or token with one (`mysql -px`,
  `docker login -p x`, `sshpass -p x`, `redis-cli -a x`, `sqlcmd -P x`, `ldapsearch -w x`,
  `openssl -passin pass:x`, `ssh-keygen -N x`), and `user:password` ones (`curl -u`,
  `http -a`, `smbclient -U user%password`, `lftp -u user,password`);
- arguments that are the credential: `net user name pw`, `htpasswd -b file user pw`,
  `mysqladmin password pw`, `rabbitmqctl add_user user pw`, `AUTH pw`, `requirepass pw`,
  `<tool> config set <credential key> <value>`;
- what `echo`/`printf` pipes (or `<<<` feeds) into `sudo -S`, `--password-stdin`, `chpasswd`...
- `.netrc` entries: `machine host login user password pw`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

from worker.sanitize.secrets.arguments import KIND as _KIND
from worker.sanitize.secrets.arguments import argument_spans
from worker.sanitize.secrets.needles import Needles
from worker.sanitize.secrets.spans import Evidence, Found
from worker.sanitize.secrets.values import shell_word, skip_blanks, usable
from worker.sanitize.vocabulary import key_kind

# A flag after a space: its name, and what separates it from its value.
_FLAGS_AFTER = {
    blank: re.compile(blank + r"-(-?)([A-Za-z][A-Za-z0-9_.-]*)") for blank in (" ", "\t")
}
# Single-dash long flags whose value is a password (Java's keytool, OpenSSL).
_DASH_FLAGS = frozenset(
    (
        *("storepass", "keypass", "srcstorepass", "deststorepass", "srckeypass", "destkeypass"),
        *("passin", "passout", "pass", "password", "passphrase", "token"),
    )
)
# Long flags whose value is a secret though their name does not say so.
_DOUBLE_FLAGS = frozenset(("oauth2-bearer", "body", "access-token", "secret-string"))
# Short flags that take a secret, by command, and how their value is given: glued to the flag
# only (`mysql -pX`: `mysql -p X` prompts, and `X` is the database), after a space only (tools
# whose single-dash options are words: `openssl -key file` is no `-k`), or either (getopt).
_GLUED, _SPACED, _EITHER = "glued", "spaced", "either"
_SHORT_BY_COMMANDS: tuple[tuple[str, dict[str, str]], ...] = (
    ("mysql mysqldump mysqladmin mysqlimport mysqlcheck mysqlshow mariadb 7z 7za", {"p": _GLUED}),
    ("sshpass rdesktop", {"p": _EITHER}),
    ("mongo mongosh mongodump mongorestore mongoexport mongoimport", {"p": _SPACED}),
    ("cqlsh psexec twine", {"p": _SPACED}),
    ("redis-cli valkey-cli keydb-cli", {"a": _SPACED}),
    ("sqlcmd bcp osql isql", {"P": _EITHER}),
    ("zip unzip", {"P": _SPACED}),
    ("ldapsearch ldapmodify ldapadd ldapdelete ldapwhoami ldapcompare", {"w": _EITHER}),
    ("ldappasswd", {"w": _EITHER, "s": _EITHER}),
    ("ssh-keygen", {"N": _EITHER, "P": _EITHER}),
    ("openssl", {"k": _SPACED}),
    ("doctl", {"t": _SPACED}),
    ("gh", {"b": _SPACED}),
)
_SHORT: dict[str, dict[str, str]] = {
    command: flags for commands, flags in _SHORT_BY_COMMANDS for command in commands.split()
}
# Commands whose `-p`/`-u` mean a password only after a subcommand (`docker run -p` is a port).
_LOGIN_SHORT = frozenset(
    ("docker", "podman", "nerdctl", "buildah", "helm", "oras", "crane", "oc", "az", "cf")
)
# Flags whose value is `user:password` (or `user%password`, `user,password`).
_USER_FLAGS: dict[str, dict[str, str]] = {
    "curl": {"u": ":", "user": ":", "proxy-user": ":"},
    "http": {"a": ":", "auth": ":"},
    "https": {"a": ":", "auth": ":"},
    "wget": {"user": ":"},
    "smbclient": {"U": "%", "user": "%"},
    "lftp": {"u": ","},
    "skopeo": {"creds": ":"},
}
_SHORT_LETTERS = frozenset(
    "p"
    + "".join(letter for flags in _SHORT.values() for letter in flags)
    + "".join(letter for flags in _USER_FLAGS.values() for letter in flags if len(letter) == 1)
)
_USER_LONG = frozenset(name for flags in _USER_FLAGS.values() for name in flags if len(name) > 1)
_SEGMENT_LEAD = re.compile(
    r"[ \t]*(?:\$[ \t]+|#[ \t]+|>[ \t]+|PS [^>\n]*>[ \t]*)?(?:(?:sudo|env|time|exec|nohup)"
    r"(?:[ \t]+-[A-Za-z]+)*[ \t]+|[A-Z_][A-Z0-9_]*=[^\s]*[ \t]+)*"
)
_COMMAND = re.compile(r"(?:[^\s/]*/)*([A-Za-z0-9][A-Za-z0-9_.+-]*)")
_SECURE_TYPE = re.compile(r"(?i)--type[ \t=]+[\"']?SecureString")
_SEGMENT_BREAKS = re.compile(r"\|\||&&|[|;`\n]|\$\(")


def cli_spans(view: str, needles: Needles) -> list[Found]:
    """Command-line credentials in `view`."""
    found: list[Found] = []
    if "-" in view and (" -" in view or ("\t" in view and "\t-" in view)):
        found.extend(_flag_spans(view, needles.credential))
    found.extend(argument_spans(view, needles))
    return found


def command_of(view: str, at: int) -> tuple[str, int]:
    """The command (its base name) of the shell segment holding `at`, and where its arguments
    start; ("", at) when the segment opens with no command word."""
    segments = _segments(view)
    lead_end = segments.lead_end(bisect_right(segments.starts, at) - 1)
    if at <= lead_end:
        return "", at  # in the lead itself (`sudo -S`): no command word before `at`
    command = _COMMAND.match(view, lead_end, at)
    if command is None:
        return "", at
    return command[1], command.end()


class _Segments:
    """Where the shell segments of a text start (a line is a segment break too), and where
    each one's lead (prompt, `sudo`, `env`, variables) ends: found once a segment, since a
    line of a thousand flags asks for the command of each."""

    def __init__(self, view: str) -> None:
        self.view = view
        self.starts = [0, *(match.end() for match in _SEGMENT_BREAKS.finditer(view))]
        self._lead_ends: dict[int, int] = {}

    def lead_end(self, index: int) -> int:
        found = self._lead_ends.get(index)
        if found is None:
            start = self.starts[index]
            end = self.starts[index + 1] if index + 1 < len(self.starts) else len(self.view)
            lead = _SEGMENT_LEAD.match(self.view, start, end)
            found = self._lead_ends[index] = lead.end() if lead is not None else start
        return found


@lru_cache(maxsize=4)
def _segments(view: str) -> _Segments:
    return _Segments(view)


def _flag_spans(view: str, credential: bool) -> list[Found]:
    found = []
    # Found by a regex that opens with a literal, so that the minus signs of code (`a - 1`)
    # are passed over in C.
    for blank, pattern in _FLAGS_AFTER.items():
        if blank == " " or (blank in view and blank + "-" in view):
            for flag in pattern.finditer(view):
                dashes = "-" + flag[1]
                if _may_take_secret(dashes, flag[2], credential):
                    value = _flag_value(view, flag.start() + 1, dashes, flag[2])
                    if value is not None:
                        found.append(Found(*value, Evidence.LABELLED))
    return found


def _may_take_secret(dashes: str, name: str, credential: bool) -> bool:
    """A cheap first test: whether a flag of this name may take a secret in any command
    (no name names a credential in a text without a credential word)."""
    if len(dashes) == 2:
        lowered = name.lower()
        return (
            lowered in _DOUBLE_FLAGS
            or lowered == "value"
            or lowered in _USER_LONG
            or (credential and key_kind(name) is not None)
        )
    return name[0] in _SHORT_LETTERS or name.lower() in _DASH_FLAGS


def _flag_value(view: str, at: int, dashes: str, name: str) -> tuple[int, int, str] | None:
    """The span of the secret a flag gives and its kind (`curl -u user:pw` gives HTTP
    credentials, as a URL's userinfo does), or None."""
    after = at + len(dashes) + len(name)
    spaced = view[after : after + 1] in (" ", "\t")
    value_at = skip_blanks(view, after)
    if len(dashes) == 2:
        return _long_flag(view, at, name, value_at) if spaced else None  # `=`: assignments'
    if spaced and name.lower() in _DASH_FLAGS:
        return _kinded(_checked(view, value_at, True))
    # A short flag: its value glued (`-pSecret`, `-p'x'`, `-uuser:pw`) or after a space.
    glued = len(name) > 1 or view[after : after + 1] in ("'", '"')
    if not (glued or spaced):
        return None
    command = command_of(view, at)[0]
    value_at = at + 2 if glued else value_at
    separator = _USER_FLAGS.get(command, {}).get(name[0])
    if separator is not None:
        return _kinded(_user_secret(view, value_at, separator), "url_credentials")
    takes = _SHORT.get(command, {}).get(name[0])
    if takes is None and command in _LOGIN_SHORT and name == "p":
        takes = _SPACED if " login" in view[view.rfind("\n", 0, at) + 1 : at] else None
    if takes is None or takes == (_SPACED if glued else _GLUED):
        return None
    return _kinded(_checked(view, value_at, True))


def _kinded(span: tuple[int, int] | None, kind: str = _KIND) -> tuple[int, int, str] | None:
    return None if span is None else (*span, kind)


def _long_flag(view: str, at: int, name: str, value_at: int) -> tuple[int, int, str] | None:
    lowered = name.lower()
    if lowered in _USER_FLAGS.get(command_of(view, at)[0], {}):
        return _kinded(_user_secret(view, value_at, ":"), "url_credentials")
    if lowered == "body" and command_of(view, at)[0] != "gh":
        return None
    if lowered == "value":
        # `aws ssm put-parameter --type SecureString --value x`: a value stored as a secret.
        line_end = view.find("\n", at)
        line = view[view.rfind("\n", 0, at) + 1 : len(view) if line_end == -1 else line_end]
        return _kinded(_checked(view, value_at, True)) if _SECURE_TYPE.search(line) else None
    if lowered not in _DOUBLE_FLAGS and (key_kind(name) is None or lowered.endswith("auth")):
        return None  # `--mail-auth user@host`, `--proxy-auth basic`: not a secret's flag
    return _kinded(_checked(view, value_at, False))


def _checked(view: str, at: int, known_command: bool) -> tuple[int, int] | None:
    """The value at `at` if it is a credential: a value in quotes, or any word a known
    command's password flag takes, or a word that is not a plain one (the `--password` in
    "pass the --password flag" is prose)."""
    span = shell_word(view, at)
    if span is None:
        return None
    value = view[span[0] : span[1]]
    in_quotes = at < span[0]
    if value.startswith("pass:"):
        return (span[0] + 5, span[1]) if len(value) > 5 else None  # OpenSSL's `pass:<password>`
    if not usable(value) or value.startswith(("env:", "file:", "fd:", "stdin")):
        return None
    if "=" in value.rstrip("=") and not in_quotes:
        return None  # `--match-token NAME=value`: a setting
    if not (in_quotes or known_command) and not _password_like(value.rstrip(".,;:!?")):
        return None  # "the --password flag", `--change-passphrase user-id`: words, a name
    return span


def _password_like(value: str) -> bool:
    """Whether an unquoted word after a flag only named for a credential reads as one: digits,
    mixed case or symbols, not a plain or hyphenated word."""
    if value.replace("-", "").replace("_", "").replace(".", "").isalpha():
        return value.lower() != value and value.upper() != value and not value.istitle()
    return True


def _user_secret(view: str, at: int, separator: str) -> tuple[int, int] | None:
    span = shell_word(view, at)
    if span is None:
        return None
    cut = view.find(separator, span[0], span[1])
    if cut == -1 or not usable(view[cut + 1 : span[1]]):
        return None
    return cut + 1, span[1]
