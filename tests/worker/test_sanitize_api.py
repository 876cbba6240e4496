"""The public API: result fields, storable text, length bounds, policies and operator extensions."""

from __future__ import annotations

import dataclasses
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from worker.sanitize import (
    REDACTED,
    Policy,
    SanitizerConfigError,
    SanitizeResult,
    configure,
    configure_from_settings,
    redact,
    restore,
    sanitize,
)
from worker.sanitize.markup import find_active


@pytest.fixture(autouse=True)
def default_configuration() -> Iterator[None]:
    configure()
    yield
    configure()


def mask_emails(text: str) -> str:
    """A masker as an operator would write one (imported by path in the tests below)."""
    return re.sub(r"[\w.+-]+@[\w-]+\.[\w.]+", "[EMAIL]", text)


def broken_masker(text: str) -> str:
    raise RuntimeError("bug in the masker")


def test_the_result_is_a_frozen_record_of_what_happened() -> None:
    result = sanitize(
        "key AKIAIOSFODNN7EXAMPLE <script>x</script> eyJhbGciOiJIUzI1NiJ9.eyJ4IjoxfQ.c2ln"
    )
    assert isinstance(result, SanitizeResult)
    assert result.secrets_found == ("aws_access_key", "jwt")
    assert result.changed
    assert result.markup_neutralized
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.text = "x"  # type: ignore[misc]


def test_a_kind_found_twice_is_reported_once() -> None:
    text = "a=AKIAIOSFODNN7EXAMPLE b=AKIAI44QH8DHBEXAMPLE"
    assert sanitize(text).secrets_found == ("aws_access_key",)


def test_text_that_needs_nothing_is_returned_unchanged() -> None:
    result = sanitize("if (x<y && y>z) ok")
    assert result == SanitizeResult("if (x<y && y>z) ok", (), False, False)


def test_the_policies_are_string_values_and_faithful_is_the_default() -> None:
    assert Policy("faithful") is Policy.FAITHFUL
    assert Policy("html") is Policy.HTML
    assert sanitize("a < b").text == sanitize("a < b", policy=Policy.FAITHFUL).text == "a < b"


def test_nul_and_lone_surrogates_become_replacement_characters_and_pairs_are_joined() -> None:
    result = sanitize("a\x00b\ud800c\ud83d\ude00d\udfff")
    assert result.text == "a\ufffdb\ufffdc😀d\ufffd"
    assert result.changed


def test_other_control_characters_are_kept() -> None:
    text = "\x1b[31mERROR\x1b[0m\x07\x7f\x85\u202e"
    assert sanitize(text).text == text


def test_a_negative_max_length_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="max_length"):
        sanitize("x", max_length=-1)


def test_text_longer_than_max_length_is_cut_to_it() -> None:
    assert sanitize("abcdef", max_length=4).text == "abcd"
    assert sanitize("abcdef", max_length=0).text == ""


@pytest.mark.parametrize("limit", range(0, 30))
def test_a_cut_never_splits_a_redaction_marker(limit: int) -> None:
    stored = sanitize("token AKIAIOSFODNN7EXAMPLE end", max_length=limit).text
    assert stored.count("[") == stored.count(REDACTED)
    assert len(stored) <= limit


@pytest.mark.parametrize("limit", range(0, 80))
def test_a_cut_never_splits_an_escape_leaves_nothing_active_and_restores_to_a_prefix(
    limit: int,
) -> None:
    text = "ab <div title=\"x>y\" class='c'>z</div> <script>s</script> & <!-- c --> end"
    result = sanitize(text, max_length=limit)
    assert len(result.text) <= limit
    assert find_active(result.text) is None
    assert sanitize(result.text, max_length=limit).text == result.text
    base = restore(result.text) if result.markup_neutralized else result.text
    assert text.startswith(base)


def test_a_cut_is_made_in_the_author_text_so_the_escaped_form_fits() -> None:
    result = sanitize("<script>x</script>", max_length=12)
    assert result.text == "&lt;script>x"
    assert result.markup_neutralized
    assert restore(result.text) == "<script>x"


def test_a_cut_that_leaves_only_inert_text_stores_it_as_written() -> None:
    result = sanitize("a < b, then <script>x</script>", max_length=12)
    assert result.text == "a < b, then "
    assert not result.markup_neutralized


def test_a_neutralized_text_is_marked_and_restores_to_the_redacted_author_text() -> None:
    text = "password = 'hunter2' and <img src=x onerror=go()> & more"
    result = sanitize(text)
    assert result.markup_neutralized
    assert result.text == "password = '[REDACTED]' and &lt;img src=x onerror=go()> &amp; more"
    assert restore(result.text) == redact(text).text


def test_a_cut_keeps_a_letter_with_its_accent_and_an_emoji_sequence_whole() -> None:
    assert sanitize("cafe\u0301", max_length=4).text == "caf"
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert sanitize("ab" + family, max_length=5).text == "ab"
    assert sanitize("a\r\nb", max_length=2).text == "a"


