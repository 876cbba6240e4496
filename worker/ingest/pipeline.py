"""The ingest pipeline: facts -> rules -> sanitize -> store, one transaction, one BatchReport."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from producers.contract import DEFAULT_MAX_TEXT_LENGTH, TEXT_FIELDS, Submission
from worker import deadletters
from worker.datasets.duplicates import flag_duplicates
from worker.db import is_transient
from worker.errors import TransientError
from worker.ingest import store
from worker.ingest.decode import Admitted, admit
from worker.ingest.facts import load_facts
from worker.models import TRAINING_EXAMPLE
from worker.outcomes import Outcome, Reason, Result
from worker.rules import Facts, decide, placement, text_policy
from worker.sanitize import sanitize
from worker.tenancy import WORKER_ROLE, act_as_worker

log = logging.getLogger("worker.pipeline")

SessionFactory = Callable[[], Session]


@dataclass(frozen=True, slots=True)
class BatchReport:
    """Every item's result in item order, and the ids whose outcome the batch wrote."""

    results: list[Result]
    recorded: set[str]

    @property
    def newly_recorded(self) -> list[Result]:
        """The results that became outcome rows, one per id, in batch order."""
        chosen: dict[str, Result] = {}
        for result in recordable(self.results):
            if result.submission_id in self.recorded:
                chosen.setdefault(result.submission_id, result)
        return list(chosen.values())

    def count(self, outcome: Outcome) -> int:
        return sum(1 for result in self.results if result.outcome is outcome)


@dataclass(frozen=True, slots=True)
class Part:
    """What one transaction decided: results by item index, and the ids it recorded."""

    results: dict[int, Result]
    recorded: set[str]

    def joined(self, other: Part) -> Part:
        """Two parts of one batch (split to isolate a bad submission) as one."""
        return Part({**self.results, **other.results}, self.recorded | other.recorded)

    def report(self, count: int) -> BatchReport:
        """The batch's report: every one of its `count` items has exactly one result."""
        assert len(self.results) == count, "every item gets exactly one result"
        return BatchReport([self.results[index] for index in range(count)], self.recorded)


def process_batch(
    session_factory: SessionFactory,
    items: Sequence[Any],
    *,
    max_text_length: int = DEFAULT_MAX_TEXT_LENGTH,
    signing_keys: Mapping[str, bytes] | None = None,
    db_role: str | None = WORKER_ROLE,
) -> BatchReport:
    """One attempt at a batch of decoded items, for callers that handle faults themselves.

    The worker goes through worker.ingest.run, which retries, isolates and gives up.
    """
    admitted = admit(items, max_text_length=max_text_length, signing_keys=signing_keys)
    part = process(session_factory, admitted, max_text_length=max_text_length, db_role=db_role)
    return part.report(len(items))


def process(
    session_factory: SessionFactory,
    admitted: Admitted,
    *,
    max_text_length: int,
    db_role: str | None = WORKER_ROLE,
) -> Part:
    """Decide, sanitize and store the admitted submissions and record every outcome, atomically.

    Raises TransientError when the database fails in a way a retry can cure; nothing of the
    batch is committed then, and running it again is safe.
    """
    try:
        with session_factory() as session, session.begin():
            # Every statement from here on is bound by row-level security.
            act_as_worker(session, db_role)
            results = {**admitted.early, **_decide_and_store(session, admitted, max_text_length)}
            recorded = store.record_outcomes(session, recordable(results.values()))
            deadletters.add(session, admitted.letters)
    except DBAPIError as exc:
        if is_transient(exc):
            cause = str(exc.orig).strip().splitlines()[0][:200] if exc.orig else type(exc).__name__
            raise TransientError(f"database unavailable: {cause}") from exc
        raise
    return Part(results, recorded)


def _decide_and_store(
    session: Session, admitted: Admitted, max_text_length: int
) -> dict[int, Result]:
    results: dict[int, Result] = {}
    decided = store.already_decided(session, [s.id for _, s in admitted.submissions])
    fresh: list[tuple[int, Submission]] = []
    for index, submission in admitted.submissions:
        if submission.id in decided:
            results[index] = result_of(submission, Outcome.DUPLICATE, Reason.SAME_SUBMISSION)
        else:
            fresh.append((index, submission))
    if not fresh:
        return results
    facts = load_facts(session, [s for _, s in fresh])
    accepted: list[tuple[int, Submission, dict[str, Any]]] = []
    rows: list[dict[str, Any]] = []
    for index, submission in fresh:
        decision = decide(submission, facts)
        if not decision.accepted:
            results[index] = result_of(submission, decision.outcome, decision.reason)
            continue
        row, detail = _row(submission, facts, max_text_length)
        rows.append(row)
        accepted.append((index, submission, detail))
    stored = store.insert_rows(session, rows)
    # Exact and near copies are flagged beside the rows they copy, never instead of them.
    flag_duplicates(session, [row for row in rows if row["id"] in stored.inserted])
    for index, submission, detail in accepted:
        if submission.id in stored.inserted:
            results[index] = result_of(submission, Outcome.ACCEPTED, None, detail)
        elif submission.id in stored.rejected:
            results[index] = result_of(submission, Outcome.REJECTED, stored.rejected[submission.id])
        elif submission.id in stored.existing:
            results[index] = result_of(submission, Outcome.DUPLICATE, Reason.SAME_SUBMISSION)
        else:
            results[index] = result_of(submission, Outcome.DUPLICATE, Reason.SAME_USAGE_EVENT)
    return results


def _row(
    submission: Submission, facts: Facts, max_text_length: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The skill_feedback row of an accepted submission, with its texts sanitized.

    The detail records which secret kinds were found and which fields had active markup
    neutralized (an export undoes that neutralization exactly: worker.sanitize.restore).
    """
    source, status = placement(submission.kind)
    policy = text_policy(submission, facts)
    secrets: set[str] = set()
    neutralized: list[str] = []
    texts: dict[str, str | None] = {}
    for name in TEXT_FIELDS:
        value = getattr(submission, name)
        if value is None:
            texts[name] = None
            continue
        cleaned = sanitize(value, max_length=max_text_length, policy=policy)
        secrets.update(cleaned.secrets_found)
        if cleaned.markup_neutralized:
            neutralized.append(name)
        texts[name] = cleaned.text
    detail: dict[str, Any] = {}
    if secrets:
        detail["secrets_found"] = sorted(secrets)
    if neutralized:
        detail["markup_neutralized"] = neutralized
    row = {
        "id": submission.id,
        "tenant_id": submission.tenant_id,
        "skill_id": submission.skill_id,
        "user_id": submission.user_id,
        "usage_event_id": submission.usage_event_id,
        "feedback_type": TRAINING_EXAMPLE,
        "quality_score": submission.quality_score,
        "source": source.value,
        "status": status.value,
        **texts,
    }
    return row, detail


def result_of(
    submission: Submission,
    outcome: Outcome,
    reason: Reason | None,
    detail: dict[str, Any] | None = None,
) -> Result:
    return Result(
        submission.id, outcome, reason, submission.tenant_id, submission.kind.value, detail or {}
    )


def recordable(results: Iterable[Result | None]) -> list[Result]:
    """Results that become outcome rows: all but repeats of an id already decided."""
    return [
        result
        for result in results
        if result is not None
        and result.submission_id is not None
        and not (result.outcome is Outcome.DUPLICATE and result.reason is Reason.SAME_SUBMISSION)
    ]
