"""Every error a user can cause ends in one `error:` line and a non-zero exit, never a traceback.

The named cases are the ones found by trying the command as a newcomer and by the property test
at the end; `-v` adds the traceback.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from tests import factories, servers
from tests.cli.conftest import Invoke
from worker.cli import app
from worker.operations import stats as stats_operations


def one_error_line(result: Result, code: int = 1) -> str:
    """The single `error:` line of a failed command (and that there is nothing else)."""
    assert result.exit_code == code, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines[0]
    return lines[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def runner(database_url: str, broker_url: str, session_factory: object) -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, *args: str, **env: str | None) -> Result:
    return runner.invoke(app, list(args), env=env or None)


@pytest.fixture
def empty_database(postgres_admin_url: str) -> Iterator[str]:
    """A database without this service's tables."""
    with servers.own_database(postgres_admin_url, prefix="intake_test_empty") as url:
        yield url


def test_export_into_a_missing_folder_names_the_folder(intake: Invoke, session: Session) -> None:
    world = factories.world(session)
    result = intake("export", "--tenant", world.tenant.id, "-o", "no-such-folder/out.jsonl")
    assert one_error_line(result) == (
        "error: the folder no-such-folder does not exist: create it first"
    )


def test_export_onto_a_folder_says_it_is_a_folder(
    intake: Invoke, session: Session, tmp_path: Path
) -> None:
    world = factories.world(session)
    (tmp_path / "taken").mkdir()
    result = intake("export", "--tenant", world.tenant.id, "-o", str(tmp_path / "taken"))
    assert one_error_line(result) == f"error: {tmp_path / 'taken'} is a folder: give a file name"


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("xyz", "DATABASE_URL is not a URL: expected postgresql://"),
        ("mysql://user@host/db", "DATABASE_URL must be a postgresql:// URL, not a mysql:// one"),
        ("postgresql://user:pw@host:port/db", "DATABASE_URL is not a URL"),
    ],
)
def test_a_malformed_database_url_is_one_line(runner: CliRunner, url: str, said: str) -> None:
    line = one_error_line(run(runner, "stats", DATABASE_URL=url))
    assert said in line
    assert "pw" not in line


def test_an_unreachable_database_says_where_and_hides_the_password(runner: CliRunner) -> None:
    url = f"postgresql://intake:s3cret@127.0.0.1:{free_port()}/intake"
    line = one_error_line(run(runner, "stats", DATABASE_URL=url))
    assert line.startswith("error: cannot connect to the database at postgresql://intake:***@")
    assert "s3cret" not in line
    assert "is DATABASE_URL right?" in line


def test_a_database_without_the_schema_says_to_migrate(
    runner: CliRunner, empty_database: str
) -> None:
    line = one_error_line(run(runner, "stats", DATABASE_URL=empty_database))
    assert "is not migrated to this version" in line
    assert line.endswith("run `intake migrate`")


def test_the_demo_with_the_broker_down_is_one_line(runner: CliRunner) -> None:
    broker = f"redis://127.0.0.1:{free_port()}/0"
    line = one_error_line(run(runner, "demo", CELERY_BROKER_URL=broker))
    assert line.startswith(f"error: cannot reach the broker at {broker}")


def test_stats_of_an_unknown_tenant_says_so(intake: Invoke) -> None:
    assert one_error_line(intake("stats", "--tenant", "nope")) == "error: unknown tenant: nope"


