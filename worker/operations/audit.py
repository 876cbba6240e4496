"""The settings audit trail: who changed which setting of a tenant or user, when, and how."""

from __future__ import annotations

import getpass
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from worker.models import SettingsAudit

CAPTURE_ENABLED = "training_data_capture_enabled"
SAMPLE_RATE = "sample_rate"
GOLDEN_TEXT_POLICY = "golden_text_policy"
CONSENT = "trainingDataConsent"


def current_operator() -> str:
    """The OS user running the command: the default author of a change made from a terminal."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name and no passwd entry (some containers)
        return "unknown"


def record(
    session: Session,
    *,
    tenant_id: str,
    setting: str,
    old_value: Any,
    new_value: Any,
    changed_by: str,
    user_id: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> SettingsAudit:
    """Add one audit entry to the caller's transaction (flushed, not committed)."""
    entry = SettingsAudit(
        tenant_id=tenant_id,
        user_id=user_id,
        setting=setting,
        old_value=old_value,
        new_value=new_value,
        changed_by=changed_by,
        detail=dict(detail or {}),
    )
    session.add(entry)
    session.flush()
    return entry


def recent(session: Session, tenant_id: str, *, limit: int = 10) -> list[SettingsAudit]:
    """A tenant's latest audit entries, newest first (its users' consent changes included)."""
    return list(
        session.scalars(
            select(SettingsAudit)
            .where(SettingsAudit.tenant_id == tenant_id)
            .order_by(SettingsAudit.changed_at.desc(), SettingsAudit.id.desc())
            .limit(max(1, limit))
        )
    )
