"""Which text is active markup, read as the HTML tokenizer reads it in body, and neutralizing it."""

from __future__ import annotations

import pytest

from worker.sanitize import restore, sanitize
from worker.sanitize.markup import escape, escaped_prefix_length, find_active, neutralize

INERT = [
    "a < b && c",
    "Vec::<u8>::new()",
    "Array<string>",
    "x -> y",
    "2>&1",
    "cat <<EOF > out.txt",
    "List<Map<String, Integer>>",
    "Map<String,Integer> m",
    "#include <stdio.h>",
    "template <typename T>",
    "x <- c(1, 2)",
    "a <=> b",
    "x <<= 1",
    "cond ? a<b : c > d",
    "fun <T : Comparable<T>> max()",
    "List<Object> items",
    "Optional<Image> cover",
    "Option<Frame>",
    "<frame>",
    "List<Table> rows",
    "Vec<Body> bodies",
    '<div class="x">ok</div>',
    "<b>bold</b> <p>para</p> <span>span</span> <br/>",
    '<a href="https://example.com/a?b=1#c">link</a>',
    '<a href="/relative">rel</a> <a href="mailto:x@example.com">mail</a>',
    '<a name="top">anchor left open',
    '<span style="color: red; width: calc(100% - 2px)">x</span>',
    '<input type="text" name="q" placeholder="Search">',
    "<title>Page</title>",
    '<textarea name="m"></textarea>',
    "<select><option>a</option></select>",
    "<!-- a comment -->",
    "<!---->",
    "<!-->",
    "<!--->",
    "<!-- a --!>",
    "<!DOCTYPE html>",
    '<?xml version="1.0"?>',
    "<?php echo $x; ?>",
    "<![CDATA[ x ]]>",
    "</div>",
    "</ not a tag>",
    "</>",
    "&lt;script&gt; stays as written",
    "Jane <jane@example.com>",
    "<https://example.com>",
    "<button on:click={increment}>+</button>",
    '<div title="<b>bold</b>">x</div>',
    "<Select<Option> value={x}>",
    "for (i = 0; i < n; i++) { a[i] = b > c; }",
]


@pytest.mark.parametrize("text", INERT)
def test_inert_markup_and_code_are_left_byte_for_byte(text: str) -> None:
    assert find_active(text) is None
    assert neutralize(text) == (text, False)


ACTIVE = [
    ("<script>alert(1)</script>", "<script>"),
    ("<SCRIPT>x</SCRIPT>", "<script>"),
    ("</script>", "</script>"),
    ("x</div onmouseover=go()>", "onmouseover on <an end tag>"),
    ("<img src=x onerror=alert(1)>", "src on <img>"),
    ("<img onerror=alert(1)>", "onerror on <img>"),
    ("<img/src=x/onerror=alert(1)>", "src on <img>"),
    ('<img src="chart.png" alt="chart">', "src on <img>"),
    ("<svg/onload=alert(1)>", "<svg>"),
    ("<math><mi>x</mi></math>", "<math>"),
    ("<x onclick=go()>", "onclick on <x>"),
    ("<custom-element onfocus=go() autofocus>", "onfocus on <custom-element>"),
    ("<scr<script>ipt>alert(1)</script>", "<script>"),
    ('<a href="javascript:go()">x</a>', "href on <a>"),
    ('<a href=" &#14; jav&#x09;ascript&colon;go()">x</a>', "href on <a>"),
    ('<a href="data:text/html,x">x</a>', "href on <a>"),
    ('<div title="x" data-x="javascript:go()">', "data-x on <div>"),
    ('<div style="background:url(x)">x</div>', "style on <div>"),
    ('<div style="width:expression(go())">', "style on <div>"),
    ("<style>p{}</style>", "<style>"),
    ("Partial<Style>", "<style>"),
    ('<link rel="stylesheet" href="x.css">', "rel on <link>"),
    ('<meta http-equiv="refresh" content="0;url=x">', "http-equiv on <meta>"),
    ('<base href="https://x/">', "href on <base>"),
    ('<base target="_blank">', "target on <base>"),
    ('<iframe src="x"></iframe>', "<iframe>"),
    ("<form></form>", "<form>"),
    ("List<Form>", "<form>"),
    ("</form>", "</form>"),
    ('<table background="x.png">', "background on <table>"),
    ('<div hx-get="/x">', "hx-get on <div>"),
    ('<button @click="go">', "@click on <button>"),
    ("<body onload=go()>", "<body>"),
    ("<html lang=en>", "<html>"),
    ("<xmp>x</xmp>", "<xmp>"),
    ("<noscript>x</noscript>", "<noscript>"),
    ("<template>x</template>", "<template>"),
    ("<javascript:alert(1)>", "script URL"),
    ('<noscript><p title="</noscript><img src=x onerror=go()>">', "<noscript>"),
    ('<div title="x onclick=go()">', "handler-shaped"),
    ('<div title="<img src=x>">x</div>', "nested in markup"),
    ("<!-- <script>x</script> -->", "nested in markup"),
    ("<title><img src=x onerror=go()></title>", "nested in markup"),
]


