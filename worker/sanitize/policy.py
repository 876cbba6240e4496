"""The two storage policies and the ordered steps each one runs."""

from __future__ import annotations

from enum import StrEnum

from worker.sanitize import richtext, text
from worker.sanitize.config import Extensions, make_masking_step
from worker.sanitize.draft import Step
from worker.sanitize.markup import neutralize_active_markup
from worker.sanitize.secrets import make_redactor


class Policy(StrEnum):
    """FAITHFUL: byte for byte but secrets and active markup. HTML: stored as safe rich text."""

    FAITHFUL = "faithful"
    HTML = "html"


def build_pipelines(extensions: Extensions) -> dict[Policy, tuple[Step, ...]]:
    redact = make_redactor(extensions.patterns)
    mask = make_masking_step(extensions.maskers)
    return {
        Policy.FAITHFUL: (text.repair, redact, mask, neutralize_active_markup),
        # Redact, clean, then again: cleaning decodes character references (`&#104;unter2`),
        # which can reveal a secret, and redaction can cut through markup the second clean mends.
        Policy.HTML: (text.repair, redact, mask, richtext.clean_html, redact, richtext.clean_html),
    }


def build_redaction(extensions: Extensions) -> tuple[Step, ...]:
    """Secrets redacted and the operator's masks applied, markup left as it is: for what is kept
    only to be processed again (a failed submission's text), where the full policy runs later."""
    return (text.repair, make_redactor(extensions.patterns), make_masking_step(extensions.maskers))
