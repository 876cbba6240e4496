"""Credentials given in sentences and chat: "the pass is X", "log in with admin / X", "Passwort: X".

Found from the credential noun (`password`, `passphrase`, `pw`, `pin`, `pass`, `creds`, `key`,
`token`, `secret`, and the word for password in other languages: `mot de passe`,
`Passwort`, `contraseña`, `パスワード`, `пароль`, `密码`, ...), then what links it to a value:
- a verb or sign: `is`, `was`, `'s`, `are`, `is now`, `:`, `=`, `→` ("the password's X",
  "passphrase for the backup key: X", "PIN/password for the laptop = X", "Passwort: X");
- `to` after set/reset/change ("reset their password to X", "set it ... password to X");
- a parenthesis ("admin password (currently X)");
- nothing at all, when the value could be nothing but a password ("bank pw Welcome@123",
  "user ops-ro password Ch@ngeMe2023!");
- a user and a password, and the reply to a question for one: `conversation.py`.

Sentences that talk about credentials must stay as they are, so the value is judged
(`prose_values.py`): the words a sentence goes on with are no secret.
"""

from __future__ import annotations

import re

from worker.sanitize.secrets.conversation import chat_reply_spans, logins, user_password_spans
from worker.sanitize.secrets.needles import Needles, places
from worker.sanitize.secrets.prose_values import KIND, is_secret, value_at
from worker.sanitize.secrets.spans import Evidence, Found

_STRONG_NOUNS = frozenset(
    ("password", "passwd", "passphrase", "passcode", "pass", "pw", "pwd", "pin", "creds")
)
# Credential nouns in the lower-cased text, English and other languages written in ASCII.
_NOUN = re.compile(
    r"(?:pass(?:word|wd|phrase|code)?s?|pwd|pw|pin|creds|credentials|api[ _-]?key"
    r"|access[ _-]?key|secret[ _-]?key|private[ _-]?key|token|secret|key|(?P<foreign>mot de passe"
    r"|passwort|kennwort|contrasena|senha|wachtwoord|haslo|losenord|adgangskode|passord"
    r"|salasana|sifre|heslo|geslo|lozinka|kata sandi|kata laluan"
    # Spelt with letters the ASCII view holds as `?`: contraseña, lösenord, hasło, mật khẩu, ...
    r"|contrase\?a|l\?senord|has\?o|m\?t kh\?u|jelsz\?|parol\?))(?![a-z0-9_])"
)
# The word for password in scripts and accents the lower-cased ASCII view does not keep.
_FOREIGN_NOUN = re.compile(
    r"пароль|Пароль|ПАРОЛЬ|密码|密碼|口令|パスワード|暗証番号|비밀번호|암호|รหัสผ่าน|كلمة المرور"
    r"|סיסמה|κωδικός|Κωδικός|şifre|Şifre"
)
# Where a noun can start: every alternative of `_NOUN` holds one of these.
# (`mot de passe`, `Passwort` and `passord` are found from `pass`.)
_NEEDLES = (
    *("pass", "pw", "pin", "cred", "key", "token", "secret", "kennwort", "wachtwoord", "senha"),
    *("adgangskode", "salasana", "heslo", "geslo", "lozinka", "kata "),
    *("contrase", "senord", "has?o", "kh?u", "jelsz", "parol?"),
)
_ASCII_ONLY = _NEEDLES[:10]
_LED = frozenset(("key", "pass"))
_MOT_DE = "mot de "
_LEAD_ENDS = frozenset(" _-ietc")  # how `api `, `apikey`, `access`, `secret`, `private` end
_LEADS = re.compile(r"(?:(?:api|access|secret|private)[ _-]?|mot de )\Z")
# A plain word right after a noun, and the words that may still link it to a value.
_PLAIN_NEXT = re.compile(r"[ \t]+([a-z]+)(?=[\s.,;!?]|\Z)")
_LINK_WORDS = frozenset(
    (
        *("is", "was", "are", "were", "to", "for", "of", "on", "in", "at", "from", "will"),
        *("est", "ist", "es", "er", "jest", "je", "currently", "du", "de", "des", "pour"),
        *("von", "del", "para", "do", "da"),
    )
)
# What follows a noun that a link can start with.
_LINK_STARTS = frozenset(" \t:=('\u2019-\u2192")
# Before a noun: what makes it part of a name (`user_password`, `fcm.server.key`, `x-api-key`).
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_.-$@:")
# Words before `key` or `token` that make it no credential (`public key`, `primary key`).
_NOT_CREDENTIAL = frozenset(
    (
        *("public", "publishable", "primary", "foreign", "sort", "partition", "cache", "unique"),
        *("composite", "hash", "index", "lookup", "map", "dict", "registry", "shortcut", "hot"),
        *("keyboard", "idempotency", "object", "s3", "bucket", "from", "csrf", "refresh", "page"),
        *("next", "continuation", "cursor", "pagination", "sync", "music", "answer"),
        *("signing", "gpg", "gnupg", "pgp", "ssh", "host", "release", "archive", "repo"),
        *("upstream", "key", "verification", "trusted", "encryption"),
    )
)
# `pass` is a verb ("pass --flag to ld") unless a word before makes it the noun ("the db pass").
_PASS_OWNERS = frozenset(
    (
        *("the", "my", "your", "our", "their", "his", "her", "its", "db", "database", "wifi"),
        *("admin", "root", "sudo", "user", "new", "old", "temp", "temporary", "default", "ftp"),
        *("ssh", "vpn", "server", "account", "login", "mysql", "postgres", "redis", "router"),
    )
)
# What may stand between the noun and its link: "for user 'reporting'", "for the backup key".
_QUALIFIER = re.compile(
    r"(?:[ \t]+(?:for|to|of|on|in|at|from|du|de|des|pour|f\u00fcr|fuer|von|del|para|do|da)"
    r"(?:[ \t]+(?!(?:is|was|are|were|est|ist|es)\b)"
    r"(?:[\w@/-]+(?:\.[\w@/-]+)*|'[^'\n]{1,40}'|\"[^\"\n]{1,40}\")){1,4})?"
)
_LINKS = (
    r"(?P<sign>[ \t]*(?:\([^()\n]{{1,40}}\)[ \t]*)?(?:[:=]|->|=>|\u2192)[ \t]*)"
    r"|(?P<verb>(?:'s|\u2019s|{space}(?:is now|is still|will be|is|was|are|were{latin})"
    r"(?![a-z]){cjk})"
    r"[ \t]*:?[ \t]*[\u300c\u300e]?)"
    r"|(?P<to>[ \t]+to[ \t]+)"
    r"|(?P<paren>[ \t]*\((?:currently|now|still|was|is|it's|it is)?:?[ \t]*)"
    r"|(?P<bare>[ \t]+)"
)
_LINK = re.compile(_LINKS.format(space=r"[ \t]+", latin="", cjk=""), re.IGNORECASE)
# Other languages' "is" (`le mot de passe est X`, `das Passwort ist X`, `パスワードはX`), and
# a few words between the noun and `:` (`Пароль от сервера: X`).
_FOREIGN_LINK = re.compile(
    _LINKS.format(
        space=r"[ \t]+",
        latin="|est|ist|es|é|è|är|er|jest|je|on|\u00e9",
        cjk="|[ \t]*(?:は|是|为|為)",
    ).replace(r"(?P<sign>[ \t]*", r"(?P<sign>(?:[ \t]+[^\s:=]{1,20}){0,3}[ \t]*", 1),
    re.IGNORECASE,
)
_SETTING_VERB = re.compile(r"(?i)\b(?:set|reset|change|changed|update|updated|rotate|rotated)\b")
_WORD_BEFORE = re.compile(r"([a-z0-9]+)[ \t]+\Z")


