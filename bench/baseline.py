"""The straightforward per-submission path, shared by the naive worker and the inline baseline.

Written as the platform does it today, one submission at a time: look each thing up with its
own query, sanitize, add one ORM row. The caller owns the session and commits.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from producers.contract import SubmissionInvalid, SubmissionKind, parse_submission
from worker.models import (
    TRAINING_EXAMPLE,
    SiteSettings,
    Skill,
    SkillFeedback,
    Tenant,
    User,
    UserPreferences,
)
from worker.sanitize import sanitize


def store_submission(session: Session, data: dict[str, Any], max_text_length: int = 5000) -> str:
    """Check and add one submission to `session`; returns what happened (`accepted`, ...)."""
    try:
        submission = parse_submission(data, max_text_length=max_text_length)
    except SubmissionInvalid:
        return "rejected"
    tenant = session.get(Tenant, submission.tenant_id)
    if tenant is None or not tenant.is_active:
        return "rejected"
    user = session.get(User, submission.user_id)
    skill = session.get(Skill, submission.skill_id)
    if user is None or skill is None or {user.tenant_id, skill.tenant_id} != {tenant.id}:
        return "rejected"
    if submission.kind is SubmissionKind.GOLDEN_EXAMPLE:
        is_author = session.scalar(
            select(Skill.id).where(Skill.id == skill.id, Skill.author_id == user.id)
        )
        if is_author is None:
            return "rejected"
        source, status = "web", "approved"
    else:
        settings = session.scalars(
            select(SiteSettings).where(SiteSettings.tenant_id == tenant.id)
        ).first()
        if settings is None or not settings.training_data_capture_enabled:
            return "skipped"
        preferences = session.scalars(
            select(UserPreferences).where(UserPreferences.user_id == user.id)
        ).first()
        if preferences is None or preferences.preferences.get("trainingDataConsent") is not True:
            return "skipped"
        source, status = "usage_capture", "pending"

    def clean(text: str | None) -> str | None:
        return None if text is None else sanitize(text, max_length=max_text_length).text

    session.add(
        SkillFeedback(
            id=submission.id,
            tenant_id=tenant.id,
            skill_id=skill.id,
            user_id=user.id,
            usage_event_id=submission.usage_event_id,
            feedback_type=TRAINING_EXAMPLE,
            example_input=clean(submission.example_input),
            example_output=clean(submission.example_output),
            expected_output=clean(submission.expected_output),
            quality_score=submission.quality_score,
            source=source,
            status=status,
        )
    )
    return "accepted"
