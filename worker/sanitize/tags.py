"""One tag read as the HTML tokenizer reads it, whether it is active, and the plainly inert ones."""

from __future__ import annotations

import re

from worker.sanitize.attributes import (
    ALWAYS_ACTIVE,
    GADGET_NAMES,
    GADGET_PREFIXES,
    LOADING,
    PAGE_ROOTS,
    RCDATA,
    RESOURCE_ATTRIBUTES,
    ascii_lower,
    is_active_attribute,
)

_WS = "\t\n\f\r "  # the tokenizer's whitespace; a CR is read as a line feed
# One attribute from the before-attribute-name state: a name (which may start with `=`), then
# optionally `=` and a value, quoted (possibly still open where the text ends) or not.
_VALUE = f"\"[^\"]*+\"?|'[^']*+'?|[^{_WS}>\"'][^{_WS}>]*+"
_ATTRIBUTE = f"[^{_WS}/>][^{_WS}/=>]*+(?:[{_WS}]*+=[{_WS}]*+(?:{_VALUE})?)?"

# A start or end tag from its `<` up to and including its `>` (`close` is empty when the text
# ends first): a name from an ASCII letter up to whitespace, `/` or `>`, then attributes
# separated by whitespace or `/`. A `>` ends the tag anywhere but inside a quoted value.
TAG = re.compile(
    f"<(?P<end>/?)(?P<name>[A-Za-z][^{_WS}/>]*+)"
    f"(?P<attributes>(?:[{_WS}/]++|{_ATTRIBUTE})*+)(?P<close>>?)"
)
_PAIRS = re.compile(
    f"[{_WS}/]*+(?P<name>[^{_WS}/>][^{_WS}/=>]*+)(?P<equals>[{_WS}]*+=[{_WS}]*+(?P<value>{_VALUE})?)?"
)
_BARE = re.compile(f"[{_WS}/]*")
# Handler-looking text anywhere in a tag, even where the tokenizer sees an attribute value: some
# renderers read tags differently, and this shape is rare in code.
_HANDLER_SHAPE = re.compile(r"""[\t\n\f\r "'/]on[a-z]+[\t\n\f\r ]*=""", re.IGNORECASE)
_SCRIPT_SCHEME_NAME = re.compile(r"(?:javascript|vbscript|livescript|data):", re.IGNORECASE)

# Elements a link left open cannot be closed across: they put a marker in the list of active
# formatting elements, so an `</a>` inside them does not end the link outside them.
LINK_BARRIERS = frozenset(("applet", "caption", "marquee", "object", "table", "td", "th"))
# Start tags the plainly inert pattern never takes: they are judged one by one.
SPECIAL_START = ALWAYS_ACTIVE | LOADING | RCDATA | PAGE_ROOTS | {"a", "select"}


def judge(tag: re.Match[str]) -> str | None:
    """Why a tag read by TAG is active (`<script>`, `onerror on <img>`, ...), or None if inert."""
    name = ascii_lower(tag["name"])
    if tag["end"]:
        if name in ALWAYS_ACTIVE:
            return f"</{name}>"
        # A browser drops an end tag's attributes; a renderer that reads tags loosely may not.
        name = "an end tag"
    elif name in ALWAYS_ACTIVE:
        return f"<{name}>"
    if _SCRIPT_SCHEME_NAME.match(name):
        return "a script URL read as a tag name"
    attributes = tag["attributes"]
    if _BARE.fullmatch(attributes):
        return None
    if name in PAGE_ROOTS:
        return f"attributes the parser copies onto the page's own <{name}>"
    references = attributes.count("&")
    if references > 8 and references * 8 > len(attributes):
        # Decoding costs a call per reference; values this dense in them are no code or prose.
        return f"character references packed densely in <{name}>"
    if name == "link" and not has_attribute(tag, "rel"):
        name = "link without rel"  # judged as an ordinary element
    # On a loading element every attribute counts; elsewhere plain ones are passed over in one
    # match each run, so a tag with thousands of attributes costs no call per attribute.
    skip = name not in LOADING
    at = 0
    while True:
        if skip:
            at = reach(SKIPPABLE_ATTRIBUTES, attributes, at)
        pair = _PAIRS.match(attributes, at)
        if pair is None:
            break
        at = pair.end()
        attribute = ascii_lower(pair["name"])
        value = pair["value"]
        if value is not None and value[:1] in ("'", '"'):
            value = value[1:-1]
        if is_active_attribute(name, attribute, value if pair["equals"] else None):
            return f"{attribute} on <{name}>"
    if _HANDLER_SHAPE.search(attributes):
        return f"handler-shaped text in <{name}>"
    return None


