"""A user's training-data consent: grant, and revoke with removal of what was captured."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from worker.models import TRAINING_EXAMPLE, SkillFeedback, Source, User, UserPreferences
from worker.operations import audit
from worker.operations.errors import UnknownUser
from worker.rules import consents


@dataclass(frozen=True, slots=True)
class ConsentChange:
    user_id: str
    tenant_id: str
    had_consent: bool
    has_consent: bool
    # Usage-captured examples of the user deleted by a revocation.
    examples_removed: int = 0


def _locked_preferences(session: Session, user_id: str) -> tuple[User, UserPreferences]:
    """The user and their preferences row, created if missing and locked `FOR UPDATE`.

    The worker reads preferences `FOR SHARE` in its inserting transaction, so holding this lock
    orders every in-flight insert of the user either before us (and we delete it) or after us
    (and it sees the new preference).
    """
    user = session.get(User, user_id)
    if user is None:
        raise UnknownUser(user_id)
    session.execute(
        insert(UserPreferences)
        .values(id=str(uuid.uuid4()), tenant_id=user.tenant_id, user_id=user_id, preferences={})
        .on_conflict_do_nothing(index_elements=[UserPreferences.user_id])
    )
    row = session.execute(
        select(UserPreferences)
        .where(UserPreferences.user_id == user_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    return user, row


def _set_consent(row: UserPreferences, consent: bool) -> bool:
    """Set the consent key, keeping every other key; returns the consent it had before."""
    stored: Any = row.preferences
    had = consents(stored)
    # A non-object document carries no preferences the platform could read: start afresh.
    preferences = dict(stored) if isinstance(stored, dict) else {}
    preferences[audit.CONSENT] = consent
    row.preferences = preferences
    row.updated_at = func.now()
    return had


def grant_consent(session: Session, user_id: str, *, changed_by: str) -> ConsentChange:
    """Record that a user consents to their usage being captured as training data."""
    user, row = _locked_preferences(session, user_id)
    had = _set_consent(row, True)
    audit.record(
        session,
        tenant_id=user.tenant_id,
        user_id=user_id,
        setting=audit.CONSENT,
        old_value=had,
        new_value=True,
        changed_by=changed_by,
    )
    return ConsentChange(user_id, user.tenant_id, had, True)


def revoke_consent(session: Session, user_id: str, *, changed_by: str) -> ConsentChange:
    """Withdraw consent; the user's usage-captured examples go in the caller's transaction.

    Once the caller commits, no usage-captured example of the user remains and the worker
    creates none afterwards, even from submissions already in flight.
    """
    user, row = _locked_preferences(session, user_id)
    # Counted under the lock, which no insert of this user can pass: what the update removes.
    removed = int(
        session.scalar(
            select(func.count()).where(
                SkillFeedback.user_id == user_id,
                SkillFeedback.feedback_type == TRAINING_EXAMPLE,
                SkillFeedback.source == Source.USAGE_CAPTURE,
            )
        )
        or 0
    )
    had = _set_consent(row, False)
    # The database removes the captures in this very update (migration 0009's trigger), as it
    # does for a revocation made anywhere else.
    session.flush()
    audit.record(
        session,
        tenant_id=user.tenant_id,
        user_id=user_id,
        setting=audit.CONSENT,
        old_value=had,
        new_value=False,
        changed_by=changed_by,
        detail={"examples_removed": removed},
    )
    return ConsentChange(user_id, user.tenant_id, had, False, removed)
