"""Secret redaction: a classifier over spans of a normalized view, and the redaction step.

Detection runs on the text as a reader sees it (`view`: HTML references, JSON, backslash and
percent escapes, NFKC forms decoded) and reports spans with a kind and the evidence behind
them:
- `tokens` (`platforms`, `services`, `shapes`): providers' formats by prefix or shape, proven
  by checksum where the format has one, with the suffixes glued to them;
- `blocks`: private key blocks (certificates, public keys and ciphertext are never redacted);
- `urls`, `dsn`: URL credentials and signed URLs; keyword DSNs, `;`/`,` lists, `.pgpass`,
  Oracle connect strings;
- `assignments` (`assigned`, `authorization`, `elements`): values of credential-named keys in
  code, env files, JSON, YAML, XML, headers;
- `clis`, `arguments`: command-line flags, positional passwords, stdin pipes, `.netrc`;
- `statements`: SQL, `#define`, `define()`, PowerShell, a credential name passed with its value;
- `headers`: cookies and `Bearer` tokens; `prose` (`conversation`): sentences and chat;
- `pairs`, `calls`: the secret half of an identifier/secret pair, CSV credential columns, the
  random or password arguments of client and credential calls;
- `splits`, `printf`: any of the above cut over lines or string pieces, or put together by
  `printf`, joined and found whole;
- `bare`: random-looking runs of 40+ characters that nothing else explains, and base64 whose
  decoded text holds a secret (searched like any text, two levels deep).
Spans are mapped back to the original text and merged; each merged span becomes one marker,
named by its most specific evidence (format, then pair, label, mention, entropy). Which
detectors run is decided by `needles` (words asked once per text): text without a credential
word, a run of 12 token characters, a separator or armour costs a few scans of the text, and a
text asking for more close reading than its length allows (`Needles.spend`) has the rest
read by coarse rules (`dense`, and the seams of `splits` joined at once).

Kinds: one per provider format (`github_token`, `gitlab_token`, `langsmith_key`,
`launchdarkly_key`, ... see `platforms.py`, `services.py`, `shapes.py`), `private_key`,
`jwt`, `connection_string`, `url_credentials`, `azure_storage_key`, `url_signature`,
`secret_assignment`, `aws_secret_key`, `authorization_header`, `bearer_token`,
`session_cookie`, `cli_credential`, `secret_in_prose`, `paired_secret`,
`high_entropy_string`. The corpora in `tests/worker/sanitize_corpus/` measure them per class
(`python -m bench.secrets`).
"""

from __future__ import annotations

from collections.abc import Sequence

from worker.sanitize.draft import Draft, Findings, Step
from worker.sanitize.rules import Rule, redact_rule
from worker.sanitize.secrets import (
    assignments,
    bare,
    blocks,
    calls,
    clis,
    dense,
    dsn,
    headers,
    pairs,
    printf,
    prose,
    splits,
    statements,
    tokens,
    urls,
)
from worker.sanitize.secrets.conversation import logins
from worker.sanitize.secrets.needles import Exhausted, Needles
from worker.sanitize.secrets.runs import Runs
from worker.sanitize.secrets.spans import Evidence, Found, Taken, replace
from worker.sanitize.secrets.view import view_of

# How deep base64 is decoded: a secret in base64 in base64 (a docker config's `auth` inside a
# Kubernetes secret) is found; deeper nesting is not worth the cost.
_DECODING_DEPTH = 2


