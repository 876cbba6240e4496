"""The producer's error tree: a dead broker or outcome store, a bad id or submission, a bad URL.

Every error is a ProducerError with a message that says what to do, never the example text or
a password; a malformed id fails at once instead of after a wait.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from hypothesis import given, settings
from hypothesis import strategies as st

from producers import (
    BrokerUnavailable,
    IntakeClient,
    OutcomeStoreUnavailable,
    OutcomeTimeout,
    ProducerConfigurationError,
    ProducerError,
    SubmissionInvalid,
    usage_capture,
)
from producers import settings as producer_settings
from producers.contract import parse_submission

GOLDEN = {
    "tenant_id": "t",
    "user_id": "u",
    "skill_id": "s",
    "example_input": "in",
    "example_output": "out",
}


def dead_url(password: str | None = None) -> str:
    """A Redis URL on a port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    auth = f":{password}@" if password else ""
    return f"redis://{auth}127.0.0.1:{port}/0"


@pytest.fixture
def client(broker_url: str, redis_client: redis.Redis) -> Iterator[IntakeClient]:
    with IntakeClient(broker_url) as client:
        yield client


def test_every_error_is_a_producer_error() -> None:
    for error in (
        ProducerConfigurationError,
        SubmissionInvalid,
        BrokerUnavailable,
        OutcomeStoreUnavailable,
        OutcomeTimeout,
    ):
        assert issubclass(error, ProducerError)
    # ... and stays what callers caught before.
    assert issubclass(SubmissionInvalid, ValueError)
    assert issubclass(OutcomeTimeout, TimeoutError)


def test_a_dead_broker_raises_broker_unavailable_without_the_password() -> None:
    url = dead_url(password="s3cret")
    with IntakeClient(url) as client, pytest.raises(BrokerUnavailable) as raised:
        client.submit_golden_example(**GOLDEN)
    message = str(raised.value)
    assert "s3cret" not in message
    assert "cannot reach the broker at redis://:***@127.0.0.1:" in message
    assert "same submission_id is safe" in message


def test_a_bulk_send_to_a_dead_broker_raises_broker_unavailable() -> None:
    capture = usage_capture(**GOLDEN, usage_event_id="e-1")
    with IntakeClient(dead_url(), tenant_rate=0) as client, pytest.raises(BrokerUnavailable):
        client.capture_usage_many([capture])


def test_a_dead_outcome_store_raises_outcome_store_unavailable(broker_url: str) -> None:
    with IntakeClient(broker_url, outcome_store_url=dead_url()) as client:
        with pytest.raises(OutcomeStoreUnavailable, match="cannot read outcomes from redis://"):
            client.status(str(uuid.uuid4()))
        with pytest.raises(OutcomeStoreUnavailable):
            client.wait(str(uuid.uuid4()), timeout=30)


@pytest.mark.parametrize("bad", ["not-a-uuid", "", "1234", 42, None, "0" * 37])
def test_status_and_wait_refuse_a_malformed_id_at_once(client: IntakeClient, bad: object) -> None:
    with pytest.raises(SubmissionInvalid, match="submission_id: must be a submission id"):
        client.status(bad)  # type: ignore[arg-type]
    # At once: a wait that polled would end in OutcomeTimeout, not this.
    with pytest.raises(SubmissionInvalid):
        client.wait(bad, timeout=30)  # type: ignore[arg-type]


def test_status_takes_a_uuid_in_any_spelling(client: IntakeClient) -> None:
    submission_id = uuid.uuid4()
    for spelling in (submission_id, str(submission_id).upper(), submission_id.hex):
        assert client.status(spelling).submission_id == str(submission_id)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -1, "5", None, True, b"1"])
def test_wait_refuses_a_timeout_that_is_not_seconds_at_once(
    client: IntakeClient, bad: object
) -> None:
    # Found by hand: nan waited forever, "5" raised a bare TypeError, -1 timed out.
    with pytest.raises(SubmissionInvalid, match="timeout: must be a number of seconds"):
        client.wait(str(uuid.uuid4()), timeout=bad)  # type: ignore[arg-type]


