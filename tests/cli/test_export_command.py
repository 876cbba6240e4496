"""`intake export`: the golden dataset in each format, with a manifest, in a file or on stdout."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import stat
from pathlib import Path

from sqlalchemy.orm import Session

from tests import factories
from tests.cli.conftest import Invoke, add_example, usage_example


def _manifest(path: Path) -> dict[str, object]:
    manifest: dict[str, object] = json.loads(
        path.with_name(path.name + ".manifest.json").read_text()
    )
    return manifest


def test_jsonl_export_writes_the_approved_examples_and_a_manifest(
    intake: Invoke, session: Session, tmp_path: Path
) -> None:
    world = factories.world(session)
    approved = add_example(session, world, example_input="x < y && y > z")
    usage_example(session, world)
    target = tmp_path / "golden.jsonl"
    result = intake("export", "--tenant", world.tenant.id, "--format", "jsonl", "-o", str(target))
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in target.read_text().splitlines()]
    assert [line["id"] for line in lines] == [approved]
    assert lines[0]["example_input"] == "x < y && y > z"

    manifest = _manifest(target)
    assert manifest["sha256"] == hashlib.sha256(target.read_bytes()).hexdigest()
    assert manifest["counts"]["examples"] == 1  # type: ignore[index]
    assert manifest["filters"] == {
        "tenant_id": world.tenant.id,
        "skill_id": None,
        "status": "approved",
        "source": None,
    }
    assert manifest["format"] == "jsonl"
    assert manifest["file"] == "golden.jsonl"
    assert "created_at" in manifest
    assert "exported 1 example(s)" in result.stderr
    # Not a terminal: no progress bar, nothing but the file.
    assert result.stdout == ""
    assert not list(tmp_path.glob(".*partial"))


def test_openai_chat_export_is_ready_for_fine_tuning(
    intake: Invoke, session: Session, tmp_path: Path
) -> None:
    world = factories.world(session)
    add_example(session, world, example_input="Sum xs", example_output="sum(xs)")
    add_example(session, world, example_input="Max", example_output="raw", expected_output="max")
    target = tmp_path / "chat.jsonl"
    result = intake("export", "--tenant", world.tenant.id, "-f", "openai-chat", "-o", str(target))
    assert result.exit_code == 0, result.output
    conversations = [json.loads(line) for line in target.read_text().splitlines()]
    answers = sorted(c["messages"][1]["content"] for c in conversations)
    assert answers == ["max", "sum(xs)"]
    for conversation in conversations:
        assert [m["role"] for m in conversation["messages"]] == ["user", "assistant"]
        assert set(conversation) == {"messages"}


def test_csv_export_filters_by_skill_and_any_status(
    intake: Invoke, session: Session, tmp_path: Path
) -> None:
    world = factories.world(session)
    other_skill = factories.skill(session, world.tenant, world.author)
    session.commit()
    add_example(session, world)
    usage_example(session, world)
    add_example(session, world, skill_id=other_skill.id)
    target = tmp_path / "skill.csv"
    result = intake(
        "export",
        "--tenant",
        world.tenant.id,
        "--skill",
        world.skill.id,
        "--status",
        "any",
        "--format",
        "csv",
        "-o",
        str(target),
    )
    assert result.exit_code == 0, result.output
    records = list(csv.DictReader(io.StringIO(target.read_text(), newline="")))
    assert sorted(r["status"] for r in records) == ["approved", "pending"]
    assert {r["skill_id"] for r in records} == {world.skill.id}
    assert _manifest(target)["counts"]["by_status"] == {"approved": 1, "pending": 1}  # type: ignore[index]


def test_export_to_stdout_writes_only_the_data(intake: Invoke, session: Session) -> None:
    world = factories.world(session)
    add_example(session, world)
    result = intake("export", "--tenant", world.tenant.id, "-o", "-")
    assert result.exit_code == 0, result.output
    [line] = result.stdout.splitlines()
    assert json.loads(line)["tenant_id"] == world.tenant.id


def test_a_forced_progress_bar_goes_to_stderr_and_leaves_the_file_alone(
    intake: Invoke, session: Session, tmp_path: Path
) -> None:
    world = factories.world(session)
    add_example(session, world)
    target = tmp_path / "g.jsonl"
    result = intake("export", "--tenant", world.tenant.id, "-o", str(target), "--progress")
    assert result.exit_code == 0, result.output
    assert len(target.read_text().splitlines()) == 1


def test_an_unknown_tenant_writes_nothing(intake: Invoke, tmp_path: Path) -> None:
    target = tmp_path / "none.jsonl"
    result = intake("export", "--tenant", "no-such-tenant", "-o", str(target))
    assert result.exit_code == 1
    assert "unknown tenant" in result.stderr
    assert not target.exists()


def test_a_fifo_or_a_device_is_refused_and_left_in_place(
    intake: Invoke, session: Session, tmp_path: Path
) -> None:
    # Found by a newcomer: `-o /dev/full` replaced the device with a plain file.
    world = factories.world(session)
    add_example(session, world)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for target in (fifo, Path("/dev/null")):
        result = intake("export", "--tenant", world.tenant.id, "-o", str(target))
        assert result.exit_code == 1
        assert result.stderr.strip() == (
            f"error: {target} is not a regular file: give a file name (or - for stdout)"
        )
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert stat.S_ISCHR(Path("/dev/null").stat().st_mode)
    assert not Path("/dev/null.manifest.json").exists()


def test_a_symbolic_link_is_written_through(
    intake: Invoke, session: Session, tmp_path: Path
) -> None:
    world = factories.world(session)
    add_example(session, world)
    real = tmp_path / "real.jsonl"
    real.write_text("old\n")
    link = tmp_path / "link.jsonl"
    link.symlink_to(real)
    result = intake("export", "--tenant", world.tenant.id, "-o", str(link))
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    assert json.loads(real.read_text())["tenant_id"] == world.tenant.id


def test_an_empty_output_name_is_refused(intake: Invoke, session: Session) -> None:
    world = factories.world(session)
    result = intake("export", "--tenant", world.tenant.id, "-o", "")
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: -o needs a file name ('-' for standard output)"


def test_a_file_name_with_control_characters_is_shown_escaped(
    intake: Invoke, session: Session, tmp_path: Path
) -> None:
    world = factories.world(session)
    target = tmp_path / "a\x1b[31mb.jsonl"
    result = intake("export", "--tenant", world.tenant.id, "-o", str(target))
    assert result.exit_code == 0, result.output
    assert target.exists()
    assert "\x1b" not in result.output
    assert "a\\x1b[31mb.jsonl" in result.output