def reach(pattern: re.Pattern[str], text: str, at: int, stop: int | None = None) -> int:
    """Where a pattern that matches the empty string too stops matching from `at`."""
    found = pattern.match(text, at) if stop is None else pattern.match(text, at, stop)
    assert found is not None
    return found.end()


def has_attribute(tag: re.Match[str], wanted: str) -> bool:
    return any(ascii_lower(pair["name"]) == wanted for pair in _PAIRS.finditer(tag["attributes"]))


def _one_of(names: frozenset[str] | set[str], after: str) -> str:
    """A pattern for any of `names` in any ASCII case, followed by `after`, as a trie: one
    alternation of dozens of words costs a try per word at every tag, a trie a few."""
    tree: dict[str, dict] = {}  # type: ignore[type-arg]
    for name in names:
        node = tree
        for char in name:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict) -> str:  # type: ignore[type-arg]
        branches = [
            after if char == "" else _any_case(char) + emit(node[char]) for char in sorted(node)
        ]
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    first = "".join(
        sorted(
            {
                _any_case(name[0])[1:-1] if name[0].isalpha() else re.escape(name[0])
                for name in names
            }
        )
    )
    return f"(?=[{first}]){emit(tree)}"


def _any_case(char: str) -> str:
    return f"[{char.lower()}{char.upper()}]" if char.isalpha() else re.escape(char)


