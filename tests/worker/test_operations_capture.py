"""A tenant's capture switch and sample rate, each change audited."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests import factories
from worker.ingest.facts import get_sample_rates
from worker.models import SettingsAudit, SiteSettings, TenantCapture
from worker.operations import capture
from worker.operations.errors import InvalidValue, UnknownTenant
from worker.queries import get_site_settings


def test_turning_capture_on_creates_the_missing_settings_row_and_audits_it(
    session: Session,
) -> None:
    tenant = factories.tenant(session)
    session.commit()
    change = capture.set_capture_enabled(session, tenant.id, True, changed_by="ops-alice")
    session.commit()
    assert (change.old_value, change.new_value) == (False, True)
    assert get_site_settings(session, tenant.id).training_data_capture_enabled is True
    [entry] = session.scalars(select(SettingsAudit).where(SettingsAudit.tenant_id == tenant.id))
    assert (entry.setting, entry.old_value, entry.new_value, entry.changed_by) == (
        "training_data_capture_enabled",
        False,
        True,
        "ops-alice",
    )
    assert entry.user_id is None
    assert entry.changed_at is not None


def test_turning_capture_off_updates_the_existing_row_without_adding_another(
    session: Session,
) -> None:
    tenant = factories.tenant(session, capture=True)
    session.commit()
    change = capture.set_capture_enabled(session, tenant.id, False, changed_by="ops")
    session.commit()
    assert (change.old_value, change.new_value) == (True, False)
    rows = session.scalar(
        select(func.count()).select_from(SiteSettings).where(SiteSettings.tenant_id == tenant.id)
    )
    assert rows == 1
    assert get_site_settings(session, tenant.id).training_data_capture_enabled is False


def test_an_unknown_tenant_is_refused_and_nothing_is_audited(session: Session) -> None:
    with pytest.raises(UnknownTenant) as refused:
        capture.set_capture_enabled(session, "no-such-tenant", True, changed_by="ops")
    assert refused.value.reason == "unknown_tenant"
    session.rollback()
    assert session.scalar(select(func.count()).select_from(SettingsAudit)) == 0


def test_a_sample_rate_is_stored_audited_and_read_back_per_tenant(session: Session) -> None:
    sampled, untouched = factories.tenant(session), factories.tenant(session)
    session.commit()
    first = capture.set_sample_rate(session, sampled.id, 0.25, changed_by="ops")
    second = capture.set_sample_rate(session, sampled.id, 0.5, changed_by="ops-bob")
    session.commit()
    assert (first.old_value, first.new_value) == (1.0, 0.25)
    assert (second.old_value, second.new_value) == (0.25, 0.5)
    assert get_sample_rates(session, [sampled.id, untouched.id]) == {
        sampled.id: 0.5,
        untouched.id: 1.0,
    }
    row = session.get(TenantCapture, sampled.id)
    assert row is not None and row.updated_by == "ops-bob"
    trail = session.scalars(
        select(SettingsAudit.new_value).where(SettingsAudit.setting == "sample_rate")
    ).all()
    assert sorted(trail) == [0.25, 0.5]


@pytest.mark.parametrize("rate", [-0.1, 1.01, float("nan"), float("inf")])
def test_a_sample_rate_outside_zero_to_one_is_refused(session: Session, rate: float) -> None:
    tenant = factories.tenant(session)
    session.commit()
    with pytest.raises(InvalidValue):
        capture.set_sample_rate(session, tenant.id, rate, changed_by="ops")


def test_the_database_refuses_a_sample_rate_outside_zero_to_one_too(session: Session) -> None:
    from sqlalchemy.exc import IntegrityError

    tenant = factories.tenant(session)
    session.commit()
    session.add(TenantCapture(tenant_id=tenant.id, sample_rate=2.0))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_capture_settings_show_defaults_for_a_tenant_without_rows(session: Session) -> None:
    tenant = factories.tenant(session)
    session.commit()
    shown = capture.get_capture_settings(session, tenant.id)
    assert (shown.capture_enabled, shown.sample_rate, shown.recent_changes) == (False, 1.0, [])


def test_capture_settings_show_the_latest_changes_newest_first(session: Session) -> None:
    tenant = factories.tenant(session)
    session.commit()
    capture.set_capture_enabled(session, tenant.id, True, changed_by="first")
    capture.set_sample_rate(session, tenant.id, 0.1, changed_by="second")
    session.commit()
    shown = capture.get_capture_settings(session, tenant.id, history=5)
    assert (shown.capture_enabled, shown.sample_rate) == (True, 0.1)
    assert [entry.changed_by for entry in shown.recent_changes] == ["second", "first"]
