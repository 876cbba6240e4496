"""Usage-capture sampling: a tenant keeps a fraction of captures, decided from the submission id."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from worker.models import TenantCapture
from worker.queries import in_array

# Without a row a tenant keeps every capture its switch and its users' consent allow.
DEFAULT_SAMPLE_RATE = 1.0
_SCALE = float(2**64)


def _canonical(submission_id: str) -> str:
    # The same submission spelled in upper case or with braces decides the same way.
    try:
        return str(uuid.UUID(submission_id))
    except ValueError:
        return submission_id


def sample_point(submission_id: str) -> float:
    """Where a submission falls in [0, 1): the first 8 bytes of the id's SHA-256, scaled."""
    digest = hashlib.sha256(_canonical(submission_id).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / _SCALE


def sampled_in(submission_id: str, rate: float) -> bool:
    """Whether a capture is kept at this rate; a retry or redelivery always decides the same way.

    Rate 1 keeps everything and 0 nothing; in between, about `rate` of all ids are kept, and
    raising the rate only ever adds ids (a kept id stays kept).
    """
    if rate >= 1.0:
        return True
    if not rate > 0.0:  # also NaN: keep nothing rather than guess
        return False
    return sample_point(submission_id) < rate


def get_sample_rates(session: Session, tenant_ids: Iterable[str]) -> dict[str, float]:
    """The sample rate of each tenant (DEFAULT_SAMPLE_RATE when it has none), in one query."""
    ids = sorted(set(tenant_ids))
    if not ids:
        return {}
    stored = {
        tenant_id: float(rate)
        for tenant_id, rate in session.execute(
            select(TenantCapture.tenant_id, TenantCapture.sample_rate).where(
                in_array(TenantCapture.tenant_id, ids)
            )
        )
    }
    return {tenant_id: stored.get(tenant_id, DEFAULT_SAMPLE_RATE) for tenant_id in ids}
