"""The arbiter: sanitized attack vectors loaded into headless Chromium run, load and go nowhere,
alone and side by side. Unsanitized control runs prove each of the harness's detectors fires."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.worker.browser_harness import (
    CHROMIUM,
    Server,
    generated,
    inner_html_page,
    load,
    raw_page,
    sanitized,
    serving,
    vectors,
)
from tests.worker.browser_pairs import SEPARATORS, pairs_page
from tests.worker.sanitize_corpus import BENIGN_FILES, entries
from worker.sanitize import Policy, sanitize

# CI sets INTAKE_REQUIRE_BROWSER=1: there a missing browser is a failure, never a skip.
if CHROMIUM is None and os.environ.get("INTAKE_REQUIRE_BROWSER") == "1":
    raise RuntimeError("INTAKE_REQUIRE_BROWSER=1 but no chromium binary is on PATH")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium binary on PATH (CI installs Debian's chromium package)"
)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with serving() as state:
        yield state


@pytest.mark.parametrize("policy", list(Policy))
def test_sanitized_generated_markup_runs_nothing_loads_nothing_and_stays(
    server: Server, policy: Policy
) -> None:
    stored = sanitized(generated(server), policy)
    for path, page in (("inner", inner_html_page(stored)), ("raw", raw_page(stored))):
        outcome = load(server, f"/generated-{path}-{policy}", page)
        assert outcome.recorded, path
        assert (outcome.hits, outcome.findings, outcome.requests) == ([], [], []), path


def test_the_harness_sees_the_generated_markup_run_when_unsanitized(server: Server) -> None:
    outcome = load(server, "/control-generated", inner_html_page(generated(server)))
    assert outcome.recorded
    assert outcome.hits
    assert outcome.findings


@pytest.mark.parametrize("policy", list(Policy))
def test_sanitized_vectors_set_with_inner_html_run_nothing_load_nothing_and_stay(
    server: Server, policy: Policy
) -> None:
    outcome = load(server, f"/inner-{policy}", inner_html_page(sanitized(vectors(server), policy)))
    assert outcome.recorded, "the page navigated away or the harness never finished"
    assert outcome.hits == []
    assert outcome.findings == []
    assert outcome.requests == []


@pytest.mark.parametrize("policy", list(Policy))
def test_sanitized_vectors_pasted_raw_into_a_page_run_nothing_load_nothing_and_stay(
    server: Server, policy: Policy
) -> None:
    outcome = load(server, f"/raw-{policy}", raw_page(sanitized(vectors(server), policy)))
    assert outcome.recorded, "the page navigated away or a text swallowed the harness"
    assert outcome.hits == []
    assert outcome.findings == []
    assert outcome.requests == []


def test_the_harness_sees_a_handler_a_script_url_and_a_request_in_unsanitized_text(
    server: Server,
) -> None:
    items = [
        ("1-handler", "<img src=x onerror=__pwned(1)>"),
        ("2-link", '<a href="javascript:__pwned(2)">x</a>'),
        ("3-request", f'<img src="{server.base()}/leak/3">'),
    ]
    outcome = load(server, "/control-inner", inner_html_page(items))
    assert outcome.recorded
    assert "1" in outcome.hits
    assert any(finding.startswith("2-link: href=javascript:") for finding in outcome.findings)
    assert "/leak/3" in outcome.requests


def test_the_harness_sees_a_script_run_in_unsanitized_text_pasted_raw(server: Server) -> None:
    items = [("1-script", "<script>__pwned(1)</script>"), ("2-style", "<style>p{}</style>")]
    outcome = load(server, "/control-raw", raw_page(items))
    assert outcome.recorded
    assert outcome.hits == ["1"]
    assert "1-script: element script" in outcome.findings


def test_the_harness_sees_two_texts_harmless_alone_combine_into_a_handler(server: Server) -> None:
    # Why a quote left open at the end of a text counts as active: the page's own markup and
    # the next text end up inside the tag. Sanitized, the first `<` is escaped (vector corpus).
    items = [("1-open", '<div tabindex=1 title="'), ("2-close", '" onmouseover="__pwned(2)">')]
    outcome = load(server, "/control-concat", raw_page(items))
    assert outcome.recorded
    assert "2" in outcome.hits
    stored = [(vector_id, sanitize(text).text) for vector_id, text in items]
    assert load(server, "/control-concat-sanitized", raw_page(stored)).hits == []


def test_the_harness_sees_a_navigation_in_unsanitized_text(server: Server) -> None:
    refresh = f'<meta http-equiv="refresh" content="0;url={server.base()}/leak/navigated">'
    outcome = load(server, "/control-navigation", raw_page([("1-refresh", refresh)]))
    assert not outcome.recorded
    assert "/leak/navigated" in outcome.requests


def test_the_harness_sees_a_text_that_swallows_the_rest_of_the_page(server: Server) -> None:
    outcome = load(server, "/control-swallow", raw_page([("1-comment", "<!-- never closed")]))
    assert not outcome.recorded


def stored_corpus(server: Server) -> list[str]:
    """Every attack vector and benign sample of the corpora as stored, each distinct text once."""
    written = [text for _id, text in vectors(server)]
    written += [entry.text for name in BENIGN_FILES for entry in entries(name)]
    return list(dict.fromkeys(sanitize(text).text for text in written))


@pytest.mark.parametrize("separator", SEPARATORS)
def test_every_pair_of_stored_texts_side_by_side_runs_nothing_loads_nothing_swallows_nothing(
    server: Server, separator: str
) -> None:
    outcome = load(server, f"/pairs-{len(separator)}", pairs_page(stored_corpus(server), separator))
    assert outcome.recorded, "a text swallowed the page's own script, or the page navigated"
    assert (outcome.hits, outcome.findings, outcome.requests) == ([], [], [])


# Forms that look like markup but that the parser treats as inert in body, kept as written.
KEPT_AS_WRITTEN = [
    "Option<Frame>",
    "<frame>",
    "Vec<Body> bodies",
    "<head>",
    "List<Object> things",
    "Optional<Image> cover",
    "List<Table> rows",
    "Ref<A>",
    "Map<Tr, Td>",
    "<button on:click={increment}>+</button>",
    "<title>Page</title>",
    '<textarea name="m">a <b> c</textarea>',
    "<select><option>a</option></select>",
    '<a href="https://example.com/">docs</a>',
    "<!-- a comment -->",
    "<!DOCTYPE html>",
]
# Second halves that would complete what a first half left open.
_COMPLETIONS = ["onfocus=__pwned(1) autofocus tabindex=1 x=", "- hidden -->", '" onmouseover=x>']


def test_each_form_kept_as_written_is_inert_alone_and_side_by_side(server: Server) -> None:
    for text in KEPT_AS_WRITTEN:
        assert sanitize(text).text == text
    texts = KEPT_AS_WRITTEN + _COMPLETIONS
    for separator in SEPARATORS:
        outcome = load(server, "/kept", pairs_page(texts, separator))
        assert outcome.recorded, separator
        assert (outcome.hits, outcome.findings, outcome.requests) == ([], [], []), separator


# Forms that a first look might call inert, and why they are not: what follows on the page.
NOT_INERT_SIDE_BY_SIDE = {
    "List<Form>": "the page's own form dropped, its field taken",
    "Optional<Title>": "the page swallowed into RCDATA",
    "Partial<Style>": "the page swallowed into raw text",
    "Option<Select>": "the page's text taken into the select",
    '<a href="https://example.com/">docs': "the page's text made into the link",
    "x <!-": "a comment opened with the next text",
    "<x tabindex=1 ": "the next text's attributes read into the tag",
}


@pytest.mark.parametrize("text", list(NOT_INERT_SIDE_BY_SIDE))
def test_a_form_left_open_changes_the_page_after_it_unless_sanitized(
    server: Server, text: str
) -> None:
    texts = [text, *_COMPLETIONS]
    written = load(server, "/left-open", pairs_page(texts, ""))
    assert not written.recorded or written.findings, NOT_INERT_SIDE_BY_SIDE[text]
    stored = load(server, "/left-open-stored", pairs_page([sanitize(t).text for t in texts], ""))
    assert stored.recorded
    assert (stored.hits, stored.findings, stored.requests) == ([], [], [])
