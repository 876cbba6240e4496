"""`intake settings` and `intake capture`: the capture switch and sample rate, audited."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests import factories
from tests.cli.conftest import Invoke
from worker.ingest.facts import get_sample_rates
from worker.models import SettingsAudit
from worker.operations.audit import current_operator
from worker.queries import get_site_settings


def test_capture_on_then_off_switches_the_tenant_and_audits_who_did_it(
    intake: Invoke, session: Session
) -> None:
    tenant = factories.tenant(session)
    session.commit()
    on = intake("settings", "capture", "on", "--tenant", tenant.id, "--by", "ops-alice")
    assert on.exit_code == 0, on.output
    assert on.stdout.strip() == f"capture on for tenant {tenant.id} (was off; changed by ops-alice)"
    assert get_site_settings(session, tenant.id).training_data_capture_enabled is True

    off = intake("settings", "capture", "off", "--tenant", tenant.id)
    assert off.exit_code == 0, off.output
    session.expire_all()
    assert get_site_settings(session, tenant.id).training_data_capture_enabled is False
    trail = session.execute(
        select(SettingsAudit.new_value, SettingsAudit.changed_by).order_by(SettingsAudit.id)
    ).all()
    assert [tuple(row) for row in trail] == [(True, "ops-alice"), (False, current_operator())]


def test_an_unknown_tenant_is_a_clear_error(intake: Invoke) -> None:
    result = intake("settings", "capture", "on", "--tenant", "no-such-tenant")
    assert result.exit_code == 1
    assert "unknown tenant: no-such-tenant" in result.stderr


def test_a_switch_other_than_on_or_off_is_a_usage_error(intake: Invoke) -> None:
    result = intake("settings", "capture", "maybe", "--tenant", "t")
    assert result.exit_code == 2


def test_show_prints_the_switch_the_rate_and_the_latest_changes(
    intake: Invoke, session: Session
) -> None:
    tenant = factories.tenant(session, capture=True)
    session.commit()
    assert (
        intake("capture", "sample-rate", "0.25", "--tenant", tenant.id, "--by", "b").exit_code == 0
    )
    result = intake("settings", "show", "--tenant", tenant.id, "--json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert (shown["capture_enabled"], shown["sample_rate"]) == (True, 0.25)
    [change] = shown["recent_changes"]
    assert (change["setting"], change["old_value"], change["new_value"]) == (
        "sample_rate",
        1.0,
        0.25,
    )

    table = intake("settings", "show", "--tenant", tenant.id)
    assert table.exit_code == 0
    assert "capture\ton" in table.stdout
    assert "sample rate\t0.25" in table.stdout


def test_sample_rate_is_stored_for_the_tenant(intake: Invoke, session: Session) -> None:
    tenant = factories.tenant(session)
    session.commit()
    result = intake("capture", "sample-rate", "0.1", "--tenant", tenant.id, "--by", "ops")
    assert result.exit_code == 0, result.output
    assert (
        result.stdout.strip() == f"sample rate 0.1 for tenant {tenant.id} (was 1; changed by ops)"
    )
    assert get_sample_rates(session, [tenant.id]) == {tenant.id: 0.1}


def test_a_sample_rate_outside_zero_to_one_is_refused(intake: Invoke, session: Session) -> None:
    tenant = factories.tenant(session)
    session.commit()
    assert intake("capture", "sample-rate", "1.5", "--tenant", tenant.id).exit_code == 2
    assert intake("capture", "sample-rate", "--", "-0.5", "--tenant", tenant.id).exit_code == 2
    assert get_sample_rates(session, [tenant.id]) == {tenant.id: 1.0}


def test_the_golden_text_policy_is_stored_and_audited(intake: Invoke, session: Session) -> None:
    from worker.models import TenantCapture

    tenant = factories.tenant(session)
    session.commit()
    result = intake("capture", "golden-policy", "html", "--tenant", tenant.id, "--by", "ops")
    assert result.exit_code == 0, result.output
    assert "golden text policy html" in result.stdout
    session.expire_all()
    stored = session.get(TenantCapture, tenant.id)
    assert stored is not None and stored.golden_text_policy == "html"
    assert intake("capture", "golden-policy", "markdown", "--tenant", tenant.id).exit_code == 2
    audited = session.scalars(
        select(SettingsAudit.setting).where(SettingsAudit.tenant_id == tenant.id)
    ).all()
    assert "golden_text_policy" in audited
