"""The sample decision: deterministic per submission id, and close to the rate over many ids."""

from __future__ import annotations

import random
import uuid

import pytest
from sqlalchemy.orm import Session

from tests import factories
from worker.ingest.facts import get_sample_rates
from worker.models import TenantCapture
from worker.rules import sample_point, sampled_in


def _ids(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(count)]


IDS = _ids(100_000)


def test_the_same_submission_always_gets_the_same_decision() -> None:
    for submission_id in IDS[:1000]:
        decisions = {sampled_in(submission_id, 0.37) for _ in range(3)}
        assert len(decisions) == 1


def test_a_rate_of_one_keeps_everything_and_zero_keeps_nothing() -> None:
    assert all(sampled_in(submission_id, 1.0) for submission_id in IDS[:10_000])
    assert not any(sampled_in(submission_id, 0.0) for submission_id in IDS[:10_000])


@pytest.mark.parametrize("rate", [0.01, 0.1, 0.25, 0.5, 0.9])
def test_the_kept_proportion_over_100k_ids_is_close_to_the_rate(rate: float) -> None:
    kept = sum(sampled_in(submission_id, rate) for submission_id in IDS)
    # Binomial standard deviation at n = 100k is at most 0.0016; 0.01 is over six of them.
    assert abs(kept / len(IDS) - rate) < 0.01


def test_raising_the_rate_only_adds_submissions() -> None:
    low = {i for i in IDS[:20_000] if sampled_in(i, 0.2)}
    high = {i for i in IDS[:20_000] if sampled_in(i, 0.6)}
    assert low < high


def test_the_spelling_of_a_uuid_does_not_change_the_decision() -> None:
    for submission_id in IDS[:200]:
        spelled = "{" + submission_id.upper() + "}"
        assert sample_point(spelled) == sample_point(submission_id)


def test_the_point_is_the_first_eight_bytes_of_the_ids_sha256() -> None:
    import hashlib

    submission_id = IDS[0]
    digest = hashlib.sha256(submission_id.encode()).digest()
    assert sample_point(submission_id) == int.from_bytes(digest[:8], "big") / 2**64


def test_a_nan_rate_keeps_nothing() -> None:
    assert not sampled_in(IDS[0], float("nan"))


def test_sample_rates_default_to_one_for_tenants_without_a_row(session: Session) -> None:
    sampled, plain = factories.tenant(session), factories.tenant(session)
    session.add(TenantCapture(tenant_id=sampled.id, sample_rate=0.125))
    session.commit()
    assert get_sample_rates(session, [sampled.id, plain.id, "unknown"]) == {
        sampled.id: 0.125,
        plain.id: 1.0,
        "unknown": 1.0,
    }
    assert get_sample_rates(session, []) == {}
