"""The chat export trains: system messages, the assistant turn, and lines a job would refuse."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from tests import factories
from tests.worker.datasets_helpers import example, export_bytes
from worker.datasets.chat import ChatOptions, Problem, estimate_tokens, problems
from worker.datasets.export import ExportRequest
from worker.datasets.formats import ExportFormat
from worker.datasets.selection import ExportFilters
from worker.datasets.validation import line_problems, validate_file

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


def _chat(factory: sessionmaker[Session], tenant_id: str, **options: Any) -> tuple[list[Any], Any]:
    request = ExportRequest(
        ExportFilters(tenant_id), ExportFormat.OPENAI_CHAT, chat=ChatOptions(**options)
    )
    data, summary = export_bytes(factory, request)
    return [json.loads(line) for line in data[""].splitlines()], summary


def test_each_line_opens_with_the_skills_description_as_the_system_message(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    world.skill.description = "You answer SQL questions for PostgreSQL 16."
    session.commit()
    example(
        session, world, example_input="Top 3 rows?", example_output="raw", expected_output="LIMIT 3"
    )
    [line], _ = _chat(session_factory, world.tenant.id)
    assert line["messages"] == [
        {"role": "system", "content": "You answer SQL questions for PostgreSQL 16."},
        {"role": "user", "content": "Top 3 rows?"},
        {"role": "assistant", "content": "LIMIT 3"},
    ]
    [told], _ = _chat(session_factory, world.tenant.id, system="Be terse.", use_expected=False)
    assert told["messages"][0] == {"role": "system", "content": "Be terse."}
    assert told["messages"][2] == {"role": "assistant", "content": "raw"}


def test_a_skill_without_a_description_gets_no_system_message(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    example(session, world)
    [line], _ = _chat(session_factory, world.tenant.id)
    assert [m["role"] for m in line["messages"]] == ["user", "assistant"]


def test_lines_a_fine_tuning_job_would_refuse_are_left_out_and_counted(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    good = example(session, world)
    blank = example(session, world, example_input="   \n\t")
    long = example(session, world, example_output="word " * 400)
    lines, summary = _chat(session_factory, world.tenant.id, max_tokens=200)
    assert len(lines) == 1
    assert all(problems(line, 200) == [] for line in lines)
    assert (summary.rows, summary.skipped) == (1, 2)
    assert summary.skipped_by_problem == {"empty_turn": 1, "too_long": 1}
    assert sorted(summary.refused_ids) == sorted([blank, long])
    assert good not in summary.refused_ids


@given(document=JSON)
def test_checking_any_json_value_names_problems_and_never_raises(document: Any) -> None:
    found = problems(document)
    assert all(isinstance(problem, Problem) for problem in found)
    if not isinstance(document, dict):
        assert found == [Problem.MALFORMED]


@given(raw=st.binary(max_size=200))
def test_checking_any_bytes_as_a_line_never_raises(raw: bytes) -> None:
    assert isinstance(line_problems(raw), list)


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (
            {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]},
            [],
        ),
        (
            {
                "messages": [
                    {"role": "human", "content": "q"},
                    {"role": "assistant", "content": "a"},
                ]
            },
            [Problem.BAD_ROLE],
        ),
        (
            {
                "messages": [
                    {"role": "user", "content": "q"},
                    {"role": "system", "content": "s"},
                    {"role": "assistant", "content": "a"},
                ]
            },
            [Problem.SYSTEM_NOT_FIRST],
        ),
        ({"messages": [{"role": "user", "content": "q"}]}, [Problem.NO_ASSISTANT_TURN]),
        (
            {"messages": [{"role": "user", "content": ""}, {"role": "assistant", "content": "a"}]},
            [Problem.EMPTY_TURN],
        ),
        (
            {
                "messages": [
                    {"role": "user", "content": ["q"]},
                    {"role": "assistant", "content": "a"},
                ]
            },
            [Problem.MALFORMED],
        ),
        (
            {
                "messages": [
                    {"role": "user", "content": "q", "extra": 1},
                    {"role": "assistant", "content": "a"},
                ]
            },
            [Problem.MALFORMED],
        ),
        ({"messages": []}, [Problem.MALFORMED]),
        ({"prompt": "q", "completion": "a"}, [Problem.MALFORMED]),
    ],
    ids=[
        "fine",
        "bad role",
        "system later",
        "no assistant",
        "empty turn",
        "content list",
        "unknown key",
        "no messages",
        "completion format",
    ],
)
def test_named_refusals(document: Any, expected: list[Problem]) -> None:
    assert problems(document) == expected


def test_the_token_estimate_counts_four_ascii_characters_or_one_other_character_a_token() -> None:
    assert estimate_tokens("abcd" * 10) == 10
    assert estimate_tokens("日本語") == 3
    assert estimate_tokens("") == 0


def test_validating_a_file_reports_refused_lines_by_number(tmp_path: Path) -> None:
    path = tmp_path / "chat.jsonl"
    good = json.dumps(
        {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}
    )
    path.write_bytes(
        (good + "\n" + '{"messages": [{"role": "bot", "content": "x"}]}\n' + good + "\n").encode()
        + b"\xff\xfe not json\n"
    )
    report = validate_file(path)
    assert (report.lines, report.refused) == (4, 2)
    assert [number for number, _ in report.first_refused] == [2, 4]
    assert report.by_problem == {"bad_role": 1, "no_assistant_turn": 1, "malformed": 1}
