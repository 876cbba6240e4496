"""Who may store what: tenant, user, skill, authorship, capture setting and consent, per batch."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from producers.contract import Submission, SubmissionKind
from worker.models import Skill, Tenant, TenantCapture, User, UserPreferences
from worker.outcomes import Outcome, Reason
from worker.queries import (
    get_site_settings_many,
    has_training_data_consent,
    in_array,
    merge_preferences,
)
from worker.sampling import get_sample_rates, sampled_in


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything a batch's decisions need, read with one query per table."""

    tenant_active: dict[str, bool]
    user_tenant: dict[str, str]
    skill_tenant_author: dict[str, tuple[str, str]]
    capture_enabled: dict[str, bool]
    consent: dict[str, bool]
    sample_rate: dict[str, float]
    golden_html: set[str]


def load_facts(session: Session, submissions: Sequence[Submission]) -> Facts:
    """Read the facts for a batch inside the caller's (inserting) transaction.

    Preferences of usage-capture users are read `FOR SHARE`: a consent revocation that updates
    the row waits for this transaction, then deletes what it inserted. Revocation always wins.
    """
    tenant_ids = {s.tenant_id for s in submissions}
    user_ids = {s.user_id for s in submissions}
    skill_ids = {s.skill_id for s in submissions}
    capture_users = {s.user_id for s in submissions if s.kind is SubmissionKind.USAGE_CAPTURE}
    capture_tenants = {s.tenant_id for s in submissions if s.kind is SubmissionKind.USAGE_CAPTURE}

    tenant_active = {
        tenant_id: active
        for tenant_id, active in session.execute(
            select(Tenant.id, Tenant.is_active).where(in_array(Tenant.id, tenant_ids))
        )
    }
    user_tenant = {
        user_id: tenant_id
        for user_id, tenant_id in session.execute(
            select(User.id, User.tenant_id).where(in_array(User.id, user_ids))
        )
    }
    skill_tenant_author = {
        skill_id: (tenant_id, author_id)
        for skill_id, tenant_id, author_id in session.execute(
            select(Skill.id, Skill.tenant_id, Skill.author_id).where(in_array(Skill.id, skill_ids))
        )
    }
    capture_enabled: dict[str, bool] = {}
    consent: dict[str, bool] = {}
    sample_rate: dict[str, float] = {}
    if capture_users:
        sample_rate = get_sample_rates(session, capture_tenants)
        capture_enabled = {
            tenant_id: settings.training_data_capture_enabled
            for tenant_id, settings in get_site_settings_many(session, capture_tenants).items()
        }
        rows = session.execute(
            select(UserPreferences.user_id, UserPreferences.tenant_id, UserPreferences.preferences)
            .where(in_array(UserPreferences.user_id, capture_users))
            .order_by(UserPreferences.user_id)
            .with_for_update(read=True)
        )
        consent = {
            user_id: has_training_data_consent(merge_preferences(preferences))
            # A preferences row filed under another tenant grants nothing here.
            and user_tenant.get(user_id) == tenant_id
            for user_id, tenant_id, preferences in rows
        }
    golden_tenants = {s.tenant_id for s in submissions if s.kind is SubmissionKind.GOLDEN_EXAMPLE}
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
        sample_rate,
        golden_html,
    )


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
