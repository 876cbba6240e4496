"""One class of secret as data (pattern, prefilter, checks), and redacting it from a text."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from worker.sanitize.draft import REDACTED, Findings
from worker.sanitize.vocabulary import is_placeholder

Accept = Callable[[re.Match[str]], bool]


@dataclass(frozen=True, slots=True)
class Rule:
    """One secret class: where it may be (needles), what it is (pattern), what to replace."""

    kind: str
    pattern: re.Pattern[str]
    needles: tuple[str, ...] = ()
    # Characters that must all occur (a memchr each): checked before the slower needles.
    requires: str = ""
    token_shaped: bool = True
    secret_group: int | str = 0
    accept: Accept | None = None
    kind_of: Callable[[re.Match[str]], str] | None = None


def redact_rule(rule: Rule, text: str) -> Findings:
    """`text` with every secret of `rule` replaced by the marker, and whether any was."""
    kinds: set[str] = set()
    group = rule.secret_group

    def replace(match: re.Match[str]) -> str:
        secret = match[group]
        if secret is None or secret == REDACTED:
            return match[0]
        if rule.accept is not None and not rule.accept(match):
            return match[0]
        if group != 0 and is_placeholder(secret):
            return match[0]
        kinds.add(rule.kind_of(match) if rule.kind_of is not None else rule.kind)
        if group == 0:
            return REDACTED
        start, end = match.span(group)
        whole_start = match.start()
        return match[0][: start - whole_start] + REDACTED + match[0][end - whole_start :]

    redacted = rule.pattern.sub(replace, text)
    return Findings(redacted, frozenset(kinds)) if kinds else Findings(text)
