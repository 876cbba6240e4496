"""Text fingerprints of examples: a normalized exact key and a MinHash signature with LSH bands.

Near-duplicates are found by the Jaccard similarity of character shingles, estimated with
one-permutation MinHash (one hash per shingle, `SIGNATURE_SIZE` bins, empty bins filled by
rotation) so that a batch costs a few numpy passes over its text, not one pass per permutation.
Every hash is deterministic across processes and machines: signatures are stored and compared
by every worker.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

# Shingles are runs of this many bytes of the normalized text. Chosen on the labelled corpus
# (tests/worker/dedupe_corpus): 5 to 16 bytes and word 1- to 3-grams all land within a few points
# of each other; 7 bytes fits one 64-bit read.
SHINGLE_BYTES = 7
# MinHash bins; the signature is this many 32-bit values.
SIGNATURE_SIZE = 128
# LSH: BANDS bands of ROWS values each (the first 36 values); two examples whose signatures agree
# on one whole band become candidates. 12 x 3 finds a pair at similarity 0.6 with probability
# 0.95 (0.7: 0.994, 0.8: 0.9999), at 0.3 with 0.28. Each key is a database row and an index
# probe, so fewer bands make ingest cheaper (8 bands lost one corpus pair, 16 gained none); the
# similarity itself is estimated on all 128 values.
BANDS = 12
ROWS = 3
# An example is a near-duplicate of an earlier one when the estimated similarity reaches this
# and both hold the same numbers in the same order. On the corpus: precision 1.0, recall 0.87;
# without the numbers rule the same precision needs 0.7 and recall falls to 0.82 (templates
# filled with other ids and amounts are the look-alikes it tells apart).
NEAR_DUPLICATE_THRESHOLD = 0.6

Signatures = npt.NDArray[np.uint32]
_U64 = np.uint64
_MASK32 = _U64(0xFFFFFFFF)
_BIN_SHIFT = _U64(64 - 7)  # 2**7 == SIGNATURE_SIZE
_SHINGLE_MASK = _U64((1 << (8 * SHINGLE_BYTES)) - 1)
# Text separating an example's input from its answer in the fingerprinted text.
_SEPARATOR = "\n\x1f\n"
_NUMBER = re.compile(r"\d+")


def normalize(text: str | None) -> str:
    """The text as compared: NFKC, case folded, runs of whitespace as one space, trimmed."""
    if not text:
        return ""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def example_text(example_input: str | None, answer: str | None) -> str:
    """What identifies an example: its input and its answer (expected output, else output)."""
    return normalize(example_input) + _SEPARATOR + normalize(answer)


def exact_key(skill_id: str, normalized: str) -> int:
    """A signed 64-bit key of a skill's normalized text (equal texts, equal keys)."""
    digest = hashlib.blake2b(
        normalized.encode("utf-8"), digest_size=8, key=_skill_salt(skill_id)
    ).digest()
    return int.from_bytes(digest, "big", signed=True)


def _skill_salt(skill_id: str) -> bytes:
    return hashlib.blake2b(skill_id.encode("utf-8"), digest_size=16).digest()


def _mix(values: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """SplitMix64's finalizer: spreads every input bit over the 64 output bits."""
    with np.errstate(over="ignore"):
        values = values ^ (values >> _U64(30))
        values = values * _U64(0xBF58476D1CE4E5B9)
        values = values ^ (values >> _U64(27))
        values = values * _U64(0x94D049BB133111EB)
        return values ^ (values >> _U64(31))


def _shingle_hashes(texts: Sequence[str]) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.intp]]:
    """The hash of every shingle of every text, and the text each belongs to.

    A shingle of up to eight bytes is read straight out of the text as one little-endian 64-bit
    word (a strided view, one byte apart), so hashing every shingle is two numpy passes.
    """
    pad = b"\0" * (SHINGLE_BYTES - 1)
    encoded = [text.encode("utf-8") for text in texts]
    # Eight zero bytes at the end, so the word at the last position can be read whole.
    buffer = pad.join([*encoded, b""]) + b"\0" * 8
    words = np.ndarray((len(buffer) - 7,), dtype="<u8", buffer=buffer, strides=(1,))
    lengths = np.array([len(e) for e in encoded], dtype=np.intp)
    starts = np.concatenate(([0], np.cumsum(lengths + SHINGLE_BYTES - 1)[:-1]))
    # A text shorter than a shingle still has one (padded) shingle.
    ends = starts + np.maximum(lengths - SHINGLE_BYTES + 1, 1)
    edges = np.zeros(len(words) + 1, dtype=np.int32)
    np.add.at(edges, starts, 1)
    np.add.at(edges, ends, -1)
    valid = np.cumsum(edges[:-1], dtype=np.int32).astype(bool)
    firsts = np.zeros(len(words), dtype=np.int32)
    firsts[starts[1:]] = 1
    owner = np.cumsum(firsts, dtype=np.int32)[valid].astype(np.intp)
    return _mix(words[valid] & _SHINGLE_MASK), owner


