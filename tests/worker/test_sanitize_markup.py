"""Which `<` is active markup, and how it is neutralized: escaping just that `<`."""

from __future__ import annotations

import pytest

from worker.sanitize import sanitize
from worker.sanitize.markup import neutralize

INERT = [
    "a < b && c",
    "Vec::<u8>::new()",
    "Array<string>",
    "x -> y",
    "2>&1",
    "cat <<EOF",
    "List<Map<String, Integer>>",
    "#include <stdio.h>",
    "template <typename T>",
    "for (i=0; i<n; i++)",
    "x <- c(1, 2)",
    "a <=> b",
    "x <<= 1",
    "cond ? a<b : c",
    "fun <T : Comparable<T>> max()",
    "List<Object> items",
    "Optional<Image> cover",
    '<div class="x">ok</div>',
    "<b>bold</b> <p>para</p> <span>span</span> <br/>",
    '<a href="https://example.com/a?b=1#c">link</a>',
    '<a href="/relative">rel</a> <a href="mailto:x@example.com">mail</a>',
    '<span style="color: red; width: calc(100% - 2px)">x</span>',
    '<input type="text" name="q" placeholder="Search">',
    "<title>Page</title>",
    '<textarea name="m"></textarea>',
    "<!-- a comment -->",
    "<!---->",
    "<!DOCTYPE html>",
    '<?xml version="1.0"?>',
    "<?php echo $x; ?>",
    "<![CDATA[ x ]]>",
    "</div>",
    "</ not a tag>",
    "&lt;script&gt; stays as written",
    "Jane <jane@example.com>",
    "<https://example.com>",
]


@pytest.mark.parametrize("text", INERT)
def test_inert_markup_and_code_are_left_byte_for_byte(text: str) -> None:
    assert neutralize(text) == (text, False)


NEUTRALIZED = [
    ("<script>alert(1)</script>", "&lt;script>alert(1)&lt;/script>"),
    ("<SCRIPT>x</SCRIPT>", "&lt;SCRIPT>x&lt;/SCRIPT>"),
    ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)>"),
    ("<img/src=x/onerror=alert(1)>", "&lt;img/src=x/onerror=alert(1)>"),
    ('<img src="chart.png" alt="chart">', '&lt;img src="chart.png" alt="chart">'),
    ("<svg/onload=alert(1)>", "&lt;svg/onload=alert(1)>"),
    ("<math><mi>x</mi></math>", "&lt;math><mi>x</mi>&lt;/math>"),
    ("<x onclick=go()>", "&lt;x onclick=go()>"),
    ("<custom-element onfocus=go() autofocus>", "&lt;custom-element onfocus=go() autofocus>"),
    ("<scr<script>ipt>alert(1)</script>", "<scr&lt;script>ipt>alert(1)&lt;/script>"),
    ('<a href="javascript:go()">x</a>', '&lt;a href="javascript:go()">x</a>'),
    (
        '<a href=" &#14; jav&#x09;ascript&colon;go()">x</a>',
        '&lt;a href=" &#14; jav&#x09;ascript&colon;go()">x</a>',
    ),
    ('<a href="data:text/html,x">x</a>', '&lt;a href="data:text/html,x">x</a>'),
    ('<a href="vbscript:x">x</a>', '&lt;a href="vbscript:x">x</a>'),
    ('<div style="background:url(x)">x</div>', '&lt;div style="background:url(x)">x</div>'),
    ('<div style="width:expression(go())">', '&lt;div style="width:expression(go())">'),
    ('<div style="background:ur\\l(x)">', '&lt;div style="background:ur\\l(x)">'),
    ("<style>@import 'x.css';</style>", "&lt;style>@import 'x.css';&lt;/style>"),
    ('<link rel="stylesheet" href="x.css">', '&lt;link rel="stylesheet" href="x.css">'),
    (
        '<meta http-equiv="refresh" content="0;url=x">',
        '&lt;meta http-equiv="refresh" content="0;url=x">',
    ),
    ('<base href="https://x/">', '&lt;base href="https://x/">'),
    ('<iframe src="x"></iframe>', '&lt;iframe src="x">&lt;/iframe>'),
    ('<form action="x"><input></form>', '&lt;form action="x"><input>&lt;/form>'),
    ('<table background="x.png">', '&lt;table background="x.png">'),
    ('<div hx-get="/x" hx-trigger="load">', '&lt;div hx-get="/x" hx-trigger="load">'),
    ('<button @click="go">', '&lt;button @click="go">'),
    (
        '<noscript><p title="</noscript><img src=x onerror=go()>">',
        # The <p> goes too: handler-shaped text in its title is read as a handler elsewhere.
        '&lt;noscript>&lt;p title="&lt;/noscript>&lt;img src=x onerror=go()>">',
    ),
    ("<title>never closed", "&lt;title>never closed"),
    ("<!-- never closed", "&lt;!-- never closed"),
    ('<div title="open to the end', '&lt;div title="open to the end'),
    ("<img", "&lt;img"),
    ("<javascript:alert(1)>", "&lt;javascript:alert(1)>"),
]


@pytest.mark.parametrize(("text", "expected"), NEUTRALIZED)
def test_active_markup_is_neutralized_by_escaping_only_its_opening_angle_bracket(
    text: str, expected: str
) -> None:
    assert neutralize(text) == (expected, True)
    assert neutralize(expected) == (expected, False)


def test_an_angle_bracket_already_escaped_in_the_input_is_kept_as_written() -> None:
    text = "&lt;script>x</script> and &amp;lt; <script>"
    assert neutralize(text)[0] == "&lt;script>x&lt;/script> and &amp;lt; &lt;script>"


def test_a_tag_inside_an_attribute_value_is_escaped_too_without_changing_the_value() -> None:
    # The outer div is inert in a browser, but a renderer that reads quotes differently would
    # see the img; `&lt;` inside an attribute value decodes back to `<`, so nothing is lost.
    text = '<div title="<img src=x onerror=go()>">x</div>'
    stored = sanitize(text).text
    assert "&lt;img" in stored
    assert sanitize(stored).text == stored


def test_a_loading_element_with_only_harmless_attributes_stays() -> None:
    assert neutralize('<img alt="diagram" width="10">')[1] is False
    assert neutralize('<img alt="diagram" src="d.png">')[1] is True


def test_a_title_or_textarea_is_inert_only_when_its_end_tag_follows() -> None:
    assert neutralize("<title>a</title>")[1] is False
    assert neutralize("<title>a</titles>")[1] is True
    assert neutralize("<textarea>x</TEXTAREA >")[1] is False


def test_a_comment_is_inert_only_when_it_is_closed() -> None:
    for closed in ("<!-- x -->", "<!-->", "<!--->", "<!-- x --!>"):
        assert neutralize(closed)[1] is False, closed
    assert neutralize("<!-- x -- >")[1] is True


def test_a_nul_byte_cannot_glue_a_tag_together() -> None:
    result = sanitize("<\x00script>alert(1)</script>")
    assert "\x00" not in result.text
    assert result.text == "<\ufffdscript>alert(1)&lt;/script>"


def test_long_runs_of_unclosed_tags_are_judged_in_linear_time() -> None:
    # Each `<a` is an unclosed tag whose attributes run to the end of the text; a scan that
    # re-read them for every `<` would take seconds here.
    text = "<a " * 30_000 + '<img src=x onerror=go() x="'
    stored, changed = neutralize(text)
    assert changed
    assert stored.count("&lt;") == 30_001
