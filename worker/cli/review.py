"""`intake review`: approve or dismiss training examples as the skill's author or a tenant admin.

By id (whole ids or their first characters), or by filter: every pending example of a skill or
tenant, reviewed in batches of their own transactions so that any number fits in memory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Annotated

import typer

from worker.cli import output
from worker.cli.database import snapshot, transaction
from worker.cli.options import SourceOption, checked
from worker.models import TRAINING_EXAMPLE, SkillFeedback
from worker.operations import bulk_review, lookup
from worker.operations import review as operations
from worker.operations.errors import NotFound, UnknownExample

app = typer.Typer(
    help="Review training examples: only the skill's author or an admin of its tenant may.",
    no_args_is_help=True,
)

IdsArgument = Annotated[
    list[str] | None,
    typer.Argument(
        help="Training example ids (or their first 4+ characters). Or select by filter.",
        show_default=False,
    ),
]
ReviewerOption = Annotated[
    str, typer.Option("--by", help="The reviewing user's id (the author or a tenant admin).")
]
NotesOption = Annotated[
    str | None, typer.Option("--notes", help="Review notes stored with the examples.")
]
SkillFilter = Annotated[
    str | None, typer.Option("--skill", help="Filter: every pending example of this skill.")
]
TenantFilter = Annotated[
    str | None, typer.Option("--tenant", help="Filter: every pending example of this tenant.")
]
BeforeFilter = Annotated[
    str | None,
    typer.Option(
        "--before",
        help="Filter: created before a date/time (2026-11-30) or age (7d).",
        callback=checked(bulk_review.parse_before),
    ),
]
LimitOption = Annotated[
    int | None, typer.Option("--limit", min=1, help="Filter: at most this many, oldest first.")
]
DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Filter: only count what would be reviewed.")
]
BatchOption = Annotated[
    int, typer.Option("--batch-size", min=1, max=10_000, help="Filter: examples per transaction.")
]


def _review(
    status: operations.ReviewStatus,
    ids: list[str] | None,
    by: str,
    notes: str | None,
    selection: bulk_review.Selection,
    before: str | None,
    limit: int | None,
    dry_run: bool,
    batch_size: int,
) -> None:
    filtered = selection.skill_id or selection.tenant_id
    # --skill and --tenant together select the pending examples of that skill in that tenant;
    # what may not be combined is naming ids and selecting by filter.
    if ids and filtered:
        raise typer.BadParameter(
            "name example ids or select with --skill/--tenant, not both", param_hint="IDS"
        )
    if not ids and not filtered:
        raise typer.BadParameter(
            "name example ids, or select with --skill, --tenant or both", param_hint="IDS"
        )
    if ids and (before or limit or dry_run or selection.source):
        raise typer.BadParameter("--source, --before, --limit and --dry-run go with a filter")
    if ids:
        # (No id shape is checked, unlike `intake status`: example ids are the platform's text
        # ids, not only the UUIDs this service gives the examples it stores.)
        _review_ids(status, ids, by, notes)
    else:
        _review_filtered(status, selection, by, notes, before, limit, dry_run, batch_size)


def _review_ids(
    status: operations.ReviewStatus, ids: list[str], by: str, notes: str | None
) -> None:
    with transaction() as session:
        full_ids, missing = [], []
        for given in ids:
            try:
                full_ids.append(
                    lookup.resolve(
                        session,
                        SkillFeedback.id,
                        given,
                        "training example",
                        SkillFeedback.feedback_type == TRAINING_EXAMPLE,
                    )
                )
            except NotFound:
                missing.append(given)
        if missing:
            raise UnknownExample(missing)
        review = operations.review_examples(session, full_ids, status, reviewer_id=by, notes=notes)
    output.say(f"{status.value} {len(review.example_ids)} example(s) as {by}")


def _review_filtered(
    status: operations.ReviewStatus,
    selection: bulk_review.Selection,
    by: str,
    notes: str | None,
    before: str | None,
    limit: int | None,
    dry_run: bool,
    batch_size: int,
) -> None:
    scope = " and ".join(
        f"{name} {value}"
        for name, value in (
            ("skill", selection.skill_id),
            ("tenant", selection.tenant_id),
            ("source", selection.source),
        )
        if value
    )
    with snapshot() as reader:
        if before is not None:
            moment = bulk_review.resolve_before(reader, before)
            selection = replace(selection, before=moment)
            scope += f", created before {moment.isoformat(timespec='seconds')}"
        plan = bulk_review.plan_review(reader, selection, reviewer_id=by, limit=limit)
        verb = "approve" if status is operations.ReviewStatus.APPROVED else "dismiss"
        if plan.count == 0:
            output.say(f"no pending example of {scope}: nothing to {verb}")
            return
        if dry_run:
            output.say(
                f"would {verb} {plan.count} pending example(s) of {scope} as {by} "
                f"({'dry run: ' if dry_run else ''}nothing changed)"
            )
            return
        done = batches = 0
        on_terminal = output.stderr().is_terminal
        for batch in bulk_review.pending_batches(
            reader, selection, reviewer_id=by, batch_size=batch_size, limit=limit
        ):
            with transaction() as writer:
                done += bulk_review.review_batch(writer, batch, status, reviewer_id=by, notes=notes)
            batches += 1
            if on_terminal:
                output.progress(f"{status.value} {done} of {plan.count}")
        if on_terminal:
            output.progress("")
    output.say(
        f"{status.value} {done} pending example(s) of {scope} as {by} in {batches} batch(es)"
    )


def _command(status: operations.ReviewStatus) -> Callable[..., None]:
    """The approve or dismiss command: the same options, one status."""

    def command(
        by: ReviewerOption,
        ids: IdsArgument = None,
        notes: NotesOption = None,
        skill: SkillFilter = None,
        tenant: TenantFilter = None,
        source: SourceOption = None,
        before: BeforeFilter = None,
        limit: LimitOption = None,
        dry_run: DryRunOption = False,
        batch_size: BatchOption = 1000,
    ) -> None:
        selection = bulk_review.Selection(
            skill_id=skill, tenant_id=tenant, source=None if source is None else source.value
        )
        _review(status, ids, by, notes, selection, before, limit, dry_run, batch_size)

    return command


approve = app.command(
    "approve",
    help="Approve examples: they join the golden dataset.\n\n"
    "By id: all or none are changed. By filter (--skill/--tenant): every pending example "
    "that matches, in batches; refused as a whole if the reviewer may not review some of them.",
)(_command(operations.ReviewStatus.APPROVED))
dismiss = app.command(
    "dismiss",
    help="Dismiss examples: kept, but left out of the golden dataset.\n\n"
    "By id: all or none are changed. By filter (--skill/--tenant): every pending example "
    "that matches, in batches; refused as a whole if the reviewer may not review some of them.",
)(_command(operations.ReviewStatus.DISMISSED))
