"""Defects a user found by trying the `intake` command: each a named case of its class.

Exit 2 is a command line that is wrong (a malformed option value or id), exit 1 a valid
request that cannot be done; ids in error messages are the ids as given, quoted and escaped
when they would not read back plainly.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from tests import factories
from tests.cli.conftest import Invoke, add_example
from tests.cli.test_errors import one_error_line
from worker.ingest.facts import get_sample_rates
from worker.operations.errors import shown_id

# 1. Exit codes: a malformed value or id is a usage error, whichever command takes it.


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("stats", "--since", "bogus"), "'--since'"),
        (("stats", "--since", "0h"), "'--since'"),
        (("review", "approve", "--by", "u", "--skill", "s", "--before", "yesterday"), "'--before'"),
        (("review", "dismiss", "--by", "u", "--tenant", "t", "--before", "7x"), "'--before'"),
        (("export", "--tenant", "t", "-o", "-", "--splits", "1,2"), "'--splits'"),
        (("export", "--tenant", "t", "-o", "-", "--splits", "0,0,0"), "'--splits'"),
        (
            ("dataset", "version", "create", "v1", "--tenant", "t", "--splits", "a,b,c"),
            "'--splits'",
        ),
    ],
)
def test_a_malformed_option_value_is_a_usage_error_before_anything_is_read(
    intake: Invoke, args: tuple[str, ...], option: str
) -> None:
    # (The tenants and skills named do not exist: the value is refused before they are read.)
    line = one_error_line(intake(*args), code=2)
    assert line.startswith(f"error: Invalid value for {option}: "), line


@pytest.mark.parametrize("given", ["not-a-uuid", "g000", "' OR 1=1 --"])
def test_a_submission_id_has_a_shape_and_a_training_example_id_does_not(
    intake: Invoke, session: Session, given: str
) -> None:
    # Submission ids are the producer's UUIDs: anything else is a wrong command line. Example
    # ids are the platform's text ids (test_review_by_filter stores "dup-prefix-1"): any text
    # may be one, so one nobody has is unknown (exit 1), as any other unknown id.
    assert "not a submission id" in one_error_line(intake("status", given), code=2)
    world = factories.world(session)
    session.commit()
    line = one_error_line(intake("review", "approve", given, "--by", world.author.id))
    assert line == f"error: unknown training example(s): {shown_id(given)}"


def test_a_well_formed_example_id_nobody_has_is_unknown_with_exit_1(
    intake: Invoke, session: Session
) -> None:
    world = factories.world(session)
    session.commit()
    missing = str(uuid.uuid4())
    line = one_error_line(intake("review", "approve", missing, "--by", world.author.id))
    assert line == f"error: unknown training example(s): {missing}"


def test_bare_intake_prints_its_help_and_exits_2_like_a_group_without_its_command(
    intake: Invoke,
) -> None:
    for args in ((), ("review",), ("dataset", "version")):
        result = intake(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "Usage:" in result.stdout
        assert result.stderr == ""


# 2. Error texts that leaked internals or misled.


@pytest.mark.parametrize("letter_id", ["99999999999999999999999", "2147483648", "0", "-5"])
def test_a_dead_letter_id_out_of_range_is_a_usage_error_not_a_database_error(
    intake: Invoke, letter_id: str
) -> None:
    line = one_error_line(intake("dead-letters", "show", letter_id), code=2)
    assert f"no dead letter has the id {letter_id}: ids are 1 to 2147483647" in line
    assert "database" not in line
    replayed = one_error_line(intake("dead-letters", "replay", "1", letter_id), code=2)
    # (replay keeps Click's reading of `-5` as an option: "No such option: -5", and its
    # suggestion for a mistyped --all or --force.)
    assert letter_id.startswith("-") or f"no dead letter has the id {letter_id}" in replayed


@pytest.mark.parametrize("rate", ["nan", "-0.5", "-inf", "inf", "1.5", "-0"])
def test_a_sample_rate_outside_zero_to_one_says_so_even_when_it_looks_like_an_option(
    intake: Invoke, session: Session, rate: str
) -> None:
    tenant = factories.tenant(session)
    session.commit()
    result = intake("capture", "sample-rate", rate, "--tenant", tenant.id)
    if rate == "-0":  # minus zero is zero: a valid rate, not an option
        assert result.exit_code == 0, result.output
        return
    line = one_error_line(result, code=2)
    assert "a sample rate is a number from 0 to 1, not " in line
    assert "No such option" not in line and "Input should be" not in line
    assert get_sample_rates(session, [tenant.id]) == {tenant.id: 1.0}


def test_dev_tenant_create_refuses_a_sample_rate_that_is_not_a_number_from_0_to_1(
    intake: Invoke,
) -> None:
    line = one_error_line(intake("dev", "tenant", "create", "acme", "--sample-rate", "nan"), 2)
    assert "'--sample-rate': a sample rate is a number from 0 to 1, not nan" in line


def test_sample_rate_still_refuses_an_unknown_option(intake: Invoke) -> None:
    line = one_error_line(intake("capture", "sample-rate", "0.5", "--tenant", "t", "--x"), 2)
    assert "unexpected extra argument" in line


@pytest.mark.skipif(not Path("/proc/version").is_file(), reason="needs /proc")
@pytest.mark.parametrize("target", ["/proc/version", "/proc/no-such-export.jsonl"])
def test_an_export_into_a_folder_that_takes_no_files_says_so(
    intake: Invoke, session: Session, target: str
) -> None:
    world = factories.world(session)
    add_example(session, world)
    line = one_error_line(intake("export", "--tenant", world.tenant.id, "-o", target))
    assert line == f"error: cannot write {target}: the folder /proc does not allow creating files"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_an_export_into_a_locked_folder_says_permission_is_missing(
    intake: Invoke, session: Session, tmp_path: Path
) -> None:
    world = factories.world(session)
    add_example(session, world)
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    line = one_error_line(intake("export", "--tenant", world.tenant.id, "-o", str(locked / "x")))
    assert line == f"error: cannot write {locked / 'x'}: no permission to create files in the " \
        f"folder {locked}"  # fmt: skip


@pytest.mark.skipif(not Path("/proc/version").is_file(), reason="needs /proc")
def test_a_stats_plot_that_cannot_be_written_says_why(intake: Invoke) -> None:
    pytest.importorskip("matplotlib")
    line = one_error_line(intake("stats", "--plot", "/proc/stats.png"))
    assert (
        line
        == "error: cannot write /proc/stats.png: the folder /proc does not allow creating files"
    )


def test_a_stats_plot_is_written_to_the_name_given(intake: Invoke, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    target = tmp_path / "plot"  # no suffix: matplotlib would have written plot.png
    result = intake("stats", "--plot", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(b"\x89PNG")


# 3. Error messages name the id as given.


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("acme\nfoo", "'acme\\nfoo'"),
        ("acme\rfoo", "'acme\\rfoo'"),
        ("a  b", "'a  b'"),
        ("a b", "'a b'"),
        ("a\tb", "'a\\tb'"),
        (" acme", "' acme'"),
        ("acme", "acme"),
    ],
)
def test_an_unknown_tenant_is_named_exactly_as_given(
    intake: Invoke, given: str, shown: str
) -> None:
    for args in (
        ("dev", "show", "--tenant", given),
        ("stats", "--tenant", given),
        ("settings", "show", "--tenant", given),
    ):
        assert one_error_line(intake(*args)) == f"error: unknown tenant: {shown}", args


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("consent", "grant", "--user", "ann\nbob"), "error: unknown user: 'ann\\nbob'"),
        (("examples", "list", "--skill", "s  1"), "error: unknown skill: 's  1'"),
    ],
)
def test_unknown_users_and_skills_are_named_exactly_as_given(
    intake: Invoke, args: tuple[str, ...], said: str
) -> None:
    assert one_error_line(intake(*args)) == said


# 4. Review by --skill and --tenant together: allowed, and the wording says so.


def test_review_by_skill_and_tenant_together_selects_the_skill_in_that_tenant(
    intake: Invoke, session: Session
) -> None:
    world = factories.world(session)
    add_example(session, world, status="pending")
    result = intake(
        "review", "approve", "--skill", world.skill.id, "--tenant", world.tenant.id,
        "--by", world.author.id,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("approved 1 pending example(s) of skill ")


def test_review_names_ids_or_a_filter_and_says_both_filters_may_be_combined(
    intake: Invoke,
) -> None:
    neither = one_error_line(intake("review", "approve", "--by", "u"), code=2)
    assert "name example ids, or select with --skill, --tenant or both" in neither
    both = one_error_line(
        intake("review", "approve", str(uuid.uuid4()), "--skill", "s", "--by", "u"), code=2
    )
    assert "name example ids or select with --skill/--tenant, not both" in both


# 5. `dataset validate`: an empty file, and a file of another format.


def test_validating_an_empty_file_is_refused(intake: Invoke, tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    for path in (str(empty), os.devnull):
        assert one_error_line(intake("dataset", "validate", path)) == (
            f"error: {path}: no lines to validate"
        )
        assert one_error_line(intake("dataset", "validate", path, "--json")).endswith(
            "no lines to validate"
        )


def test_validating_a_plain_jsonl_export_hints_at_the_openai_chat_format(
    intake: Invoke, tmp_path: Path
) -> None:
    plain = tmp_path / "plain.jsonl"
    plain.write_text(json.dumps({"id": "1", "example_input": "in"}) + "\n" + "{}\n")
    result = intake("dataset", "validate", str(plain))
    assert result.exit_code == 1
    assert result.stdout.strip().endswith(
        "2 malformed); first at line(s) 1, 2 - line 1 has no `messages`: this checks the "
        "openai-chat format (`intake export -f openai-chat`)"
    )


def test_broken_chat_lines_get_no_format_hint(intake: Invoke, tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text('not json\n{"messages": "no list"}\n')
    result = intake("dataset", "validate", str(broken))
    assert result.exit_code == 1
    assert "openai-chat" not in result.stdout
