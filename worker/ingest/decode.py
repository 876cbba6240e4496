"""From broker messages to verified, parsed submissions, once: all that is decided without SQL."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from producers.contract import (
    MAX_BATCH_SIZE,
    SUBMIT_MANY_TASK,
    SUBMIT_TASK,
    Submission,
    SubmissionInvalid,
    SubmissionKind,
    parse_submission,
)
from producers.signing import verify
from worker import deadletters
from worker.envelope import within_depth
from worker.errors import DecodeError
from worker.models import DeadLetterReason
from worker.outcomes import Outcome, Reason, Result

# A valid body nests six levels (call -> kwargs -> list -> submission -> signature); anything
# much deeper is crafted, and is refused before code that recurses can meet it.
MAX_BODY_DEPTH = 16
_JSON_TYPES = ("application/json",)
_UTF8 = ("utf-8", "utf8", "")
# Field names an outcome may mention: the contract's own, never ones a sender made up.
_CONTRACT_FIELDS = frozenset(Submission.model_fields) | {"submission"}


@dataclass(frozen=True, slots=True)
class RawMessage:
    """What the pool needs of one broker message; picklable, the body still encoded."""

    task_id: str
    task_name: str
    body: bytes
    content_type: str
    content_encoding: str

    def fingerprint(self) -> bytes:
        return self.task_id.encode() + b"\x00" + hashlib.sha256(self.body).digest()


def items_of_message(message: RawMessage) -> list[Any]:
    """The submission items of one message; DecodeError when it is not a well-formed call."""
    if message.content_type.lower() not in _JSON_TYPES:
        raise _undecodable(f"content type {message.content_type[:100]!r} refused: JSON only")
    if message.content_encoding.lower() not in _UTF8:
        raise _undecodable(f"content encoding {message.content_encoding[:50]!r}: UTF-8 only")
    try:
        payload = _parse(message.body)
    except UnicodeDecodeError:
        raise _undecodable("body is not UTF-8") from None
    except RecursionError:
        raise _undecodable("body nested too deeply to parse") from None
    except ValueError:
        raise _undecodable("body is not JSON") from None
    if not within_depth(payload, MAX_BODY_DEPTH):
        raise _undecodable(f"body nested deeper than {MAX_BODY_DEPTH} levels")
    if not (isinstance(payload, list) and len(payload) == 3):
        raise _undecodable("body is not a protocol-2 [args, kwargs, embed] triple")
    args, kwargs, _embed = payload
    if not isinstance(args, list) or not isinstance(kwargs, dict):
        raise _undecodable("args must be an array and kwargs an object")
    return items_of(message.task_name, args, kwargs)


def _parse(body: bytes) -> Any:
    """The body's JSON: orjson for speed; the standard library for what orjson refuses but JSON
    allows (escaped lone surrogates, which then make their item invalid, not the whole message)."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return json.loads(body.decode("utf-8"))