def test_a_wait_that_runs_out_raises_outcome_timeout(client: IntakeClient) -> None:
    with pytest.raises(OutcomeTimeout):
        client.wait(str(uuid.uuid4()), timeout=0.05)


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("not a url", "the broker URL is not a URL"),
        ("mysql://user@host/db", "unsupported scheme 'mysql'"),
        ("redis://host:port/0", "the broker URL is not a URL"),
        ("redis://host/0?socket_timeout=soon", "is not usable: Invalid value for 'socket_timeout'"),
    ],
)
def test_a_malformed_broker_url_is_a_configuration_error(url: str, said: str) -> None:
    with pytest.raises(ProducerConfigurationError, match=said):
        IntakeClient(url)


@settings(max_examples=300, deadline=None)
@given(
    url=st.one_of(
        st.text(max_size=40),
        st.builds(
            lambda scheme, rest: f"{scheme}://{rest}",
            st.sampled_from(["redis", "rediss", "amqp", "mysql", "http", "", "redis+socket"]),
            st.text(max_size=30),
        ),
    )
)
def test_any_broker_url_makes_a_client_or_a_configuration_error(url: str) -> None:
    try:
        client = IntakeClient(url)
    except ProducerConfigurationError:
        return
    client.close()


def test_submission_invalid_says_what_is_wrong_with_each_field() -> None:
    with pytest.raises(SubmissionInvalid) as raised:
        parse_submission(
            {
                "submission_id": str(uuid.uuid4()),
                "kind": "golden_example",
                **GOLDEN,
                "example_input": "",
                "quality_score": 42,
            }
        )
    assert str(raised.value) == (
        "invalid submission: example_input: String should have at least 1 character; "
        "quality_score: Input should be less than or equal to 10"
    )


# Text no message should ever contain: letters no message is made of, at least 8 of them.
texts = st.text(alphabet="ÆØÅæøåßþð", min_size=8, max_size=6000)


@settings(max_examples=200, deadline=None)
@given(
    example_input=texts,
    example_output=st.one_of(texts, st.just("")),
    quality=st.one_of(st.none(), st.integers(-5, 20), st.text(max_size=3)),
    kind=st.sampled_from(["golden_example", "usage_capture", "other"]),
)
def test_submission_invalid_never_echoes_the_submitted_text(
    example_input: str, example_output: str, quality: object, kind: str
) -> None:
    try:
        parse_submission(
            {
                "submission_id": str(uuid.uuid4()),
                "kind": kind,
                "tenant_id": "t",
                "user_id": "u",
                "skill_id": "s",
                "example_input": example_input,
                "example_output": example_output,
                "quality_score": quality,
            }
        )
    except SubmissionInvalid as exc:
        message = str(exc)
        assert message.startswith("invalid submission: ")
        for text in (example_input, example_output):
            assert not text or text[:8] not in message
        for field in exc.field_errors:
            assert f"{field}: " in message


# -- finding the embedded broker -----------------------------------------------------------------


def write_servers_file(folder: Path, url: str, pid: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / producer_settings.SERVERS_FILE).write_text(
        json.dumps({"CELERY_BROKER_URL": {"url": url, "pid": pid}})
    )


def test_without_a_broker_url_the_client_uses_the_embedded_broker_of_the_data_folder(
    broker_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.delenv("BROKER_URL", raising=False)
    monkeypatch.setenv("INTAKE_DATA_DIR", str(tmp_path))
    write_servers_file(tmp_path, broker_url, os.getpid())
    with IntakeClient() as client:
        assert client.broker_url == broker_url
        assert client.status(str(uuid.uuid4())).outcome is None


def test_a_servers_file_of_stopped_servers_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.delenv("BROKER_URL", raising=False)
    monkeypatch.setenv("INTAKE_DATA_DIR", str(tmp_path))
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    write_servers_file(tmp_path, "redis://127.0.0.1:1/0", int(gone.stdout))
    with pytest.raises(ProducerConfigurationError) as raised:
        IntakeClient()
    assert str(raised.value).startswith("no broker: CELERY_BROKER_URL is not set")
    assert "intake worker" in str(raised.value)


def test_the_broker_variable_wins_over_the_servers_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:2/0")
    monkeypatch.setenv("INTAKE_DATA_DIR", str(tmp_path))
    write_servers_file(tmp_path, "redis://127.0.0.1:3/0", os.getpid())
    assert producer_settings.broker_url() == "redis://127.0.0.1:2/0"


def test_the_producer_library_never_imports_the_worker() -> None:
    code = (
        "import sys, producers, producers.settings, producers.client\n"
        "assert not [m for m in sys.modules if m == 'worker' or m.startswith('worker.')]\n"
        "assert 'sqlalchemy' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
