"""The near-duplicate flag measured on the labelled corpus: precision and recall, by category."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from tests.worker.dedupe_corpus import Pair, pairs
from worker.datasets.candidates import Stored
from worker.datasets.duplicates import Clusters, answer_of
from worker.datasets.fingerprint import NEAR_DUPLICATE_THRESHOLD, example_text, fingerprint

SKILL = "skill-1"


def _flagged(pair: Pair) -> bool:
    """Would the second example be flagged as a duplicate of the first, as ingest decides it?"""
    texts = [
        example_text(text_input, answer_of({"example_output": answer}))
        for text_input, answer in (pair.a, pair.b)
    ]
    prints = fingerprint([SKILL, SKILL], texts)
    compact = prints.signatures.astype(np.uint8)
    bands = prints.bands.tolist()
    clusters = Clusters()
    clusters.assign("a", prints.exact[0], bands[0], compact[0])
    return clusters.assign("b", prints.exact[1], bands[1], compact[1]).is_duplicate


def _table(results: list[tuple[Pair, bool]]) -> str:
    by_category: dict[str, Counter[str]] = {}
    for pair, flagged in results:
        counts = by_category.setdefault(
            f"{'dup' if pair.duplicate else 'not'}: {pair.category}", Counter()
        )
        counts["pairs"] += 1
        counts["flagged"] += flagged
    lines = [f"{'category':48} {'pairs':>5} {'flagged':>7}"]
    lines += [
        f"{name:48} {c['pairs']:>5} {c['flagged']:>7}" for name, c in sorted(by_category.items())
    ]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def measured() -> list[tuple[Pair, bool]]:
    return [(pair, _flagged(pair)) for pair in pairs()]


def test_the_corpus_has_hundreds_of_pairs_of_both_labels(measured: list[tuple[Pair, bool]]) -> None:
    labels = Counter(pair.duplicate for pair, _ in measured)
    assert labels[True] >= 150 and labels[False] >= 150


def test_near_duplicate_flag_precision_and_recall_on_the_labelled_corpus(
    measured: list[tuple[Pair, bool]], capsys: pytest.CaptureFixture[str]
) -> None:
    true_positives = sum(1 for pair, flagged in measured if flagged and pair.duplicate)
    false_positives = sum(1 for pair, flagged in measured if flagged and not pair.duplicate)
    false_negatives = sum(1 for pair, flagged in measured if not flagged and pair.duplicate)
    precision = true_positives / (true_positives + false_positives)
    recall = true_positives / (true_positives + false_negatives)
    with capsys.disabled():
        print(
            f"\nnear-duplicate flag, threshold {NEAR_DUPLICATE_THRESHOLD}: "
            f"{len(measured)} pairs, precision {precision:.3f}, recall {recall:.3f} "
            f"(tp {true_positives}, fp {false_positives}, fn {false_negatives})\n"
            + _table(measured)
        )
    # Precision first: a false flag can drop a real example from an export.
    assert precision >= 0.98
    assert recall >= 0.85


@pytest.mark.parametrize("category", ["exact copy", "whitespace and case"])
def test_copies_that_differ_only_in_spacing_or_case_are_always_flagged(
    measured: list[tuple[Pair, bool]], category: str
) -> None:
    assert all(flagged for pair, flagged in measured if pair.category == category)


def test_unrelated_examples_are_never_flagged(measured: list[tuple[Pair, bool]]) -> None:
    assert not any(flagged for pair, flagged in measured if pair.category == "unrelated")


def _flagged_against_stored(pair: Pair) -> bool:
    """The same decision when the first example was flagged by an earlier batch (stored)."""
    texts = [
        example_text(text_input, answer_of({"example_output": answer}))
        for text_input, answer in (pair.a, pair.b)
    ]
    prints = fingerprint([SKILL, SKILL], texts)
    compact = prints.signatures.astype(np.uint8)
    stored = Stored()
    stored.add("a", prints.exact[0], compact[0].tobytes(), prints.bands[0].tolist())
    best = stored.best(prints.bands[1:], compact[1:])
    clusters = Clusters()
    clusters.by_exact.update(stored.exact)
    bands = prints.bands.tolist()
    return clusters.assign("b", prints.exact[1], bands[1], compact[1], best[0]).is_duplicate


def test_a_stored_first_example_is_matched_exactly_as_one_in_the_same_batch(
    measured: list[tuple[Pair, bool]],
) -> None:
    assert [_flagged_against_stored(pair) for pair, _ in measured] == [f for _, f in measured]
