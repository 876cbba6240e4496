"""A walk through a text as the HTML tokenizer reads it in body, finding the first active thing.

The walk starts in the data state and passes over plain text and plainly inert tags in one
regular-expression match; it stops at every other `<` and reads the construct that starts there
(a tag, a comment, a bogus comment, a doctype, a title or textarea with its RCDATA) to its end
in one match or search. It never goes back, so it is linear in the text. Every `<` inside a
construct (in an attribute value, a comment, RCDATA) that another reader could take for a tag
is judged as well; reading those may run past the construct, so their reading is paid from a
budget proportional to the text, and a text that exhausts it counts as active.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from worker.sanitize.attributes import RCDATA, ascii_lower
from worker.sanitize.tags import (
    LINK_BARRIERS,
    NESTED_RUN,
    TAG,
    data_run,
    has_attribute,
    judge,
    reach,
)

_STATES = ((False, False), (False, True), (True, False), (True, True))

_RUNS = {(link, select): data_run(link, select) for link, select in _STATES}
_COMMENT_CLOSE = re.compile("--!?>")
_RCDATA_END = {name: re.compile(f"</{name}[\t\n\f\r />]", re.IGNORECASE) for name in sorted(RCDATA)}
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_OPENERS = _LETTERS | {"/", "!", "?", ""}
# Reading nested tags may cost this many characters per character of text, and a little more.
_NESTED_BUDGET_FACTOR = 4
_NESTED_BUDGET_BASE = 4096


@dataclass(frozen=True, slots=True)
class ActiveMarkup:
    """What makes a text active (the first such thing the walk met): where it starts and why."""

    at: int
    reason: str


def find_active(text: str) -> ActiveMarkup | None:
    """Active markup of `text` read in body from the data state (the first met), or None."""
    last = text.rfind("<")
    if last == -1:
        return None
    if text.find(">", last) == -1 and text[last + 1 : last + 2] in _OPENERS:
        # Every construct ends with a `>`: whatever is open at the last `<`, or starts there,
        # stays open to the end. Found at once, however long the text before it.
        return ActiveMarkup(last, "markup left open at the end: what follows would join it")
    return _Walk(text).run()


class _Walk:
    """One pass over a text, with what the tree builder keeps open between constructs."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.link_open = -1  # where an `<a href>` still open starts
        self.select_open = -1
        self.budget = _NESTED_BUDGET_FACTOR * len(text) + _NESTED_BUDGET_BASE
        self.last_rcdata_end: dict[str, int] = {}

    def run(self) -> ActiveMarkup | None:
        text, end = self.text, len(self.text)
        at = 0
        while True:
            at = reach(_RUNS[self.link_open >= 0, self.select_open >= 0], text, at)
            if at >= end:
                break
            found, at = self._construct(at)
            if found is not None:
                return found
        if self.link_open >= 0:
            return ActiveMarkup(self.link_open, "a link left open: what follows would join it")
        if self.select_open >= 0:
            return ActiveMarkup(self.select_open, "a select left open: what follows would join it")
        return None

    def _construct(self, at: int) -> tuple[ActiveMarkup | None, int]:
        """Read the construct at the `<` at `at`: what is active in it, and where it ends."""
        text = self.text
        following = text[at + 1 : at + 2]
        if following in _LETTERS:
            return self._tag(at)
        if following == "/":
            after = text[at + 2 : at + 3]
            if after in _LETTERS:
                return self._tag(at)
            if after == ">":
                return None, at + 3  # `</>` is dropped
            return self._up_to_gt(at, at + 2, "an end tag opener left open")
        if following == "!":
            if text.startswith("--", at + 2):
                return self._comment(at)
            return self._up_to_gt(at, at + 2, "a doctype or bogus comment left open")
        if following == "?":
            return self._up_to_gt(at, at + 1, "a bogus comment left open")
        if not following:
            return ActiveMarkup(at, "a `<` at the very end"), at + 1
        return None, at + 1  # a `<` that starts nothing is text

    def _tag(self, at: int) -> tuple[ActiveMarkup | None, int]:
        if self.text.find(">", at) == -1:
            # No `>` anywhere after: the tag cannot close, whatever its quotes.
            return ActiveMarkup(at, "a tag left open: what follows would be read into it"), at
        tag = TAG.match(self.text, at)
        assert tag is not None  # a `<` then a letter, or `</` then a letter, always starts one
        end = tag.end()
        if not tag["close"]:
            return ActiveMarkup(at, "a tag left open: what follows would be read into it"), end
        reason = judge(tag)
        if reason is not None:
            return ActiveMarkup(at, reason), end
        found = self._nested(at + 1, end, end)
        if found is not None:
            return found, end
        name = ascii_lower(tag["name"])
        if tag["end"]:
            if name == "a":
                self.link_open = -1
            elif name == "select":
                self.select_open = -1
            return None, end
        if self.link_open >= 0 and name in LINK_BARRIERS:
            return ActiveMarkup(self.link_open, f"a link left open across <{name}>"), end
        if name in RCDATA:
            return self._rcdata(at, name, end)
        if name == "a":
            self.link_open = at if has_attribute(tag, "href") else -1
        elif name == "select" and self.select_open < 0:
            self.select_open = at
        return None, end

    def _rcdata(self, at: int, name: str, start: int) -> tuple[ActiveMarkup | None, int]:
        """A title or textarea: text up to the end tag of the same name, which must follow."""
        closing = _RCDATA_END[name].search(self.text, start)
        if closing is None:
            return ActiveMarkup(at, f"<{name}> left open: what follows would be its text"), start
        end_tag = TAG.match(self.text, closing.start())
        assert end_tag is not None
        if not end_tag["close"]:
            return ActiveMarkup(closing.start(), "a tag left open"), end_tag.end()
        found = self._nested(start, end_tag.end(), end_tag.end())
        return found, end_tag.end()

    def _comment(self, at: int) -> tuple[ActiveMarkup | None, int]:
        text = self.text
        body = at + 4
        if text.startswith(">", body):
            return None, body + 1  # `<!-->`
        if text.startswith("->", body):
            return None, body + 2  # `<!--->`
        closing = _COMMENT_CLOSE.search(text, body)
        if closing is None:
            return ActiveMarkup(at, "a comment left open: what follows would be hidden"), len(text)
        return self._nested(body, closing.start(), closing.end()), closing.end()

    def _up_to_gt(self, at: int, body: int, why: str) -> tuple[ActiveMarkup | None, int]:
        """A bogus comment or a doctype: everything up to the next `>`."""
        closing = self.text.find(">", body)
        if closing == -1:
            return ActiveMarkup(at, why), len(self.text)
        return self._nested(body, closing, closing + 1), closing + 1

    def _nested(self, start: int, stop: int, container: int) -> ActiveMarkup | None:
        """Judge the `<`s in [start, stop) the tokenizer reads as text, as tags read from each one
        up to `container` (the end of the construct holding them) would be."""
        text = self.text
        at = start
        while True:
            at = reach(NESTED_RUN, text, at, stop)
            if at >= stop:
                return None
            tag = TAG.match(text, at, container)
            assert tag is not None
            self.budget -= tag.end() - at
            if self.budget < 0:
                return ActiveMarkup(at, "more markup nested in markup than can be read cheaply")
            if not tag["close"]:
                return ActiveMarkup(at, "a tag nested in markup that does not close")
            reason = judge(tag) or self._nested_rcdata(tag)
            if reason is not None:
                return ActiveMarkup(at, f"{reason}, nested in markup")
            at += 1

    def _nested_rcdata(self, tag: re.Match[str]) -> str | None:
        name = ascii_lower(tag["name"])
        if tag["end"] or name not in RCDATA:
            return None
        last = self.last_rcdata_end.get(name)
        if last is None:
            found = [match.start() for match in _RCDATA_END[name].finditer(self.text)]
            last = found[-1] if found else -1
            self.last_rcdata_end[name] = last
        return None if last > tag.start() else f"<{name}> with no end tag after it"
