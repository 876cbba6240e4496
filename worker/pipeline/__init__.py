"""The ingest pipeline: validate, authorize, sanitize and insert a batch in one transaction."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from producers.contract import Submission, SubmissionInvalid, SubmissionKind, parse_submission
from producers.signing import verify
from worker.authorize import decide, load_facts
from worker.db import is_transient
from worker.errors import TransientError
from worker.models import TRAINING_EXAMPLE
from worker.outcomes import Outcome, Reason, Result
from worker.pipeline import store
from worker.sanitize import Policy, sanitize
from worker.tenancy import WORKER_ROLE, act_as_worker

log = logging.getLogger("worker.pipeline")

SessionFactory = Callable[[], Session]

# Where each kind of example lands: (source, status).
_PLACEMENT = {
    SubmissionKind.GOLDEN_EXAMPLE: ("web", "approved"),
    SubmissionKind.USAGE_CAPTURE: ("usage_capture", "pending"),
}


@dataclass(frozen=True, slots=True)
class BatchReport:
    results: list[Result]
    # Ids whose outcome this batch wrote (re-deliveries of decided ids are not among them).
    recorded: set[str]

    @property
    def newly_recorded(self) -> list[Result]:
        """The results that became outcome rows, one per id, in batch order."""
        chosen: dict[str, Result] = {}
        for result in _to_record(self.results):
            if result.submission_id in self.recorded:
                chosen.setdefault(result.submission_id, result)
        return list(chosen.values())

    def count(self, outcome: Outcome) -> int:
        return sum(1 for result in self.results if result.outcome is outcome)


def process_batch(
    session_factory: SessionFactory,
    items: Sequence[Any],
    *,
    max_text_length: int = 5000,
    signing_keys: Mapping[str, bytes] | None = None,
    db_role: str | None = WORKER_ROLE,
) -> BatchReport:
    """Process decoded message items; every item gets exactly one Result, in order.

    Raises TransientError when the database fails in a way a retry can cure; nothing of the
    batch is committed then, and rerunning it is safe.
    """
    results: list[Result | None] = [None] * len(items)
    pending: list[tuple[int, Submission]] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        # Authenticity first: an unsigned or tampered message is not even validated.
        if signing_keys and not verify(item, signing_keys):
            results[index] = unsigned_result(item)
            continue
        try:
            submission = parse_submission(item, max_text_length=max_text_length)
        except SubmissionInvalid as exc:
            results[index] = invalid_result(item, exc)
            continue
        if submission.id in seen:
            results[index] = _result(submission, Outcome.DUPLICATE, Reason.SAME_SUBMISSION)
            continue
        seen.add(submission.id)
        pending.append((index, submission))

    try:
        with session_factory() as session, session.begin():
            # Every statement from here on is bound by row-level security.
            act_as_worker(session, db_role)
            for index, result in _process_valid(session, pending, max_text_length).items():
                results[index] = result
            recorded = store.record_outcomes(session, _to_record(results))
    except DBAPIError as exc:
        if is_transient(exc):
            raise TransientError(f"database unavailable: {type(exc.orig).__name__}") from exc
        raise
    final = [result for result in results if result is not None]
    assert len(final) == len(items)
    return BatchReport(final, recorded)


def _process_valid(
    session: Session, pending: list[tuple[int, Submission]], max_text_length: int
) -> dict[int, Result]:
    results: dict[int, Result] = {}
    decided = store.already_decided(session, [s.id for _, s in pending])
    fresh = [(i, s) for i, s in pending if s.id not in decided]
    for index, submission in pending:
        if submission.id in decided:
            results[index] = _result(submission, Outcome.DUPLICATE, Reason.SAME_SUBMISSION)
    if not fresh:
        return results

    facts = load_facts(session, [s for _, s in fresh])
    accepted: list[tuple[int, Submission, dict[str, Any]]] = []
    rows: list[dict[str, Any]] = []
    for index, submission in fresh:
        outcome, reason = decide(submission, facts)
        if outcome is not Outcome.ACCEPTED:
            results[index] = _result(submission, outcome, reason)
            continue
        policy = (
            Policy.HTML
            if submission.kind is SubmissionKind.GOLDEN_EXAMPLE
            and submission.tenant_id in facts.golden_html
            else Policy.FAITHFUL
        )
        row, detail = _row(submission, max_text_length, policy)
        rows.append(row)
        accepted.append((index, submission, detail))

    stored = store.insert_rows(session, rows)
    for index, submission, detail in accepted:
        if submission.id in stored.inserted:
            results[index] = _result(submission, Outcome.ACCEPTED, None, detail)
        elif submission.id in stored.rejected:
            results[index] = _result(submission, Outcome.REJECTED, stored.rejected[submission.id])
        elif submission.id in stored.existing:
            results[index] = _result(submission, Outcome.DUPLICATE, Reason.SAME_SUBMISSION)
        else:
            results[index] = _result(submission, Outcome.DUPLICATE, Reason.SAME_USAGE_EVENT)
    return results


def _row(
    submission: Submission, max_text_length: int, policy: Policy
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The skill_feedback row of an accepted submission, with its texts sanitized."""
    source, status = _PLACEMENT[submission.kind]
    secrets: set[str] = set()
    neutralized = False
    texts: dict[str, str | None] = {}
    for name in ("example_input", "example_output", "expected_output"):
        value = getattr(submission, name)
        if value is None:
            texts[name] = None
            continue
        cleaned = sanitize(value, max_length=max_text_length, policy=policy)
        secrets.update(cleaned.secrets_found)
        neutralized = neutralized or cleaned.markup_neutralized
        texts[name] = cleaned.text
    detail: dict[str, Any] = {}
    if secrets:
        detail["secrets_found"] = sorted(secrets)
    if neutralized:
        detail["markup_neutralized"] = True
    row = {
        "id": submission.id,
        "tenant_id": submission.tenant_id,
        "skill_id": submission.skill_id,
        "user_id": submission.user_id,
        "usage_event_id": submission.usage_event_id,
        "feedback_type": TRAINING_EXAMPLE,
        "quality_score": submission.quality_score,
        "source": source,
        "status": status,
        **texts,
    }
    return row, detail