def prose_spans(view: str, needles: Needles) -> list[Found]:
    """Credentials given in sentences."""
    found: list[Found] = []
    lowered = needles.lowered
    nouns = _nouns(needles, view.isascii())
    for noun in nouns:
        start, end = noun.span()
        if start and lowered[start - 1] in _NAME_CHARS:
            continue  # part of a name: an identifier or a key (assignments read those)
        following = lowered[end : end + 1]
        if following not in _LINK_STARTS:
            continue  # `password_hash`, `token.`: no link can follow
        if following in ":=" and noun["foreign"] is None and _keyed(lowered, start):
            continue  # `"password": ...`, `password = ...`: an assignment, read as one
        plain = _PLAIN_NEXT.match(lowered, end)
        if plain is not None and plain[1] not in _LINK_WORDS:
            continue  # "password policy", "token represents": a word that links to nothing
        word = noun[0]
        strong = _strong(word) or noun["foreign"] is not None
        previous = _previous_word(lowered, start)
        if not strong and previous in _NOT_CREDENTIAL:
            continue
        if word == "pass" and previous not in _PASS_OWNERS:
            continue  # "pass --flag to ld", "pass in a list": the verb
        links = _FOREIGN_LINK if noun["foreign"] is not None else _LINK
        needles.spend()
        span = _linked_value(view, start, end, strong or " " in word, links)
        if span is not None and word in ("creds", "credentials"):
            colon = view.find(":", *span)  # "creds are root:pw": the password is the secret
            span = (colon + 1, span[1]) if colon != -1 else span
        if span is not None and (word != "pin" or view[span[0] : span[1]].isdigit()):
            found.append(Found(*span, KIND, Evidence.MENTIONED))
    if not view.isascii():
        for foreign in _FOREIGN_NOUN.finditer(view):
            span = _linked_value(view, foreign.start(), foreign.end(), True, _FOREIGN_LINK)
            if span is not None:
                found.append(Found(*span, KIND, Evidence.MENTIONED))
    if needles.credential and (needles[" is "] or needles[" was "]):
        found.extend(_named_spans(view, needles))
    if ("/" in view or ":" in view) and (needles.credential or logins(needles)):
        found.extend(user_password_spans(view, needles))
    if "\n" in view:
        found.extend(chat_reply_spans(view, [noun for noun in nouns if _strong(noun[0])]))
    return found


