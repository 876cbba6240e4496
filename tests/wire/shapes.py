"""Broker items of every shape: valid messages mutated at every level, for the wire's fuzz tests.

A message starts valid (one submission or a bulk of several; made the way Celery's Python
producer makes it or hand-built the way a producer in another language does) and is then mutated
at one or more places: the raw item, the envelope, its properties and delivery info, the
headers, the body's encoding, the call (args, kwargs, embed) and every submission field. Each
mutation drops, nulls, retypes, nests deeply, oversizes or poisons (NUL, lone surrogates,
control characters) what it targets. Every example text holds SENTINEL, which must never show up
in a dead letter or a log line.
"""

from __future__ import annotations

import base64
import copy
import json
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

SENTINEL = "SENTINEL-example-text-7f3a"
_DEEP = "__deep_placeholder__"


@dataclass(frozen=True)
class Ids:
    """The tenant, a consenting author and their skill: what a good submission names."""

    tenant_id: str
    user_id: str
    skill_id: str


def submission(ids: Ids, *, kind: str = "usage_capture") -> dict[str, Any]:
    item: dict[str, Any] = {
        "submission_id": str(uuid.uuid4()),
        "kind": kind,
        "tenant_id": ids.tenant_id,
        "user_id": ids.user_id,
        "skill_id": ids.skill_id,
        "example_input": f"{SENTINEL} input",
        "example_output": f"{SENTINEL} output",
        "quality_score": 7,
    }
    if kind == "usage_capture":
        item["usage_event_id"] = f"evt-{uuid.uuid4().hex}"
    return item


@dataclass
class Message:
    """A message under construction: envelope parts as plain JSON values."""

    task: Any
    kwargs: dict[str, Any]
    python_made: bool
    task_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    args: Any = field(default_factory=list)
    embed: Any = field(
        default_factory=lambda: {"callbacks": None, "errbacks": None, "chain": None, "chord": None}
    )
    headers: dict[str, Any] = field(default_factory=dict)
    properties: dict[str, Any] = field(default_factory=dict)
    envelope: dict[str, Any] = field(default_factory=dict)
    # When set, the body bytes as they are (a body-level mutation), else the call as JSON.
    body_bytes: bytes | None = None
    deep: int = 0

    def __post_init__(self) -> None:
        self.headers = {
            "lang": "py" if self.python_made else "js",
            "task": self.task,
            "id": self.task_id,
            "root_id": self.task_id,
            "parent_id": None,
            "group": None,
            "retries": 0,
            "eta": None,
            "expires": None,
        }
        if self.python_made:
            # What Celery's send_task adds (it even reprs the arguments into the headers).
            self.headers.update(
                {
                    "shadow": None,
                    "timelimit": [None, None],
                    "argsrepr": "()",
                    "kwargsrepr": "{...}",
                    "origin": "gen1@host",
                    "ignore_result": False,
                    "replaced_task_nesting": 0,
                    "stamped_headers": None,
                    "stamps": {},
                }
            )
        self.properties = {
            "correlation_id": self.task_id,
            "reply_to": "" if not self.python_made else str(uuid.uuid4()),
            "delivery_mode": 2,
            "delivery_info": {"exchange": "", "routing_key": "intake"},
            "priority": 0,
            "body_encoding": "base64",
            "delivery_tag": str(uuid.uuid4()),
        }
        self.envelope = {"content-encoding": "utf-8", "content-type": "application/json"}

    def body(self) -> bytes:
        if self.body_bytes is not None:
            return self.body_bytes
        return _dumps([self.args, self.kwargs, self.embed], self.deep)

    def redis_item(self) -> bytes:
        """The JSON envelope kombu's Redis transport pushes onto the queue's list."""
        envelope = {
            "body": base64.b64encode(self.body()).decode(),
            **self.envelope,
            "headers": self.headers,
            "properties": self.properties,
        }
        for key in [k for k, v in envelope.items() if v is _DROPPED]:
            del envelope[key]
        return _dumps(envelope, self.deep)

    def amqp_parts(self) -> tuple[bytes, dict[str, Any], dict[str, Any]]:
        """(body, application headers, properties) as an AMQP client would publish them."""
        given = self.headers if isinstance(self.headers, dict) else {}
        headers = {k: v for k, v in given.items() if v is not None and v is not _DROPPED}
        properties = {
            "content_type": self.envelope.get("content-type"),
            "content_encoding": self.envelope.get("content-encoding"),
            "correlation_id": self.task_id,
            "delivery_mode": 2,
        }
        return self.body(), headers, {k: v for k, v in properties.items() if isinstance(v, str)}


