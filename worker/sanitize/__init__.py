"""Make submitted text safe to store and show: secrets redacted, active markup neutralized."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from os import PathLike

from worker.sanitize.config import SanitizerConfigError, load_extensions, parse_settings
from worker.sanitize.draft import REDACTED, Draft, Step, run_steps
from worker.sanitize.policy import Policy, build_pipelines, build_redaction
from worker.sanitize.text import cut, precut

__all__ = [
    "REDACTED",
    "Policy",
    "SanitizeResult",
    "SanitizerConfigError",
    "configure",
    "configure_from_settings",
    "redact",
    "sanitize",
]


@dataclass(frozen=True, slots=True)
class SanitizeResult:
    text: str
    secrets_found: tuple[str, ...]  # sorted unique kinds, e.g. ("aws_access_key", "jwt")
    changed: bool  # whether text differs from the input
    markup_neutralized: bool


_extensions = load_extensions()
_pipelines = build_pipelines(_extensions)
_redaction = build_redaction(_extensions)


def sanitize(
    text: str, *, max_length: int = 5000, policy: Policy = Policy.FAITHFUL
) -> SanitizeResult:
    """`text` as it may be stored: total (any str), idempotent, at most `max_length` characters."""
    if max_length < 0:
        raise ValueError("max_length must not be negative")
    steps = _pipelines[Policy(policy)]
    # Past twice the limit nothing can reach the result but through redaction shrinking what is
    # before it; the bound keeps the per-`<` scan cheap for any input size.
    draft = run_steps(steps, Draft(precut(text, 2 * max_length + 4096)))
    if len(draft.text) > max_length:
        draft = _within(draft, steps, max_length)
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


def _within(draft: Draft, steps: Sequence[Step], limit: int) -> Draft:
    """Cut a sanitized text to `limit` and sanitize the cut again, which may only shorten it."""
    budget, factor = limit, 1
    while budget > 0:
        shorter = run_steps(steps, Draft(cut(draft.text, budget)))
        if len(shorter.text) <= limit:
            return Draft(
                shorter.text,
                draft.secrets_found | shorter.secrets_found,
                draft.markup_neutralized or shorter.markup_neutralized,
            )
        budget -= (len(shorter.text) - limit) * factor
        factor *= 2
    return Draft("", draft.secrets_found, draft.markup_neutralized)


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