def signatures(texts: Sequence[str]) -> Signatures:
    """One-permutation MinHash signatures (len(texts) x SIGNATURE_SIZE uint32) of the texts."""
    if not texts:
        return np.zeros((0, SIGNATURE_SIZE), dtype=np.uint32)
    hashes, owner = _shingle_hashes(texts)
    bins = (hashes >> _BIN_SHIFT).astype(np.intp)
    values = (hashes >> _U64(25)) & _MASK32
    empty = _U64(np.iinfo(np.uint64).max)
    flat = np.full(len(texts) * SIGNATURE_SIZE, empty, dtype=_U64)
    np.minimum.at(flat, owner * SIGNATURE_SIZE + bins, values)
    return _densify(flat.reshape(len(texts), SIGNATURE_SIZE), empty)


def _densify(grid: npt.NDArray[np.uint64], empty: np.uint64) -> Signatures:
    """Fill each empty bin from the next filled bin to its right (circularly), offset by distance.

    Without this, two short texts would agree on every bin both leave empty.
    """
    size = SIGNATURE_SIZE
    doubled = np.concatenate([grid, grid], axis=1)
    index = np.where(doubled != empty, np.arange(2 * size), 2 * size)
    nearest = np.minimum.accumulate(index[:, ::-1], axis=1)[:, ::-1][:, :size]
    rows = np.arange(grid.shape[0])[:, None]
    donor = doubled[rows, np.minimum(nearest, 2 * size - 1)]
    distance = (nearest - np.arange(size)).astype(_U64)
    with np.errstate(over="ignore"):
        filled: npt.NDArray[np.uint64] = (donor + distance * _U64(0x9E3779B1)) & _MASK32
    return filled.astype(np.uint32)


def similarity(a: Signatures, b: Signatures) -> npt.NDArray[np.float64]:
    """Estimated Jaccard similarity of signatures (rows of `a` against rows of `b`, broadcast)."""
    return np.asarray(np.mean(a == b, axis=-1), dtype=np.float64)


def numbers_key(normalized: str) -> int:
    """A 64-bit key of the numbers a text holds, in order (near-duplicates must agree on it)."""
    found = " ".join(_NUMBER.findall(normalized)).encode("ascii")
    return int.from_bytes(hashlib.blake2b(found, digest_size=8).digest(), "big")


def band_keys(
    skill_ids: Sequence[str], numbers: Sequence[int], sigs: Signatures
) -> npt.NDArray[np.int64]:
    """The LSH keys (len x BANDS, signed 64-bit) of each signature.

    Scoped to the example's skill and its numbers: only examples of one skill holding the same
    numbers can share a key, so the database never offers any other as a candidate.
    """
    salts = np.array(
        [
            int.from_bytes(_skill_salt(skill)[:8], "big") ^ number
            for skill, number in zip(skill_ids, numbers, strict=True)
        ],
        dtype=_U64,
    )
    bands = sigs[:, : BANDS * ROWS].reshape(len(skill_ids), BANDS, ROWS).astype(_U64)
    acc = salts[:, None] ^ (np.arange(BANDS, dtype=_U64) * _U64(0xD6E8FEB86659FD93))
    for row in range(ROWS):
        acc = _mix(acc ^ bands[:, :, row])
    return acc.view(np.int64)


@dataclass(frozen=True, slots=True)
class Fingerprints:
    """Exact keys, signatures and band keys of a list of examples, index for index."""

    exact: list[int]
    signatures: Signatures
    bands: npt.NDArray[np.int64]


def fingerprint(skill_ids: Sequence[str], texts: Sequence[str]) -> Fingerprints:
    """Fingerprints of examples given their skill and `example_text`."""
    sigs = signatures(texts)
    return Fingerprints(
        [exact_key(skill, text) for skill, text in zip(skill_ids, texts, strict=True)],
        sigs,
        band_keys(skill_ids, [numbers_key(text) for text in texts], sigs),
    )