def _result(
    submission: Submission,
    outcome: Outcome,
    reason: Reason | None,
    detail: dict[str, Any] | None = None,
) -> Result:
    return Result(
        submission.id, outcome, reason, submission.tenant_id, submission.kind.value, detail or {}
    )


def invalid_result(item: Any, exc: SubmissionInvalid) -> Result:
    """A rejected/invalid result, keyed by whatever usable id and tenant the item carried."""
    raw_id = item.get("submission_id") if isinstance(item, dict) else None
    raw_tenant = item.get("tenant_id") if isinstance(item, dict) else None
    raw_kind = item.get("kind") if isinstance(item, dict) else None
    return Result(
        _usable_id(raw_id),
        Outcome.REJECTED,
        Reason.INVALID,
        _usable_id(raw_tenant),
        raw_kind if raw_kind in set(SubmissionKind) else None,
        {"fields": exc.field_errors},
    )


def unsigned_result(item: Any) -> Result:
    raw = item if isinstance(item, dict) else {}
    return Result(
        _usable_id(raw.get("submission_id")),
        Outcome.REJECTED,
        Reason.BAD_SIGNATURE,
        _usable_id(raw.get("tenant_id")),
        raw.get("kind") if raw.get("kind") in set(SubmissionKind) else None,
    )


def _usable_id(value: Any) -> str | None:
    if isinstance(value, str) and 0 < len(value) <= 255 and "\x00" not in value:
        return value
    return None


def _to_record(results: Sequence[Result | None]) -> list[Result]:
    """Results that become outcome rows: all but re-deliveries of an already-decided id."""
    return [
        result
        for result in results
        if result is not None
        and result.submission_id is not None
        and not (result.outcome is Outcome.DUPLICATE and result.reason is Reason.SAME_SUBMISSION)
    ]
