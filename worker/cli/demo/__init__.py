"""`intake demo`: seed a demo world, run a worker, send one of every case, show what became of it.

The world (tenants, users, skills) stays in place afterwards, so the printed ids and commands
can be tried at once.
"""

from __future__ import annotations

import sys
from importlib.util import find_spec
from typing import Annotated, Any

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from producers.client import IntakeClient, SubmissionStatus
from producers.contract import SUBMIT_TASK
from worker.cli import output
from worker.cli.demo import report, world
from worker.cli.demo.cases import Case, cases, locked_case
from worker.cli.demo.worker_process import DEMO_QUEUE, DemoWorker
from worker.models import DeadLetter, IntakeOutcome, SkillFeedback, UserPreferences

# Seconds to wait for the worker to log a resend as a duplicate, and for the locked case.
SIDE_CASE_TIMEOUT = 15.0


def demo(
    timeout: Annotated[
        float, typer.Option(min=1.0, help="Seconds to wait for each outcome.")
    ] = 60.0,
) -> None:
    """Seed a demo world, start a worker, send one of every case and print what became of each.

    The demo's tenants, users and skills stay in place; the printout ends with their ids and
    commands to try next. Its submissions travel on a queue of their own (`intake.demo`), read
    by the demo's own worker only.
    """
    from worker import migrate
    from worker.db import session_factory
    from worker.runtime import prepare

    runtime = prepare(create=True)
    migrate.upgrade()
    factory = session_factory()
    with factory() as session, session.begin():
        world.seed(session)
    sent = cases()
    failing = locked_case()
    first_round = [case for case in sent if case.resend_of is None]
    with IntakeClient(runtime.settings.broker_url) as client, _Sender(client) as send:
        for case in first_round:
            send(case)
        later = len(sent) - len(first_round) + 1
        output.warn(
            f"sent {len(first_round)} submissions; a worker decides them, then {later} more "
            "follow (resends and one that fails)..."
        )
        worker = DemoWorker()
        try:
            statuses = {case.id: client.wait(case.id, timeout=timeout) for case in first_round}
            for case in sent:
                if case.resend_of is not None:
                    send(case)
                    worker.wait_for(case.id, "duplicate", SIDE_CASE_TIMEOUT)
            statuses[failing.id] = _send_while_locked(factory, client, send, failing, timeout)
        finally:
            worker.stop()
    rows = _rows(factory, [*sent, failing], statuses, worker)
    _print(runtime, rows)


class _Sender:
    """Sends a case to the demo's queue: validated and signed as IntakeClient would, unless the
    case is meant to reach the worker invalid."""

    def __init__(self, client: IntakeClient) -> None:
        from producers import settings
        from producers.client import producer_app

        self._client = client
        self._app = producer_app(client.broker_url)
        self._key = settings.signing_key()

    def __call__(self, case: Case) -> None:
        from producers.contract import parse_submission
        from producers.signing import sign

        message = case.submission
        if not case.raw:
            message = parse_submission(
                message, max_text_length=self._client.max_text_length
            ).to_message()
            if self._key is not None:
                message = sign(message, *self._key)
        self._app.send_task(
            SUBMIT_TASK, kwargs={"submission": message}, queue=DEMO_QUEUE, task_id=case.id
        )

    def __enter__(self) -> _Sender:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._app.close()


def _send_while_locked(
    factory: sessionmaker[Session],
    client: IntakeClient,
    send: _Sender,
    case: Case,
    timeout: float,
) -> SubmissionStatus:
    """Send a capture while its user's preferences row is locked, as a revocation would lock
    it: the worker's lock wait times out, and with no retries left the submission fails."""
    with factory() as session, session.begin():
        session.execute(
            select(UserPreferences.id)
            .where(UserPreferences.user_id == case.submission["user_id"])
            .with_for_update()
        )
        send(case)
        status = client.wait(case.id, timeout=min(timeout, SIDE_CASE_TIMEOUT))
        session.rollback()
    return status


