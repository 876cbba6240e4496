"""The coarse rule for texts made to be slow: every value given to a credential label goes.

The prose and assignment rules weigh each labelled value (is it a placeholder, a type, a word
the sentence goes on with?) at tens of microseconds a place. A text with hundreds of labels in
a few KB (`pw=pw=pw=...`, a line of `password: x`) would cost milliseconds a KB that way, so
past its budget (`Needles.spend`) a text is read by this rule instead: one linear pass that
redacts whatever follows a credential label and a separator, placeholders included. Such a
text loses more than it must, never a secret the close rules would have found after a label.
"""

from __future__ import annotations

import re

from worker.sanitize.secrets.needles import Needles
from worker.sanitize.secrets.spans import Evidence, Found

KIND = "secret_assignment"
# A credential word (the stems of `needles.CREDENTIAL_STEMS`, and the words for password in
# other languages that hold none of them), the rest of its name, a closing quote or bracket,
# then a separator: `=`, `:`, `:=`, `=>` or a linking `is`. Matched on the lower-cased text.
_LABELLED_VALUE = re.compile(
    r"(?:pass|pw|key|token|secret|auth|cred|pin|senha|kennwort|wachtwoord|parol|contrase)"
    r"[a-z0-9_.\-]*[\"'\]]?[ \t]*(?::=|=>|[:=]|[ \t](?:is|ist|est|es|=)[ \t])[ \t]*[\"'`]?"
    r"([^\s\"'`;,&=:<>]{1,256})"
)
_MARKER = "[redacted]"


def labelled_values(view: str, needles: Needles) -> list[Found]:
    """The value after every credential label of `view`, as a labelled secret."""
    return [
        Found(match.start(1), match.end(1), KIND, Evidence.LABELLED)
        for match in _LABELLED_VALUE.finditer(needles.lowered)
        if match[1] != _MARKER
    ]
