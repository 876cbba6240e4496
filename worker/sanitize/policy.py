"""The two storage policies and the ordered steps each one runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from worker.sanitize import richtext, text
from worker.sanitize.config import Extensions, make_masking_step
from worker.sanitize.draft import Step
from worker.sanitize.markup import escaped_prefix_length, neutralize_active_markup
from worker.sanitize.secrets import make_redactor


class Policy(StrEnum):
    """FAITHFUL: byte for byte but secrets and active markup. HTML: stored as safe rich text."""

    FAITHFUL = "faithful"
    HTML = "html"


@dataclass(frozen=True, slots=True)
class Pipeline:
    """A policy's steps: `prepare` makes the text to keep, `finish` makes it safe to show.

    A text over the length limit is cut between the two, so that the cut goes through what the
    author wrote (secrets redacted) and never through an escape `finish` added. `fit` says how
    many characters of a prepared text fit a limit once finished, where that is known exactly.
    """

    prepare: tuple[Step, ...]
    finish: tuple[Step, ...] = ()
    fit: Callable[[str, int], int] | None = None


def build_redaction(extensions: Extensions) -> tuple[Step, ...]:
    """Secrets redacted and the operator's masks applied, markup left as it is: the start of
    every policy, and on its own for what is kept only to be processed again (a failed
    submission's text), where the full policy runs later."""
    return (text.repair, make_redactor(extensions.patterns), make_masking_step(extensions.maskers))


def build_pipelines(extensions: Extensions) -> dict[Policy, Pipeline]:
    redaction = build_redaction(extensions)
    _repair, redact, _mask = redaction
    return {
        Policy.FAITHFUL: Pipeline(redaction, (neutralize_active_markup,), escaped_prefix_length),
        # Redact, clean, then again: cleaning decodes character references (`&#104;unter2`),
        # which can reveal a secret, and redaction can cut through markup the second clean mends.
        Policy.HTML: Pipeline((*redaction, richtext.clean_html, redact, richtext.clean_html)),
    }
