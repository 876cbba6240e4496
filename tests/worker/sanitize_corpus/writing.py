"""Writing corpus entries: the entry format, the scanner break, the expected marker."""

from __future__ import annotations

from tests.worker.sanitize_corpus import BREAK

MARK = "[REDACTED]"

PROSE_WORDS = [
    *("alpha", "bravo", "charlie", "delta", "echo", "foxtrot"),
    *("golf", "hotel", "india", "juliet", "kilo", "lima"),
]


def broken(secret: str) -> str:
    return secret[:2] + BREAK + secret[2:] if len(secret) > 6 else secret


def entry(group: str, label: str, text: str, expected: str | None = None) -> str:
    lines = [f"=== {group} | {label}", text]
    if expected is not None:
        lines += ["--- expect", expected]
    return "\n".join(lines)


def fill(template: str, shown: str, stored: str = MARK) -> tuple[str, str]:
    return template.format(s=broken(shown)), template.format(s=stored)
