"""Secret detection as a classifier: per-class figures on the corpora, and its invariants."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.secrets import ClassScore, score
from tests.worker.sanitize_corpus.providers import ALL_TOKENS as TOKENS
from worker.sanitize import REDACTED, redact
from worker.sanitize.secrets import redact_built_in
from worker.sanitize.secrets.view import view_of

examples = settings(max_examples=300, deadline=None, database=None)

POSITIVE_CLASSES = (
    "assignment", "bare_entropy", "cli", "connection_string", "encoded", "hex_key", "obfuscated",
    "pair", "prefixed_token", "private_key", "prose_header", "statement",
)  # fmt: skip
# Public material and data: not one false positive is acceptable.
PUBLIC_CLASSES = (
    "public_key", "certificate", "hash", "uuid", "base64_data", "public_id", "ciphertext",
)  # fmt: skip


@pytest.fixture(scope="module")
def scores() -> dict[str, ClassScore]:
    return score()


@pytest.mark.parametrize("group", POSITIVE_CLASSES)
def test_each_class_of_secret_is_recalled_at_least_99_percent_of_the_time(
    scores: dict[str, ClassScore], group: str
) -> None:
    row = scores[group]
    assert row.positives >= 10
    assert row.recall is not None and row.recall >= 0.99, row.misses


@pytest.mark.parametrize("group", PUBLIC_CLASSES)
def test_public_keys_hashes_certificates_and_data_are_never_redacted(
    scores: dict[str, ClassScore], group: str
) -> None:
    row = scores[group]
    assert row.negatives >= 5
    assert row.false_positives == 0, row.misses


def test_placeholders_code_and_prose_about_credentials_stay_as_they_are(
    scores: dict[str, ClassScore],
) -> None:
    for group in ("placeholder", "code", "prose", "tool_output"):
        assert scores[group].false_positives == 0, scores[group].misses


# Any str at all: lone surrogates, NUL, C0 and C1 controls included.
any_text = st.text(st.characters(exclude_categories=()), max_size=300)
_FRAGMENTS = [
    "password", "token", "=", ": ", " is ", "\n", '"', "'", "&#", "&#x5f;", "\\u005f", "\\",
    "\uff3f", "\u200b", "AKIA", "ghp_", "sk-", "xoxb-", "://", "@", ";", "Bearer ", "Cookie: ",
    "a=b;", "-----BEGIN PRIVATE KEY-----\n", "AbC123xyZ", "0123456789abcdef", "+", "/",
    "[REDACTED]", "eyJ", ".", "hf_", "dop_v1_", "1//0", "Q~", ":AA", "-us1",
]  # fmt: skip
secretish_text = st.lists(
    st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=6)), max_size=40
).map("".join)
texts = st.one_of(any_text, secretish_text)


@examples
@given(texts)
def test_redaction_is_total_and_idempotent_on_any_text(text: str) -> None:
    once = redact_built_in(text)
    twice = redact_built_in(once.text)
    assert twice.text == once.text
    assert not twice.kinds


@examples
@given(texts)
def test_redaction_never_grows_or_reorders_what_it_keeps(text: str) -> None:
    """What is not a marker is the input's own text, in order: nothing added, nothing moved."""
    stored = redact_built_in(text).text
    at = 0
    for piece in stored.split(REDACTED):
        found = text.find(piece, at)
        assert found != -1, piece
        at = found + len(piece)
    assert len(stored.replace(REDACTED, "")) <= len(text)


_SURROUNDINGS = [
    ("prose", "I pasted {t} into the chat by mistake.", "{t}"),
    ("code", 'client = Client("{t}")\n', "{t}"),
    ("json", '{{"note": "{t}", "n": 1}}', "{t}"),
    ("env", "\nSERVICE_KEY={t}\n", "{t}"),
    ("entity", "<p>{t}</p>", "entity"),
    ("json escape", '{{"k": "{t}"}}', "json escape"),
    ("split line", "pasted:\n{t}\ndone", "split"),
    ("full-width", "copied: {t} ok", "full-width"),
]


def _obfuscate(token: str, how: str, rnd: random.Random) -> str:
    at = rnd.randrange(4, len(token) - 4)
    if how == "entity":
        return token[:at] + f"&#{ord(token[at])};" + token[at + 1 :]
    if how == "json escape":
        return token[:at] + f"\\u{ord(token[at]):04x}" + token[at + 1 :]
    if how == "split":
        return token[: len(token) // 2] + "\n" + token[len(token) // 2 :]
    if how == "full-width" and token[at].isalnum():
        return token[:at] + chr(ord(token[at]) + 0xFEE0) + token[at + 1 :]
    return token


@examples
@given(
    st.sampled_from(sorted(TOKENS)),
    st.integers(min_value=0, max_value=2**32),
    st.sampled_from(_SURROUNDINGS),
    st.text(st.sampled_from("abcdefghij klmnop.,\n"), max_size=60),
    st.text(st.sampled_from("abcdefghij klmnop.,\n"), max_size=60),
)
def test_a_secret_of_any_format_anywhere_is_redacted(
    kind: str,
    seed: int,
    surrounding: tuple[str, str, str],
    before: str,
    after: str,
) -> None:
    # The fake is made from a seed (drawing each character from Hypothesis would make every
    # example huge); Hypothesis explores seeds, formats, places and surroundings.
    rnd = random.Random(seed)
    token = rnd.choice(TOKENS[kind])(rnd)
    _name, template, how = surrounding
    shown = token if how == "{t}" else _obfuscate(token, how, rnd)
    text = before + " " + template.format(t=shown) + " " + after
    stored = redact_built_in(text).text
    seen = view_of(stored).text.replace("\n", "")
    assert token not in seen
    assert token[: len(token) // 2] not in stored or token[len(token) // 2 :] not in stored


@pytest.mark.parametrize(
    "text",
    [
        # Found by the generators; kept as named cases.
        "\ud800AKIA" + "IOSFODNN7EXAMPLE",
        "password=\x00",
        "a&#x5f;&#x5f;" * 20,
        "x" * 12 + "\n" + "y" * 12,
    ],
)
def test_named_cases_redact_to_a_fixed_point(text: str) -> None:
    once = redact(text).text
    assert redact(once).text == once


@pytest.mark.parametrize(
    "token",
    [
        # Found by the generator: random letters form long lowercase runs that once read as words.
        "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",
    ],
)
def test_a_prefixed_token_of_random_letters_only_is_redacted(token: str) -> None:
    stored = redact_built_in(f"I pasted {token} into the chat by mistake.").text
    assert token not in stored and "[REDACTED]" in stored
