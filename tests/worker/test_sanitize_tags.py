"""The shortcuts of the markup walk agree with the full judgement of a tag, on generated tags."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from worker.sanitize.attributes import ALWAYS_ACTIVE, LOADING, RCDATA, RESOURCE_ATTRIBUTES
from worker.sanitize.tags import PLAIN_TAG, SKIPPABLE_ATTRIBUTES, TAG, judge

examples = settings(max_examples=2000, deadline=None, database=None)

_NAMES = sorted(ALWAYS_ACTIVE | LOADING | RCDATA | {"a", "div", "b", "select", "html", "x"})
_ATTRIBUTE_NAMES = sorted(
    RESOURCE_ATTRIBUTES
    | {"onclick", "on:click", "href", "xhref", "style", "class", "title", "x-data", ":x", "@x"}
    | {"v-if", "data-on-x", "hx-get", "ng-click", "data-bind", "id", "a", "<b", 'c"d', "form"}
)
_VALUES = [
    "",
    "x",
    '"x y"',
    "'x'",
    '"javascript:go()"',
    '"jav&#x09;ascript:x"',
    "data:text/html,x",
    '"https://example.com/a?b=1"',
    '"mhtml:x"',
    '"a: b"',
    '"url(x)"',
    '"<img src=x>"',
    '" onload=go()"',
    "&colon;",
    "`x`",
    '"x',
]
_SEPARATORS = [" ", "  ", "\t", "\n", "/", " / "]
attribute = st.builds(
    lambda name, value, gap: name + ("=" + value if value is not None else "") + gap,
    st.sampled_from(_ATTRIBUTE_NAMES).map(lambda n: n.upper() if len(n) % 3 == 0 else n),
    st.one_of(st.none(), st.sampled_from(_VALUES)),
    st.sampled_from(_SEPARATORS),
)
tag = st.builds(
    lambda end, name, attributes, close: f"<{end}{name} {''.join(attributes)}{close}",
    st.sampled_from(["", "/"]),
    st.one_of(st.sampled_from(_NAMES), st.from_regex(r"[A-Za-z][a-z0-9:,<-]{0,6}", fullmatch=True)),
    st.lists(attribute, max_size=5),
    st.sampled_from([">", "/>", ""]),
)


@examples
@given(tag)
@example('<div title="a: b">')
@example("<x href=mhtml:x>")
def test_a_tag_the_walk_passes_over_as_plain_is_one_the_full_judgement_finds_inert(
    text: str,
) -> None:
    plain = PLAIN_TAG.match(text)
    if plain is None or plain.end() != len(text):
        return
    read = TAG.match(text)
    assert read is not None
    assert read.end() == len(text)
    assert judge(read) is None


@examples
@given(tag)
def test_attributes_the_judgement_skips_are_each_inert_on_an_ordinary_element(text: str) -> None:
    read = TAG.match(text)
    if read is None or read["end"] or not read["close"]:
        return
    attributes = read["attributes"]
    skipped = SKIPPABLE_ATTRIBUTES.match(attributes)
    assert skipped is not None
    if skipped.end() != len(attributes.rstrip(" \t\n\f\r/")):
        return
    ordinary = TAG.match("<div" + attributes + ">")
    assert ordinary is not None
    found = judge(ordinary)
    assert found is None or found.startswith("handler-shaped")
