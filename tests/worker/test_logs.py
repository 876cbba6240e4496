"""JSON logs: one object a line, extra fields kept, example text and bound values never written."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
import sqlalchemy.exc

from worker.logs import JsonFormatter, configure_logging


@pytest.fixture
def root_state() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


def _record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    record = logging.getLogger("worker.batching").makeRecord(
        "worker.batching", logging.INFO, __file__, 1, message, args, None, extra=extra
    )
    return record


def test_a_record_is_one_json_object_with_its_extra_fields() -> None:
    line = JsonFormatter().format(
        _record(
            "batch size=%d",
            3,
            submission_id="s-1",
            tenant_id="t-1",
            outcome="skipped",
            reason="no_consent",
            duration_ms=1.5,
        )
    )
    assert "\n" not in line
    document = json.loads(line)
    assert document["message"] == "batch size=3"
    assert (document["level"], document["logger"]) == ("INFO", "worker.batching")
    assert document["ts"].endswith("+00:00")
    assert {k: document[k] for k in ("submission_id", "tenant_id", "outcome", "reason")} == {
        "submission_id": "s-1",
        "tenant_id": "t-1",
        "outcome": "skipped",
        "reason": "no_consent",
    }
    assert document["duration_ms"] == 1.5


def test_fields_that_could_hold_example_text_are_dropped() -> None:
    document = json.loads(
        JsonFormatter().format(
            _record(
                "x",
                example_input="private input",
                example_output="private output",
                expected_output="private expected",
                payload={"example_input": "private"},
                submission_id="s",
            )
        )
    )
    assert "private" not in json.dumps(document)
    assert document["submission_id"] == "s"


def test_bound_statement_values_are_cut_from_logged_database_errors() -> None:
    error = sqlalchemy.exc.DataError(
        "INSERT INTO skill_feedback (example_input) VALUES (%(example_input)s)",
        {"example_input": "private example text"},
        Exception("value too long"),
    )
    try:
        raise error
    except sqlalchemy.exc.DataError:
        record = logging.getLogger("w").makeRecord(
            "w", logging.ERROR, __file__, 1, "failed: %s", (error,), __import__("sys").exc_info()
        )
    line = JsonFormatter().format(record)
    assert "private example text" not in line
    assert "INSERT INTO" not in line
    document = json.loads(line)
    assert document["exc_type"] == "DataError"
    assert "value too long" in document["exc"]


def test_configuring_twice_leaves_one_handler_and_json_lines_on_stderr(
    root_state: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("INFO")
    configure_logging("INFO")
    ours = [h for h in logging.getLogger().handlers if getattr(h, "_intake_handler", False)]
    assert len(ours) == 1
    logging.getLogger("worker.test").info("hello %s", "world", extra={"tenant_id": "t"})
    logging.getLogger("worker.test").debug("not shown")
    lines = capsys.readouterr().err.strip().splitlines()
    assert [json.loads(line)["message"] for line in lines] == ["hello world"]
    assert json.loads(lines[0])["tenant_id"] == "t"


def test_text_logs_are_one_readable_line(
    root_state: None, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("warning", json=False)
    logging.getLogger("worker.test").warning("careful")
    err = capsys.readouterr().err
    assert err.strip().endswith("WARNING worker.test: careful")
