"""`intake dataset` and `intake export --version`: versions, splits, the HF folder, errors."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.orm import Session

from tests import factories
from tests.cli.conftest import Invoke, add_example, usage_example
from worker.operations.consent import revoke_consent
from worker.operations.review import approve_examples


def _create(intake: Invoke, tenant: str, name: str, *options: str) -> dict[str, object]:
    result = intake("dataset", "version", "create", name, "--tenant", tenant, "--json", *options)
    assert result.exit_code == 0, result.output
    created: dict[str, object] = json.loads(result.stdout)
    return created


def test_a_version_is_created_listed_shown_and_exported_again_without_the_withdrawn(
    intake: Invoke, session: Session, tmp_path: Path
) -> None:
    world = factories.world(session)
    other = factories.user(session, world.tenant, consent=True)
    session.commit()
    for _ in range(6):
        add_example(session, world)
    theirs = [usage_example(session, world, user_id=other.id) for _ in range(2)]
    approve_examples(session, theirs, reviewer_id=world.author.id)
    session.commit()
    tenant = world.tenant.id
    created = _create(
        intake, tenant, "v1", "--splits", "60,20,20", "--note", "launch", "--by", "ana"
    )
    assert created["examples"] == 8 and created["created_by"] == "ana"
    assert sum(created["split_counts"].values()) == 8  # type: ignore[attr-defined]

    first = tmp_path / "first.jsonl"
    assert intake("export", "--tenant", tenant, "--version", "v1", "-o", str(first)).exit_code == 0
    add_example(session, world)
    revoke_consent(session, other.id, changed_by="dpo")
    session.commit()
    second = tmp_path / "second.jsonl"
    result = intake("export", "--tenant", tenant, "--version", "v1", "-o", str(second))
    assert result.exit_code == 0, result.output
    assert "2 withdrawn" in result.stderr
    kept = [
        line
        for line in first.read_bytes().splitlines(keepends=True)
        if not any(t.encode() in line for t in theirs)
    ]
    assert second.read_bytes() == b"".join(kept)
    manifest = json.loads(Path(str(second) + ".manifest.json").read_text())
    assert sorted(manifest["withdrawn"]["examples"]) == sorted(theirs)
    assert "Consent wins" in manifest["withdrawn"]["note"]
    assert manifest["version"]["note"] == "launch"

    listed = json.loads(intake("dataset", "version", "list", "--tenant", tenant, "--json").stdout)
    assert [v["name"] for v in listed] == ["v1"]
    shown = intake("dataset", "version", "show", "v1", "--tenant", tenant, "--json")
    assert json.loads(shown.stdout)["split_ratios"] == {
        "train": 0.6,
        "validation": 0.2,
        "test": 0.2,
    }

    _create(intake, tenant, "v2")
    diff = intake("dataset", "version", "diff", "v1", "v2", "--tenant", tenant, "--json")
    assert diff.exit_code == 0, diff.output
    found = json.loads(diff.stdout)
    assert (found["added"], found["removed"]) == (1, 2)


def test_the_hf_layout_and_split_files_go_to_a_folder(
    intake: Invoke, session: Session, tmp_path: Path
) -> None:
    world = factories.world(session)
    for _ in range(5):
        add_example(session, world)
    folder = tmp_path / "hf"
    result = intake("export", "--tenant", world.tenant.id, "-f", "hf", "-o", str(folder))
    assert result.exit_code == 0, result.output
    assert (folder / "README.md").read_text().startswith("---\n")
    assert (
        sum(
            len((folder / f"{s}.jsonl").read_text().splitlines())
            for s in ("train", "validation", "test")
        )
        == 5
    )
    chat = tmp_path / "chat"
    result = intake(
        "export", "--tenant", world.tenant.id, "-f", "openai-chat", "--splits", "0.5,0.5,0",
        "--split-files", "--system", "Be brief.", "-o", str(chat),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in chat.iterdir()) == [
        "manifest.json",
        "train.jsonl",
        "validation.jsonl",
    ]
    for path in (chat / "train.jsonl", chat / "validation.jsonl"):
        checked = intake("dataset", "validate", str(path))
        assert checked.exit_code == 0, checked.output
        assert "all ready for chat fine-tuning" in checked.stdout


def test_errors_are_one_line_with_a_non_zero_exit(
    intake: Invoke, session: Session, tmp_path: Path
) -> None:
    world = factories.world(session)
    add_example(session, world)
    tenant = world.tenant.id
    cases = [
        (
            ("export", "--tenant", tenant, "--version", "nope", "-o", str(tmp_path / "x.jsonl")),
            "unknown dataset version",
        ),
        (
            ("export", "--tenant", tenant, "-o", str(tmp_path / "missing" / "x.jsonl")),
            "does not exist",
        ),
        (
            ("export", "--tenant", tenant, "--split-files", "-o", str(tmp_path / "d")),
            "--split-files needs --splits",
        ),
        (("export", "--tenant", tenant, "-f", "hf", "-o", "-"), "needs a folder"),
        (("dataset", "version", "show", "nope", "--tenant", tenant), "unknown dataset version"),
        (("dataset", "version", "create", "v1", "--tenant", "no-such-tenant"), "unknown tenant"),
        (("dataset", "validate", str(tmp_path / "absent.jsonl")), "cannot read"),
    ]
    for args, message in cases:
        result = intake(*args)
        assert result.exit_code == 1, (args, result.output)
        # One error message (rich may wrap it at the console's width), and nothing else but
        # the runtime's log line saying which servers it uses.
        said = [line for line in result.stderr.splitlines() if "INFO worker.runtime" not in line]
        assert said[0].startswith("error: "), result.stderr
        assert message in " ".join(" ".join(said).split()), (args, result.stderr)
        assert "Traceback" not in result.output
    _create(intake, tenant, "v1")
    again = intake("dataset", "version", "create", "v1", "--tenant", tenant)
    assert again.exit_code == 1 and "already has a dataset version named 'v1'" in again.stderr


def test_a_file_a_fine_tuning_job_would_refuse_fails_validation(
    intake: Invoke, tmp_path: Path
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"messages": [{"role": "user", "content": ""}]}\n')
    result = intake("dataset", "validate", str(path), "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["by_problem"] == {"empty_turn": 1, "no_assistant_turn": 1}


def test_examples_list_shows_duplicates_once_flagged(intake: Invoke, session: Session) -> None:
    world = factories.world(session)
    first = add_example(
        session, world, example_input="Sum a list in Python", example_output="sum(xs)"
    )
    copy = add_example(
        session, world, example_input="sum a list in python ", example_output="sum(xs)"
    )
    flagged = intake("examples", "flag-duplicates", "--tenant", world.tenant.id)
    assert flagged.exit_code == 0, flagged.output
    assert flagged.stdout.strip() == f"flagged 2 example(s) of tenant {world.tenant.id}"
    listed = json.loads(intake("examples", "list", "--skill", world.skill.id, "--json").stdout)
    by_id = {item["id"]: item["duplicate"] for item in listed}
    assert by_id[copy] == {
        "cluster_id": first,
        "kind": "exact",
        "similarity": 1.0,
        "cluster_size": 2,
    }
    assert by_id[first]["kind"] is None
    table = intake("examples", "list", "--skill", world.skill.id).stdout
    assert f"exact of {first}" in table and "first of 2" in table