def find(view: str, depth: int = 0) -> list[Found]:
    """Every secret span in `view` (a detection view, see `view.py`); `depth`: how many levels
    of base64 `view` was decoded from."""
    # One byte per character, so that offsets are the text's: for the runs and for cheap,
    # case-blind gates (a needle that is absent costs a whole scan, a single byte a memchr).
    raw = view.encode("ascii", "replace")
    needles = Needles(raw.lower().decode("ascii"))
    runs = Runs(raw)
    # Splits want the shortest runs: found first (when wanted), the longer ones are filtered.
    splittable = splits.may_split(view) and runs.any(splits.HALF)
    if splittable:
        runs.spans(splits.HALF)
    long_runs = runs.spans(12) if runs.any(12) else []
    found: list[Found] = []
    armoured = "-" in view
    private = blocks.private_spans(view) if armoured else []
    public = blocks.public_zones(view) if armoured else []
    data = blocks.data_zones(view, needles) if runs.any(bare.MIN_LENGTH) else []
    found.extend(private)
    if long_runs:
        found.extend(tokens.token_spans(view, long_runs))
        found.extend(headers.header_spans(view, needles))
    if splittable:
        settled = Taken(public + data + [(f.start, f.end) for f in private])
        found.extend(_split_secrets(view, runs, settled, needles))
    if "%s" in view and needles["printf"]:
        # (Pieces already joined as split secrets keep their own spans.)
        joined = Taken([(f.start, f.end) for f in found])
        printed = printf.printf_spans(view, _whole_tokens)
        found.extend(f for f in printed if not joined.meets(f.start, f.end))
    try:
        found, identifiers = _labelled(view, needles, found)
    except Exhausted:
        # More labels than any text but one made to be slow: each labelled value goes, read
        # by the coarse rule (what the close rules found before is kept).
        found = list(set(found)) + dense.labelled_values(view, needles)
        identifiers = []
    found.extend(pairs.pair_spans(view, needles, found, identifiers))
    found.extend(calls.call_spans(view, needles, found, long_runs))
    if public:
        public_zones = Taken(public)
        found = [f for f in found if f.kind == "private_key" or not public_zones.holds(f)]
    if data:
        data_zones = Taken(data)
        found = [f for f in found if f.evidence is not Evidence.ENTROPY or not data_zones.holds(f)]
    if long_runs and runs.any(bare.MIN_LENGTH):
        taken = public + data + [(f.start, f.end) for f in found]
        inner = (
            (lambda text: find(view_of(text).text, depth + 1)) if depth < _DECODING_DEPTH else None
        )
        found.extend(bare.bare_spans(view, taken, runs.spans(bare.MIN_LENGTH), inner))
    return found


def _labelled(view: str, needles: Needles, found: list[Found]) -> tuple[list[Found], list[int]]:
    """`found` with what labels, syntaxes and sentences give, and where identifier keys'
    values start."""
    found.extend(urls.url_spans(view, needles))
    found.extend(dsn.dsn_spans(view, needles))
    found.extend(clis.cli_spans(view, needles))
    found.extend(statements.statement_spans(view, needles))
    identifiers: list[int] = []
    if "=" in view or ":" in view or "<" in view:
        assigned, identifiers = assignments.scan(view, needles)
        found.extend(assigned)
    # "log in with admin / pw", "Das Kennwort ist ...": prose with no credential stem.
    if (
        needles.credential
        or not view.isascii()
        or needles.any("kennwort", "wachtwoord", "senha")
        or logins(needles)
    ):
        found.extend(prose.prose_spans(view, needles))
    return list(set(found)), identifiers  # detectors often find the same secret


def _split_secrets(view: str, runs: Runs, settled: Taken, needles: Needles) -> list[Found]:
    """Secrets split over lines or pieces; a random run's context is read where it stands
    (the line after "public key" is public, joined or not)."""
    return [
        found
        for found in splits.split_spans(view, _whole_tokens, runs, settled, needles.spend)
        if found.evidence is not Evidence.ENTROPY
        or not bare.explained_by_context(view, found.start, view[found.start : found.end])
    ]


def _whole_tokens(joined: str) -> list[Found]:
    """What a split secret, once joined, can be found as: a format or a random run."""
    runs = Runs(joined)
    return tokens.token_spans(joined, runs.spans(12)) + bare.bare_spans(
        joined, [], runs.spans(bare.MIN_LENGTH), None
    )


def redact_built_in(text: str) -> Findings:
    """`text` with every built-in secret class redacted."""
    view = view_of(text)
    found = find(view.text)
    if not view.is_identity:
        found = [Found(*view.span(f.start, f.end), f.kind, f.evidence) for f in found]
        found.extend(_written_tokens(text))
    if not found:
        return Findings(text)
    return replace(text, found)


def _written_tokens(text: str) -> list[Found]:
    """Known-format tokens of the text as written. Decoding can glue a token to what comes
    before it (`&#x30;AKIA...` reads `0AKIA...`, no token), while the text stored escaped
    shows the reference as written and the token whole."""
    runs = Runs(text)
    return tokens.token_spans(text, runs.spans(12)) if runs.any(12) else []


def make_redactor(extra_rules: Sequence[Rule] = ()) -> Step:
    """The redaction step: built-in classes, then the operator's own patterns."""

    def redact_secrets(draft: Draft) -> Draft:
        found = redact_built_in(draft.text)
        text, kinds = found.text, found.kinds
        for rule in extra_rules:
            extra = redact_rule(rule, text)
            text, kinds = extra.text, kinds | extra.kinds
        return draft.redacted(text, kinds) if kinds else draft

    return redact_secrets
