"""Random-looking runs that nothing else explains: key material, or data that only looks random.

A bare run (no label, no known format) of 40+ base64, base64url or hex characters that
`entropy.looks_random` passes is a `high_entropy_string`, unless it is something else by its
own structure or its context:
- `data:` URIs, `sha256-`/`sha512-` integrity strings, `h1:`/`sha256:` digests, `0x`
  literals, SSH public key blobs, IPFS content ids;
- a value an identifier, digest or public label names (`request_id:`, `x-amz-id-2:`, `etag=`,
  `PublicKey =`, a JWK's `"n"`, OAuth's `state` and `code_challenge`), or a line after
  "public key";
- a segment of a URL's path (`/spreadsheets/d/<id>/edit`), unless the path names a hook,
  token, key or signature;
- hex of a digest's length (32, 40, 56, 64, 96, 128) unless key material is named on its line
  (`signing`, `hmac`, `SecureString`, a credential word): git SHAs, checksums and lockfile
  hashes are never credentials by themselves;
- base64 of a file format (`iVBORw0KGgo` is a PNG) or of text: content, such as a fixture,
  not a key. But base64 whose text holds a secret (a PEM private key, a kubeconfig, a docker
  config, an AWS credentials file, a service-account JSON, a netrc) is redacted whole: the
  text is decoded (lines of a wrapped block joined) and searched like any other.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from worker.sanitize.secrets import checksums
from worker.sanitize.secrets.entropy import HEX, looks_random
from worker.sanitize.secrets.needles import CREDENTIAL_STEMS
from worker.sanitize.secrets.spans import Evidence, Found, Taken

MIN_LENGTH = 40
# What a decoded text holds: the secrets found in it (the detector itself, one level down).
Inner = Callable[[str], list[Found]]
_MAX_DECODED = 64 * 1024
_BARE = re.compile(r"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{" + str(MIN_LENGTH) + r",}={0,3}")
_RUN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-")
_DIGEST_LENGTHS = frozenset((32, 40, 56, 64, 96, 128))
# An integrity string is one run with its algorithm (`-` is a base64url character).
_DIGEST_PREFIX = re.compile(r"(?i)(?:sha(?:1|224|256|384|512)|md5|blake2b?)-")
# Just before a run: what makes it a digest, data or a public key rather than a secret.
_BENIGN_BEFORE = re.compile(
    r"(?:(?:sha(?:1|224|256|384|512)|md5|blake2b?|h1|zh)[-:=]"
    r"|base64,|0x|ssh-(?:rsa|dss|ed25519)(?:-cert-v01@openssh\.com)? +"
    r"|(?:ecdsa-sha2-nistp\d+|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com) +"
    r"|/(?:commit|commits|tree|blob|compare|releases/tag)/|/ipfs/|ipfs:(?://)?|[#@])\Z",
    re.IGNORECASE,
)
# A label that names what follows as an identifier, a digest or public: `request_id: ...`,
# `x-amz-id-2:`, `etag=`, `PublicKey =`, OAuth's `state=` and `code_challenge=`.
_BENIGN_LABEL = re.compile(
    r"(?:id|ids|uuid|guid|hash|digest|sha\d*|checksum|integrity|etag|fingerprint|kid|cursor"
    r"|commit|revision|rev|public[ _-]?key|pubkey|publickey|state|nonce|code_challenge"
    r"|challenge)(?:-[0-9]+)?[\"']?[ \t]*[:=][ \t]*[\"']?\Z"
)
# A JSON Web Key's public members (its private ones, `d`, `p`, `q`, ..., are secrets).
_JWK_PUBLIC = re.compile(r"\"(?:n|e|x|y|x5c|x5t|x5t#S256)\"[ \t]*:[ \t]*\[?[ \t]*\"\Z")
_PUBLIC_CONTEXT = re.compile(r"(?i)public[ _-]?key|pubkey|\bDNSKEY\b|\bRRSIG\b")
_PRIVATE_CONTEXT = re.compile(r"(?i)private|secret")
# IPFS content ids: CIDv0 (base58 multihash) and CIDv1 in base32.
_CONTENT_ID = re.compile(r"Qm[1-9A-HJ-NP-Za-km-z]{44}|b[a-z2-7]{58,}")
# What makes a URL's path a credential: a webhook, a token or key, a signature.
_CAPABILITY_PATH = re.compile(r"(?i)hook|token|secret|key|auth|sig|pass|credential|invite")
# Key material named near hex: credential words and the names of keys and their stores.
_KEY_MATERIAL = re.compile(
    r"(?i)pass(?:word|wd|phrase)?|secret|token|api[ _-]?key|private|credential|auth|signing"
    r"|sign(?:ature)?[ _-]?key|hmac|securestring|seed|session[ _-]?key|encryption[ _-]?key"
    r"|master[ _-]?key|psk|cookie"
)
_CREDENTIAL_WORDS = re.compile(r"(?i)pass(?:word|wd|phrase)?|secret|token|api[ _-]?key|credential")
# Magic numbers of file formats, as base64: PNG, JPEG, GIF, PDF, ZIP, gzip, WebAssembly, WOFF.
_FILE_MAGIC = (
    "iVBORw0KGg",
    "/9j/",
    "R0lGOD",
    "JVBERi0",
    "UEsDB",
    "H4sI",
    "AGFzbQ",
    "d09GR",
    "d09GM",
)
# The short last line of a wrapped block of base64.
_TAIL_LINE = re.compile(r"\r?\n[ \t]*([A-Za-z0-9+/]{1,200}={0,2})(?=[ \t\"',]*(?:\r?\n|\Z))")
_NEXT_LINE = re.compile(r"\r?\n[ \t]*\Z")


def bare_spans(
    view: str, taken: list[tuple[int, int]], runs: list[tuple[int, int]], inner: Inner | None
) -> list[Found]:
    """Secrets among the runs of 40+ token characters (`runs`) that `taken` does not explain;
    `inner` searches what base64 decodes to (None: no decoding, as at the deepest level)."""
    found: list[Found] = []
    explained = Taken(taken)
    for start, end, run in _candidates(view, runs):
        if explained.meets(start, end):
            continue
        if not looks_random(run):
            # Base64 of text is not random, but the text may be a credentials file.
            held = _decoded_secrets(run, inner) if inner is not None else []
            found.extend(Found(start, end, kind, evidence) for kind, evidence in held)
            continue
        kinds = _secret_kinds(view, start, run, inner)
        found.extend(Found(start, end, kind, evidence) for kind, evidence in kinds)
    return found


def _candidates(view: str, runs: list[tuple[int, int]]) -> Iterator[tuple[int, int, str]]:
    """Each bare run, as (start, end, text); the lines of a wrapped block as one."""
    matches = [m for start, end in runs for m in _BARE.finditer(view, start, end)]
    index = 0
    while index < len(matches):
        match = matches[index]
        start, end = match.span()
        index += 1
        if (start and view[start - 1] in _RUN_CHARS) or view[end : end + 1] in _RUN_CHARS:
            continue
        width, pieces = end - start, [match[0]]
        # Lines of one width, one after another: `base64` wraps at 76, PEM at 64.
        while (
            width >= 48
            and index < len(matches)
            and matches[index - 1].end() - matches[index - 1].start() == width
            and _NEXT_LINE.match(view[end : matches[index].start()]) is not None
        ):
            pieces.append(matches[index][0])
            end = matches[index].end()
            index += 1
        if width >= 48:
            tail = _TAIL_LINE.match(view, end)
            if tail is not None and len(tail[1]) < width:
                pieces.append(tail[1])
                end = tail.end(1)
        yield start, end, "".join(pieces)


def _secret_kinds(
    view: str, start: int, run: str, inner: Inner | None
) -> list[tuple[str, Evidence]]:
    """The kinds a run is a secret of (with their evidence); none when it is explained."""
    if explained_by_context(view, start, run):
        return []
    core = run.rstrip("=")
    if all(char in HEX for char in core):
        if core.lower() != core and core.upper() != core:
            return [("high_entropy_string", Evidence.ENTROPY)]  # mixed-case hex is no digest
        line_start = view.rfind("\n", 0, start) + 1
        # Upper-case hex after "signing key" is a fingerprint: only a credential word counts.
        words = _KEY_MATERIAL if core.islower() or core.isdigit() else _CREDENTIAL_WORDS
        named = words.search(view, max(line_start, start - 120), start)
        if len(core) in _DIGEST_LENGTHS and named is None:
            return []
        return [("high_entropy_string", Evidence.ENTROPY)]
    return _decoded_kinds(core, inner)


def explained_by_context(view: str, start: int, run: str) -> bool:
    """Whether what stands before the run (or its own structure) says it is no secret."""
    before = view[max(0, start - 48) : start]
    if _BENIGN_BEFORE.search(before) or _DIGEST_PREFIX.match(run):
        return True
    if _CONTENT_ID.fullmatch(run.lstrip("/")):
        return True
    if _BENIGN_LABEL.search(before.lower()):
        return True
    if _JWK_PUBLIC.search(before) and '"kty"' in view:
        return True
    line_start = view.rfind("\n", 0, start) + 1
    line_end = view.find("\n", start)
    # The line before, the run's own line: "public key" named there makes it public.
    context = view[
        view.rfind("\n", 0, max(0, line_start - 1)) + 1 : len(view) if line_end == -1 else line_end
    ].replace(run, " ")
    if _PUBLIC_CONTEXT.search(context) and not _PRIVATE_CONTEXT.search(context):
        return True
    return _in_url_path(view, line_start, start, run)


def _in_url_path(view: str, line_start: int, start: int, run: str) -> bool:
    """Whether the run is part of a URL's path (a document or resource id, not a secret)."""
    before = view[max(line_start, start - 300) : start]
    scheme = before.rfind("://")
    if scheme == -1:
        return False
    address = before[scheme:]
    if any(char in address for char in " \t\"'<>`?&=") or "@" in address:
        return False  # another word, a query value, or userinfo
    return _CAPABILITY_PATH.search(address + run) is None


