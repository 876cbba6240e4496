"""A web-form helper that mirrors the platform's server action for golden examples."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from producers.contract import SubmissionInvalid, SubmissionKind, new_submission_id, utcnow

# The form's field names (as the platform's form posts them) and the contract's.
FORM_FIELDS = {
    "skillId": "skill_id",
    "exampleInput": "example_input",
    "exampleOutput": "example_output",
    "expectedOutput": "expected_output",
    "qualityScore": "quality_score",
}
CONTRACT_TO_FORM = {contract: form for form, contract in FORM_FIELDS.items()}


@dataclass(frozen=True, slots=True)
class SignedInUser:
    id: str
    tenant_id: str


@dataclass
class FormState:
    """The state object the form renders: field errors, a message, and whether it worked."""

    errors: dict[str, list[str]] = field(default_factory=dict)
    message: str | None = None
    success: bool = False
    submission_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"errors": self.errors, "message": self.message, "success": self.success}


class _Submitter(Protocol):
    def submit(self, submission: Mapping[str, Any]) -> str: ...


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and value.strip() == "":
        return None
    return value


def _quality_score(raw: Any, errors: dict[str, list[str]]) -> int | None:
    raw = _blank_to_none(raw)
    if raw is None or isinstance(raw, int):
        return raw
    try:
        return int(str(raw).strip())
    except ValueError:
        errors.setdefault("qualityScore", []).append("must be a whole number from 1 to 10")
        return None


def submit_training_example_form(
    client: _Submitter,
    form: Mapping[str, Any],
    user: SignedInUser | None,
    *,
    submission_id: str | None = None,
) -> FormState:
    """Validate the posted form and enqueue a golden example by the signed-in user.

    Authorship is checked by the worker (it needs the database); the form only reports what it
    can know: missing, malformed or oversized fields. Pass the same `submission_id` when the
    browser retries a post, so a double submit stores one row.
    """
    if user is None:
        return FormState(message="You must be signed in to submit a training example.")
    errors: dict[str, list[str]] = {}
    for name in ("skillId", "exampleInput", "exampleOutput"):
        if _blank_to_none(form.get(name)) is None:
            errors.setdefault(name, []).append("is required")
    score = _quality_score(form.get("qualityScore"), errors)
    if errors:
        return FormState(errors=errors, message="Please fix the highlighted fields.")
    submission = {
        "submission_id": submission_id or new_submission_id(),
        "kind": SubmissionKind.GOLDEN_EXAMPLE.value,
        "tenant_id": user.tenant_id,
        "user_id": user.id,
        "skill_id": form.get("skillId"),
        "example_input": form.get("exampleInput"),
        "example_output": form.get("exampleOutput"),
        "expected_output": _blank_to_none(form.get("expectedOutput")),
        "quality_score": score,
        "submitted_at": utcnow().isoformat(),
    }
    try:
        sent_id = client.submit(submission)
    except SubmissionInvalid as exc:
        return FormState(
            errors={
                CONTRACT_TO_FORM.get(name, name): msgs for name, msgs in exc.field_errors.items()
            },
            message="Please fix the highlighted fields.",
        )
    return FormState(
        message="Thanks! Your training example was submitted.",
        success=True,
        submission_id=sent_id,
    )
