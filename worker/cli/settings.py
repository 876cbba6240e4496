"""`intake settings`: a tenant's training-data capture switch, audited."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from worker.cli import output
from worker.cli.database import transaction
from worker.cli.options import ByOption, JsonOption, TenantOption, changed_by
from worker.operations import capture as operations

app = typer.Typer(
    help="A tenant's training-data capture settings (every change is audited).",
    no_args_is_help=True,
)


class Switch(StrEnum):
    ON = "on"
    OFF = "off"


@app.command("capture")
def set_capture(
    state: Annotated[Switch, typer.Argument(help="on or off.")],
    tenant: TenantOption,
    by: ByOption = None,
) -> None:
    """Turn usage capture on or off for a tenant (`site_settings.training_data_capture_enabled`)."""
    author = changed_by(by)
    with output.reported_errors(), transaction() as session:
        change = operations.set_capture_enabled(
            session, tenant, state is Switch.ON, changed_by=author
        )
    was = "on" if change.old_value else "off"
    output.say(f"capture {state.value} for tenant {tenant} (was {was}; changed by {author})")


@app.command("show")
def show(
    tenant: TenantOption,
    history: Annotated[int, typer.Option("--history", min=0, help="Audit entries to show.")] = 10,
    as_json: JsonOption = False,
) -> None:
    """Show a tenant's capture switch, sample rate and latest audited changes."""
    with output.reported_errors(), transaction() as session:
        settings = operations.get_capture_settings(session, tenant, history=history)
        changes = [
            {
                "changed_at": entry.changed_at,
                "setting": entry.setting,
                "user_id": entry.user_id,
                "old_value": entry.old_value,
                "new_value": entry.new_value,
                "changed_by": entry.changed_by,
                "detail": entry.detail,
            }
            for entry in settings.recent_changes
        ]
    if as_json:
        output.emit_json(
            {
                "tenant_id": settings.tenant_id,
                "tenant_name": settings.tenant_name,
                "tenant_active": settings.tenant_active,
                "capture_enabled": settings.capture_enabled,
                "sample_rate": settings.sample_rate,
                "recent_changes": changes,
            }
        )
        return
    output.table(
        f"tenant {settings.tenant_id}",
        ["setting", "value"],
        [
            ["name", settings.tenant_name],
            ["active", settings.tenant_active],
            ["capture", "on" if settings.capture_enabled else "off"],
            ["sample rate", f"{settings.sample_rate:g}"],
        ],
    )
    if changes:
        output.table(
            "recent changes",
            ["when", "setting", "user", "old", "new", "by"],
            [
                [
                    c["changed_at"],
                    c["setting"],
                    c["user_id"],
                    c["old_value"],
                    c["new_value"],
                    c["changed_by"],
                ]
                for c in changes
            ],
        )
