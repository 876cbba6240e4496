"""The value that flows through the sanitizer's steps, and the one signature every step has."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

REDACTED = "[REDACTED]"


@dataclass(frozen=True, slots=True)
class Draft:
    """Text on its way to storage, with what the steps have done to it so far."""

    text: str
    secrets_found: frozenset[str] = frozenset()
    markup_neutralized: bool = False

    def redacted(self, text: str, kinds: Iterable[str]) -> Draft:
        return Draft(text, self.secrets_found.union(kinds), self.markup_neutralized)

    def neutralized(self, text: str) -> Draft:
        return Draft(text, self.secrets_found, True)

    def rewritten(self, text: str) -> Draft:
        return Draft(text, self.secrets_found, self.markup_neutralized)


@dataclass(frozen=True, slots=True)
class Findings:
    """What one redaction pass made of a text: the new text and the kinds of secret it replaced."""

    text: str
    kinds: frozenset[str] = frozenset()


# A step is pure: same draft in, same draft out; it returns its input when it has nothing to do.
Step = Callable[[Draft], Draft]


def run_steps(steps: Iterable[Step], draft: Draft) -> Draft:
    for step in steps:
        draft = step(draft)
    return draft
