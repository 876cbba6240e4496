"""Faithful text's active markup: when a text is neutralized, how, and how that is undone.

A stored text must be safe pasted raw into a page body, alone or next to any other stored text
with nothing, a newline, a space, `<br>` or `</td><td>` between them. So a text is read as the
HTML tokenizer reads it from the data state, with the tree builder's "in body" rules for what a
start tag switches, and it is *active* when any row below says so; otherwise it is stored byte
for byte. Every `<` that another reader could take for a tag (inside an attribute value, a
comment, RCDATA, once an outer tag is escaped, in a Markdown renderer) is judged as a tag too.

Elements, by start tag (what the parser does in body, and the verdict):

    script style xmp iframe     switch the tokenizer to script data or raw text (`noscript`
    noembed noframes noscript   only while scripting is on): ACTIVE, start or end tag
    plaintext
    svg math                    foreign content (CDATA, SMIL handlers): ACTIVE
    template                    what follows becomes inert template contents: ACTIVE
    frameset                    may replace the page's body: ACTIVE
    form                        sets the form element pointer: left open, the page's next
                                `<form>` is dropped and its fields join this one; `</form>`
                                closes a form the page has open around the text: ACTIVE,
                                start or end tag
    applet portal fencedframe   plugins, frames, obsolete loaders: ACTIVE
    bgsound isindex keygen
    layer ilayer xml
    title textarea              RCDATA up to `</title` / `</textarea`: inert only if that end
                                tag follows
    select                      what follows joins the select until `</select>`: inert only
                                if `</select>` follows
    a with href                 a link; left open, the page's later text is re-opened into
                                it: inert only if `</a>` follows, with no table, td, th,
                                caption, object, applet or marquee start tag between
    html body                   the tag's attributes are copied onto the page's own element:
                                inert bare, ACTIVE with any attribute
    img image picture source    load or act through attributes: inert bare or with harmless
    track video audio object    attributes only (class, id, alt, title, width, name, ...);
    embed meta base param link  a link without rel loads nothing: an ordinary element
    frame head caption col      ignored in body (in a table cell: close the cell): inert
    colgroup tbody thead tfoot  unless an attribute is active
    tr td th
    anything else (div, b, Vec, an ordinary element: inert unless an attribute is active
    T, custom elements)
    <javascript:...>            a script URL as a tag name, an autolink to Markdown: ACTIVE

Attributes, on any tag (all ACTIVE):

    `on` + letters              a handler (`on:click`, `on-tap` are no handler: inert)
    src srcset poster           load or navigate (also background, action, ping, srcdoc,
    background ...              http-equiv, lazy-loading data-src, ...; data on object)
    form formaction formtarget  join or submit a form, a page's own form by id included
    hx-* x-* v-* ng-* data-on*  frameworks on the page may run them as code
    data-bind :prop @event
    *href                       unless http(s), mailto, tel, ftp or relative
    any value                   holding javascript:, vbscript:, livescript: or starting
                                data:, however encoded
    style                       beyond plain declarations (url(), @import, escapes, ...)
    ` onx=` inside a tag        handler-shaped text anywhere: some renderers read quotes
                                differently
    values dense in references  more than one `&` in eight characters of a tag (decoding
                                them costs a call each): ACTIVE rather than slow

Nested markup (a `<` in an attribute value, a comment, RCDATA): judged as a tag read from there
up to the end of what holds it, which it must close within; reading those costs at most a few
times the text's length, and a text that needs more is ACTIVE.

Where the text ends: ACTIVE if it ends in anything but the data state with nothing open: after
`<`, `</`, `<!`, `<!-`; in a tag (an open quote included); in a comment, bogus comment (`<?`,
`</ x`, `<!x`) or doctype; in RCDATA; with a select or a link left open. The next text or the
page would be read into it.

A text's start needs no row of its own: it can only complete what the text before it left open,
and no stored text leaves anything open.

Neutralizing is all or nothing: an active text has every `&` escaped as `&amp;` and every `<` as
`&lt;` (nothing else), so it holds no markup at all and a browser shows exactly what the author
wrote. Since every `&` of such a text starts `&amp;` or `&lt;`, `restore` undoes it without
ambiguity; `SanitizeResult.markup_neutralized` says which stored texts to restore. A second pass
finds no `<` and changes nothing.
"""

from __future__ import annotations

import re

from worker.sanitize.draft import Draft
from worker.sanitize.tokenizer import ActiveMarkup, find_active

__all__ = [
    "ActiveMarkup",
    "escape",
    "escaped_prefix_length",
    "find_active",
    "neutralize",
    "neutralize_active_markup",
    "restore",
]

_STRAY = re.compile("<|&(?!amp;|lt;)")


def escape(text: str) -> str:
    """`text` with each `&` as `&amp;` and each `<` as `&lt;`: no markup left, shown as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;")


def neutralize(text: str) -> tuple[str, bool]:
    """`text` escaped if it has active markup (see the tables above), and whether it had."""
    if find_active(text) is None:
        return text, False
    return escape(text), True


def neutralize_active_markup(draft: Draft) -> Draft:
    text, changed = neutralize(draft.text)
    return draft.neutralized(text) if changed else draft


def restore(text: str) -> str:
    """The text as written from its neutralized form: the inverse of `escape`.

    Raises ValueError for text that no neutralization made (a `<`, or an `&` that starts
    neither `&amp;` nor `&lt;`): restoring such text would change what its author wrote.
    """
    stray = _STRAY.search(text)
    if stray is not None:
        raise ValueError(
            f"text was not neutralized: {stray[0]!r} at {stray.start()} is not an escape"
        )
    # `&lt;` first: in escaped text `&amp;lt;` stands for a written `&lt;` and holds no `&lt;`.
    return text.replace("&lt;", "<").replace("&amp;", "&")


def escaped_prefix_length(text: str, limit: int) -> int:
    """How many leading characters of `text` fit in `limit` characters once escaped."""
    head = escape(text[:limit])[:limit]
    last = head.rfind("&", max(0, len(head) - 4))
    if last != -1 and not head.startswith(("&amp;", "&lt;"), last):
        head = head[:last]  # the cut went through an escape: leave that character out
    return len(head) - 4 * head.count("&amp;") - 3 * head.count("&lt;")
