"""`intake capture`: how much of a tenant's usage is captured."""

from __future__ import annotations

from typing import Annotated

import typer

from worker.cli import output
from worker.cli.database import transaction
from worker.cli.options import NUMBER_ARGUMENT, ByOption, TenantOption, changed_by
from worker.cli.options import sample_rate as checked_rate
from worker.operations import capture as operations
from worker.sanitize import Policy

app = typer.Typer(help="Usage-capture options of a tenant.", no_args_is_help=True)


@app.command("sample-rate", context_settings=NUMBER_ARGUMENT)
def sample_rate(
    rate: Annotated[
        float,
        typer.Argument(
            help="Fraction of usage captures kept, 0 to 1 (default 1).", callback=checked_rate
        ),
    ],
    tenant: TenantOption,
    by: ByOption = None,
) -> None:
    """Keep only a fraction of a tenant's usage captures, chosen by submission id (audited).

    The decision hashes the submission id, so a retried or redelivered capture is always
    decided the same way; sampled-out captures end as `skipped` (`sampled_out`).
    """
    author = changed_by(by)
    with output.reported_errors(), transaction() as session:
        change = operations.set_sample_rate(session, tenant, rate, changed_by=author)
    output.say(
        f"sample rate {rate:g} for tenant {tenant} (was {change.old_value:g}; changed by {author})"
    )


@app.command("golden-policy")
def golden_policy(
    policy: Annotated[Policy, typer.Argument(help="faithful (default) or html.")],
    tenant: TenantOption,
    by: ByOption = None,
) -> None:
    """How the tenant's golden examples are sanitized (audited).

    `faithful` keeps text and code byte-for-byte and neutralizes only active markup; `html` is
    for examples written in a rich-text editor: formatting tags kept, links made safe, no images,
    frames or styles. Usage captures are always faithful.
    """
    author = changed_by(by)
    with output.reported_errors(), transaction() as session:
        change = operations.set_golden_text_policy(session, tenant, policy.value, changed_by=author)
    output.say(
        f"golden text policy {policy.value} for tenant {tenant} "
        f"(was {change.old_value}; changed by {author})"
    )
