"""Secrets split over lines or string pieces: joined, detected whole, mapped back.

A token wrapped in a chat message (`ghp_abc` / `def...` on the next line), concatenated in
code (`"sk-ant-..." +` / `"...AA"`) or continued after a backslash is joined with what starts
the next piece; a detection that crosses the join is a split secret. It is kept only when
the first piece alone is not already a secret of its own (so a complete token followed by a
word on the next line never swallows the word), and its span runs from the first piece to
the last, joins included.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable

from worker.sanitize.secrets.entropy import looks_random, word_share
from worker.sanitize.secrets.needles import Exhausted
from worker.sanitize.secrets.runs import Runs
from worker.sanitize.secrets.shapes import SHAPES
from worker.sanitize.secrets.spans import Evidence, Found, Taken
from worker.sanitize.secrets.tokens import PREFIX_START as _PREFIXED
from worker.sanitize.secrets.tokens import SHORTEST

# (`$` joins the parts of a Braintree token.)
_PIECE = re.compile(r"[A-Za-z0-9_+/=.~:$-]+")
_IDENTIFIER = re.compile(
    r"[A-Za-z][a-z]*(?:[A-Z][a-z]+)*(?:[_.-][A-Za-z][a-z]*(?:[A-Z][a-z]+)*)+|[A-Z]+(?:_[A-Z]+)+"
)
# The heads of tokens with a `:` inside: a Telegram bot token's, an Asana token's.
_BOT_ID = re.compile(
    r"[0-9]{8,10}:AA[A-Za-z0-9_-]*|[0-9]/[0-9]{10,20}(?:/[0-9]{10,20})?:[A-Za-z0-9]*"
)
# The quoted gaps, reversed: matched on the reversed text before a piece.
_GAP_REVERSED = re.compile(
    r"""["'`](?:[ \t]*(?:[+.][ \t]*)?\n\r?[ \t]*[+.]?[ \t]*|[ \t]*(?:[+.,]|\|\|)?[ \t]*)["'`]"""
)
_SHAPE_NEEDLES = tuple(shape.needle for shape in SHAPES if len(shape.needle) > 1)
_TOKEN_TAIL = re.compile(r"[0-9/]*:[A-Za-z0-9_-]{16,}")
_REVERSED_PIECE = re.compile(r"[A-Za-z0-9_+/=.~:$-]{4,300}")
_PIECE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_+/=~:$-")
# Between two pieces: a bare line break (a wrapped line), a string closed, continued on the
# next line and reopened, or two strings concatenated on one line (`+`, `.`, `||`, side by
# side as Python and the shell join them, or as the arguments `printf '%s%s'` and `join` put
# together).
_GAP = (
    r"""(?:\r?\n|["'`][ \t]*[+.]?[ \t]*\r?\n[ \t]*(?:[+.][ \t]*)?["'`]"""
    r"""|["'`][ \t]*(?:[+.,]|\|\|)?[ \t]*["'`])"""
)
_GAP_AT = re.compile(_GAP)
# What joins strings given side by side as arguments.
_JOINING = re.compile(r"join|concat|printf|%s|format|\+")


Detect = Callable[[str], list[Found]]
# One half of any split secret of 20+ characters (AWS key ids are the shortest) is this long.
HALF = 10


_SAME_LINE_GAP = re.compile(r"""["'`][ \t]*(?:[.,]|\|\|)?[ \t]*["'`]""")


def may_split(view: str) -> bool:
    """Whether `view` has a place where a secret can be split: a line break, a `+`, or two
    strings side by side."""
    if "\n" in view or "+" in view:
        return True
    quoted = "'" in view or '"' in view or "`" in view
    return quoted and _SAME_LINE_GAP.search(view) is not None


