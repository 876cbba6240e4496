"""The corpora: benign text kept, secrets redacted per class, look-alikes kept, attacks inert."""

from __future__ import annotations

import re

import pytest

from tests.worker.sanitize_corpus import Entry, entries
from worker.sanitize import Policy, sanitize
from worker.sanitize.markup import is_active_at
from worker.sanitize.richtext import FORMATTING_TAGS

_TAG_NAME = re.compile(r"</?([A-Za-z][^\s/>]*)")

BENIGN = [
    pytest.param(entry, id=f"{name}:{entry.name}")
    for name in ("benign_code.txt", "benign_markup.txt", "benign_prose.txt")
    for entry in entries(name)
]
SECRETS = [pytest.param(entry, id=entry.name) for entry in entries("secrets_positive.txt")]
LOOK_ALIKES = [pytest.param(entry, id=entry.name) for entry in entries("secrets_negative.txt")]
ATTACKS = [pytest.param(entry, id=entry.name) for entry in entries("attack_vectors.txt")]

SECRET_CLASSES = {
    "aws_access_key",
    "aws_secret_key",
    "github_token",
    "github_fine_grained_token",
    "openai_key",
    "anthropic_key",
    "slack_token",
    "slack_webhook",
    "stripe_key",
    "google_api_key",
    "jwt",
    "bearer_token",
    "authorization_header",
    "connection_string",
    "url_credentials",
    "secret_assignment",
    "private_key",
    "base64_blob",
}


@pytest.mark.parametrize("entry", BENIGN)
def test_benign_code_markup_and_prose_are_stored_byte_for_byte(entry: Entry) -> None:
    result = sanitize(entry.text)
    assert result.text == entry.text
    assert not result.changed
    assert result.secrets_found == ()
    assert not result.markup_neutralized


@pytest.mark.parametrize("entry", SECRETS)
def test_each_secret_is_replaced_by_the_marker_and_its_kind_is_reported(entry: Entry) -> None:
    result = sanitize(entry.text)
    assert result.text == entry.expected
    assert result.secrets_found == tuple(entry.name.split())
    assert result.changed


def test_the_secret_corpus_covers_every_class() -> None:
    covered = {kind for entry in entries("secrets_positive.txt") for kind in entry.name.split()}
    assert covered == SECRET_CLASSES


@pytest.mark.parametrize("entry", SECRETS)
def test_no_redacted_secret_survives_anywhere_in_the_stored_text(entry: Entry) -> None:
    stored = sanitize(entry.text).text
    assert entry.expected is not None
    removed = set(entry.text.split()) - set(entry.expected.split())
    for word in removed:
        assert word not in stored


@pytest.mark.parametrize("entry", LOOK_ALIKES)
def test_prose_and_look_alikes_of_secrets_are_left_exactly_as_they_are(entry: Entry) -> None:
    result = sanitize(entry.text)
    assert result.text == entry.text
    assert result.secrets_found == ()


@pytest.mark.parametrize("entry", ATTACKS)
def test_a_faithfully_sanitized_attack_has_no_active_markup_left_and_sanitizes_to_itself(
    entry: Entry,
) -> None:
    stored = sanitize(entry.text).text
    assert not any(is_active_at(stored, at) for at, char in enumerate(stored) if char == "<")
    assert sanitize(stored).text == stored


@pytest.mark.parametrize("entry", ATTACKS)
def test_an_attack_stored_as_rich_text_keeps_only_formatting_tags_and_sanitizes_to_itself(
    entry: Entry,
) -> None:
    stored = sanitize(entry.text, policy=Policy.HTML).text
    assert {name.lower() for name in _TAG_NAME.findall(stored)} <= FORMATTING_TAGS
    assert sanitize(stored, policy=Policy.HTML).text == stored


@pytest.mark.parametrize("entry", ATTACKS)
def test_a_faithfully_sanitized_attack_keeps_its_text_readable(entry: Entry) -> None:
    stored = sanitize(entry.text).text
    # Only `<` is ever escaped, so unescaping those gives the submitted text back.
    assert stored.replace("&lt;", "<") == entry.text.replace("&lt;", "<")