class _Dropped:
    def __repr__(self) -> str:
        return "<dropped>"


_DROPPED = _Dropped()


def _dumps(value: Any, deep: int) -> bytes:
    """JSON text of `value`, with `_DEEP` placeholders spliced into `deep` nested brackets."""

    def default(item: Any) -> Any:
        if item is _DROPPED:
            return None
        raise TypeError(type(item).__name__)

    text = json.dumps(value, default=default)
    if deep:
        text = text.replace(json.dumps(_DEEP), "[" * deep + "]" * deep)
    return text.encode()


# -- mutations -----------------------------------------------------------------------------------

Mutation = Callable[[Any], Any]

VALUES: dict[str, Any] = {
    "null": None,
    "int": 42,
    "negative": -1,
    "huge_int": 2**70,
    "float": 1.5,
    "true": True,
    "empty_string": "",
    "string": "a string",
    "nul": "a\x00b",
    "surrogate": "\ud800",
    "surrogate_pair_half": "x\udfffy",
    "control": "\x01\x1b[31m",
    "list": [1, "two", None],
    "object": {"a": 1},
    "nested_object": {"a": {"b": {"c": [1, {"d": 2}]}}},
    "long_string": "x" * 100_000,
    "celery_group": "celery.group",
    "celery_map": "celery.map",
    "chord_unlock": "celery.chord_unlock",
}


def _deep(_: Any) -> Any:
    return _DEEP


MUTATIONS: dict[str, Mutation] = {
    "drop": lambda _: _DROPPED,
    # A copy each time: a later mutation may write into a value an earlier one put in place.
    **{name: (lambda _, v=value: copy.deepcopy(v)) for name, value in VALUES.items()},
    "deep": _deep,
}

# Where a mutation can land: (part, key).
ENVELOPE_KEYS = ("body", "content-type", "content-encoding", "headers", "properties")
PROPERTY_KEYS = (
    "delivery_info",
    "delivery_tag",
    "body_encoding",
    "priority",
    "correlation_id",
    "reply_to",
    "delivery_mode",
)
DELIVERY_INFO_KEYS = ("exchange", "routing_key")
HEADER_KEYS = ("task", "id", "root_id", "parent_id", "group", "retries", "eta", "expires", "lang")
CALL_KEYS = ("args", "kwargs", "embed")
SUBMISSION_FIELDS = (
    "submission_id",
    "kind",
    "tenant_id",
    "user_id",
    "skill_id",
    "example_input",
    "example_output",
    "expected_output",
    "quality_score",
    "usage_event_id",
    "submitted_at",
    "schema_version",
    "signature",
    "surprise_field",
)
TARGETS: list[tuple[str, str]] = [
    *(("envelope", key) for key in ENVELOPE_KEYS),
    *(("properties", key) for key in PROPERTY_KEYS),
    *(("delivery_info", key) for key in DELIVERY_INFO_KEYS),
    *(("headers", key) for key in HEADER_KEYS),
    *(("call", key) for key in CALL_KEYS),
    ("kwargs", "submission"),
    ("kwargs", "submissions"),
    ("kwargs", "extra"),
    *(("submission", name) for name in SUBMISSION_FIELDS),
    *(("body", kind) for kind in ("not_base64", "not_utf8", "not_json", "raw_json", "empty")),
]


