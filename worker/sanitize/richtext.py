"""The rich-text cleaner of the `html` policy: nh3 with an allowlist of formatting markup."""

from __future__ import annotations

import nh3

from worker.sanitize.draft import Draft

FORMATTING_TAGS = frozenset(
    (
        *("a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "ins", "kbd", "li", "mark", "ol", "p"),
        *("pre", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "table", "tbody"),
        *("td", "tfoot", "th", "thead", "tr", "u", "ul"),
    )
)
# Dropped together with everything inside them, not just unwrapped.
_DROPPED_WITH_CONTENT = frozenset(
    (
        *("script", "style", "template", "iframe", "noscript", "noembed", "noframes", "object"),
        *("embed", "svg", "math", "xmp", "title", "textarea", "select", "applet", "frameset"),
    )
)
_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "ol": {"start"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}

_CLEANER = nh3.Cleaner(
    tags=set(FORMATTING_TAGS),
    clean_content_tags=set(_DROPPED_WITH_CONTENT),
    attributes={tag: set(names) for tag, names in _ATTRIBUTES.items()},
    url_schemes={"http", "https", "mailto"},
    link_rel="noopener noreferrer nofollow",
    strip_comments=True,
)


def clean(text: str) -> str:
    """Safe HTML: formatting kept, links http(s)/mailto with `rel` set, everything else gone."""
    return _CLEANER.clean(text)


def clean_html(draft: Draft) -> Draft:
    cleaned = clean(draft.text)
    if cleaned == draft.text:
        return draft
    # Without a `<` nh3 only escaped characters (`&` as `&amp;`): no markup was taken away.
    return draft.neutralized(cleaned) if "<" in draft.text else draft.rewritten(cleaned)
