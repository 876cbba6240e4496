"""Splits: deterministic, the same in SQL and Python, stable as the dataset grows tenfold."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Text, literal, select
from sqlalchemy.orm import Session, sessionmaker

from tests import factories
from tests.worker.datasets_helpers import example, export_bytes, take_version
from worker.datasets.duplicates import flag_duplicates
from worker.datasets.export import ExportRequest
from worker.datasets.models import DatasetVersionExample
from worker.datasets.selection import ExportFilters, Selection, live_query, stream
from worker.datasets.splits import SplitPlan
from worker.operations.errors import InvalidValue

# Ids and seeds as PostgreSQL text can hold them (no NUL, no lone surrogates).
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1)


def _live_splits(session: Session, filters: ExportFilters, plan: SplitPlan) -> dict[str, str]:
    query = live_query(Selection(filters, plan))
    return {row.id: row.split for row in stream(session, query)}


@settings(max_examples=60, deadline=None)
@given(key=TEXT, seed=TEXT, train=st.floats(0, 1), share=st.floats(0, 1))
def test_the_sql_and_python_assignments_agree(
    engine: object, key: str, seed: str, train: float, share: float
) -> None:
    plan = SplitPlan(train, (1 - train) * share, 1 - train - (1 - train) * share, seed)
    with Session(engine) as session:  # type: ignore[call-overload]
        in_sql = session.scalar(select(plan.split_column(literal(key, Text))))
    assert in_sql == plan.split_of(key)


@given(ratios=st.lists(st.floats(0, 1e6, allow_nan=False), min_size=3, max_size=3))
def test_parsed_ratios_are_scaled_to_one_or_refused(ratios: list[float]) -> None:
    text = ",".join(repr(r) for r in ratios)
    if sum(ratios) <= 0:
        with pytest.raises(InvalidValue):
            SplitPlan.parse(text)
        return
    plan = SplitPlan.parse(text)
    assert abs(plan.train + plan.validation + plan.test - 1) < 1e-9


@pytest.mark.parametrize("text", ["0.8,0.2", "a,b,c", "-1,1,1", "nan,0,1", "inf,0,1", ""])
def test_malformed_ratios_are_refused_with_a_clear_message(text: str) -> None:
    with pytest.raises(InvalidValue, match="splits"):
        SplitPlan.parse(text)


def test_no_example_moves_between_splits_when_the_dataset_grows_tenfold(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    filters = ExportFilters(world.tenant.id)
    plan = SplitPlan(0.7, 0.2, 0.1)
    for _ in range(200):
        example(session, world)
    before = _live_splits(session, filters, plan)
    small = take_version(session_factory, Selection(filters, plan), "small")
    for _ in range(1800):
        example(session, world)
    after = _live_splits(session, filters, plan)
    large = take_version(session_factory, Selection(filters, plan), "large")

    assert len(after) == 2000
    assert {key: after[key] for key in before} == before
    pinned: dict[str, dict[str, str]] = {small.id: {}, large.id: {}}
    for row in session.scalars(select(DatasetVersionExample)):
        pinned[row.version_id][row.example_id] = row.split
    assert pinned[small.id] == before
    assert {key: pinned[large.id][key] for key in before} == before
    counts = Counter(after.values())
    assert abs(counts["train"] / 2000 - 0.7) < 0.04
    assert abs(counts["validation"] / 2000 - 0.2) < 0.04


def test_near_duplicates_share_their_clusters_split(session: Session) -> None:
    world = factories.world(session)
    prompt = "Explain what an index does in a relational database, with an example."
    rows = []
    for n in range(40):
        example_id = example(
            session, world, example_input=prompt + " " * (n % 3), example_output="A B-tree."
        )
        rows.append(
            {"id": example_id, "tenant_id": world.tenant.id, "skill_id": world.skill.id,
             "example_input": prompt + " " * (n % 3), "example_output": "A B-tree."}
        )  # fmt: skip
    flags = flag_duplicates(session, rows)
    session.commit()
    assert len({flag.cluster_id for flag in flags.values()}) == 1
    splits = _live_splits(session, ExportFilters(world.tenant.id), SplitPlan(0.5, 0.25, 0.25))
    assert len(set(splits.values())) == 1


def test_a_split_column_or_one_file_per_split_holds_the_same_assignment(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    for _ in range(30):
        example(session, world)
    filters = ExportFilters(world.tenant.id)
    plan = SplitPlan(0.6, 0.2, 0.2)
    one, summary = export_bytes(session_factory, ExportRequest(filters, plan=plan))
    per_split, _ = export_bytes(
        session_factory, ExportRequest(filters, plan=plan, split_files=True)
    )
    column = {json.loads(line)["id"]: json.loads(line)["split"] for line in one[""].splitlines()}
    files = {
        json.loads(line)["id"]: split
        for split, data in per_split.items()
        for line in data.splitlines()
    }
    assert column == files
    assert dict(summary.by_split) == dict(Counter(column.values()))
