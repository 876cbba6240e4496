"""Dropping duplicates from an export: the first example of each cluster among those chosen."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from tests import factories
from tests.worker.ingest.test_pipeline import golden, usage
from worker.datasets.selection import ExportFilters, Selection, live_query, stream
from worker.ingest.pipeline import process_batch

PROMPT = "Explain the difference between a process and a thread, with one example of each."


def _ids(session: Session, filters: ExportFilters, drop: bool) -> list[str]:
    return [row.id for row in stream(session, live_query(Selection(filters, None, drop)))]


def test_each_cluster_keeps_its_first_example_among_those_the_filters_take(
    session: Session, session_factory: sessionmaker[Session]
) -> None:
    world = factories.world(session)
    pending = usage(world, example_input=PROMPT, example_output="Processes own memory.")
    first = golden(
        world, example_input=PROMPT, example_output="Processes own memory.", expected_output=None
    )
    second = golden(
        world,
        example_input=PROMPT.upper(),
        example_output="Processes own memory.",
        expected_output=None,
    )
    other = golden(
        world, example_input="What is a mutex?", example_output="A lock.", expected_output=None
    )
    for message in (pending, first, second, other):
        # One batch each, in order, so the oldest is the first of its kind.
        assert process_batch(session_factory, [message]).results[0].outcome.value == "accepted"
    approved = ExportFilters(world.tenant.id)
    everything = ExportFilters(world.tenant.id, status=None)
    ids = {
        name: m["submission_id"]
        for name, m in [
            ("pending", pending),
            ("first", first),
            ("second", second),
            ("other", other),
        ]
    }
    assert _ids(session, approved, drop=False) == [ids["first"], ids["second"], ids["other"]]
    # The pending capture heads the cluster, but it is not approved: the first approved copy stays.
    assert _ids(session, approved, drop=True) == [ids["first"], ids["other"]]
    assert _ids(session, everything, drop=True) == [ids["pending"], ids["other"]]
