"""Reads and writes of the platform tables; each takes a session and never commits."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from worker.db import in_array
from worker.models import (
    TRAINING_EXAMPLE,
    SiteSettings,
    SkillFeedback,
    Source,
    Status,
    User,
    UserPreferences,
)
from worker.rules import DEFAULT_CAPTURE_ENABLED, merge_preferences

MAX_PAGE_SIZE = 200


@dataclass(frozen=True, slots=True)
class TrainingExample:
    """A training example as the web app shows it, with the submitting user's name and image."""

    id: str
    tenant_id: str
    skill_id: str
    user_id: str | None
    user_name: str | None
    user_image: str | None
    example_input: str | None
    example_output: str | None
    expected_output: str | None
    quality_score: int | None
    status: str
    source: str
    usage_event_id: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TenantSettings:
    tenant_id: str
    training_data_capture_enabled: bool


def create_training_example(
    session: Session,
    *,
    id: str,
    tenant_id: str,
    skill_id: str,
    user_id: str,
    example_input: str,
    example_output: str,
    expected_output: str | None = None,
    quality_score: int | None = None,
    source: str = Source.WEB,
    status: str = Status.APPROVED,
    usage_event_id: str | None = None,
) -> SkillFeedback:
    """Add one training example (flushed, not committed) and return it."""
    row = SkillFeedback(
        id=id,
        tenant_id=tenant_id,
        skill_id=skill_id,
        user_id=user_id,
        usage_event_id=usage_event_id,
        feedback_type=TRAINING_EXAMPLE,
        example_input=example_input,
        example_output=example_output,
        expected_output=expected_output,
        quality_score=quality_score,
        source=source,
        status=status,
    )
    session.add(row)
    session.flush()
    return row


def get_training_examples_for_skill(
    session: Session,
    skill_id: str,
    *,
    limit: int = 20,
    offset: int = 0,
    status: str | None = None,
    source: str | None = None,
) -> list[TrainingExample]:
    """A page of a skill's training examples, newest first."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    query = (
        select(SkillFeedback, User.name, User.image)
        .outerjoin(User, User.id == SkillFeedback.user_id)
        .where(
            SkillFeedback.skill_id == skill_id,
            SkillFeedback.feedback_type == TRAINING_EXAMPLE,
        )
        .order_by(SkillFeedback.created_at.desc(), SkillFeedback.id.desc())
        .limit(limit)
        .offset(max(0, offset))
    )
    if status is not None:
        query = query.where(SkillFeedback.status == status)
    if source is not None:
        query = query.where(SkillFeedback.source == source)
    return [
        TrainingExample(
            id=row.id,
            tenant_id=row.tenant_id,
            skill_id=row.skill_id,
            user_id=row.user_id,
            user_name=user_name,
            user_image=user_image,
            example_input=row.example_input,
            example_output=row.example_output,
            expected_output=row.expected_output,
            quality_score=row.quality_score,
            status=row.status,
            source=row.source,
            usage_event_id=row.usage_event_id,
            created_at=row.created_at,
        )
        for row, user_name, user_image in session.execute(query)
    ]


def get_training_example_count(
    session: Session, skill_id: str, *, status: str | None = None
) -> int:
    """How many training examples a skill has (other feedback kinds are not counted)."""
    query = select(func.count()).where(
        SkillFeedback.skill_id == skill_id, SkillFeedback.feedback_type == TRAINING_EXAMPLE
    )
    if status is not None:
        query = query.where(SkillFeedback.status == status)
    return int(session.scalar(query) or 0)


def get_site_settings(session: Session, tenant_id: str) -> TenantSettings:
    """A tenant's settings with the platform's defaults for a missing row (capture off)."""
    return get_site_settings_many(session, [tenant_id])[tenant_id]


def get_site_settings_many(
    session: Session, tenant_ids: Iterable[str]
) -> dict[str, TenantSettings]:
    ids = sorted(set(tenant_ids))
    stored = {
        tenant_id: enabled
        for tenant_id, enabled in session.execute(
            select(SiteSettings.tenant_id, SiteSettings.training_data_capture_enabled).where(
                in_array(SiteSettings.tenant_id, ids)
            )
        )
    }
    return {
        tenant_id: TenantSettings(tenant_id, bool(stored.get(tenant_id, DEFAULT_CAPTURE_ENABLED)))
        for tenant_id in ids
    }


def get_user_preferences(session: Session, user_id: str) -> dict[str, Any]:
    """A user's preferences merged over the defaults (missing row or key = no consent)."""
    stored = session.scalar(
        select(UserPreferences.preferences).where(UserPreferences.user_id == user_id)
    )
    return merge_preferences(stored)
