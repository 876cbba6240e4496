"""The signing scheme, pinned by a fixed vector that producers in other languages can check."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from producers import IntakeClient, ProducerConfigurationError, parse_submission
from producers.signing import SigningKeyError, canonical, parse_keys, sign, verify
from worker.settings import Settings

VECTOR = {
    "submission_id": "6f1c2b8e-1d2a-4c5b-9e8f-0a1b2c3d4e5f",
    "kind": "golden_example",
    "tenant_id": "t1",
    "user_id": "u1",
    "skill_id": "s1",
    "example_input": 'if (a < b) { return "ü"; }',
    "example_output": "ok",
    "schema_version": 1,
}


def test_the_canonical_form_sorts_keys_and_keeps_unicode() -> None:
    assert (
        canonical(VECTOR)
        == (
            '{"example_input":"if (a < b) { return \\"ü\\"; }","example_output":"ok",'
            '"kind":"golden_example","schema_version":1,"skill_id":"s1",'
            '"submission_id":"6f1c2b8e-1d2a-4c5b-9e8f-0a1b2c3d4e5f","tenant_id":"t1","user_id":"u1"}'
        ).encode()
    )


def test_the_signature_of_the_documented_vector_is_stable() -> None:
    # The same value comes out of Node's crypto.createHmac and `openssl dgst -hmac`.
    signed = sign(VECTOR, "k1", b"0123456789abcdef0123456789abcdef")
    assert signed["signature"] == {
        "key_id": "k1",
        "alg": "HMAC-SHA256",
        "value": "umyo9lxlFbmuqo-OivCc9-7scbPlhHQ-RHRys3ROs7E",
    }
    assert verify(signed, {"k1": b"0123456789abcdef0123456789abcdef"})


def test_keys_are_parsed_from_the_environment_format() -> None:
    assert parse_keys("a:0123456789abcdef, b:fedcba9876543210") == {
        "a": b"0123456789abcdef",
        "b": b"fedcba9876543210",
    }
    with pytest.raises(SigningKeyError):
        parse_keys("a:short")


def test_the_client_signs_with_the_configured_key(
    broker_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTAKE_SIGNING_KEYS", "old:0123456789abcdef,new:fedcba9876543210")
    with IntakeClient(broker_url) as client:
        assert client._sender.signing_key == ("new", b"fedcba9876543210")
        message = client._sender.wire(parse_submission(VECTOR))
    assert message["signature"]["key_id"] == "new"
    assert verify(message, {"new": b"fedcba9876543210"})


@pytest.mark.parametrize(
    "signature",
    [
        {"key_id": "k1", "value": "\ud800"},
        {"key_id": "k1", "value": "é" * 43},
        {"key_id": "k1", "value": ["a"]},
        {"key_id": ["k1"], "value": "abc"},
    ],
)
def test_verification_of_a_malformed_signature_is_false_never_an_exception(
    signature: dict[str, Any],
) -> None:
    assert verify({"tenant_id": "t", "signature": signature}, {"k1": b"s" * 16}) is False


def test_verification_of_text_that_cannot_be_encoded_is_false() -> None:
    nested: list[Any] = []
    for _ in range(5000):
        nested = [nested]
    keys = {"k1": b"s" * 16}
    for body in ({"tenant_id": "\ud800"}, {"tenant_id": nested}):
        assert verify({**body, "signature": {"key_id": "k1", "value": "abc"}}, keys) is False


@pytest.mark.parametrize("spec", ["short", "a:short", ":0123456789abcdef", "0123456789abcdefX"])
def test_malformed_keys_are_a_configuration_error_of_both_sides(
    spec: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The producer's: one of its documented tree, raised when the client is made.
    monkeypatch.setenv("INTAKE_SIGNING_KEYS", spec)
    with pytest.raises(ProducerConfigurationError):
        IntakeClient(broker_url="redis://127.0.0.1:1/0")
    # The worker's: refused with the other settings when they are read, at start-up, not by
    # the first batch in a pool process; the secret is never repeated.
    with pytest.raises(ValidationError) as refused:
        Settings()
    assert "INTAKE_SIGNING_KEYS" in str(refused.value)
    assert spec not in str(refused.value)
