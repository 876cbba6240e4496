"""The rules as pure functions: every outcome and reason of the outcome table, from facts alone."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from producers.contract import Outcome, Reason, Submission, SubmissionKind, parse_submission
from worker.models import Source, Status
from worker.rules import (
    Decision,
    Facts,
    consents,
    decide,
    placement,
    sample_point,
    sampled_in,
    text_policy,
)
from worker.sanitize import Policy

TENANT, OTHER = "t-1", "t-2"
AUTHOR, USER, STRANGER = "author", "user", "stranger"
SKILL, FOREIGN_SKILL = "skill", "their-skill"

# A world in which a usage capture by USER is accepted; each row below changes one fact.
BASE = Facts(
    tenant_active={TENANT: True, OTHER: True},
    user_tenant={AUTHOR: TENANT, USER: TENANT, STRANGER: OTHER},
    skill_tenant={SKILL: TENANT, FOREIGN_SKILL: OTHER},
    skill_author={SKILL: AUTHOR, FOREIGN_SKILL: STRANGER},
    capture_enabled={TENANT: True},
    consent={USER: (TENANT, True)},
    sample_rate={TENANT: 1.0},
)


def submission(kind: SubmissionKind, **fields: Any) -> Submission:
    user = AUTHOR if kind is SubmissionKind.GOLDEN_EXAMPLE else USER
    values: dict[str, Any] = {
        "submission_id": str(uuid.uuid4()),
        "kind": kind.value,
        "tenant_id": TENANT,
        "user_id": user,
        "skill_id": SKILL,
        "example_input": "in",
        "example_output": "out",
        **({"usage_event_id": "evt"} if kind is SubmissionKind.USAGE_CAPTURE else {}),
        **fields,
    }
    return parse_submission(values)


GOLDEN, CAPTURE = SubmissionKind.GOLDEN_EXAMPLE, SubmissionKind.USAGE_CAPTURE

# (case, kind, submission fields, facts changed, outcome, reason)
TABLE: list[tuple[str, SubmissionKind, dict[str, Any], dict[str, Any], Outcome, Reason | None]] = [
    ("a golden example by the author", GOLDEN, {}, {}, Outcome.ACCEPTED, None),
    ("a usage capture with capture on and consent", CAPTURE, {}, {}, Outcome.ACCEPTED, None),
    (
        "golden examples ignore the capture switch",
        GOLDEN,
        {},
        {"capture_enabled": {}},
        Outcome.ACCEPTED,
        None,
    ),
    ("unknown tenant", GOLDEN, {"tenant_id": "nope"}, {}, Outcome.REJECTED, Reason.UNKNOWN_TENANT),
    (
        "inactive tenant",
        CAPTURE,
        {},
        {"tenant_active": {TENANT: False}},
        Outcome.REJECTED,
        Reason.INACTIVE_TENANT,
    ),
    ("unknown user", GOLDEN, {"user_id": "nope"}, {}, Outcome.REJECTED, Reason.UNKNOWN_USER),
    ("unknown skill", CAPTURE, {"skill_id": "nope"}, {}, Outcome.REJECTED, Reason.UNKNOWN_SKILL),
    (
        "a user of another tenant",
        CAPTURE,
        {"user_id": STRANGER},
        {},
        Outcome.REJECTED,
        Reason.CROSS_TENANT,
    ),
    (
        "a skill of another tenant",
        GOLDEN,
        {"skill_id": FOREIGN_SKILL},
        {},
        Outcome.REJECTED,
        Reason.CROSS_TENANT,
    ),
    (
        "a golden example by someone else",
        GOLDEN,
        {"user_id": USER},
        {},
        Outcome.REJECTED,
        Reason.NOT_AUTHOR,
    ),
    (
        "capture off",
        CAPTURE,
        {},
        {"capture_enabled": {TENANT: False}},
        Outcome.SKIPPED,
        Reason.CAPTURE_DISABLED,
    ),
    (
        "no settings row: capture off by default",
        CAPTURE,
        {},
        {"capture_enabled": {}},
        Outcome.SKIPPED,
        Reason.CAPTURE_DISABLED,
    ),
    (
        "no preferences row: no consent by default",
        CAPTURE,
        {},
        {"consent": {}},
        Outcome.SKIPPED,
        Reason.NO_CONSENT,
    ),
    (
        "consent not given",
        CAPTURE,
        {},
        {"consent": {USER: (TENANT, False)}},
        Outcome.SKIPPED,
        Reason.NO_CONSENT,
    ),
    (
        "consent filed under another tenant",
        CAPTURE,
        {},
        {"consent": {USER: (OTHER, True)}},
        Outcome.SKIPPED,
        Reason.NO_CONSENT,
    ),
    (
        "sampled out",
        CAPTURE,
        {},
        {"sample_rate": {TENANT: 0.0}},
        Outcome.SKIPPED,
        Reason.SAMPLED_OUT,
    ),
    (
        "no capture options: every capture kept",
        CAPTURE,
        {},
        {"sample_rate": {}},
        Outcome.ACCEPTED,
        None,
    ),
]


@pytest.mark.parametrize(
    ("kind", "fields", "changed", "outcome", "reason"),
    [row[1:] for row in TABLE],
    ids=[row[0] for row in TABLE],
)
def test_each_rule_of_the_outcome_table(
    kind: SubmissionKind,
    fields: dict[str, Any],
    changed: dict[str, Any],
    outcome: Outcome,
    reason: Reason | None,
) -> None:
    assert decide(submission(kind, **fields), replace(BASE, **changed)) == Decision(outcome, reason)


def test_the_table_covers_every_reason_the_rules_can_give() -> None:
    decided_by_rules = {
        Reason.UNKNOWN_TENANT,
        Reason.INACTIVE_TENANT,
        Reason.UNKNOWN_USER,
        Reason.UNKNOWN_SKILL,
        Reason.CROSS_TENANT,
        Reason.NOT_AUTHOR,
        Reason.CAPTURE_DISABLED,
        Reason.NO_CONSENT,
        Reason.SAMPLED_OUT,
    }
    assert {row[5] for row in TABLE} - {None} == decided_by_rules


def test_checks_run_in_the_briefs_order_the_first_failing_one_decides() -> None:
    everything_wrong = replace(BASE, tenant_active={TENANT: False}, capture_enabled={}, consent={})
    decision = decide(submission(CAPTURE, user_id="nope"), everything_wrong)
    assert decision == Decision(Outcome.REJECTED, Reason.INACTIVE_TENANT)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [(GOLDEN, (Source.WEB, Status.APPROVED)), (CAPTURE, (Source.USAGE_CAPTURE, Status.PENDING))],
)
def test_where_an_accepted_example_lands(
    kind: SubmissionKind, expected: tuple[Source, Status]
) -> None:
    assert placement(kind) == expected


def test_golden_examples_follow_the_tenants_text_policy_and_captures_are_always_faithful() -> None:
    html = replace(BASE, golden_policy={TENANT: Policy.HTML})
    assert text_policy(submission(GOLDEN), html) is Policy.HTML
    assert text_policy(submission(GOLDEN), BASE) is Policy.FAITHFUL
    assert text_policy(submission(CAPTURE), html) is Policy.FAITHFUL


STORED_PREFERENCES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(),
    st.lists(st.booleans()),
    st.dictionaries(st.text(max_size=20), st.one_of(st.booleans(), st.text())),
)


@given(STORED_PREFERENCES)
def test_only_a_json_true_under_the_key_is_consent(stored: Any) -> None:
    expected = isinstance(stored, dict) and stored.get("trainingDataConsent") is True
    assert consents(stored) is expected


@given(st.uuids(), st.floats(min_value=0, max_value=1))
def test_sampling_is_a_pure_function_of_the_id_and_monotonic_in_the_rate(
    submission_id: uuid.UUID, rate: float
) -> None:
    text = str(submission_id)
    assert sampled_in(text, rate) == (sample_point(text) < rate or rate >= 1.0)
    assert sampled_in(text.upper(), rate) == sampled_in(text, rate)
    if sampled_in(text, rate):
        assert sampled_in(text, min(1.0, rate + 0.1))