# A name ending in a credential noun, read backwards from the `is` after it (`DB_PASSWORD`,
# `auth-token`, `app.secret`): code's names in a sentence, which the nouns above skip.
_NAME_REVERSED = re.compile(
    r"(?P<noun>drowssap|dwssap|dwp|esarhpssap|nip|terces|nekot|yek)[_.-][a-z0-9_.-]*[a-z0-9]"
)
_NAME_PARTS = re.compile(r"[_.-]")


def _named_spans(view: str, needles: Needles) -> list[Found]:
    """Values that a name ending in a credential noun `is` (`DB_PASSWORD is X`)."""
    found: list[Found] = []
    lowered = needles.lowered
    for link in (" is ", " was "):
        for at in places(lowered, link) if needles[link] else ():
            name = _NAME_REVERSED.match(lowered[max(0, at - 64) : at][::-1])
            if name is None:
                continue
            words = _NAME_PARTS.split(lowered[at - name.end() : at])
            if words[-2] in _NOT_CREDENTIAL:
                continue  # `public_key`, `primary-key`, `cache.key`
            needles.spend()
            value = value_at(view, at + len(link))
            if value is None:
                continue
            start, end, in_quotes, after = value
            if is_secret(view[start:end], in_quotes, _strong(name["noun"][::-1]), False, after):
                found.append(Found(start, end, KIND, Evidence.MENTIONED))
    return found


def _nouns(needles: Needles, ascii_only: bool) -> list[re.Match[str]]:
    """The credential nouns of the text, found from needles with `str.find` (a regex search
    for the alternation would step through every character of the text). The words for
    password in other languages but `Passwort`, `passord` and `mot de passe` are looked for
    in text that is not all ASCII only: it is where they are written."""
    lowered = needles.lowered
    found: list[tuple[int, int, re.Match[str]]] = []
    for needle in _NEEDLES if not ascii_only else _ASCII_ONLY:
        if not needles[needle]:
            continue
        led = needle in _LED
        at = lowered.find(needle)
        while at != -1:
            start = at
            before = lowered[at - 1] if at else ""
            # `key` may end `api key`, `access key`, `secret key`, `private key`; `pass`
            # may end `mot de passe`.
            if led and before in _LEAD_ENDS:
                lead = _LEADS.search(lowered, max(0, at - 8), at)
                if lead is not None:
                    start = lead.start()
                    before = lowered[start - 1] if start else ""
            if before not in _NAME_CHARS:  # else part of a name, an identifier or a key
                noun = _NOUN.match(lowered, start)
                if noun is not None and noun.end() > at:
                    found.append((start, -noun.end(), noun))
            at = lowered.find(needle, at + 1)
    if len(found) > 1:
        found.sort(key=_noun_order)
    kept: list[re.Match[str]] = []
    for start, _end, noun in found:
        if not kept or start >= kept[-1].end():
            kept.append(noun)  # `key` inside `api key` is the same noun
    return kept


def _noun_order(entry: tuple[int, int, re.Match[str]]) -> tuple[int, int]:
    return entry[0], entry[1]


def _keyed(lowered: str, start: int) -> bool:
    """Whether a noun right before `:` or `=` opens its line or a quoted key: a key."""
    before = lowered[max(0, start - 40) : start]
    line = before[before.rfind("\n") + 1 :]
    return not line.strip() or line.endswith(("'", '"'))


def _strong(noun: str) -> bool:
    return noun in _STRONG_NOUNS or (noun[-1] == "s" and noun[:-1] in _STRONG_NOUNS)


def _previous_word(lowered: str, at: int) -> str:
    match = _WORD_BEFORE.search(lowered, max(0, at - 24), at)
    return match[1] if match is not None else ""


def _linked_value(
    view: str, start: int, end: int, strong: bool, links: re.Pattern[str]
) -> tuple[int, int] | None:
    """The value linked to the noun at [start, end), right after it or after a qualifier."""
    span = _value_after(view, start, end, end, strong, links)
    if span is None:
        qualifier = _QUALIFIER.match(view, end)
        if qualifier is not None and qualifier.end() > end:
            span = _value_after(view, start, qualifier.end(), end, strong, links)
    return span


def _value_after(
    view: str, start: int, at: int, noun_end: int, strong: bool, links: re.Pattern[str]
) -> tuple[int, int] | None:
    link = links.match(view, at)
    if link is None or (link.lastgroup == "bare" and at != noun_end):
        return None
    if (
        link.lastgroup == "sign"
        and not strong
        and not view[view.rfind("\n", 0, start) + 1 : start].strip()
    ):
        return None  # `key: ...` opening a line: configuration, which assignments read
    value = value_at(view, link.end())
    if value is None:
        return None
    vstart, vend, in_quotes, after = value
    kind = link.lastgroup
    if kind == "to" and not _SETTING_VERB.search(view, max(0, start - 60), start):
        return None
    if kind == "paren" and not view.startswith(")", vend):
        return None
    if not is_secret(view[vstart:vend], in_quotes, strong, kind == "bare", after):
        return None
    return vstart, vend