def apply(message: Message, target: tuple[str, str], mutation: str) -> None:
    """Mutate `message` at `target` (in place)."""
    part, key = target
    if part == "body":
        _mutate_body(message, key)
        return
    change = MUTATIONS[mutation]
    if change is _deep:
        message.deep = 1000 + random.Random(key).randrange(4000)
    container: Any
    if part == "envelope":
        if key in ("headers", "properties"):
            value = change(None)
            setattr(message, key, value)
            return
        container = message.envelope
        if key == "body":
            value = change(None)
            message.body_bytes = b"" if value is _DROPPED else _dumps(value, message.deep)
            return
    elif part == "properties":
        container = message.properties
    elif part == "delivery_info":
        # (An earlier mutation may have made the properties a string, a list or nothing.)
        properties = message.properties
        container = properties.get("delivery_info") if isinstance(properties, dict) else None
    elif part == "headers":
        container = message.headers
    elif part == "call":
        value = change(None)
        setattr(message, key, None if value is _DROPPED else value)
        return
    elif part == "kwargs":
        container = message.kwargs if isinstance(message.kwargs, dict) else None
    else:  # submission
        kwargs = message.kwargs if isinstance(message.kwargs, dict) else {}
        items = kwargs.get("submissions") or [kwargs.get("submission")]
        container = items[0] if isinstance(items, list) and items else None
    if not isinstance(container, dict):
        return
    value = change(container.get(key))
    if value is _DROPPED:
        container.pop(key, None)
    else:
        container[key] = value


def _mutate_body(message: Message, kind: str) -> None:
    call = [message.args, message.kwargs, message.embed]
    if kind == "not_base64":
        message.envelope["body"] = "!!! not base64 !!!"
        message.body_bytes = b"!!!"
    elif kind == "not_utf8":
        message.body_bytes = b"\xff\xfe\x00 not utf-8 \xc3\x28"
    elif kind == "not_json":
        message.body_bytes = b"{not json" + SENTINEL.encode()
    elif kind == "raw_json":
        if isinstance(message.properties, dict):
            message.properties.pop("body_encoding", None)
        message.body_bytes = json.dumps(call).encode()
    else:
        message.body_bytes = b""


@st.composite
def messages(draw: st.DrawFn, ids: Ids) -> Message:
    """A valid message, mutated at up to three places (or not at all)."""
    python_made = draw(st.booleans())
    bulk = draw(st.booleans())
    if bulk:
        count = draw(st.integers(1, 4))
        kinds = [draw(st.sampled_from(["usage_capture", "golden_example"])) for _ in range(count)]
        message = Message(
            "intake.submit_many",
            {"submissions": [submission(ids, kind=kind) for kind in kinds]},
            python_made,
        )
    else:
        kind = draw(st.sampled_from(["usage_capture", "golden_example"]))
        message = Message("intake.submit", {"submission": submission(ids, kind=kind)}, python_made)
    for _ in range(draw(st.integers(0, 3))):
        apply(message, draw(st.sampled_from(TARGETS)), draw(st.sampled_from(sorted(MUTATIONS))))
    return message


def raw_items() -> st.SearchStrategy[bytes]:
    """Redis list items that are not even envelopes."""
    return st.one_of(
        st.binary(max_size=200),
        st.sampled_from(
            [
                b"[" * 1000 + b"]" * 1000,
                b"{" * 3000,
                b"[]",
                b"null",
                b'"a string"',
                b'{"body": 1}',
                b'{"properties": "a string"}',
                json.dumps({"a": "\ud800"}).encode(),
                b"\xff\xfe\xfd",
                base64.b64encode(b"something else"),
            ]
        ),
        st.text(max_size=200).map(lambda text: text.encode("utf-8", "surrogatepass")),
    )
