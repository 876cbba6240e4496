"""An independent reading of a page by html5lib: what in it would run, load or navigate."""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

import html5lib

# Elements that run, load, frame, take over parsing or hide what follows.
FORBIDDEN = frozenset(
    (
        *("script", "style", "iframe", "frame", "frameset", "applet", "form", "portal"),
        *("fencedframe", "template", "noscript", "xmp", "plaintext", "noembed", "noframes"),
    )
)
# Elements that act only through these attributes.
_ACTING = {"base": ("href", "target"), "link": ("rel",), "meta": ("http-equiv", "content")}
_LOADING = frozenset(
    (
        *("src", "srcset", "imagesrcset", "poster", "background", "data", "action"),
        *("formaction", "ping", "srcdoc", "lowsrc", "dynsrc", "codebase", "manifest"),
    )
)
_HANDLER = re.compile("on[a-z]+")
_SCRIPT_URL = re.compile(r"^[\x00-\x20]*(?:javascript|vbscript|data):", re.IGNORECASE)
_SEPARATOR_LAYOUT = {"</td><td>": ("<table><tr><td>", "</td></tr></table>")}
SENTINEL = '<p id="sentinel">after</p><form id="sentinel-form"><input id="sentinel-input"></form>'


def page_of(first: str, separator: str, second: str) -> str:
    """Two stored texts side by side in a page body, with the page's own markup after them."""
    opening, closing = _SEPARATOR_LAYOUT.get(separator, ("<div>", "</div>"))
    return (
        "<!doctype html><html><head><title>t</title></head><body>"
        f"{opening}{first}{separator}{second}{closing}{SENTINEL}</body></html>"
    )


def problems(page: str) -> list[str]:
    """What html5lib's tree of `page` holds that would act, and whether the page's own markup
    after the texts survived as written."""
    root = html5lib.parse(page, treebuilder="etree", namespaceHTMLElements=False)
    found: list[str] = []
    parents: dict[int, Element] = {}
    for parent in root.iter():
        for child in parent:
            parents[id(child)] = parent
    body = root.find("body")
    assert body is not None
    for element in body.iter():
        tag = element.tag if isinstance(element.tag, str) else "?"
        if tag.startswith("{"):
            found.append(f"foreign element {tag}")
        elif tag in FORBIDDEN and not element.get("id", "").startswith("sentinel"):
            found.append(f"element {tag}")
        found += [f"{name} on {tag}" for name in _ACTING.get(tag, ()) if name in element.attrib]
        for name, value in element.attrib.items():
            lowered = name.lower()
            loads = lowered in _LOADING and (lowered != "data" or tag == "object")
            if _HANDLER.fullmatch(lowered) or loads or lowered == "form":
                found.append(f"{lowered} on {tag}")
            if _SCRIPT_URL.match(value):
                found.append(f"{lowered}={value!r} on {tag}")
    found += _sentinel_problems(body, parents)
    return found


def _sentinel_problems(body: Element, parents: dict[int, Element]) -> list[str]:
    by_id = {element.get("id"): element for element in body.iter() if element.get("id")}
    found = []
    for wanted in ("sentinel", "sentinel-form", "sentinel-input"):
        if wanted not in by_id:
            found.append(f"the page's #{wanted} was swallowed")
    sentinel = by_id.get("sentinel")
    if sentinel is not None:
        if "".join(sentinel.itertext()) != "after":
            found.append("the page's #sentinel text changed")
        if any(link.get("href") is not None for link in sentinel.iter("a")):
            found.append("the page's #sentinel text became a link")
        node = parents.get(id(sentinel))
        while node is not None:
            # An `a` without href is no link (as `a[href]` in the Chromium check): a text's
            # `<a>` that a table after it holds open keeps the page's text, inert.
            if node.tag in ("select", "title", "textarea", "template") or (
                node.tag == "a" and node.get("href") is not None
            ):
                found.append(f"the page's #sentinel is inside <{node.tag}>")
            node = parents.get(id(node))
    # Which form owns the page's input is not in html5lib's tree (a table left open moves the
    # input out of the form, which still owns it); Chromium checks ownership itself.
    return found