def split_spans(
    view: str, detect: Detect, runs: Runs, settled: Taken, spend: Callable[[], None]
) -> list[Found]:
    """Split secrets in `view`, whose runs of token characters `runs` has mapped; no seam in
    `settled` (armoured blocks, found whole) is looked at. Each seam read closely is `spend`
    (which raises `Exhausted` past the text's budget); the seams past the budget are joined
    all at once and read in one pass."""
    found: list[Found] = []
    done = -1
    seams = _seams(view, runs)
    for index, seam in enumerate(seams):
        if seam <= done or settled.meets(seam, seam + 1):
            continue  # a later gap of a split already found, or inside a block
        if _wrapped_block(view, seam):
            continue  # lines of one width of base64: `bare.py` reads the block whole
        gap = _GAP_AT.match(view, seam)
        after = _PIECE.match(view, gap.end()) if gap is not None else None
        if after is None or not _may_continue(after[0]):
            continue  # the next line starts with words or a `key=value`: no token's tail
        # The piece before the seam, read backwards from it (a regex search forwards would try
        # every position of the window).
        before = _REVERSED_PIECE.match(view[max(0, seam - 300) : seam][::-1])
        if before is None or not _may_start(view[seam - before.end() : seam]):
            continue
        try:
            spend()
        except Exhausted:
            rest = [at for at in seams[index:] if at > done and not settled.meets(at, at + 1)]
            found.extend(_joined_at_once(view, detect, rest))
            break
        pieces = _pieces(view, seam - before.end(), min(len(view), seam + 600))
        # The fewest pieces that make a secret: a line after the token must not spoil it.
        for count in range(2, len(pieces) + 1):
            crossing = _crossing(view, pieces[:count], detect)
            if "," in view[pieces[0][1] : pieces[count - 1][0]] and not _JOINING.search(
                view, view.rfind("\n", 0, seam) + 1, seam
            ):
                # Arguments side by side (`Client('APPID', 'key')`) are two values unless
                # something joins them; only a known format's pieces are one token anyway.
                crossing = [f for f in crossing if f.evidence is not Evidence.ENTROPY]
            if crossing:
                found.extend(crossing)
                done = max(f.end for f in crossing)
                break
    return found


def _joined_at_once(view: str, detect: Detect, seams: list[int]) -> list[Found]:
    """The coarse rule for a text with more seams than its budget: every gap at `seams` is
    closed at once, the joined text read in one pass, and what crosses a gap kept."""
    kept: list[tuple[int, int]] = []  # the view's spans that make up the joined text
    at = 0
    for seam in seams:
        gap = _GAP_AT.match(view, seam)
        if gap is None or seam < at:
            continue
        kept.append((at, seam))
        at = gap.end()
    kept.append((at, len(view)))
    joined = "".join(view[start:end] for start, end in kept)
    offsets: list[int] = []  # where each kept span starts in the joined text
    total = 0
    for start, end in kept:
        offsets.append(total)
        total += end - start

    def to_view(offset: int) -> int:
        index = bisect_right(offsets, offset) - 1
        return kept[index][0] + offset - offsets[index]

    found = []
    for secret in detect(joined):
        start, end = to_view(secret.start), to_view(secret.end - 1) + 1
        if bisect_right(offsets, secret.start) != bisect_right(offsets, secret.end - 1):
            found.append(Found(start, end, secret.kind, secret.evidence))
    return found


_BLOCK_LINE = re.compile(r"[ \t]*[A-Za-z0-9+/]{48,}={0,2}[ \t]*\r?(?:\n|\Z)")


def _wrapped_block(view: str, seam: int) -> bool:
    """Whether the seam ends a line of 48+ base64 characters that the next line continues
    at the same width (or ends, shorter)."""
    if view[seam : seam + 1] != "\n":
        return False
    start = view.rfind("\n", 0, seam) + 1
    line = _BLOCK_LINE.match(view, start)
    if line is None or line.end() != seam + 1:
        return False
    following = _BLOCK_LINE.match(view, seam + 1)
    width = len(view[start:seam].strip())
    return following is not None and len(following[0].strip()) == width


def _crossing(view: str, pieces: list[tuple[int, int]], detect: Detect) -> list[Found]:
    joined = "".join(view[start:end] for start, end in pieces)
    if len(joined) < 16:
        return []
    if len(joined) < 40 and _PREFIXED.search(joined) is None and not _shaped(joined):
        return []  # too short to be random enough alone, and of no known format
    first = pieces[0][1] - pieces[0][0]
    crossing = [f for f in detect(joined) if f.start < first < f.end]
    if not crossing:
        return []
    alone = detect(joined[:first])
    return [
        Found(_to_view(pieces, f.start), _to_view(pieces, f.end - 1) + 1, f.kind, f.evidence)
        for f in crossing
        if _belongs(joined, first, f, alone)
    ]


