"""Duplicate flags at ingest: exact and near copies of a skill's earlier examples, batch-sized.

`flag_duplicates` runs in the worker's inserting transaction, right after the rows are inserted:
two statements per batch whatever its size (candidates, then flags), each tenant's rows under
row-level security. A cluster is named by its first example; a later example joins the cluster
whose first example it matches exactly (normalized text) or nearly (MinHash similarity of at
least `NEAR_DUPLICATE_THRESHOLD`, same numbers); otherwise it starts a cluster of its own.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from worker.datasets.candidates import Stored
from worker.datasets.fingerprint import NEAR_DUPLICATE_THRESHOLD, example_text, fingerprint
from worker.datasets.models import ExampleDuplicate
from worker.db import in_array, json_document
from worker.models import TRAINING_EXAMPLE
from worker.tenancy import by_tenant

Compact = npt.NDArray[np.uint8]


class DuplicateKind(StrEnum):
    EXACT = "exact"
    NEAR = "near"


@dataclass(frozen=True, slots=True)
class Flag:
    """Where an example landed: its cluster, and how it matches the cluster's first example."""

    example_id: str
    cluster_id: str
    # None: the example is the first of its cluster.
    kind: DuplicateKind | None
    similarity: float | None

    @property
    def is_duplicate(self) -> bool:
        return self.kind is not None


@dataclass(frozen=True, slots=True)
class _Head:
    cluster_id: str
    # The low byte of each MinHash value: 128 bytes a head, and a 1/256 chance that two
    # unrelated values agree, which moves a similarity estimate by under half a point.
    signature: Compact


class Clusters:
    """Assigns examples to clusters in arrival order: stored clusters first, then the batch's own.

    A new example joins the cluster of an exact copy (normalized text), else of the most similar
    head sharing one of its band keys when the similarity reaches the threshold: a stored head
    (older) before a head of its own batch. Otherwise it heads a new cluster.
    """

    def __init__(self, threshold: float = NEAR_DUPLICATE_THRESHOLD) -> None:
        self.threshold = threshold
        self.by_exact: dict[int, str] = {}
        self.by_band: dict[int, list[_Head]] = {}

    def assign(
        self,
        example_id: str,
        exact: int,
        bands: Sequence[int],
        sig: Compact,
        stored: tuple[str, float] | None = None,
    ) -> Flag:
        """The flag of a new example; a new cluster head is remembered for the next ones."""
        cluster = self.by_exact.get(exact)
        if cluster is not None:
            flag = Flag(example_id, cluster, DuplicateKind.EXACT, 1.0)
        elif stored is not None and stored[1] >= self.threshold:
            flag = Flag(example_id, stored[0], DuplicateKind.NEAR, stored[1])
        else:
            flag = self._nearest(example_id, bands, sig)
            if flag.kind is None:
                head = _Head(example_id, sig)
                for key in bands:
                    self.by_band.setdefault(key, []).append(head)
        self.by_exact.setdefault(exact, flag.cluster_id)
        return flag

    def _nearest(self, example_id: str, bands: Sequence[int], sig: Compact) -> Flag:
        heads = list({id(h): h for key in bands for h in self.by_band.get(key, ())}.values())
        if heads:
            scores = np.mean(np.stack([h.signature for h in heads]) == sig, axis=1)
            best = int(np.argmax(scores))
            if scores[best] >= self.threshold:
                return Flag(
                    example_id, heads[best].cluster_id, DuplicateKind.NEAR, float(scores[best])
                )
        return Flag(example_id, example_id, None, None)


def answer_of(row: Mapping[str, Any]) -> str | None:
    """The answer an example teaches: its expected output when it has one, else its output."""
    answer = row.get("expected_output") or row.get("example_output")
    return None if answer is None else str(answer)


_CANDIDATES = text(
    "SELECT cluster_id, exact_key, signature, matched "
    "FROM intake_duplicate_candidates(CAST(:groups AS json))"
)
_INSERT = text("SELECT intake_insert_duplicates(CAST(:groups AS json))")


