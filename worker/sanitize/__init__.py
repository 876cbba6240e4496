"""Make submitted text safe to store and show: secrets redacted, active markup neutralized."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from os import PathLike

from producers.contract import DEFAULT_MAX_TEXT_LENGTH
from worker.sanitize.config import SanitizerConfigError, load_extensions, parse_settings
from worker.sanitize.draft import REDACTED, Draft, run_steps
from worker.sanitize.markup import restore
from worker.sanitize.policy import Pipeline, Policy, build_pipelines, build_redaction
from worker.sanitize.text import cut, precut

__all__ = [
    "REDACTED",
    "Policy",
    "SanitizeResult",
    "SanitizerConfigError",
    "configure",
    "configure_from_settings",
    "redact",
    "restore",
    "sanitize",
]


@dataclass(frozen=True, slots=True)
class SanitizeResult:
    text: str
    secrets_found: tuple[str, ...]  # sorted unique kinds, e.g. ("aws_access_key", "jwt")
    changed: bool  # whether text differs from the input
    # Faithful: `text` is escaped and `restore(text)` gives what the author wrote (secrets
    # redacted). HTML: the cleaner took markup out or changed it (nothing to restore).
    markup_neutralized: bool


_extensions = load_extensions()
_pipelines = build_pipelines(_extensions)
_redaction = build_redaction(_extensions)


def sanitize(
    text: str, *, max_length: int = DEFAULT_MAX_TEXT_LENGTH, policy: Policy = Policy.FAITHFUL
) -> SanitizeResult:
    """`text` as it may be stored: total (any str), idempotent, at most `max_length` characters.

    A faithful text too long once neutralized is cut in what the author wrote, before escaping,
    so `restore` gives back a prefix of it (redacted again, in case the cut made a secret's
    shape).
    """
    if max_length < 0:
        raise ValueError("max_length must not be negative")
    pipeline = _pipelines[Policy(policy)]
    # Past twice the limit nothing can reach the result but through redaction shrinking what is
    # before it; the bound keeps the work proportional to the limit for any input size.
    prepared = run_steps(pipeline.prepare, Draft(precut(text, 2 * max_length + 4096)))
    draft = run_steps(pipeline.finish, prepared)
    if len(draft.text) > max_length:
        draft = _within(prepared, pipeline, max_length)
    return SanitizeResult(
        text=draft.text,
        secrets_found=tuple(sorted(draft.secrets_found)),
        changed=draft.text != text,
        markup_neutralized=draft.markup_neutralized,
    )


def redact(text: str) -> SanitizeResult:
    """`text` with secrets redacted and masks applied, nothing else; total and idempotent.

    For text kept only to be processed again (a failed submission held for replay): the secret
    never rests on disk, and replaying the redacted text stores what the original would have.
    """
    draft = run_steps(_redaction, Draft(text))
    return SanitizeResult(
        text=draft.text,
        secrets_found=tuple(sorted(draft.secrets_found)),
        changed=draft.text != text,
        markup_neutralized=False,
    )


def _within(prepared: Draft, pipeline: Pipeline, limit: int) -> Draft:
    """The longest cut of a prepared text that still fits `limit` once prepared and finished
    again (preparing a cut can only shorten it but for a secret it reveals)."""
    budget, step = limit, 1
    while budget > 0:
        shorter = run_steps(pipeline.prepare, Draft(cut(prepared.text, budget)))
        stored = run_steps(pipeline.finish, shorter)
        if len(stored.text) <= limit:
            return Draft(
                stored.text,
                prepared.secrets_found | stored.secrets_found,
                prepared.markup_neutralized or stored.markup_neutralized,
            )
        if pipeline.fit is not None and stored.text != shorter.text:
            fitting = pipeline.fit(shorter.text, limit)
        else:
            fitting = budget * limit // len(stored.text)
        budget = min(fitting, budget - step)
        step *= 2
    return Draft("", prepared.secrets_found, prepared.markup_neutralized)


def configure(
    extra_patterns: Mapping[str, str] | None = None, maskers: Sequence[str] | None = None
) -> None:
    """Install operator extensions, replacing earlier ones; no arguments restores the defaults.

    `extra_patterns` maps a kind name (lower_snake) to a regex; a group named `secret` limits
    the replacement to that group. `maskers` are `module:callable` paths of `str -> str`
    callables (e.g. masking e-mail addresses), run after redaction; they must be idempotent.
    Raises SanitizerConfigError at once for anything unusable.
    """
    global _pipelines, _redaction
    extensions = load_extensions(extra_patterns, maskers)
    _pipelines = build_pipelines(extensions)
    _redaction = build_redaction(extensions)


def configure_from_settings(
    redact_patterns: str | None = None,
    maskers: str | None = None,
    redact_patterns_file: str | PathLike[str] | None = None,
) -> None:
    """configure() from setting strings: a JSON object, comma-separated paths, a JSON file."""
    patterns, paths = parse_settings(redact_patterns, maskers, redact_patterns_file)
    configure(patterns, paths)