def _decoded_kinds(core: str, inner: Inner | None) -> list[tuple[str, Evidence]]:
    if core.startswith(_FILE_MAGIC):
        return []
    decoded = checksums.b64decode(core)
    if decoded is None:
        return [("high_entropy_string", Evidence.ENTROPY)]
    # The SSH wire format: a length-prefixed key type name, then the public key itself.
    wire = len(decoded) > 4 and decoded[:3] == b"\x00\x00\x00"
    if wire and decoded[4 : 4 + decoded[3]].startswith((b"ssh-", b"ecdsa-", b"sk-")):
        return []
    text = _text(decoded)
    if text is None:
        return [("high_entropy_string", Evidence.ENTROPY)]
    held = _held(text, inner)
    if held:
        return held
    if len(text.split()) >= 3:
        return []  # text with words in it: content, such as a fixture
    return [("high_entropy_string", Evidence.ENTROPY)]


# Control characters (but tab and line breaks): binary data has them, text almost never.
_CONTROLS = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), *range(127, 160)])


def _decoded_secrets(run: str, inner: Inner) -> list[tuple[str, Evidence]]:
    """The secrets the text a base64 run decodes to holds (none when it is no base64 text)."""
    core = run.rstrip("=")
    if len(core) % 4 == 1 or ("-" in core and "+" in core):
        return []
    decoded = checksums.b64decode(core)
    text = _text(decoded) if decoded is not None else None
    return _held(text, inner) if text is not None else []


def _held(text: str, inner: Inner | None) -> list[tuple[str, Evidence]]:
    if inner is None or len(text) > _MAX_DECODED or not _may_hold_secret(text):
        return []
    held = inner(text)
    if not held:
        return []
    best = min(found.evidence for found in held)
    return sorted({(found.kind, best) for found in held if found.evidence == best})


def _may_hold_secret(text: str) -> bool:
    """Whether decoded text is worth searching: every file that holds a secret names one (a
    PEM key's `PRIVATE KEY`, `password`, `token`, `aws_secret_access_key`, docker's `auth`);
    a certificate or a fixture does not."""
    lowered = text.lower()
    return any(stem in lowered for stem in CREDENTIAL_STEMS)


def _text(decoded: bytes) -> str | None:
    try:
        text = decoded.decode("utf-8")
    except UnicodeDecodeError:
        return None
    printable = len(text.translate(_CONTROLS))
    return text if printable >= 0.97 * len(text) else None