def test_an_unusable_data_folder_says_what_to_set(runner: CliRunner, tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    result = run(
        runner,
        "stats",
        DATABASE_URL=None,
        CELERY_BROKER_URL=None,
        INTAKE_DATA_DIR=str(a_file / "data"),
    )
    line = one_error_line(result)
    assert line.startswith(f"error: cannot use the data folder {a_file / 'data'}")
    assert "set INTAKE_DATA_DIR" in line


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_data_folder_without_permission_says_what_to_set(
    runner: CliRunner, tmp_path: Path
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    result = run(
        runner,
        "stats",
        DATABASE_URL=None,
        CELERY_BROKER_URL=None,
        INTAKE_DATA_DIR=str(locked / "data"),
    )
    assert "Permission denied" in one_error_line(result)


def test_a_malformed_setting_is_one_line(runner: CliRunner) -> None:
    line = one_error_line(run(runner, "stats", INTAKE_MAX_RETRIES="many"))
    assert line.startswith("error: invalid setting: INTAKE_MAX_RETRIES: ")


def test_an_argument_of_the_wrong_type_is_a_usage_error(intake: Invoke) -> None:
    line = one_error_line(intake("dead-letters", "show", "forty-two"), code=2)
    assert "'letter_id'" in line
    assert line.endswith("(see `intake dead-letters show --help`)")


def test_an_unknown_command_is_a_usage_error(intake: Invoke) -> None:
    assert "No such command 'stat'" in one_error_line(intake("stat"), code=2)


def test_an_unknown_dead_letter_is_one_line(intake: Invoke) -> None:
    assert one_error_line(intake("dead-letters", "show", "999999")) == (
        "error: unknown dead letter(s): 999999"
    )


def test_an_unknown_revision_is_one_line(intake: Invoke) -> None:
    assert one_error_line(intake("migrate", "no-such-revision")).startswith("error: migration: ")


def test_verbose_shows_the_traceback_before_the_line(intake: Invoke) -> None:
    result = intake("-v", "stats", "--tenant", "nope")
    assert result.exit_code == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert result.stderr.rstrip().splitlines()[-1] == "error: unknown tenant: nope"


def test_ctrl_c_says_interrupted_and_exits_130(
    intake: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(stats_operations, "collect_stats", interrupted)
    assert one_error_line(intake("stats"), code=130) == "error: interrupted"


def test_an_unexpected_error_is_one_line_that_points_at_verbose(
    intake: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(stats_operations, "collect_stats", broken)
    assert one_error_line(intake("stats")) == (
        "error: unexpected ZeroDivisionError: division by zero "
        "(run `intake -v ...` to see the traceback)"
    )


def _worker_error(result: Result, code: int) -> str:
    """A worker logs which servers it uses (at INFO, as it runs); then one error line ends it."""
    assert result.exit_code == code, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and result.stderr.rstrip().endswith(errors[0]), result.stderr
    return errors[0]


def test_a_worker_refuses_to_start_on_an_unreachable_database(runner: CliRunner) -> None:
    # Not a worker that says it is ready and then retries every batch against nothing.
    url = f"postgresql://intake:s3cret@127.0.0.1:{free_port()}/intake"
    line = _worker_error(run(runner, "worker", DATABASE_URL=url), 1)
    assert line.startswith("error: cannot connect to the database at postgresql://intake:***@")
    assert "s3cret" not in line


def test_a_mistyped_worker_option_is_a_usage_error_with_a_suggestion(runner: CliRunner) -> None:
    line = _worker_error(run(runner, "worker", "--concurency", "2"), 2)
    assert "No such option '--concurency'" in line and "--concurrency" in line


# Found by a newcomer trying wrong input on purpose.
def test_a_window_too_long_for_a_date_is_one_line(intake: Invoke) -> None:
    line = one_error_line(intake("stats", "--since", "99999999999999h"), code=2)
    assert line == (
        "error: Invalid value for '--since': a window is at most 36500d, not '99999999999999h' "
        "(see `intake stats --help`)"
    )


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("INTAKE_LOG_LEVEL", "bogus", "must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ("INTAKE_LOG_FORMAT", "xml", "must be json or text"),
    ],
)
def test_a_logging_setting_out_of_its_choices_is_one_line(
    runner: CliRunner, name: str, value: str, said: str
) -> None:
    line = one_error_line(run(runner, "stats", **{name: value}))
    assert line == f"error: invalid setting: {name} {said}, not {value!r}"


def test_an_id_with_control_characters_is_shown_escaped(intake: Invoke) -> None:
    line = one_error_line(intake("examples", "list", "--skill", "a\x01b\x1b[31mred"))
    assert line == "error: unknown skill: 'a\\x01b\\x1b[31mred'"


def test_an_empty_id_is_shown_quoted(intake: Invoke) -> None:
    assert one_error_line(intake("examples", "list", "--skill", "")) == "error: unknown skill: ''"


def test_a_choice_out_of_its_list_names_the_choices_plainly(intake: Invoke) -> None:
    line = one_error_line(intake("capture", "golden-policy", "bogus", "--tenant", "t"), code=2)
    assert line.startswith("error: Invalid value for 'policy': 'bogus' is not one of ")
