"""Active markup: which `<` opens something a browser would run, load or navigate, and escaping it.

Every `<` is judged on its own, by reading the tag that starts there the way the HTML tokenizer
does (tag name from an ASCII letter up to whitespace, `/` or `>`; attributes separated by
whitespace or `/`; values quoted or not; any case). Judging each `<` without tracking the
tokenizer's state is deliberate: a `<` that one context reads as part of an attribute value or a
comment is a tag in another (after a `</noscript>`, in a Markdown renderer, once an outer tag
has been escaped), so none is skipped. A `<` is active when it opens:

- an element that acts by itself or changes how what follows is parsed (`script`, `style`,
  `svg`, `math`, `iframe`, `form`, `template`, `noscript`, ...), or `title`/`textarea` with no
  end tag after them;
- a loading element (`img`, `video`, `link`, `meta`, `base`, `object`, ...) with any attribute
  beyond the harmless ones (`class`, `id`, `alt`, ...), so `List<Object>` stays;
- any element with an event handler (`on*`), a loading attribute (`src`, `srcset`, `poster`,
  `background`, `formaction`, ...), a framework attribute (`hx-*`, `v-*`, `@click`, ...), a link
  that is not http(s)/mailto/tel/ftp, a `javascript:`/`vbscript:`/`data:` value however encoded,
  or a `style` with anything beyond plain declarations (`url()`, `@import`, `expression`, escapes);
- a tag still open at the end of the text inside a quoted value, or a comment never closed:
  whatever a page puts after the text would be swallowed into them.

Neutralizing replaces just that `<` with `&lt;`, which a browser shows as `<`: the text reads the
same, no element is created, and since the result has no active `<` left, a second pass changes
nothing. Inert markup (`<div class="x">`, `Array<string>`, `a < b`) is left byte for byte.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from worker.sanitize.attributes import (
    ALWAYS_ACTIVE,
    LOADING,
    RAW_TEXT_UNTIL_END,
    ascii_lower,
    is_active_attribute,
)
from worker.sanitize.draft import Draft

ESCAPED_LT = "&lt;"
_TAG_NAME = re.compile(r"<(/?)([A-Za-z][^\t\n\f\r />]*)")
_SEPARATORS = re.compile(r"[\t\n\f\r /]*")
# One attribute as the tokenizer reads it from the before-attribute-name state: a name (which
# may start with `=`), then optionally `=` and a value, quoted (possibly open to the end of
# the text) or not.
_ATTRIBUTE = re.compile(
    r"""(?P<name>[^\t\n\f\r />][^\t\n\f\r /=>]*)
    (?:[\t\n\f\r ]*=[\t\n\f\r ]*(?P<value>"[^"]*"?|'[^']*'?|[^\t\n\f\r >"'][^\t\n\f\r >]*)?)?""",
    re.VERBOSE,
)
# Handler-looking text anywhere in a tag, even where the tokenizer sees an attribute value: some
# renderers read tags differently, and this shape is rare in code.
_HANDLER_SHAPE = re.compile(r"""[\t\n\f\r "'/]on[a-z]+[\t\n\f\r ]*=""", re.IGNORECASE)
_SCRIPT_SCHEME_NAME = re.compile(r"(?:javascript|vbscript|data):", re.IGNORECASE)
_END_TAG = {
    name: re.compile("</" + name + r"[\t\n\f\r />]", re.IGNORECASE) for name in RAW_TEXT_UNTIL_END
}


def neutralize(text: str) -> tuple[str, bool]:
    """`text` with every active `<` escaped as `&lt;`, and whether there was one."""
    at = text.find("<")
    if at == -1:
        return text, False
    scan = _Scan(text)
    parts: list[str] = []
    done = 0
    while at != -1:
        if scan.is_active_at(at):
            parts.append(text[done:at])
            parts.append(ESCAPED_LT)
            done = at + 1
        at = text.find("<", at + 1)
    if not parts:
        return text, False
    parts.append(text[done:])
    return "".join(parts), True


def neutralize_active_markup(draft: Draft) -> Draft:
    text, changed = neutralize(draft.text)
    return draft.neutralized(text) if changed else draft