def _shaped(joined: str) -> bool:
    """Whether a short joined string can hold a prefix-less format (Telegram, Mailchimp,
    Azure, Discord)."""
    return joined.count(".") >= 2 or any(needle in joined for needle in _SHAPE_NEEDLES)


def _belongs(joined: str, first: int, found: Found, alone: list[Found]) -> bool:
    """Whether the pieces of a crossing detection are one secret, not a secret and a word."""
    head, tail = joined[found.start : first], joined[first : found.end]
    if found.evidence is Evidence.ENTROPY and (
        min(len(head), len(tail)) < 8 or word_share(head) > 0.4 or word_share(tail) > 0.4
    ):
        return False  # `aws_secret_access_key` / `AKIA...` on the next line are two things
    own = [f for f in alone if f.start == found.start]
    if not own:
        return True
    if found.evidence is Evidence.ENTROPY and any(f.evidence is Evidence.FORMAT for f in own):
        return False  # a complete token of its format, then something else on the next line
    if found.evidence is Evidence.FORMAT and any(
        f.kind == found.kind and f.end - f.start < SHORTEST.get(f.kind, 0) for f in own
    ):
        return True  # the first piece is too short for its format: the next line completes it
    # The first piece is a secret on its own: the next line continues it only if it is random.
    return len(tail) >= 12 and word_share(tail) <= 0.4 and looks_random(tail.strip("=.-_"))


def _may_start(piece: str) -> bool:
    """Whether a piece can be the head of a token, rather than the end of a sentence."""
    if _PREFIXED.search(piece) is not None or _BOT_ID.fullmatch(piece):
        return True
    return _may_continue(piece)


def _may_continue(piece: str) -> bool:
    """Whether a piece can be the rest of a token, rather than the words of the next line
    (`client`, `AWS_ACCESS_KEY_ID=...`: a key and its value are no token's tail)."""
    if _TOKEN_TAIL.fullmatch(piece):
        return True  # the rest of an Asana or Telegram token: digits, `:`, the secret
    if "=" in piece.rstrip("=") or ":" in piece:
        return False  # `key=value`, `key:value`, a URL
    if _IDENTIFIER.fullmatch(piece):
        return False  # `aws_secret_access_key`, `Content-Type`: words joined, a name
    if len(piece) < 8:
        return any(char.isdigit() for char in piece) and not piece.isdigit()
    if len(piece) < 20:
        # Too short for word shares to mean much: only a plain word or name is ruled out.
        letters = piece.replace("_", "").replace("-", "")
        return not (
            letters.isalpha() and (letters.islower() or letters.isupper() or letters.istitle())
        )
    return word_share(piece) <= 0.6


def _seams(view: str, runs: Runs) -> list[int]:
    """Where a gap joins two pieces, next to a run of `HALF`+ characters: a wrapped line, a
    string closed and reopened."""
    seams = set()
    for start, end in runs.spans(HALF):
        if end < len(view) and view[end] in "\n\"'`":
            seams.add(end)
        if start > 1 and view[start - 1] == "\n" and view[start - 2] in _PIECE_CHARS:
            seams.add(start - 1)
        elif start and view[start - 1] in "\"'`":
            # A reopened string: the gap before it, found backwards.
            gap = _GAP_REVERSED.match(view[max(0, start - 40) : start][::-1])
            if (
                gap is not None
                and start > gap.end()
                and view[start - gap.end() - 1] in _PIECE_CHARS
            ):
                seams.add(start - gap.end())
    return sorted(seams)


def _pieces(view: str, start: int, end: int) -> list[tuple[int, int]]:
    pieces: list[tuple[int, int]] = []
    at = start
    while at < end and len(pieces) < 4:
        piece = _PIECE.match(view, at, end)
        if piece is None:
            break
        pieces.append(piece.span())
        gap = _GAP_AT.match(view, piece.end(), end)
        if gap is None or gap.end() == piece.end():
            break
        at = gap.end()
    return pieces


def _to_view(pieces: list[tuple[int, int]], offset: int) -> int:
    for start, end in pieces:
        if offset < end - start:
            return start + offset
        offset -= end - start
    return pieces[-1][1]
