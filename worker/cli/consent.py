"""`intake consent`: a user's training-data consent; revoking removes what was captured."""

from __future__ import annotations

from typing import Annotated

import typer

from worker.cli import output
from worker.cli.database import transaction
from worker.cli.options import ByOption, changed_by
from worker.operations import consent as operations

UserOption = Annotated[str, typer.Option("--user", help="User id.")]

app = typer.Typer(
    help="A user's training-data consent (every change is audited).", no_args_is_help=True
)


def _was(had: bool) -> str:
    return "consented" if had else "no consent"


@app.command("grant")
def grant(
    user: UserOption,
    by: ByOption = None,
) -> None:
    """Record the user's consent (`user_preferences.preferences.trainingDataConsent = true`)."""
    with output.reported_errors(), transaction() as session:
        change = operations.grant_consent(session, user, changed_by=changed_by(by))
    output.say(f"consent granted for user {user} (was: {_was(change.had_consent)})")


@app.command("revoke")
def revoke(
    user: UserOption,
    by: ByOption = None,
) -> None:
    """Withdraw consent and delete the user's usage-captured examples, in one transaction.

    Submissions of the user already queued or in flight cannot bring any back.
    """
    with output.reported_errors(), transaction() as session:
        change = operations.revoke_consent(session, user, changed_by=changed_by(by))
    output.say(
        f"consent revoked for user {user} (was: {_was(change.had_consent)}); "
        f"removed {change.examples_removed} usage-captured example(s)"
    )