def _rows(
    factory: sessionmaker[Session],
    sent: list[Case],
    statuses: dict[str, SubmissionStatus],
    worker: DemoWorker,
) -> list[report.Row]:
    rows = []
    with factory() as session:
        for case in sent:
            if case.resend_of is not None:
                rows.append(_resend_row(session, case, worker))
                continue
            status = statuses[case.id]
            outcome = status.outcome.value if status.outcome else "-"
            note = _note(session, case.id)
            rows.append(report.Row(case.label, case.id, outcome, status.reason or "", note))
    return rows


def _resend_row(session: Session, case: Case, worker: DemoWorker) -> report.Row:
    """The resend of an id already decided: the worker logged it a duplicate; one row stays."""
    rows = session.scalar(select(SkillFeedback.id).where(SkillFeedback.id == case.id).limit(1))
    kept = "still one row" if rows else "no row"
    seen = [decision for decision in worker.seen(case.id) if decision[0] == "duplicate"]
    if seen:
        outcome, reason = seen[-1]
        return report.Row(
            case.label, case.id, outcome, reason or "", f"{kept}; the first outcome stands"
        )
    # Not seen in time: say what is known for sure.
    first = session.get(IntakeOutcome, case.id)
    return report.Row(
        case.label,
        case.id,
        first.outcome if first else "-",
        "",
        f"{kept}; the first outcome stands",
    )


def _note(session: Session, submission_id: str) -> str:
    """What was stored for a submission, or why nothing was, in a few words (never a secret)."""
    row = session.get(SkillFeedback, submission_id)
    if row is not None:
        return f"stored: {row.example_input} -> {row.example_output}"
    outcome = session.get(IntakeOutcome, submission_id)
    if outcome is None:
        return "no outcome yet"
    fields = (outcome.detail or {}).get("fields")
    if isinstance(fields, dict) and fields:
        return "; ".join(
            f"{name}: {', '.join(map(str, messages))}" for name, messages in sorted(fields.items())
        )
    letter = session.scalar(
        select(DeadLetter.id)
        .where(DeadLetter.submission_id == submission_id)
        .order_by(DeadLetter.id.desc())
        .limit(1)
    )
    if letter is not None:
        return f"kept as dead letter {letter}"
    return "text not stored"


def _print(runtime: Any, rows: list[report.Row]) -> None:
    colour = sys.stdout.isatty()
    lines = [
        f"PostgreSQL {_url(runtime.settings.database_url)}",
        f"Redis      {_url(runtime.settings.broker_url)}",
        _origin(runtime),
        "",
        *report.table(rows, colour=colour),
        "",
        *report.section("The demo's world stays in place (intake dev show):", world.describe()),
        "",
        *report.commands("Try next:", _next_commands(rows)),
    ]
    for line in lines:
        output.say(line)


def _next_commands(rows: list[report.Row]) -> list[tuple[str, str]]:
    first = rows[0].submission_id
    letter = next(
        (row.note.rsplit(" ", 1)[-1] for row in rows if row.note.startswith("kept as dead letter")),
        None,
    )
    commands = [
        (f"intake status {first}", ""),
        (f"intake examples list --skill {world.SKILL}", "what was stored"),
        (
            f"intake review approve --skill {world.SKILL} --by {world.ALICE} --dry-run",
            "",
        ),
    ]
    if letter is not None:
        commands += [
            (f"intake dead-letters show {letter}", "the failed one"),
            ("intake worker", "in another terminal, then:"),
            (f"intake dead-letters replay {letter}", "sent again: accepted this time"),
        ]
    commands += [
        # (--plot needs matplotlib: the `plot` extra.)
        (
            "intake stats --plot stats.png" if find_spec("matplotlib") else "intake stats",
            "outcomes over time",
        ),
        ("intake dev --help", "make your own tenants, users"),
        ("docs/getting-started.md", "send your own data"),
    ]
    return commands


def _origin(runtime: Any) -> str:
    origins = {runtime.origin("postgres"), runtime.origin("redis")}
    if origins == {"embedded"}:
        return "(the embedded servers; `intake servers env` prints their URLs)"
    if origins == {"configured"}:
        return "(from DATABASE_URL and CELERY_BROKER_URL)"
    return f"(PostgreSQL {runtime.origin('postgres')}, Redis {runtime.origin('redis')})"


def _url(url: str | None) -> str:
    from producers.errors import safe_url

    return safe_url(url or "")