def items_of(task_name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> list[Any]:
    """The submission items of an `intake.submit` or `intake.submit_many` call."""
    if task_name == SUBMIT_TASK:
        return [_argument("submission", args, kwargs)]
    if task_name == SUBMIT_MANY_TASK:
        items = _argument("submissions", args, kwargs)
        if not isinstance(items, list):
            raise _undecodable("`submissions` must be a JSON array")
        if len(items) > MAX_BATCH_SIZE:
            raise _undecodable(f"`submissions` holds {len(items)} items; at most {MAX_BATCH_SIZE}")
        return items
    raise DecodeError(f"unknown task {task_name[:100]!r}", reason=DeadLetterReason.UNKNOWN_TASK)


def _argument(name: str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
    extra = sorted(str(key) for key in set(kwargs) - {name})
    if extra:
        shown = [deadletters.printable(key, 50) for key in extra[:10]]
        raise _undecodable(f"unexpected keyword arguments: {shown}")
    if name in kwargs and not args:
        return kwargs[name]
    if len(args) == 1 and not kwargs:
        return args[0]
    raise _undecodable(f"expected one keyword argument `{name}`")


def _undecodable(detail: str) -> DecodeError:
    return DecodeError(detail, reason=DeadLetterReason.UNDECODABLE)


@dataclass(slots=True)
class Admitted:
    """A batch after the checks that need no database, each item decided at most once here.

    `submissions` are the items that go on to the database (valid, authentic when signing is
    required, the first of their id in the batch); `early` holds the results of the others by
    item index; `letters` are the items that may not claim an outcome at all.
    """

    items: list[Any]
    submissions: list[tuple[int, Submission]] = field(default_factory=list)
    early: dict[int, Result] = field(default_factory=dict)
    letters: list[deadletters.Letter] = field(default_factory=list)

    def split(self) -> tuple[Admitted, Admitted]:
        """Two halves of the submissions; the early results and letters stay with the first."""
        middle = len(self.submissions) // 2
        first = Admitted(self.items, self.submissions[:middle], self.early, self.letters)
        return first, Admitted(self.items, self.submissions[middle:])


def admit(
    items: Sequence[Any],
    *,
    max_text_length: int,
    signing_keys: Mapping[str, bytes] | None = None,
) -> Admitted:
    """Verify, parse and deduplicate a batch's items; every item ends in exactly one place."""
    admitted = Admitted(list(items))
    claimed: set[str] = set()
    for index, item in enumerate(items):
        # Authenticity first: an unsigned or forged message is not even validated, and may not
        # claim the submission id it carries (that would squat the genuine one's outcome).
        if signing_keys and not verify(item, signing_keys):
            admitted.early[index] = Result(None, Outcome.REJECTED, Reason.BAD_SIGNATURE)
            admitted.letters.append(_letter(DeadLetterReason.BAD_SIGNATURE, item))
            continue
        try:
            submission = parse_submission(item, max_text_length=max_text_length)
        except SubmissionInvalid as exc:
            result = invalid_result(item, exc)
            named = result.submission_id
            if named is None:
                admitted.letters.append(
                    _letter(DeadLetterReason.INVALID, item, fields=result.detail["fields"])
                )
            elif named in claimed:
                result = _repeated(named, result.tenant_id, result.kind)
            else:
                claimed.add(named)
            admitted.early[index] = result
            continue
        if submission.id in claimed:
            admitted.early[index] = _repeated(
                submission.id, submission.tenant_id, submission.kind.value
            )
            continue
        claimed.add(submission.id)
        admitted.submissions.append((index, submission))
    return admitted


def invalid_result(item: Any, exc: SubmissionInvalid) -> Result:
    """A rejected/invalid result, keyed by the item's submission id and tenant when usable.

    Field names come from the contract only: a made-up field is counted, never stored by name.
    """
    raw = item if isinstance(item, Mapping) else {}
    fields: dict[str, list[str]] = {}
    for name, messages in exc.field_errors.items():
        known = name if name in _CONTRACT_FIELDS else "unknown_field"
        fields.setdefault(known, []).extend(message[:200] for message in messages[:5])
    kind = raw.get("kind")
    return Result(
        _usable_submission_id(raw.get("submission_id")),
        Outcome.REJECTED,
        Reason.INVALID,
        _usable_tenant_id(raw.get("tenant_id")),
        kind if isinstance(kind, str) and kind in set(SubmissionKind) else None,
        {"fields": fields},
    )


def _repeated(submission_id: str, tenant_id: str | None, kind: str | None) -> Result:
    """An item repeating an id already claimed in this batch: the first one decides."""
    return Result(submission_id, Outcome.DUPLICATE, Reason.SAME_SUBMISSION, tenant_id, kind)


def _usable_submission_id(value: Any) -> str | None:
    """The canonical text of a UUID the item names, or None: nothing else may key an outcome."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def _usable_tenant_id(value: Any) -> str | None:
    if isinstance(value, str) and 0 < len(value) <= 255 and value.isprintable():
        return value
    return None


def _letter(reason: DeadLetterReason, item: Any, **info: Any) -> deadletters.Letter:
    raw = item if isinstance(item, Mapping) else {}
    claimed = _usable_submission_id(raw.get("submission_id"))
    details = {"claimed_submission_id": claimed, **info}
    return deadletters.of_message(reason, _item_bytes(item), info=details)


def _item_bytes(item: Any) -> bytes:
    """A stable byte form of a decoded item (its fingerprint), whatever it holds."""
    try:
        return json.dumps(item, sort_keys=True, separators=(",", ":")).encode()
    except (TypeError, ValueError, RecursionError):
        return repr(type(item)).encode()
