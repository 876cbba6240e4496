"""Operator extensions: extra redaction patterns and masking callables, from explicit values.

Nothing here reads the environment: the worker's settings read it and pass the values in.
"""

from __future__ import annotations

import importlib
import json
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

from worker.errors import ConfigurationError
from worker.sanitize.draft import Draft, Step
from worker.sanitize.rules import Rule
from worker.sanitize.text import storable

log = logging.getLogger("worker.sanitize")

Masker = Callable[[str], str]
_KIND = re.compile(r"[a-z][a-z0-9_]{0,63}")


class SanitizerConfigError(ConfigurationError, ValueError):
    """An extension that cannot be used: a bad kind name, regex, JSON document or import path."""


@dataclass(frozen=True, slots=True)
class Extensions:
    patterns: tuple[Rule, ...] = ()
    maskers: tuple[Masker, ...] = ()


def load_extensions(
    extra_patterns: Mapping[str, str] | None = None, maskers: Sequence[str] | None = None
) -> Extensions:
    """Compile `kind -> regex` patterns and import `module:callable` maskers, failing fast."""
    rules = tuple(_rule(kind, source) for kind, source in (extra_patterns or {}).items())
    return Extensions(rules, tuple(_import_masker(path) for path in maskers or ()))


def parse_settings(
    redact_patterns: str | None = None,
    maskers: str | None = None,
    redact_patterns_file: str | PathLike[str] | None = None,
) -> tuple[dict[str, str], list[str]]:
    """Setting strings (a JSON object, comma-separated paths, a JSON file) as configure() wants."""
    patterns: dict[str, str] = {}
    if redact_patterns_file:
        patterns.update(_json_object(Path(redact_patterns_file).read_text(encoding="utf-8")))
    if redact_patterns and redact_patterns.strip():
        patterns.update(_json_object(redact_patterns))
    paths = [path.strip() for path in (maskers or "").split(",") if path.strip()]
    return patterns, paths


def make_masking_step(maskers: Sequence[Masker]) -> Step:
    """A step running the operator's maskers in order; one that fails is logged and skipped."""

    def apply_maskers(draft: Draft) -> Draft:
        text = draft.text
        for masker in maskers:
            try:
                masked = masker(text)
            except Exception:
                # A masker bug must not fail the batch; the text keeps the built-in redaction.
                log.exception("masker %r failed; text left unmasked by it", masker)
                continue
            if isinstance(masked, str):
                text = storable(masked)
        return draft if text == draft.text else draft.rewritten(text)

    return apply_maskers


def _rule(kind: str, source: str) -> Rule:
    if not isinstance(kind, str) or _KIND.fullmatch(kind) is None:
        raise SanitizerConfigError(f"redaction pattern kind {kind!r} is not a lower_snake name")
    if not isinstance(source, str) or not source:
        raise SanitizerConfigError(f"redaction pattern {kind!r} is not a non-empty string")
    try:
        pattern = re.compile(source)
    except re.error as exc:
        raise SanitizerConfigError(f"redaction pattern {kind!r} does not compile: {exc}") from exc
    if pattern.match(""):
        raise SanitizerConfigError(f"redaction pattern {kind!r} matches the empty string")
    group: int | str = "secret" if "secret" in pattern.groupindex else 0
    return Rule(kind, pattern, secret_group=group)


def _import_masker(path: str) -> Masker:
    module_name, _, attribute = path.partition(":")
    if not module_name or not attribute:
        raise SanitizerConfigError(f"masker {path!r} is not a 'module:callable' path")
    try:
        target: object = importlib.import_module(module_name.strip())
        for part in attribute.strip().split("."):
            target = getattr(target, part)
    except (ImportError, AttributeError) as exc:
        raise SanitizerConfigError(f"masker {path!r} cannot be imported: {exc}") from exc
    if not callable(target):
        raise SanitizerConfigError(f"masker {path!r} is not callable")
    masker: Masker = target
    return masker


def _json_object(document: str) -> dict[str, str]:
    try:
        value = json.loads(document)
    except json.JSONDecodeError as exc:
        raise SanitizerConfigError(f"redaction patterns are not valid JSON: {exc}") from exc
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise SanitizerConfigError("redaction patterns must be a JSON object of kind -> regex")
    return value
