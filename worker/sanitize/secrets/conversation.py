"""Credentials given in conversation: a user and a password, a reply to a question for one.

- "log in with admin / X", "creds: deploy:X", "u/p: admin/X", "sign in with ops / X";
- the lone word that answers a question for a credential on the line before it
  ("[14:02] <dave> whats the db pass again" / "[14:02] <erin> X").
"""

from __future__ import annotations

import re

from worker.sanitize.secrets.needles import Needles
from worker.sanitize.secrets.prose_values import KIND, TRAILING, is_secret, next_word
from worker.sanitize.secrets.spans import Evidence, Found

# What opens a user and a password: `_USER_AND_PASSWORD`'s first words, as needles.
# Grouped by a word each holds, asked first: one scan where the group is absent.
_LOGINS = {
    "log": ("login", "log in", "log-in", "logon", "log on"),
    "sign": ("signin", "sign in", "sign-in"),
    "ssh in": ("ssh in",),
}


def logins(needles: Needles) -> list[str]:
    """The login words (`login`, `log in`, `sign in`, `ssh in`, ...) the text holds."""
    return [
        login
        for word, group in _LOGINS.items()
        if needles[word]
        for login in group
        if needles[login]
    ]


# A user and a password: "log in with admin / X", "creds are admin:X", "login: admin / X",
# "ssh in as ops / X".
_USER_AND_PASSWORD = re.compile(
    r"(?:log[ -]?(?:in|on)|sign[ -]?in|ssh in|creds|credentials|u/p|user/pass(?:word)?)"
    r"(?:[ \t]+\w+){0,5}?[ \t]*(?:with|as|are|is|:|=)[ \t]*[\w.@+-]{1,40}[ \t]*[/:][ \t]*"
    r"(?P<secret>[^\s\"'`]{3,100})"
)
_QUESTION = re.compile(r"(?i)\?|\b(?:what|whats|what's|wats|send|share|give|need|again)\b")
_CHAT_PREFIX = re.compile(
    r"[ \t]*(?:\[[^\]\n]{1,24}\][ \t]*)?(?:<[^>\n]{1,32}>|[\w.-]{1,32}:|>)?[ \t]*"
)
_REPLY = re.compile(r"([^\s]{6,100})[ \t]*(?=\r?\n|\Z)")


def user_password_spans(view: str, needles: Needles) -> list[Found]:
    found: list[Found] = []
    for needle in (*logins(needles), "cred", "u/p", "user/pass"):
        if not needles[needle]:
            continue
        at = needles.lowered.find(needle)
        while at != -1:
            match = _USER_AND_PASSWORD.match(needles.lowered, at)
            at = needles.lowered.find(needle, at + 1)
            if match is None:
                continue
            start, end = match.span("secret")
            while end > start and view[end - 1] in TRAILING:
                end -= 1
            value = view[start:end]
            if is_secret(value, False, True, False, next_word(view, match.end())):
                found.append(Found(start, end, KIND, Evidence.MENTIONED))
    return found


def chat_reply_spans(view: str, nouns: list[re.Match[str]]) -> list[Found]:
    """A lone word answering a question for a credential (one of `nouns`) on the line before."""
    found = []
    for noun in nouns:
        line_start = view.rfind("\n", 0, noun.start()) + 1
        line_end = view.find("\n", noun.end())
        if line_end == -1 or not _QUESTION.search(view, line_start, line_end):
            continue
        next_end = view.find("\n", line_end + 1)
        next_end = len(view) if next_end == -1 else next_end
        prefix = _CHAT_PREFIX.match(view, line_end + 1, next_end)
        reply = _REPLY.match(view, prefix.end() if prefix else line_end + 1, next_end)
        if reply is not None and is_secret(reply[1], False, True, True, ""):
            found.append(Found(*reply.span(1), KIND, Evidence.MENTIONED))
    return found