def test_a_secret_in_the_part_cut_away_is_still_reported() -> None:
    result = sanitize("x" * 50 + " AKIAIOSFODNN7EXAMPLE", max_length=20)
    assert result.text == "x" * 20
    assert result.secrets_found == ("aws_access_key",)


def test_a_redacted_long_key_makes_room_for_the_text_after_it() -> None:
    key = "-----BEGIN PRIVATE KEY-----\n" + "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n" * 100
    text = key + "-----END PRIVATE KEY-----\nafter the key"
    assert sanitize(text, max_length=100).text == "[REDACTED]\nafter the key"


def test_a_huge_input_is_bounded_quickly() -> None:
    result = sanitize("<a " * 400_000 + "tail", max_length=5000)
    assert len(result.text) <= 5000
    assert sanitize(result.text).text == result.text


def test_the_html_policy_keeps_formatting_and_drops_everything_active() -> None:
    text = (
        '<p onclick="x()">Hi <b>bold</b> <a href="https://example.com" target="_blank">link</a> '
        '<a href="javascript:go()">bad</a> <img src="x.png"><iframe src="x"></iframe>'
        "<script>go()</script><style>p{}</style> a < b</p>"
    )
    result = sanitize(text, policy=Policy.HTML)
    assert result.text == (
        '<p>Hi <b>bold</b> <a href="https://example.com" rel="noopener noreferrer nofollow">'
        'link</a> <a rel="noopener noreferrer nofollow">bad</a>  a &lt; b</p>'
    )
    assert result.markup_neutralized


def test_the_html_policy_redacts_secrets_hidden_behind_character_references() -> None:
    result = sanitize("<p>password = &quot;hunter2&quot;</p>", policy=Policy.HTML)
    assert result.text == '<p>password = "[REDACTED]"</p>'
    assert result.secrets_found == ("secret_assignment",)


def test_an_extra_pattern_redacts_its_kind_by_configuration() -> None:
    configure({"employee_id": r"\bEMP-\d{6}\b"})
    result = sanitize("ticket for EMP-123456 and EMP-12")
    assert result.text == "ticket for [REDACTED] and EMP-12"
    assert result.secrets_found == ("employee_id",)


def test_an_extra_pattern_with_a_secret_group_redacts_only_that_group() -> None:
    configure({"internal_pin": r"pin=(?P<secret>\d{4,8})"})
    assert sanitize("login pin=123456 ok").text == "login pin=[REDACTED] ok"


def test_a_masker_is_imported_by_path_and_runs_after_redaction() -> None:
    configure(maskers=[f"{__name__}:mask_emails"])
    result = sanitize("mail bob@example.com password = 'hunter2'")
    assert result.text == "mail [EMAIL] password = '[REDACTED]'"
    assert sanitize(result.text).text == result.text


def test_a_failing_masker_is_logged_and_skipped(caplog: pytest.LogCaptureFixture) -> None:
    configure(maskers=[f"{__name__}:broken_masker", f"{__name__}:mask_emails"])
    with caplog.at_level(logging.ERROR, logger="worker.sanitize"):
        assert sanitize("bob@example.com").text == "[EMAIL]"
    assert "broken_masker" in caplog.text


def test_configure_without_arguments_restores_the_defaults() -> None:
    configure({"employee_id": r"EMP-\d+"}, [f"{__name__}:mask_emails"])
    configure()
    assert sanitize("EMP-1 bob@example.com").text == "EMP-1 bob@example.com"


@pytest.mark.parametrize(
    ("patterns", "maskers"),
    [
        ({"Bad Kind": "x"}, None),
        ({"kind": "("}, None),
        ({"kind": "x*"}, None),
        (None, ["no_colon_here"]),
        (None, ["no.such.module:thing"]),
        (None, [f"{__name__}:no_such_function"]),
        (None, [f"{__name__}:REDACTED"]),
    ],
)
def test_an_unusable_extension_fails_at_configuration_time(
    patterns: dict[str, str] | None, maskers: list[str] | None
) -> None:
    with pytest.raises(SanitizerConfigError):
        configure(patterns, maskers)


def test_extensions_can_come_from_setting_strings_and_a_file(tmp_path: Path) -> None:
    patterns_file = tmp_path / "patterns.json"
    patterns_file.write_text(json.dumps({"badge": r"BADGE-\d{4}"}), encoding="utf-8")
    configure_from_settings(
        redact_patterns=json.dumps({"employee_id": r"EMP-\d{6}"}),
        maskers=f" {__name__}:mask_emails , ",
        redact_patterns_file=patterns_file,
    )
    result = sanitize("EMP-123456 BADGE-0042 bob@example.com")
    assert result.text == "[REDACTED] [REDACTED] [EMAIL]"
    assert result.secrets_found == ("badge", "employee_id")


def test_setting_strings_that_are_not_a_json_object_are_rejected() -> None:
    with pytest.raises(SanitizerConfigError):
        configure_from_settings(redact_patterns='["not", "an", "object"]')
    with pytest.raises(SanitizerConfigError):
        configure_from_settings(redact_patterns="{not json")
