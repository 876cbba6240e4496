"""Properties of sanitize() over generated text: total, bounded, storable, idempotent, faithful."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from worker.sanitize import Policy, sanitize

# No example database: the tests must not write into the work tree.
examples = settings(max_examples=300, deadline=None, database=None)

# Any str at all: lone surrogates, NUL, C0 and C1 controls included.
any_text = st.text(st.characters(exclude_categories=()), max_size=300)

# Pieces that exercise the tokenizer, the redaction rules and their interplay.
_FRAGMENTS = [
    "<",
    ">",
    "</",
    "<!--",
    "-->",
    "<!",
    "<?",
    "<![CDATA[",
    "]]>",
    "/",
    "=",
    '"',
    "'",
    "`",
    " ",
    "\n",
    "\t",
    "\f",
    "&",
    "&lt;",
    "&#x6a;",
    ";",
    ":",
    "[REDACTED]",
    "<script>",
    "</script>",
    "<img",
    " src=x",
    " onerror=",
    "<svg",
    "<title>",
    "</title>",
    "<a href=",
    "javascript:",
    "<div",
    " style=",
    "url(",
    "<b>",
    "<p ",
    "x",
    "é",
    "\u0301",
    "😀",
    "\x00",
    "\ud800",
    "password",
    "token",
    "=",
    ": ",
    "DB_PASSWORD=",
    "Bearer ",
    "abc123",
    "AKIAIOSFODNN7EXAMPLE",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl",
    "postgres://u:p@h/",
    "-----BEGIN RSA PRIVATE KEY-----\n",
    "MIIEabc123+/=",
    "\n-----END",
    "0123456789ABCDEFabcdefGHIJKLMNOPQRSTUVWXYZ",
    "{{",
    "$",
    "?",
    "%",
]
markup_text = st.lists(
    st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=3)), max_size=40
).map("".join)
texts = st.one_of(any_text, markup_text)
policies = st.sampled_from(list(Policy))

# An alphabet that cannot spell `<`, a credential keyword, a provider prefix, a URL with a
# password or a random-looking token: text drawn from it is stored exactly as it is.
_SAFE_ALPHABET = (
    "acdfghijlmnqrtuvxz0123456789 \n\t.,;:!?()[]{}-+*/=_'\"#%$^|~>@éßçø中文😀\u0301\u05d0\u0627"
)
safe_text = st.text(st.sampled_from(_SAFE_ALPHABET), max_size=400)


@examples
@given(texts, policies, st.integers(min_value=0, max_value=400))
def test_any_text_gives_a_result_within_the_length_limit(
    text: str, policy: Policy, max_length: int
) -> None:
    result = sanitize(text, max_length=max_length, policy=policy)
    assert len(result.text) <= max_length


@examples
@given(texts, policies)
def test_the_stored_text_has_no_nul_and_no_lone_surrogates(text: str, policy: Policy) -> None:
    stored = sanitize(text, policy=policy).text
    assert "\x00" not in stored
    stored.encode("utf-8")  # raises on a lone surrogate


@examples
@given(texts, policies, st.sampled_from([5000, 200, 40, 12, 9, 1, 0]))
def test_sanitizing_stored_text_again_changes_nothing(
    text: str, policy: Policy, max_length: int
) -> None:
    once = sanitize(text, max_length=max_length, policy=policy)
    twice = sanitize(once.text, max_length=max_length, policy=policy)
    assert twice.text == once.text
    assert not twice.changed
    assert twice.secrets_found == ()


@examples
@given(texts, policies)
def test_the_result_describes_itself(text: str, policy: Policy) -> None:
    result = sanitize(text, policy=policy)
    assert result.changed == (result.text != text)
    assert list(result.secrets_found) == sorted(set(result.secrets_found))


@examples
@given(safe_text)
def test_text_without_markup_or_secret_shapes_is_stored_byte_for_byte(text: str) -> None:
    result = sanitize(text)
    assert result.text == text
    assert not result.changed


@examples
@given(markup_text.filter(lambda text: "\x00" not in text and "\ud800" not in text))
def test_faithful_neutralization_only_ever_escapes_angle_brackets_besides_redaction(
    text: str,
) -> None:
    result = sanitize(text)
    if not result.secrets_found:
        assert result.text.replace("&lt;", "<") == text.replace("&lt;", "<")
