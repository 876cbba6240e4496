"""Texts made to be slow: close reading within a budget, the coarse rule past it, no secret lost."""

from __future__ import annotations

import string
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.worker.sanitize_corpus import BENIGN_FILES, entries
from worker.sanitize import redact, sanitize
from worker.sanitize.secrets import dense
from worker.sanitize.secrets.entropy import looks_random
from worker.sanitize.secrets.needles import BUDGET_BASE, BUDGET_CHARS_PER_PLACE, Needles
from worker.sanitize.secrets.spans import Found

CORPUS_FILES = (
    *BENIGN_FILES,
    "secrets_positive.txt",
    "syntax_positive.txt",
    "generated_positive.txt",
    "secrets_negative.txt",
    "syntax_negative.txt",
    "generated_negative.txt",
)
LABELS = ["password", "passwd", "api_key", "secret", "pwd", "SECRET_KEY", "token", "DB_PASSWORD"]
SEPARATORS = ["={}", ": {}", '="{}"', "='{}'", '"{}": "{}"', " = {}", " is {}"]
FILLERS = [" ", "\n", "; ", ", ", " and ", "\n# note\n"]


@contextmanager
def recording_coarse_reads() -> Iterator[list[str]]:
    """The texts the coarse rule is asked to read while the block runs."""
    read: list[str] = []
    original: Callable[[str, Needles], list[Found]] = dense.labelled_values

    def recording(view: str, needles: Needles) -> list[Found]:
        read.append(view)
        return original(view, needles)

    dense.labelled_values = recording
    try:
        yield read
    finally:
        dense.labelled_values = original  # type: ignore[assignment]


@pytest.fixture
def coarse_reads() -> Iterator[list[str]]:
    with recording_coarse_reads() as read:
        yield read


def test_no_text_of_the_corpora_is_read_by_the_coarse_rule(coarse_reads: list[str]) -> None:
    count = 0
    for file_name in CORPUS_FILES:
        for entry in entries(file_name):
            sanitize(entry.text)
            count += 1
    assert count > 1_500
    assert coarse_reads == []


# Values any close rule takes for a secret after any of the labels: long, random, mixed (and
# not `0x...`: after `key` or `token` that is a fingerprint or an address).
secret_values = st.text(string.ascii_letters + string.digits, min_size=20, max_size=32).filter(
    lambda value: (
        looks_random(value)
        and not value.lower().startswith("0x")
        and any(c.isdigit() for c in value)
        and any(c.isupper() for c in value)
        and any(c.islower() for c in value)
    )
)


@st.composite
def labelled_texts(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A text of `count` labelled secrets, few or far too many for close reading."""
    count = draw(st.one_of(st.integers(1, 6), st.integers(150, 400)))
    values = draw(st.lists(secret_values, min_size=count, max_size=count))
    pieces = []
    for value in values:
        label = draw(st.sampled_from(LABELS))
        separator = draw(st.sampled_from(SEPARATORS))
        filler = draw(st.sampled_from(FILLERS))
        if separator.startswith('"{}"'):
            pieces.append(separator.format(label, value) + filler)
        else:
            pieces.append(label + separator.format(value) + filler)
    return "".join(pieces), values


@settings(max_examples=60, deadline=None, database=None)
@given(labelled_texts())
def test_every_labelled_secret_goes_whether_read_closely_or_coarsely(
    case: tuple[str, list[str]],
) -> None:
    text, values = case
    stored = redact(text).text
    assert [value for value in values if value in stored] == []


@settings(max_examples=40, deadline=None, database=None)
@given(labelled_texts())
def test_a_text_with_few_labels_is_read_closely(case: tuple[str, list[str]]) -> None:
    text, values = case
    with recording_coarse_reads() as read:
        redact(text)
    budget = BUDGET_BASE + len(text) // BUDGET_CHARS_PER_PLACE
    if len(values) * 3 <= budget:
        assert read == []


@pytest.mark.parametrize(
    "unit", ["pw=", "api_key=", "password=", "key: ", "secret=x ", "token='x' ", "pin="]
)
def test_a_text_of_nothing_but_labels_is_read_coarsely(coarse_reads: list[str], unit: str) -> None:
    # The shapes that cost 20-50 ms a 5,000-character field when every label was read closely.
    text = (unit * (5000 // len(unit) + 1))[:5000]
    result = sanitize(text)
    assert coarse_reads
    assert result.secrets_found
    assert sanitize(result.text).text == result.text


def test_past_the_budget_a_placeholder_goes_too(coarse_reads: list[str]) -> None:
    # The price of the coarse rule: what close reading keeps (a placeholder) is redacted.
    text = "password=YOUR_PASSWORD\n" * 300
    stored = redact(text).text
    assert coarse_reads
    assert "YOUR_PASSWORD" not in stored
    assert redact("password=YOUR_PASSWORD\n" * 3).text == "password=YOUR_PASSWORD\n" * 3


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        # Found by the generator above. A value then a second assignment was read as a type.
        (
            "password: A000000000112234567a password = 000000000112234567Aa",
            "password: [REDACTED] password = [REDACTED]",
        ),
        # Settings side by side, and an env variable inside a line, were no assignments.
        (
            "password=000000000112234567Aa DB_PASSWORD=000000000112234567Aa password: X9kQ2mL7pq",
            "password=[REDACTED] DB_PASSWORD=[REDACTED] password: [REDACTED]",
        ),
        ("then DB_PASSWORD=000000000112234567Aa and", "then DB_PASSWORD=[REDACTED] and"),
        # A code name in a sentence was skipped by the nouns and by the assignments.
        ("DB_PASSWORD is Wq8rT2vLp0xZ", "DB_PASSWORD is [REDACTED]"),
    ],
)
def test_labelled_values_the_generator_found(text: str, stored: str) -> None:
    assert redact(text).text == stored
