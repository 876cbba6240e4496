"""Tenant isolation: the worker's restricted database role and the per-tenant grouping of a batch.

Row-level security (migration 0007) lets a statement see and write only the rows of the tenant
named by `app.current_tenant_id`. The pipeline's transactions run as a role that is not a table
owner, so the policy binds them; the database functions they call set the tenant per group.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import TypeVar

from sqlalchemy import text
from sqlalchemy.orm import Session

T = TypeVar("T")

TENANT_SETTING = "app.current_tenant_id"
# Created by migration 0007; cluster-wide, NOLOGIN, granted only what the pipeline needs.
WORKER_ROLE = "intake_worker"


def act_as_worker(session: Session, role: str | None) -> None:
    """Switch the current transaction to `role` (SET LOCAL ROLE) and to plans by key.

    A falsy role leaves the role as is: only right when the connection's own login is already
    a non-owner role (an owner or a superuser is not bound by row-level security).

    Every lookup of the ingest path is by key (submission ids, user and skill ids, usage
    events). With statistics from when a table was small or empty (after a deploy or a
    truncate, before autovacuum analyzed it) the planner, and psycopg's prepared generic plans,
    would scan whole tables instead, at a cost growing with the table. Sequential scans are
    turned off for the transaction, so the keys' indexes are used whatever the statistics say.
    """
    if role:
        session.execute(
            text(
                "SELECT set_config('role', :role, true), set_config('enable_seqscan', 'off', true)"
            ),
            {"role": role},
        )
    else:
        session.execute(text("SELECT set_config('enable_seqscan', 'off', true)"))


def set_tenant(session: Session, tenant_id: str) -> None:
    """Scope the rest of the current transaction to one tenant's rows."""
    session.execute(
        text("SELECT set_config(:setting, :tenant, true)"),
        {"setting": TENANT_SETTING, "tenant": tenant_id},
    )


def by_tenant(items: Iterable[T], tenant_of: Callable[[T], str]) -> dict[str, list[T]]:
    """Items grouped by tenant, tenants in sorted order (locks are then taken in one order)."""
    groups: dict[str, list[T]] = defaultdict(list)
    for item in items:
        groups[tenant_of(item)].append(item)
    return {tenant: groups[tenant] for tenant in sorted(groups)}
