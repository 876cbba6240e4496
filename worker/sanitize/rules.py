"""An operator's own secret pattern as data, and redacting it from a text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from worker.sanitize.draft import REDACTED, Findings
from worker.sanitize.vocabulary import is_placeholder


@dataclass(frozen=True, slots=True)
class Rule:
    """One extra secret class: what it is (pattern) and what of a match to replace."""

    kind: str
    pattern: re.Pattern[str]
    secret_group: int | str = 0


def redact_rule(rule: Rule, text: str) -> Findings:
    """`text` with every secret of `rule` replaced by the marker, and whether any was."""
    kinds: set[str] = set()
    group = rule.secret_group

    def replace(match: re.Match[str]) -> str:
        secret = match[group]
        if secret is None or secret == REDACTED:
            return match[0]
        if group != 0 and is_placeholder(secret):
            return match[0]
        kinds.add(rule.kind)
        if group == 0:
            return REDACTED
        start, end = match.span(group)
        whole_start = match.start()
        return match[0][: start - whole_start] + REDACTED + match[0][end - whole_start :]

    redacted = rule.pattern.sub(replace, text)
    return Findings(redacted, frozenset(kinds)) if kinds else Findings(text)
