"""Who may store what, and how: every decision of the outcome table, as pure functions of facts.

No SQL and no I/O here. `worker/ingest/facts.py` reads the facts a batch needs; the pipeline asks
these functions what becomes of each submission, where its row lands and how its text is
sanitized. Change a rule here, and its table-driven test in tests/worker/test_rules.py.
"""

from __future__ import annotations

import hashlib
import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from producers.contract import Outcome, Reason, Submission, SubmissionKind
from worker.models import Source, Status
from worker.sanitize import Policy

# The platform's defaults: a tenant without a settings row has capture off; a user without a
# preferences row (or without the key) has not consented. A tenant without capture options keeps
# every capture its switch and its users' consent allow, and sanitizes golden examples as text.
DEFAULT_CAPTURE_ENABLED = False
CONSENT_KEY = "trainingDataConsent"
DEFAULT_USER_PREFERENCES: Mapping[str, Any] = {CONSENT_KEY: False}
DEFAULT_SAMPLE_RATE = 1.0
DEFAULT_GOLDEN_POLICY = Policy.FAITHFUL

# Where each kind of example lands.
PLACEMENT: Mapping[SubmissionKind, tuple[Source, Status]] = {
    SubmissionKind.GOLDEN_EXAMPLE: (Source.WEB, Status.APPROVED),
    SubmissionKind.USAGE_CAPTURE: (Source.USAGE_CAPTURE, Status.PENDING),
}

_SCALE = float(2**64)


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything a batch's decisions need; what is missing from a map takes the default."""

    tenant_active: Mapping[str, bool] = field(default_factory=dict)
    # The tenant each user and skill belongs to, wherever it is (cross-tenant lookups included).
    user_tenant: Mapping[str, str] = field(default_factory=dict)
    skill_tenant: Mapping[str, str] = field(default_factory=dict)
    skill_author: Mapping[str, str] = field(default_factory=dict)
    capture_enabled: Mapping[str, bool] = field(default_factory=dict)
    # Each capturing user's consent (as `consents` reads it, in the database) and the tenant its
    # preferences row is filed under.
    consent: Mapping[str, tuple[str, bool]] = field(default_factory=dict)
    sample_rate: Mapping[str, float] = field(default_factory=dict)
    golden_policy: Mapping[str, Policy] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    reason: Reason | None = None

    @property
    def accepted(self) -> bool:
        return self.outcome is Outcome.ACCEPTED


ACCEPT = Decision(Outcome.ACCEPTED)


def decide(submission: Submission, facts: Facts) -> Decision:
    """Accept, skip or reject one submission; the checks run in the brief's order."""
    tenant = submission.tenant_id
    active = facts.tenant_active.get(tenant)
    if active is None:
        return Decision(Outcome.REJECTED, Reason.UNKNOWN_TENANT)
    if not active:
        return Decision(Outcome.REJECTED, Reason.INACTIVE_TENANT)
    user_tenant = facts.user_tenant.get(submission.user_id)
    if user_tenant is None:
        return Decision(Outcome.REJECTED, Reason.UNKNOWN_USER)
    skill_tenant = facts.skill_tenant.get(submission.skill_id)
    if skill_tenant is None:
        return Decision(Outcome.REJECTED, Reason.UNKNOWN_SKILL)
    if user_tenant != tenant or skill_tenant != tenant:
        return Decision(Outcome.REJECTED, Reason.CROSS_TENANT)
    if submission.kind is SubmissionKind.GOLDEN_EXAMPLE:
        if facts.skill_author.get(submission.skill_id) != submission.user_id:
            return Decision(Outcome.REJECTED, Reason.NOT_AUTHOR)
        return ACCEPT
    if not facts.capture_enabled.get(tenant, DEFAULT_CAPTURE_ENABLED):
        return Decision(Outcome.SKIPPED, Reason.CAPTURE_DISABLED)
    if not has_consent(submission.user_id, tenant, facts):
        return Decision(Outcome.SKIPPED, Reason.NO_CONSENT)
    # Decided from the submission id, so a retried submission is decided the same way.
    if not sampled_in(submission.id, facts.sample_rate.get(tenant, DEFAULT_SAMPLE_RATE)):
        return Decision(Outcome.SKIPPED, Reason.SAMPLED_OUT)
    return ACCEPT


def has_consent(user_id: str, tenant_id: str, facts: Facts) -> bool:
    """Only a preferences row of the user's own tenant holding consent counts."""
    filed = facts.consent.get(user_id)
    if filed is None:
        return False
    filed_tenant, given = filed
    return filed_tenant == tenant_id and given


def consents(stored: Any) -> bool:
    """Whether stored preferences consent; "yes", 1, a missing key or a non-object do not.

    The worker's read (migration 0009's `intake_tenant_facts`) and the revocation trigger apply
    the same rule in SQL: `coalesce(preferences -> 'trainingDataConsent' = 'true'::jsonb, false)`.
    """
    return merge_preferences(stored).get(CONSENT_KEY) is True


def merge_preferences(stored: Any) -> dict[str, Any]:
    """The platform's defaults overlaid with what a user stored (a non-object counts as nothing)."""
    merged = dict(DEFAULT_USER_PREFERENCES)
    if isinstance(stored, Mapping):
        merged.update(stored)
    return merged


def placement(kind: SubmissionKind) -> tuple[Source, Status]:
    """The source and status a stored example of this kind gets."""
    return PLACEMENT[kind]


def text_policy(submission: Submission, facts: Facts) -> Policy:
    """How a submission's text is sanitized: golden examples as their tenant chose, captures as
    text (a capture is tool I/O, never rich text)."""
    if submission.kind is SubmissionKind.GOLDEN_EXAMPLE:
        return facts.golden_policy.get(submission.tenant_id, DEFAULT_GOLDEN_POLICY)
    return Policy.FAITHFUL


def sample_point(submission_id: str) -> float:
    """Where a submission falls in [0, 1): the first 8 bytes of the id's SHA-256, scaled."""
    digest = hashlib.sha256(_canonical_id(submission_id).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / _SCALE


def sampled_in(submission_id: str, rate: float) -> bool:
    """Whether a capture is kept at this rate; a retry or redelivery always decides the same way.

    Rate 1 keeps everything and 0 nothing; in between, about `rate` of all ids are kept, and
    raising the rate only ever adds ids (a kept id stays kept).
    """
    if rate >= 1.0:
        return True
    if not rate > 0.0 or math.isnan(rate):  # NaN: keep nothing rather than guess
        return False
    return sample_point(submission_id) < rate


def _canonical_id(submission_id: str) -> str:
    # The same submission spelled in upper case or with braces decides the same way.
    try:
        return str(uuid.UUID(submission_id))
    except ValueError:
        return submission_id
