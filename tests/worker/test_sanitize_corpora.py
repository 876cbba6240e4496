"""The corpora: benign text kept, secrets redacted per class, look-alikes kept, attacks inert."""

from __future__ import annotations

import re

import pytest

from tests.worker.sanitize_corpus import BENIGN_FILES, Entry, entries
from worker.sanitize import Policy, redact, restore, sanitize
from worker.sanitize.markup import find_active
from worker.sanitize.richtext import FORMATTING_TAGS

_TAG_NAME = re.compile(r"</?([A-Za-z][^\s/>]*)")

BENIGN = [
    pytest.param(entry, id=f"{name}:{entry.name}")
    for name in BENIGN_FILES
    for entry in entries(name)
    if not entry.name.startswith("neutralized:")
]
# Benign text that is active pasted raw into a page: the price of safety, undone by restore.
BENIGN_BUT_ACTIVE = [
    pytest.param(entry, id=f"{name}:{entry.name}")
    for name in BENIGN_FILES
    for entry in entries(name)
    if entry.name.startswith("neutralized:")
]
SECRETS = [pytest.param(entry, id=entry.name) for entry in entries("secrets_positive.txt")]
LOOK_ALIKES = [pytest.param(entry, id=entry.name) for entry in entries("secrets_negative.txt")]


def kinds_of(entry: Entry) -> tuple[str, ...]:
    """The kinds an entry named `class | kind kind` expects, sorted."""
    return tuple(sorted(entry.name.partition("|")[2].split()))


ATTACKS = [pytest.param(entry, id=entry.name) for entry in entries("attack_vectors.txt")]

# The kinds the hand-written corpus covers; the generated corpus covers every provider format.
SECRET_KINDS = {
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
    "google_oauth_token",
    "jwt",
    "bearer_token",
    "authorization_header",
    "connection_string",
    "url_credentials",
    "secret_assignment",
    "private_key",
    "high_entropy_string",
    "npm_token",
    "huggingface_token",
    "gitlab_token",
    "sendgrid_key",
    "google_oauth_secret",
    "telegram_bot_token",
    "pypi_token",
    "digitalocean_token",
    "databricks_token",
    "azure_storage_key",
    "secret_in_prose",
    "session_cookie",
}


@pytest.mark.parametrize("entry", BENIGN)
def test_benign_code_markup_and_prose_are_stored_byte_for_byte(entry: Entry) -> None:
    result = sanitize(entry.text)
    assert result.text == entry.text
    assert not result.changed
    assert result.secrets_found == ()
    assert not result.markup_neutralized


@pytest.mark.parametrize("entry", BENIGN_BUT_ACTIVE)
def test_benign_text_that_is_active_raw_is_neutralized_and_restores_exactly(entry: Entry) -> None:
    result = sanitize(entry.text)
    assert result.markup_neutralized
    assert result.secrets_found == ()
    assert find_active(result.text) is None
    assert restore(result.text) == entry.text


def test_the_benign_corpus_holds_a_few_hundred_samples() -> None:
    assert len(BENIGN) + len(BENIGN_BUT_ACTIVE) >= 300


@pytest.mark.parametrize("entry", SECRETS)
def test_each_secret_is_replaced_by_the_marker_and_its_kind_is_reported(entry: Entry) -> None:
    result = sanitize(entry.text)
    assert result.text == entry.expected
    assert result.secrets_found == kinds_of(entry)
    assert result.changed


def test_the_secret_corpus_covers_every_class() -> None:
    covered = {kind for entry in entries("secrets_positive.txt") for kind in kinds_of(entry)}
    assert covered == SECRET_KINDS


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
    assert find_active(stored) is None
    assert sanitize(stored).text == stored


@pytest.mark.parametrize("entry", ATTACKS)
def test_an_attack_stored_as_rich_text_keeps_only_formatting_tags_and_sanitizes_to_itself(
    entry: Entry,
) -> None:
    stored = sanitize(entry.text, policy=Policy.HTML).text
    assert {name.lower() for name in _TAG_NAME.findall(stored)} <= FORMATTING_TAGS
    assert sanitize(stored, policy=Policy.HTML).text == stored


@pytest.mark.parametrize("entry", ATTACKS)
def test_a_faithfully_sanitized_attack_is_neutralized_and_restores_exactly(entry: Entry) -> None:
    result = sanitize(entry.text)
    if "<" not in entry.text:
        # The second half of a pair only completes what a first half leaves open, and no
        # stored text leaves anything open: alone it is text.
        assert result.text == entry.text
        return
    assert result.markup_neutralized
    assert restore(result.text) == redact(entry.text).text
