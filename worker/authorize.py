"""Who may store what: tenant, user, skill, authorship, capture setting and consent, per batch."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from producers.contract import Submission, SubmissionKind
from worker.models import Tenant, TenantCapture
from worker.outcomes import Outcome, Reason
from worker.queries import has_training_data_consent, in_array, merge_preferences
from worker.sampling import get_sample_rates, sampled_in
from worker.tenancy import by_tenant


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything a batch's decisions need, read with a few statements whatever its size."""

    tenant_active: dict[str, bool]
    user_tenant: dict[str, str]
    skill_tenant_author: dict[str, tuple[str, str | None]]
    capture_enabled: dict[str, bool]
    consent: dict[str, bool]
    sample_rate: dict[str, float]
    golden_html: set[str]


def load_facts(session: Session, submissions: Sequence[Submission]) -> Facts:
    """Read the facts for a batch inside the caller's (inserting) transaction.

    Tenant-scoped tables are read under row-level security, each tenant's group of the batch
    with that tenant set, all in one round trip (`intake_tenant_facts`). Preferences of
    usage-capture users are read `FOR SHARE` there: a consent revocation that updates the row
    waits for this transaction, then deletes what it inserted. Revocation always wins.
    """
    tenant_ids = {s.tenant_id for s in submissions}
    tenant_active = {
        tenant_id: active
        for tenant_id, active in session.execute(
            select(Tenant.id, Tenant.is_active).where(in_array(Tenant.id, tenant_ids))
        )
    }
    # Submissions of unknown or inactive tenants are rejected on that alone.
    live = [s for s in submissions if tenant_active.get(s.tenant_id)]
    user_tenant: dict[str, str] = {}
    skill_tenant_author: dict[str, tuple[str, str | None]] = {}
    capture_enabled: dict[str, bool] = {}
    consent: dict[str, bool] = {}
    preference_tenant: dict[str, str] = {}
    for tenant, fact, key, author_id, enabled, preferences in _tenant_scoped_facts(session, live):
        if fact == "user":
            user_tenant[key] = tenant
        elif fact == "skill":
            skill_tenant_author[key] = (tenant, author_id)
        elif fact == "capture":
            capture_enabled[tenant] = bool(enabled)
        elif fact == "preferences":
            preference_tenant[key] = tenant
            consent[key] = has_training_data_consent(merge_preferences(preferences))
    _add_home_tenants(session, live, user_tenant, skill_tenant_author)
    # A preferences row filed under another tenant than the user's grants nothing.
    consent = {
        user_id: given and user_tenant.get(user_id) == preference_tenant[user_id]
        for user_id, given in consent.items()
    }

    capture_tenants = {s.tenant_id for s in live if s.kind is SubmissionKind.USAGE_CAPTURE}
    golden_tenants = {s.tenant_id for s in live if s.kind is SubmissionKind.GOLDEN_EXAMPLE}
    golden_html = set(
        session.scalars(
            select(TenantCapture.tenant_id).where(
                in_array(TenantCapture.tenant_id, golden_tenants),
                TenantCapture.golden_text_policy == "html",
            )
        )
        if golden_tenants
        else ()
    )
    return Facts(
        tenant_active,
        user_tenant,
        skill_tenant_author,
        capture_enabled,
        consent,
        get_sample_rates(session, capture_tenants),
        golden_html,
    )


_TENANT_FACTS = text(
    "SELECT tenant, fact, key, author_id, enabled, preferences"
    " FROM intake_tenant_facts(CAST(:groups AS json))"
)
_HOME_TENANTS = text("SELECT fact, key, tenant FROM intake_home_tenants(:users, :skills)")


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
    return list(session.execute(_TENANT_FACTS, {"groups": json.dumps(groups)}))


def _add_home_tenants(
    session: Session,
    submissions: Sequence[Submission],
    user_tenant: dict[str, str],
    skill_tenant_author: dict[str, tuple[str, str | None]],
) -> None:
    """Where the ids invisible under their submission's tenant live, if anywhere.

    Row-level security hides another tenant's user or skill; this asks the one function that may
    look across tenants (ids and tenant ids only) so that such a submission is `cross_tenant`
    rather than `unknown_user` / `unknown_skill`.
    """
    users = sorted({s.user_id for s in submissions} - user_tenant.keys())
    skills = sorted({s.skill_id for s in submissions} - skill_tenant_author.keys())
    if not users and not skills:
        return
    for fact, key, tenant in session.execute(_HOME_TENANTS, {"users": users, "skills": skills}):
        if fact == "user":
            user_tenant[key] = tenant
        else:
            # Its author is irrelevant: a skill of another tenant is rejected before authorship.
            skill_tenant_author[key] = (tenant, None)


def decide(submission: Submission, facts: Facts) -> tuple[Outcome, Reason | None]:
    """Accept, skip or reject one submission; the checks run in the brief's order."""
    active = facts.tenant_active.get(submission.tenant_id)
    if active is None:
        return Outcome.REJECTED, Reason.UNKNOWN_TENANT
    if not active:
        return Outcome.REJECTED, Reason.INACTIVE_TENANT
    user_tenant = facts.user_tenant.get(submission.user_id)
    if user_tenant is None:
        return Outcome.REJECTED, Reason.UNKNOWN_USER
    skill = facts.skill_tenant_author.get(submission.skill_id)
    if skill is None:
        return Outcome.REJECTED, Reason.UNKNOWN_SKILL
    skill_tenant, author_id = skill
    if user_tenant != submission.tenant_id or skill_tenant != submission.tenant_id:
        return Outcome.REJECTED, Reason.CROSS_TENANT
    if submission.kind is SubmissionKind.GOLDEN_EXAMPLE:
        if author_id != submission.user_id:
            return Outcome.REJECTED, Reason.NOT_AUTHOR
        return Outcome.ACCEPTED, None
    if not facts.capture_enabled.get(submission.tenant_id, False):
        return Outcome.SKIPPED, Reason.CAPTURE_DISABLED
    if not facts.consent.get(submission.user_id, False):
        return Outcome.SKIPPED, Reason.NO_CONSENT
    # Decided from the submission id, so a retried submission is decided the same way.
    if not sampled_in(submission.id, facts.sample_rate.get(submission.tenant_id, 1.0)):
        return Outcome.SKIPPED, Reason.SAMPLED_OUT
    return Outcome.ACCEPTED, None
