"""A tenant's capture settings: the platform's capture switch and this service's sample rate."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from worker.models import SettingsAudit, SiteSettings, Tenant, TenantCapture
from worker.operations import audit
from worker.operations.errors import InvalidValue, UnknownTenant
from worker.rules import DEFAULT_CAPTURE_ENABLED, DEFAULT_SAMPLE_RATE
from worker.sanitize import Policy


@dataclass(frozen=True, slots=True)
class Change:
    """What one call changed (old and new may be equal: the call is still audited)."""

    tenant_id: str
    setting: str
    old_value: bool | float | str
    new_value: bool | float | str
    changed_by: str
    changed_at: datetime


@dataclass(frozen=True, slots=True)
class CaptureSettings:
    """Everything that decides whether a tenant's usage is captured, with recent changes."""

    tenant_id: str
    tenant_name: str
    tenant_active: bool
    capture_enabled: bool
    sample_rate: float
    recent_changes: list[SettingsAudit]


def _tenant(session: Session, tenant_id: str) -> Tenant:
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        raise UnknownTenant(tenant_id)
    return tenant


def set_capture_enabled(
    session: Session, tenant_id: str, enabled: bool, *, changed_by: str
) -> Change:
    """Turn a tenant's training-data capture on or off, creating its settings row if missing."""
    _tenant(session, tenant_id)
    default = DEFAULT_CAPTURE_ENABLED
    session.execute(
        insert(SiteSettings)
        .values(id=str(uuid.uuid4()), tenant_id=tenant_id, training_data_capture_enabled=default)
        .on_conflict_do_nothing(index_elements=[SiteSettings.tenant_id])
    )
    # Locked so two operators switching at once are audited in the order they took effect.
    row = session.execute(
        select(SiteSettings).where(SiteSettings.tenant_id == tenant_id).with_for_update()
    ).scalar_one()
    old = row.training_data_capture_enabled
    row.training_data_capture_enabled = enabled
    row.updated_at = func.now()
    entry = audit.record(
        session,
        tenant_id=tenant_id,
        setting=audit.CAPTURE_ENABLED,
        old_value=old,
        new_value=enabled,
        changed_by=changed_by,
    )
    return Change(tenant_id, audit.CAPTURE_ENABLED, old, enabled, changed_by, entry.changed_at)


def set_sample_rate(session: Session, tenant_id: str, rate: float, *, changed_by: str) -> Change:
    """Keep only this fraction (0 to 1) of a tenant's usage captures, decided per submission id."""
    if not (math.isfinite(rate) and 0.0 <= rate <= 1.0):
        raise InvalidValue(f"sample rate must be between 0 and 1, not {rate}")
    _tenant(session, tenant_id)
    session.execute(
        insert(TenantCapture)
        .values(tenant_id=tenant_id, sample_rate=DEFAULT_SAMPLE_RATE)
        .on_conflict_do_nothing(index_elements=[TenantCapture.tenant_id])
    )
    row = session.execute(
        select(TenantCapture).where(TenantCapture.tenant_id == tenant_id).with_for_update()
    ).scalar_one()
    old = row.sample_rate
    row.sample_rate = rate
    row.updated_by = changed_by
    row.updated_at = func.now()
    entry = audit.record(
        session,
        tenant_id=tenant_id,
        setting=audit.SAMPLE_RATE,
        old_value=old,
        new_value=rate,
        changed_by=changed_by,
    )
    return Change(tenant_id, audit.SAMPLE_RATE, old, rate, changed_by, entry.changed_at)


def set_golden_text_policy(
    session: Session, tenant_id: str, policy: str, *, changed_by: str
) -> Change:
    """How the tenant's golden examples are sanitized: "faithful" (default) or "html"."""
    if policy not in set(Policy):
        raise InvalidValue(f"golden text policy must be faithful or html, not {policy!r}")
    _tenant(session, tenant_id)
    session.execute(
        insert(TenantCapture)
        .values(tenant_id=tenant_id, sample_rate=DEFAULT_SAMPLE_RATE)
        .on_conflict_do_nothing(index_elements=[TenantCapture.tenant_id])
    )
    row = session.execute(
        select(TenantCapture).where(TenantCapture.tenant_id == tenant_id).with_for_update()
    ).scalar_one()
    old = row.golden_text_policy
    row.golden_text_policy = policy
    row.updated_by = changed_by
    row.updated_at = func.now()
    entry = audit.record(
        session,
        tenant_id=tenant_id,
        setting=audit.GOLDEN_TEXT_POLICY,
        old_value=old,
        new_value=policy,
        changed_by=changed_by,
    )
    return Change(tenant_id, audit.GOLDEN_TEXT_POLICY, old, policy, changed_by, entry.changed_at)


def get_capture_settings(session: Session, tenant_id: str, *, history: int = 10) -> CaptureSettings:
    """A tenant's capture switch and sample rate (defaults for missing rows) and latest changes."""
    tenant = _tenant(session, tenant_id)
    enabled = session.scalar(
        select(SiteSettings.training_data_capture_enabled).where(
            SiteSettings.tenant_id == tenant_id
        )
    )
    rate = session.scalar(
        select(TenantCapture.sample_rate).where(TenantCapture.tenant_id == tenant_id)
    )
    return CaptureSettings(
        tenant_id=tenant.id,
        tenant_name=tenant.name,
        tenant_active=tenant.is_active,
        capture_enabled=bool(DEFAULT_CAPTURE_ENABLED if enabled is None else enabled),
        sample_rate=DEFAULT_SAMPLE_RATE if rate is None else float(rate),
        recent_changes=audit.recent(session, tenant_id, limit=history) if history else [],
    )
