"""The stored cluster heads a batch's examples may be near copies of, scored in a few numpy passes.

The database hands back each flagged example sharing a key with the batch once, with the keys it
shares; every (new example, stored head) pair sharing a band key is scored at once, and each new
example keeps its best head.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

Compact = npt.NDArray[np.uint8]
Keys = npt.NDArray[np.int64]


@dataclass(slots=True)
class Stored:
    """Flagged examples found in the database: exact keys, and heads with their band keys."""

    exact: dict[int, str] = field(default_factory=dict)
    clusters: list[str] = field(default_factory=list)
    signatures: list[bytes] = field(default_factory=list)
    pair_keys: list[int] = field(default_factory=list)
    pair_heads: list[int] = field(default_factory=list)

    def add(
        self, cluster_id: str, exact_key: int, signature: bytes | None, matched: Iterable[int]
    ) -> None:
        self.exact.setdefault(exact_key, cluster_id)
        if signature is None:
            return
        head = len(self.clusters)
        self.clusters.append(cluster_id)
        self.signatures.append(signature)
        for key in matched:
            if key != exact_key:
                self.pair_keys.append(key)
                self.pair_heads.append(head)

    def best(self, bands: Keys, compact: Compact) -> list[tuple[str, float] | None]:
        """For each new example (rows of `bands`), its most similar stored head sharing a band."""
        found: list[tuple[str, float] | None] = [None] * len(bands)
        if not self.pair_keys:
            return found
        keys = np.array(self.pair_keys, dtype=np.int64)
        order = np.argsort(keys, kind="stable")
        keys, heads = keys[order], np.array(self.pair_heads, dtype=np.intp)[order]
        flat = bands.ravel()
        low = np.searchsorted(keys, flat, side="left")
        counts = np.searchsorted(keys, flat, side="right") - low
        if not counts.any():
            return found
        owner = np.repeat(np.arange(flat.size) // bands.shape[1], counts)
        starts = np.repeat(low - (np.cumsum(counts) - counts), counts)
        matched = heads[starts + np.arange(int(counts.sum()))]
        pairs = np.unique(owner.astype(np.int64) * len(self.clusters) + matched)
        rows, cols = pairs // len(self.clusters), pairs % len(self.clusters)
        stored = np.frombuffer(b"".join(self.signatures), dtype=np.uint8).reshape(
            -1, compact.shape[1]
        )
        scores = np.mean(stored[cols] == compact[rows], axis=1)
        # Best score of each row: sort by row, then score descending; keep each row's first.
        ranked = np.lexsort((-scores, rows))
        first = np.ones(len(ranked), dtype=bool)
        first[1:] = rows[ranked][1:] != rows[ranked][:-1]
        for index in ranked[first]:
            found[int(rows[index])] = (self.clusters[int(cols[index])], float(scores[index]))
        return found
