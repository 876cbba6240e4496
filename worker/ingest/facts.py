"""The reads of a batch: tenants, users, skills, authorship, capture switch, consent, options."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from producers.contract import Submission, SubmissionKind
from worker.db import in_array, json_document
from worker.models import Tenant, TenantCapture
from worker.rules import DEFAULT_SAMPLE_RATE, Facts
from worker.sanitize import Policy
from worker.tenancy import by_tenant

_TENANT_FACTS = text(
    "SELECT tenant, fact, key, author_id, enabled, preferences"
    " FROM intake_tenant_facts(CAST(:groups AS json))"
)
_HOME_TENANTS = text("SELECT fact, key, tenant FROM intake_home_tenants(:users, :skills)")


def load_facts(session: Session, submissions: Sequence[Submission]) -> Facts:
    """Read the facts for a batch inside the caller's (inserting) transaction.

    Tenant-scoped tables are read under row-level security, each tenant's group of the batch
    with that tenant set, all in one round trip (`intake_tenant_facts`). Preferences of
    usage-capture users are read `FOR SHARE` there: a consent revocation that updates the row
    waits for this transaction to commit, then removes what it inserted. Revocation always wins.
    """
    tenant_ids = {s.tenant_id for s in submissions}
    # The tenants and their capture options in one round trip (a tenant may have no options).
    query = (
        select(
            Tenant.id, Tenant.is_active, TenantCapture.sample_rate, TenantCapture.golden_text_policy
        )
        .outerjoin(TenantCapture, TenantCapture.tenant_id == Tenant.id)
        .where(in_array(Tenant.id, tenant_ids))
    )
    tenant_active: dict[str, bool] = {}
    rates: dict[str, float] = {}
    policies: dict[str, Policy] = {}
    for tenant_id, active, rate, policy in session.execute(query):
        tenant_active[tenant_id] = active
        if rate is not None:
            rates[tenant_id] = float(rate)
        if policy is not None:
            policies[tenant_id] = Policy(policy)
    # Submissions of unknown or inactive tenants are rejected on that alone.
    live = [s for s in submissions if tenant_active.get(s.tenant_id)]
    user_tenant: dict[str, str] = {}
    skill_tenant: dict[str, str] = {}
    skill_author: dict[str, str] = {}
    capture_enabled: dict[str, bool] = {}
    consent: dict[str, tuple[str, bool]] = {}
    for tenant, fact, key, author_id, enabled, _ in _tenant_scoped_facts(session, live):
        if fact == "user":
            user_tenant[key] = tenant
        elif fact == "skill":
            skill_tenant[key] = tenant
            skill_author[key] = author_id
        elif fact == "capture":
            capture_enabled[tenant] = bool(enabled)
        elif fact == "preferences":
            consent[key] = (tenant, bool(enabled))
    _add_home_tenants(session, live, user_tenant, skill_tenant)
    capture_tenants = {s.tenant_id for s in live if s.kind is SubmissionKind.USAGE_CAPTURE}
    golden_tenants = {s.tenant_id for s in live if s.kind is SubmissionKind.GOLDEN_EXAMPLE}
    return Facts(
        tenant_active=tenant_active,
        user_tenant=user_tenant,
        skill_tenant=skill_tenant,
        skill_author=skill_author,
        capture_enabled=capture_enabled,
        consent=consent,
        sample_rate={tenant: rates.get(tenant, DEFAULT_SAMPLE_RATE) for tenant in capture_tenants},
        golden_policy={tenant: policies[tenant] for tenant in golden_tenants if tenant in policies},
    )


def get_sample_rates(session: Session, tenant_ids: Sequence[str] | set[str]) -> dict[str, float]:
    """The sample rate of each tenant (DEFAULT_SAMPLE_RATE when it set none), in one query."""
    if not tenant_ids:
        return {}
    query = select(TenantCapture.tenant_id, TenantCapture.sample_rate).where(
        in_array(TenantCapture.tenant_id, tenant_ids)
    )
    stored = {tenant_id: float(rate) for tenant_id, rate in session.execute(query)}
    return {tenant_id: stored.get(tenant_id, DEFAULT_SAMPLE_RATE) for tenant_id in tenant_ids}


def _tenant_scoped_facts(session: Session, submissions: Sequence[Submission]) -> list[Any]:
    groups = [
        {
            "tenant_id": tenant,
            "user_ids": sorted({s.user_id for s in members}),
            "skill_ids": sorted({s.skill_id for s in members}),
            "capture_user_ids": sorted(
                {s.user_id for s in members if s.kind is SubmissionKind.USAGE_CAPTURE}
            ),
        }
        for tenant, members in by_tenant(submissions, lambda s: s.tenant_id).items()
    ]
    if not groups:
        return []
    return list(session.execute(_TENANT_FACTS, {"groups": json_document(groups)}))


def _add_home_tenants(
    session: Session,
    submissions: Sequence[Submission],
    user_tenant: dict[str, str],
    skill_tenant: dict[str, str],
) -> None:
    """Where the ids invisible under their submission's tenant live, if anywhere.

    Row-level security hides another tenant's user or skill; this asks the one function that may
    look across tenants (ids and tenant ids only) so that such a submission is `cross_tenant`
    rather than `unknown_user` / `unknown_skill`.
    """
    users = sorted({s.user_id for s in submissions} - user_tenant.keys())
    skills = sorted({s.skill_id for s in submissions} - skill_tenant.keys())
    if not users and not skills:
        return
    for fact, key, tenant in session.execute(_HOME_TENANTS, {"users": users, "skills": skills}):
        (user_tenant if fact == "user" else skill_tenant)[key] = tenant
