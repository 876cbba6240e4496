"""Which elements and attributes make a tag active: scripts, handlers, loads and navigations."""

from __future__ import annotations

import html
import re


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Elements that act by themselves (scripts, styles, frames, plugins, forms), that switch the
# tokenizer into raw text whatever follows (`xmp`, `noscript`, ...) or the tree builder into
# foreign content or template contents. `form` is here although a bare `<form>` runs nothing:
# left open it makes the parser drop the page's own next `<form>` and hand that form's fields
# to it, and its end tag closes a form the page has open around the text.
ALWAYS_ACTIVE = _words(
    "script style svg math iframe frameset form plaintext xmp noscript noembed noframes "
    "template applet portal fencedframe bgsound isindex keygen layer ilayer xml"
)
# Read as RCDATA up to their end tag: inert only when that end tag follows in the text.
RCDATA = frozenset(("title", "textarea"))
# The page's own root elements: in body the parser copies a stray tag's attributes onto them.
PAGE_ROOTS = frozenset(("html", "body"))
# Elements that load or change things through their attributes: inert only when bare
# (`List<Object>`, `Vec<Image>` stay), or with nothing but harmless attributes. A `link` loads
# only through `rel`: without it, it is an ordinary element (JSX's `<Link href="/x">`).
LOADING = _words("img image picture source track video audio object embed link meta base param")
_HARMLESS_ON_LOADING = _words(
    "class classname id key to title alt lang dir width height role tabindex hidden placeholder "
    "value name type"
)
_LAZY_LOADING = frozenset(("data-src", "data-srcset", "data-background", "data-bg", "data-href"))

RESOURCE_ATTRIBUTES = (
    _words(
        "src srcset imagesrcset lowsrc dynsrc background poster codebase classid archive action "
        "ping srcdoc manifest attributionsrc longdesc profile http-equiv"
    )
    | _LAZY_LOADING
    # A control's form by id, and where and how it submits it: a page's own form included.
    | _words("form formaction formmethod formtarget formenctype formnovalidate")
)
# Attributes that front-end frameworks on the host page may evaluate as code (script gadgets).
GADGET_PREFIXES = ("hx-", "data-hx-", "x-", "ng-", "data-ng-", "ng:", "v-", "data-on")
# Vue/Alpine shorthands (`:href`, `@click`); a lone `:` is a ternary in generic code.
_GADGET_SHORTHAND = re.compile(r"[:@][a-z]")
GADGET_NAMES = frozenset(("data-bind",))

_HANDLER = re.compile("on[a-z]+")
# `&colon;`, `&#58;`, `&#x3A;` with any leading zeros; a `:` written as such is seen as it is.
_COLON_REFERENCE = re.compile(r"&(?:colon;|#0*58(?![0-9])|#[xX]0*3[aA](?![0-9a-fA-F]))")
_SAFE_SCHEMES = frozenset(("http", "https", "mailto", "tel", "ftp"))
_SCRIPT_SCHEMES = ("javascript:", "vbscript:", "livescript:")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_URL_STRIP = "".join(chr(code) for code in range(0x21))
_TAB_OR_NEWLINE = re.compile("[\t\n\r]")
_NOT_PRINTABLE = re.compile("[\x00-\x20]")

_CSS_FUNCTION = re.compile(r"([a-z0-9_-]+)\s*\(")
_SAFE_CSS_FUNCTIONS = _words(
    "rgb rgba hsl hsla hwb lab lch oklab oklch color color-mix calc min max clamp var attr "
    "translate translatex translatey translatez translate3d rotate rotatex rotatey rotatez "
    "rotate3d scale scalex scaley scalez scale3d skew skewx skewy matrix matrix3d perspective "
    "cubic-bezier steps linear-gradient radial-gradient conic-gradient repeating-linear-gradient "
    "repeating-radial-gradient repeating-conic-gradient repeat minmax fit-content blur "
    "brightness contrast drop-shadow grayscale hue-rotate invert opacity saturate sepia inset "
    "circle ellipse polygon counter counters"
)

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def ascii_lower(name: str) -> str:
    """Lower-cased as the HTML tokenizer does it: ASCII letters only."""
    return name.lower() if name.isascii() else name.translate(_ASCII_LOWER)


def is_active_attribute(element: str, name: str, raw_value: str | None) -> bool:
    """Whether attribute `name` (lower case) with `raw_value` (as written) makes a tag active."""
    if is_handler(name) or name in RESOURCE_ATTRIBUTES or name in GADGET_NAMES:
        return True
    if name.startswith(GADGET_PREFIXES) or _GADGET_SHORTHAND.match(name):
        return True
    if (
        element in LOADING
        and name not in _HARMLESS_ON_LOADING
        and not name.startswith(("aria-", "data-"))
    ):
        return True
    if raw_value is None:
        return False
    # Decoding costs a call per reference; it can only matter where the value is CSS or a link,
    # or where a reference may stand for the colon every script URL needs.
    decode = "&" in raw_value and (
        name == "style" or name.endswith("href") or _COLON_REFERENCE.search(raw_value) is not None
    )
    value = html.unescape(raw_value) if decode else raw_value
    if name == "style" and not _is_inert_css(value):
        return True
    if name.endswith("href") and not _is_safe_link(value):
        return True
    if ":" not in value and ":" not in raw_value:
        return False
    return _has_script_url(value) or _has_script_url(raw_value)


def is_handler(name: str) -> bool:
    """Whether `name` (lower case) is shaped like an event handler: `on` and letters only.

    `on:click` (Svelte) or `on-tap` are no handler to a browser, which knows handlers by name.
    """
    return _HANDLER.fullmatch(name) is not None


def _has_script_url(value: str) -> bool:
    squeezed = _NOT_PRINTABLE.sub("", value).lower()
    if any(scheme in squeezed for scheme in _SCRIPT_SCHEMES):
        return True
    return _TAB_OR_NEWLINE.sub("", value.strip(_URL_STRIP)).lower().startswith("data:")


def _is_safe_link(value: str) -> bool:
    url = _TAB_OR_NEWLINE.sub("", value.strip(_URL_STRIP))
    scheme = _SCHEME.match(url)
    return scheme is None or scheme[1].lower() in _SAFE_SCHEMES


def _is_inert_css(value: str) -> bool:
    """No escapes, comments, at-rules or functions beyond colours, maths and transforms."""
    css = value.lower()
    if "\\" in css or "/*" in css or "@" in css or "<" in css:
        return False
    return all(name in _SAFE_CSS_FUNCTIONS for name in _CSS_FUNCTION.findall(css))