# What a plain name or value never holds: what could hide a tag, a reference or a handler's
# `=` from a reader; unquoted, nor quotes or the tokenizer's separators. A colon is plain where
# no script URL or `data:` can end at it: after anything but `t`, `a`, a space or a control.
_HIDING = "<=&:`\\\\"
_NOT_PLAIN = f"{_WS}/>\"'{_HIDING}"
_PLAIN_COLON = "(?<![tTaA\\x00-\\x20]):"
# A name may hold a colon (`T:`, `xmlns:android`) unless it starts with a script scheme.
_NAME_CHAR = f"[^{_WS}/>\"'<=&`\\\\]"
_NOT_SCRIPT_NAME = f"(?!{_one_of({'javascript:', 'vbscript:', 'livescript:', 'data:'}, '')})"
_END_OF_NAME = f"(?=[{_WS}/>])"
# A `<` inside a name (`Vec<T>`, `Result<Vec<T>`) starts a tag for other readers, named by what
# follows it and holding the rest of this tag: plain when that name is no special one.
_INNER = (
    f"(?:<{_NOT_SCRIPT_NAME}(?!{_one_of(SPECIAL_START, _END_OF_NAME)})"
    f"|</(?!{_one_of(ALWAYS_ACTIVE, _END_OF_NAME)}))[A-Za-z]{_NAME_CHAR}*+"
)
_SPECIAL_ATTRIBUTE = (
    f"(?:{_one_of(RESOURCE_ATTRIBUTES | GADGET_NAMES | {'style'}, f'(?=[{_WS}/=>])')}"
    f"|{_one_of({'on', *GADGET_PREFIXES}, '')}|[^{_WS}/>=]*?[hH][rR][eE][fF])"
)
# An attribute no reader could take for a handler, a load, a link or a gadget: a plain name
# that is not special, and a plain value, quoted or not. A name or unquoted value must end at
# a separator, or the tokenizer would read on into it.
_PLAIN_ATTRIBUTE = (
    f"(?!{_SPECIAL_ATTRIBUTE})[^{_NOT_PLAIN}@]{_NAME_CHAR}*+(?:{_INNER})*+"
    f'(?:[{_WS}]*+=[{_WS}]*+(?:"(?:[^"{_HIDING}]++|{_PLAIN_COLON})*+"'
    f"|'(?:[^'{_HIDING}]++|{_PLAIN_COLON})*+'|[^{_NOT_PLAIN}]++(?=[{_WS}/>]|\\Z))"
    f"|(?=[{_WS}/>]|\\Z))"
)
# What `judge` may pass over: the same, but a name or value may hold `<`, quotes, `=` (values)
# and backticks, since the `<` inside a tag are judged on their own and handler-shaped text is
# searched for in the whole tag; what decides an attribute by itself (a special name, a
# reference, a scheme) stays excluded.
_CLEAR = "&:\\\\"
SKIPPABLE_ATTRIBUTES = re.compile(
    f"(?:[{_WS}/]*+(?!{_SPECIAL_ATTRIBUTE})[^{_WS}/>=&\\\\:@][^{_WS}/>=&\\\\]*+"
    f'(?:[{_WS}]*+=[{_WS}]*+(?:"(?:[^"{_CLEAR}]++|{_PLAIN_COLON})*+"'
    f"|'(?:[^'{_CLEAR}]++|{_PLAIN_COLON})*+'|[^{_WS}>\"'{_CLEAR}][^{_WS}>{_CLEAR}]*+(?=[{_WS}>]|\\Z))"
    f"|(?=[{_WS}/>]|\\Z)))*+"
)


def _plain_tag(special_start: frozenset[str], special_end: frozenset[str]) -> str:
    """A tag that is inert whatever reads it: a name outside `special_start` (end tag:
    `special_end`), plain attributes, and its `>`."""
    name = f"{_NOT_SCRIPT_NAME}[A-Za-z]{_NAME_CHAR}*+(?:{_INNER})*+"
    start = (
        f"<(?!{_one_of(special_start, _END_OF_NAME)}){name}"
        f"(?:[{_WS}]++{_PLAIN_ATTRIBUTE})*+[{_WS}]*+/?>"
    )
    end = f"</(?!{_one_of(special_end, _END_OF_NAME)}){name}[{_WS}]*+>"
    return f"{start}|{end}"


# A comment whose body holds no `<` and that closes, but not abruptly (`<!-->`, `<!--->`).
_PLAIN_COMMENT = "<!--(?!-?>)(?:[^<-]++|-(?!-!?>))*+--!?>"


def data_run(link_open: bool, select_open: bool) -> re.Pattern[str]:
    """Text, `<` that starts nothing and plainly inert tags and comments, read in the data state:
    what the scan can pass over without a look, given whether a link or a select is open."""
    start = SPECIAL_START | (LINK_BARRIERS if link_open else frozenset())
    end = ALWAYS_ACTIVE | ({"a"} if link_open else set()) | ({"select"} if select_open else set())
    return re.compile(
        f"(?:[^<]++|{_plain_tag(start, frozenset(end))}|<+(?=<)|<(?=[^A-Za-z/!?])"
        f"|{_PLAIN_COMMENT})*+"
    )


# A start or end tag that is inert whatever reads it and wherever it stands.
PLAIN_TAG = re.compile(_plain_tag(SPECIAL_START, ALWAYS_ACTIVE))
# Where the tokenizer reads no tags (attribute values, comments, RCDATA), the `<` that other
# readers would take for a tag: what may be passed over there.
NESTED_RUN = re.compile(f"(?:[^<]++|{PLAIN_TAG.pattern}|<(?![A-Za-z]|/[A-Za-z]))*+")