@pytest.mark.parametrize(("text", "reason"), ACTIVE)
def test_active_markup_is_found_with_the_reason(text: str, reason: str) -> None:
    found = find_active(text)
    assert found is not None
    assert reason in found.reason


LEFT_OPEN = [
    "x <",
    "x </",
    "x <!",
    "x <!-",
    "<x tabindex=1 ",
    "<img",
    '<div title="open to the end',
    "<div title='open",
    "<div x=",
    "</div",
    "<!-- never closed",
    "<!-- closed too late -- >",
    "<!DOCTYPE html",
    "<?php echo 1;",
    "</ x",
    "<title>never closed",
    "Optional<Title>",
    "<title>x</title",
    "<title>x</titles>",
    "<textarea>x",
    "Option<Select>",
    "<select><option>a",
    '<a href="https://example.com/">docs',
    '<a href="https://example.com/">x<table><td></a>',
    "for (i=0; i<n; i++)",
    "cat <<EOF",
    "cond ? a<b : c",
]


@pytest.mark.parametrize("text", LEFT_OPEN)
def test_a_text_that_leaves_anything_open_at_its_end_is_active(text: str) -> None:
    assert find_active(text) is not None
    assert neutralize(text) == (escape(text), True)


def test_neutralizing_escapes_every_ampersand_and_angle_bracket_and_nothing_else() -> None:
    text = "<script>x</script> &lt; & <b>é</b> >"
    assert neutralize(text) == ("&lt;script>x&lt;/script> &amp;lt; &amp; &lt;b>é&lt;/b> >", True)


@pytest.mark.parametrize(
    "text", ["<script>&amp;lt;</script>", "&", "&lt;&amp;", "<<&&>>", "a&ltb <img src=x>", ""]
)
def test_restore_undoes_neutralizing_exactly(text: str) -> None:
    assert restore(escape(text)) == text


def test_neutralized_text_is_inert_and_stays_as_it_is() -> None:
    stored, changed = neutralize("<img src=x onerror=go()> & <!--")
    assert changed
    assert find_active(stored) is None
    assert neutralize(stored) == (stored, False)
    assert sanitize(stored).text == stored


@pytest.mark.parametrize(
    ("text", "limit", "fits"),
    [("abc", 10, 3), ("<<<", 8, 2), ("a&b", 5, 1), ("a&b", 6, 2), ("a&b", 7, 3), ("<", 3, 0)],
)
def test_the_escaped_prefix_length_is_the_most_that_fits_once_escaped(
    text: str, limit: int, fits: int
) -> None:
    assert escaped_prefix_length(text, limit) == fits
    assert len(escape(text[:fits])) <= limit


def test_a_nul_byte_cannot_glue_a_tag_together() -> None:
    result = sanitize("<\x00script>alert(1)</script>")
    assert "\x00" not in result.text
    assert result.text == "&lt;\ufffdscript>alert(1)&lt;/script>"


# Shapes that once made the scan quadratic: each is read in one pass (the benchmark measures).
@pytest.mark.parametrize(
    "text",
    [
        "<a " * 30_000 + '<img src=x onerror=go() x="',
        "<a" * 30_000 + ">",
        '<a x="' * 20_000 + ">",
        "<div>" * 20_000 + "</div>" * 20_000,
        '<div title="' + "<b>" * 30_000 + '">',
        "<!--" * 30_000 + "-->",
        "</a>" * 30_000,
    ],
)
def test_adversarial_shapes_are_judged_in_one_pass(text: str) -> None:
    stored, _changed = neutralize(text)
    assert find_active(stored) is None
