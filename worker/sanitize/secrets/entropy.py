"""Whether a run of characters is random enough to be key material (`bare.py` uses it on runs
that nothing else explains, the token and pair detectors on their candidates).

The measures were calibrated on random strings of each alphabet against identifiers, paths
and encoded text (`bench/secrets.py` reports the effect per class):
- Shannon entropy per character, against what a random string of that length reaches
  (random base62 of 40 characters: 1st percentile 4.45 bits; of 64: 4.91);
- the share of the run that reads as words (5+ lower-case letters, or a capital and 4+):
  at most a third for random base62 of 40 characters (99th percentile 0.38), at least half
  for identifiers and paths (`AbstractSingletonProxyFactoryBean`, `src/main/java/...`).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache

_WORDS = re.compile(r"[a-z]{5,}|[A-Z][a-z]{4,}")
_CLUSTER = re.compile(r"[bcdfghjklmnpqrstvwxz]{5,}")
HEX = frozenset("0123456789abcdefABCDEF")


def shannon(text: str) -> float:
    length = len(text)
    return -sum(n / length * math.log2(n / length) for n in Counter(text).values())


def word_share(text: str) -> float:
    """The share of `text` in word-like runs of letters (names, prose), not random letters."""
    return sum(len(word) for word in _WORDS.findall(text) if _wordlike(word)) / len(text)


def _wordlike(run: str) -> bool:
    # Random letters form long lowercase runs too ("Dfvasehvkc"); words have vowels spread
    # through them and no long consonant clusters.
    lower = run.lower()
    vowels = sum(1 for char in lower if char in "aeiouy")
    return vowels * 4 >= len(lower) and _CLUSTER.search(lower) is None


# Randomness shows in a run's first characters: measures stop there (a long blob costs no
# more than a key).
_MEASURED = 512


@lru_cache(maxsize=4096)
def looks_random(run: str) -> bool:
    """Whether a run of base64/base62/hex characters is random, as a key is."""
    core = run.rstrip("=")[:_MEASURED]
    length = len(core)
    if length < 16 or _repetitive(core):
        return False
    if all(char in HEX for char in core):
        # Random hex of 32 characters: 0.1st percentile 3.10 bits; of 40: 3.30.
        return any(c.isdigit() for c in core) and shannon(core) >= min(
            3.3, 0.62 * math.log2(length)
        )
    if not any(c.isdigit() for c in core) and (core.lower() == core or core.upper() == core):
        return False  # one case and no digit: a word or a constant
    if word_share(core) > 0.4:
        return False
    return shannon(core) >= min(4.8, 0.8 * math.log2(length))


def _repetitive(core: str) -> bool:
    """A pattern repeated (`a1b2c3a1b2c3...`, `abcabcabc`): few distinct 4-grams, which a
    random string of any alphabet has almost all of."""
    head = core[:200]
    grams = len(head) - 3
    return len({head[i : i + 4] for i in range(grams)}) < 0.7 * grams


_FILLER = re.compile(r"(.)\1{7}|[xX*]{6}|<|>|\.\.\.")
# `your_key_here`, `my-token`: words, not a random body that happens to start with `a-`.
_PLACEHOLDER_BODY = re.compile(
    r"(?i)(?:your|my|the|an?)(?:[_-][a-z]+)+|.*[_-](?:here|goes[_-]here)"
)


@lru_cache(maxsize=4096)
def plausible_body(body: str) -> bool:
    """Whether the body of a prefixed token could be a real one, not a placeholder or a name."""
    if len(set(body)) <= 4 or _FILLER.search(body):
        return False
    if len(body) >= 16 and not any(c.isdigit() for c in body) and word_share(body) > 0.5:
        return False
    return not _PLACEHOLDER_BODY.fullmatch(body)