def _array(values: Iterable[int]) -> str:
    return "{" + ",".join(str(v) for v in values) + "}"


def flag_duplicates(session: Session, rows: Sequence[Mapping[str, Any]]) -> dict[str, Flag]:
    """Flag newly inserted training examples against their skill's earlier ones and each other.

    `rows` are skill_feedback rows as inserted (id, tenant_id, skill_id and the texts), in
    arrival order. Returns each example's flag by id.
    """
    examples = [r for r in rows if r.get("feedback_type", TRAINING_EXAMPLE) == TRAINING_EXAMPLE]
    if not examples:
        return {}
    skills = [str(r["skill_id"]) for r in examples]
    prints = fingerprint(
        skills, [example_text(r.get("example_input"), answer_of(r)) for r in examples]
    )
    bands: list[list[int]] = prints.bands.tolist()
    compact = prints.signatures.astype(np.uint8)
    groups = by_tenant(range(len(examples)), lambda i: str(examples[i]["tenant_id"]))
    lookup = [
        {
            "tenant_id": tenant,
            "keys": _array(key for i in members for key in (prints.exact[i], *bands[i])),
        }
        for tenant, members in groups.items()
    ]
    stored = Stored()
    for cluster_id, exact_key, signature, matched in session.execute(
        _CANDIDATES, {"groups": json_document(lookup)}
    ):
        stored.add(cluster_id, exact_key, signature, matched)
    best = stored.best(prints.bands, compact)
    clusters = Clusters()
    clusters.by_exact.update(stored.exact)
    flags: dict[str, Flag] = {}
    for i, row in enumerate(examples):
        flags[str(row["id"])] = clusters.assign(
            str(row["id"]), prints.exact[i], bands[i], compact[i], best[i]
        )
    document = [
        {
            "tenant_id": tenant,
            "rows": [
                _flag_row(examples[i], flags, prints.exact[i], bands[i], compact[i])
                for i in members
            ],
        }
        for tenant, members in groups.items()
    ]
    session.execute(_INSERT, {"groups": json_document(document)})
    return flags


def _flag_row(
    row: Mapping[str, Any], flags: Mapping[str, Flag], exact: int, bands: list[int], sig: Compact
) -> dict[str, Any]:
    flag = flags[str(row["id"])]
    head = flag.kind is None
    return {
        "id": flag.example_id,
        "skill_id": row["skill_id"],
        "cluster_id": flag.cluster_id,
        "kind": None if head else flag.kind,
        "similarity": flag.similarity,
        "exact_key": exact,
        # Only heads are compared against, so only heads keep a signature and band keys.
        "signature": base64.b64encode(sig.tobytes()).decode("ascii") if head else None,
        "keys": _array([exact, *bands] if head else [exact]),
    }


@dataclass(frozen=True, slots=True)
class DuplicateInfo:
    """What `examples list` shows of an example: its flag and how big its cluster is."""

    flag: Flag
    cluster_size: int


def duplicates_of(session: Session, example_ids: Sequence[str]) -> dict[str, DuplicateInfo]:
    """The flags of these examples (unflagged ones are absent), with their clusters' sizes."""
    if not example_ids:
        return {}
    found = session.execute(
        select(
            ExampleDuplicate.example_id,
            ExampleDuplicate.cluster_id,
            ExampleDuplicate.kind,
            ExampleDuplicate.similarity,
        ).where(in_array(ExampleDuplicate.example_id, example_ids))
    ).all()
    sizes: dict[str, int] = {
        cluster_id: count
        for cluster_id, count in session.execute(
            select(ExampleDuplicate.cluster_id, func.count())
            .where(in_array(ExampleDuplicate.cluster_id, {row.cluster_id for row in found}))
            .group_by(ExampleDuplicate.cluster_id)
        )
    }
    return {
        row.example_id: DuplicateInfo(
            Flag(
                row.example_id,
                row.cluster_id,
                None if row.kind is None else DuplicateKind(row.kind),
                row.similarity,
            ),
            int(sizes.get(row.cluster_id, 1)),
        )
        for row in found
    }