def is_active_at(text: str, at: int) -> bool:
    """Whether the `<` at `at` opens active markup."""
    return _Scan(text).is_active_at(at)


class _Scan:
    """Judges the `<`s of one text, remembering what it learnt on the way.

    Tags that run to the end of the text overlap (`i<n ... j<m ...` with no `>` after), and so do
    their attribute lists: from any position where an attribute starts, the tokenizer reads the
    rest of the tag the same way whichever `<` it came from. Remembering the verdict per such
    position keeps the whole scan linear instead of quadratic.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        # (attribute start, loading element) -> (active, tag end, closed) for the rest of the tag.
        self.rest: dict[tuple[int, bool], tuple[bool, int, bool]] = {}
        self._handler_starts: list[int] | None = None
        self._handler_ends: list[int] = []
        self._last_end_tag: dict[str, int] = {}
        last_close = max(text.rfind("-->"), text.rfind("--!>"))
        self.last_comment_close = last_close

    def is_active_at(self, at: int) -> bool:
        match = _TAG_NAME.match(self.text, at)
        if match is not None:
            return self._is_active_tag(match)
        if self.text.startswith("<!--", at):
            # `<!--` hides what follows until `-->`; never closed, it would hide the rest of a page.
            return not self._comment_is_closed(at + 4)
        return False

    def _comment_is_closed(self, body: int) -> bool:
        return self.text.startswith((">", "->"), body) or self.last_comment_close >= body

    def _is_active_tag(self, match: re.Match[str]) -> bool:
        name = ascii_lower(match[2])
        if match[1]:
            return name in ALWAYS_ACTIVE
        if name in ALWAYS_ACTIVE or _SCRIPT_SCHEME_NAME.match(name):
            return True
        if name in RAW_TEXT_UNTIL_END and not self._end_tag_follows(name, match.end()):
            return True
        loading = name in LOADING
        active, end, closed = self._attributes(name, loading, match.end())
        if active or (loading and not closed):
            # A loading element left open could take its attributes from whatever follows.
            return True
        return self._handler_shape_within(match.end(), end)

    def _attributes(self, element: str, loading: bool, start: int) -> tuple[bool, int, bool]:
        """(any attribute active, where the tag ends, whether a `>` ends it) from `start`."""
        text = self.text
        visited: list[int] = []
        at = start
        while True:
            separators = _SEPARATORS.match(text, at)
            at = separators.end() if separators is not None else at
            if at >= len(text):
                verdict = (False, len(text), False)
                break
            if text[at] == ">":
                verdict = (False, at, True)
                break
            known = self.rest.get((at, loading))
            if known is not None:
                verdict = known
                break
            visited.append(at)
            attribute = _ATTRIBUTE.match(text, at)
            assert attribute is not None  # any character but a separator or `>` starts one
            if self._is_active_attribute(element, attribute):
                verdict = (True, attribute.end(), attribute.end() < len(text))
                break
            at = attribute.end()
        for position in visited:
            self.rest[(position, loading)] = verdict
        return verdict

    def _is_active_attribute(self, element: str, attribute: re.Match[str]) -> bool:
        raw_value = attribute["value"]
        if raw_value is not None and raw_value[:1] in ("'", '"'):
            if attribute.end() == len(self.text) and (
                len(raw_value) == 1 or raw_value[-1] != raw_value[0]
            ):
                return True  # a quote still open at the end of the text would swallow a page
            raw_value = raw_value[1:-1]
        return is_active_attribute(element, ascii_lower(attribute["name"]), raw_value)

    def _handler_shape_within(self, start: int, end: int) -> bool:
        if self._handler_starts is None:
            found = list(_HANDLER_SHAPE.finditer(self.text))
            self._handler_starts = [shape.start() for shape in found]
            self._handler_ends = [shape.end() for shape in found]
        index = bisect_left(self._handler_starts, start)
        return index < len(self._handler_starts) and self._handler_ends[index] <= end

    def _end_tag_follows(self, name: str, start: int) -> bool:
        last = self._last_end_tag.get(name)
        if last is None:
            last = max((found.start() for found in _END_TAG[name].finditer(self.text)), default=-1)
            self._last_end_tag[name] = last
        return last >= start
