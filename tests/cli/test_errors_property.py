"""The property of every command: whatever the arguments, ids and URLs, the command ends in a
valid result or in one `error:` line, never a traceback."""

from __future__ import annotations

import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from worker.cli import app

# Commands that run for long, start servers or processes, stop the data folder's servers or
# write files where they are told are left out; every other command and group is fed.
LEFT_OUT = {
    ("worker",),
    ("demo",),
    ("servers",),
    ("servers", "start"),
    ("servers", "stop"),
    ("servers", "env"),
    ("export",),
    ("dev", "tenant"),
    ("dev", "user"),
    ("dev", "skill"),
    ("settings",),
    ("capture",),
    ("consent",),
    ("examples",),
    ("dead-letters",),
    ("dataset",),
    ("dataset", "version"),
}
COMMANDS = [
    ("status",),
    ("stats",),
    ("migrate",),
    ("servers", "status"),
    ("dev", "tenant", "create"),
    ("dev", "user", "create"),
    ("dev", "skill", "create"),
    ("dev", "show"),
    ("settings", "capture"),
    ("settings", "show"),
    ("capture", "sample-rate"),
    ("capture", "golden-policy"),
    ("consent", "grant"),
    ("consent", "revoke"),
    ("examples", "list"),
    ("examples", "count"),
    ("review", "approve"),
    ("review", "dismiss"),
    ("dead-letters", "list"),
    ("dead-letters", "show"),
    ("dead-letters", "replay"),
    ("dataset", "version", "create"),
    ("dataset", "version", "list"),
    ("dataset", "version", "show"),
    ("dataset", "version", "diff"),
    ("dataset", "validate"),
    ("examples", "flag-duplicates"),
    ("review",),
    ("dev",),
    (),
]
OPTIONS = [
    "--tenant",
    "--user",
    "--skill",
    "--by",
    "--since",
    "--limit",
    "--before",
    "--source",
    "--status",
    "--state",
    "--sample-rate",
    "--capture",
    "--author",
    "--role",
    "--json",
    "--dry-run",
    "--all",
    "--consent",
    "--history",
    "--notes",
    "--reason",
    "--payload",
]
words = st.one_of(
    st.text(max_size=20),
    st.text(alphabet="0123456789abcdef-", min_size=1, max_size=40),
    st.uuids().map(str),
    st.integers(-(2**40), 2**40).map(str),
    st.tuples(st.integers(0, 10**16), st.sampled_from("smhdw")).map(lambda w: f"{w[0]}{w[1]}"),
    st.sampled_from(["on", "off", "0.5", "2", "-1", "nan", "24h", "0s", "7d", "approved", "web"]),
    st.sampled_from(OPTIONS),
)
urls = st.one_of(
    st.none(),
    # What an environment can hold: no NUL.
    st.text(st.characters(blacklist_characters="\x00", codec="utf-8"), max_size=30),
    st.sampled_from(
        [
            "mysql://u@h/db",
            "postgresql://",
            "postgresql://u:pw@127.0.0.1:1/x",
            "postgresql://u@[::1/x",
            "redis://127.0.0.1:1/0",
            "amqp://guest@127.0.0.1:1//",
            "http://example.invalid/",
        ]
    ),
)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    command=st.sampled_from(COMMANDS),
    arguments=st.lists(words, max_size=6),
    database=urls,
    broker=urls,
)
def test_any_arguments_end_in_one_line_or_a_valid_result(
    database_url: str,
    broker_url: str,
    session_factory: object,
    command: tuple[str, ...],
    arguments: list[str],
    database: str | None,
    broker: str | None,
) -> None:
    env = {}
    if database is not None:
        env["DATABASE_URL"] = database
    if broker is not None:
        env["CELERY_BROKER_URL"] = broker
    if not env.get("DATABASE_URL", "x") or not env.get("CELERY_BROKER_URL", "x"):
        # An empty URL means the embedded servers: not what this property is about.
        env["INTAKE_DATA_DIR"] = "/dev/null/no-embedded-servers-here"
    result = CliRunner().invoke(app, [*command, *arguments], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
    if result.exit_code == 0:
        return
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    if not lines and result.exit_code == 2 and "Usage:" in result.stdout:
        return  # a group named without a command: its help
    if not lines:
        # An answer that is "no" (`intake status` of an id without an outcome): said on stdout.
        assert result.stdout.strip(), result
        return
    errors = [line for line in lines if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    assert lines[-1] == errors[0], result.stderr
    # Said in the command's words, not an exception's name; shown back without control
    # characters (an id with an escape sequence must not colour or move the terminal).
    assert not errors[0].startswith("error: unexpected "), errors[0]
    assert errors[0].isprintable(), errors[0]


def test_commands_left_out_of_the_property_are_the_long_running_ones() -> None:
    def paths(command: object, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
        found = {prefix}
        for name, sub in getattr(command, "commands", {}).items():
            found |= paths(sub, (*prefix, name))
        return found

    every = paths(typer.main.get_command(app))
    assert every == set(COMMANDS) | LEFT_OUT
