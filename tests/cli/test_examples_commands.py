"""`intake examples`: a skill's examples listed with filters, and counted by status."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from tests import factories
from tests.cli.conftest import Invoke, add_example, usage_example


def test_list_shows_the_newest_first_as_json(intake: Invoke, session: Session) -> None:
    world = factories.world(session)
    first = add_example(session, world, example_input="first input")
    second = usage_example(session, world)
    result = intake("examples", "list", "--skill", world.skill.id, "--json")
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert [item["id"] for item in listed] == [second, first]
    assert listed[1]["example_input"] == "first input"
    assert listed[1]["user_name"] == "Ada"


def test_list_filters_by_status_and_source_and_limits(intake: Invoke, session: Session) -> None:
    world = factories.world(session)
    approved = add_example(session, world)
    pending = usage_example(session, world)
    usage_example(session, world)

    def ids(*options: str) -> list[str]:
        result = intake("examples", "list", "--skill", world.skill.id, "--json", *options)
        assert result.exit_code == 0, result.output
        return [item["id"] for item in json.loads(result.stdout)]

    assert ids("--status", "approved") == [approved]
    assert ids("--source", "web") == [approved]
    assert len(ids("--source", "usage_capture")) == 2
    assert len(ids("--limit", "1")) == 1
    assert pending in ids("--status", "pending")
    assert intake("examples", "list", "--skill", world.skill.id, "--status", "odd").exit_code == 2


def test_list_prints_a_header_and_tab_separated_rows_when_piped(
    intake: Invoke, session: Session
) -> None:
    world = factories.world(session)
    example_id = add_example(session, world, example_input="a\tb\nc")
    result = intake("examples", "list", "--skill", world.skill.id)
    assert result.exit_code == 0, result.output
    header, row = result.stdout.splitlines()
    assert header.split("\t")[:3] == ["id", "created", "status"]
    assert row.split("\t")[0] == example_id
    assert "a b c" in row


def test_count_gives_the_total_and_each_status(intake: Invoke, session: Session) -> None:
    world = factories.world(session)
    add_example(session, world)
    usage_example(session, world)
    usage_example(session, world)
    result = intake("examples", "count", "--skill", world.skill.id, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "skill_id": world.skill.id,
        "total": 3,
        "pending": 2,
        "approved": 1,
        "dismissed": 0,
    }
    plain = intake("examples", "count", "--skill", world.skill.id)
    assert plain.stdout.strip() == (
        f"{world.skill.id}: 3 training example(s) (pending 2, approved 1, dismissed 0)"
    )


def test_an_unknown_skill_is_a_clear_error(intake: Invoke) -> None:
    result = intake("examples", "count", "--skill", "no-such-skill")
    assert result.exit_code == 1
    assert "unknown skill: no-such-skill" in result.stderr
