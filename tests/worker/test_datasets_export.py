"""The export: every format correct, and memory that does not grow with the table."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests import factories
from worker.datasets import export, selection
from worker.datasets.export import ExportRequest
from worker.datasets.formats import ExportFormat
from worker.datasets.selection import COLUMNS, ExportFilters, Selection
from worker.datasets.splits import SplitPlan
from worker.datasets.writing import ONE_FILE, ExportSummary, Provenance, manifest
from worker.operations.errors import NotFound, UnknownTenant
from worker.queries import create_training_example


@pytest.fixture
def world(session: Session) -> factories.World:
    return factories.world(session)


def _example(session: Session, world: factories.World, **fields: object) -> str:
    values: dict[str, object] = {
        "id": str(uuid.uuid4()),
        "tenant_id": world.tenant.id,
        "skill_id": world.skill.id,
        "user_id": world.author.id,
        "example_input": "in",
        "example_output": "out",
    }
    values.update(fields)
    return create_training_example(session, **values).id  # type: ignore[arg-type]


def _export(
    session: Session, filters: ExportFilters, fmt: ExportFormat
) -> tuple[bytes, ExportSummary]:
    out = io.BytesIO()
    prepared = export.prepare(session, ExportRequest(filters, fmt))
    summary = export.write(session, prepared, {ONE_FILE: ("out", out)})
    return out.getvalue(), summary


def _ids(session: Session, filters: ExportFilters) -> list[str]:
    return [row.id for row in selection.stream(session, selection.live_query(Selection(filters)))]


def test_jsonl_holds_every_column_of_the_chosen_examples_oldest_first(
    session: Session, world: factories.World
) -> None:
    first = _example(session, world, example_input="if (a < b && c) {}", quality_score=9)
    session.commit()
    second = _example(session, world, example_input="ünïcode ✓\nline two", expected_output="exp")
    _example(session, world, status="pending", source="usage_capture", usage_event_id="e1")
    session.commit()

    data, summary = _export(session, ExportFilters(world.tenant.id), ExportFormat.JSONL)
    lines = [json.loads(line) for line in data.decode().splitlines()]
    assert [line["id"] for line in lines] == [first, second]
    assert lines[0]["example_input"] == "if (a < b && c) {}"
    assert lines[0]["quality_score"] == 9
    assert lines[1]["example_input"] == "ünïcode ✓\nline two"
    assert set(lines[0]) == set(COLUMNS)
    assert summary.rows == 2
    assert summary.sha256 == hashlib.sha256(data).hexdigest()


def test_openai_chat_writes_one_messages_object_a_line_preferring_the_expected_output(
    session: Session, world: factories.World
) -> None:
    _example(session, world, example_input="q1", example_output="a1")
    session.commit()
    _example(session, world, example_input="q2", example_output="raw", expected_output="better")
    session.commit()
    data, _ = _export(session, ExportFilters(world.tenant.id), ExportFormat.OPENAI_CHAT)
    assert [json.loads(line) for line in data.decode().splitlines()] == [
        {"messages": [{"role": "user", "content": "q1"}, {"role": "assistant", "content": "a1"}]},
        {
            "messages": [
                {"role": "user", "content": "q2"},
                {"role": "assistant", "content": "better"},
            ]
        },
    ]


def test_openai_chat_skips_examples_without_an_input_and_counts_them(
    session: Session, world: factories.World
) -> None:
    _example(session, world, example_input=None)
    _example(session, world)
    session.commit()
    data, summary = _export(session, ExportFilters(world.tenant.id), ExportFormat.OPENAI_CHAT)
    assert len(data.decode().splitlines()) == 1
    assert (summary.rows, summary.skipped) == (1, 1)
    assert summary.skipped_by_problem == {"empty_turn": 1}


def test_csv_has_a_header_and_keeps_commas_quotes_and_newlines_in_one_record(
    session: Session, world: factories.World
) -> None:
    tricky = 'a, "quoted"\nsecond line'
    example_id = _example(session, world, example_input=tricky)
    session.commit()
    data, _ = _export(session, ExportFilters(world.tenant.id), ExportFormat.CSV)
    records = list(csv.DictReader(io.StringIO(data.decode(), newline="")))
    assert len(records) == 1
    assert records[0]["id"] == example_id
    assert records[0]["example_input"] == tricky
    assert records[0]["expected_output"] == ""


def test_filters_choose_skill_status_and_source_within_the_tenant_only(
    session: Session, world: factories.World
) -> None:
    other_skill = factories.skill(session, world.tenant, world.author)
    elsewhere = factories.world(session)
    session.commit()
    wanted = _example(session, world)
    _example(session, world, skill_id=other_skill.id)
    pending = _example(session, world, status="pending", source="usage_capture")
    _example(session, elsewhere)
    session.commit()

    def ids(filters: ExportFilters) -> list[str]:
        return _ids(session, filters)

    assert ids(ExportFilters(world.tenant.id, skill_id=world.skill.id)) == [wanted]
    assert sorted(ids(ExportFilters(world.tenant.id, skill_id=world.skill.id, status=None))) == (
        sorted([wanted, pending])
    )
    assert ids(ExportFilters(world.tenant.id, status=None, source="usage_capture")) == [pending]
    everything = selection.live_query(Selection(ExportFilters(world.tenant.id, status=None)))
    assert selection.count(session, everything) == 3


def test_filters_naming_an_unknown_tenant_or_another_tenants_skill_are_refused(
    session: Session, world: factories.World
) -> None:
    elsewhere = factories.world(session)
    with pytest.raises(UnknownTenant):
        selection.check_filters(session, ExportFilters("no-such-tenant"))
    with pytest.raises(NotFound):
        selection.check_filters(
            session, ExportFilters(world.tenant.id, skill_id=elsewhere.skill.id)
        )


def test_the_manifest_states_counts_filters_format_time_and_checksum(
    session: Session, world: factories.World
) -> None:
    _example(session, world)
    _example(session, world, source="usage_capture", usage_event_id="e")
    session.commit()
    filters = ExportFilters(world.tenant.id)
    data, summary = _export(session, filters, ExportFormat.JSONL)
    from datetime import UTC, datetime

    summary.files[ONE_FILE].name = "golden.jsonl"
    document = manifest(summary, Provenance(filters.as_dict(), datetime(2026, 1, 2, tzinfo=UTC)))
    assert document["counts"] == {
        "examples": 2,
        "skipped": 0,
        "skipped_by_problem": {},
        "skipped_examples": [],
        "by_status": {"approved": 2},
        "by_source": {"usage_capture": 1, "web": 1},
        "by_skill": {world.skill.id: 2},
        "by_split": {},
    }
    assert (document["duplicates"], document["splits"]) == ("keep", None)
    assert "version" not in document
    assert document["filters"] == {
        "tenant_id": world.tenant.id,
        "skill_id": None,
        "status": "approved",
        "source": None,
    }
    assert (document["format"], document["file"]) == ("jsonl", "golden.jsonl")
    assert document["created_at"] == "2026-01-02T00:00:00+00:00"
    assert document["sha256"] == hashlib.sha256(data).hexdigest()
    assert document["bytes"] == len(data)


# -- constant memory -----------------------------------------------------------------------------

MB = 1024 * 1024
TEXT = "x" * 100  # ~0.5 KB per row once the three texts and the JSON around them are counted


def _copy_rows(database_url: str, world: factories.World, count: int) -> None:
    """Bulk-load approved examples with COPY (the fast path a test of a big table needs)."""
    with (
        psycopg.connect(database_url) as connection,
        connection.cursor() as cursor,
        cursor.copy(
            "COPY skill_feedback (id, tenant_id, skill_id, user_id, feedback_type, "
            "example_input, example_output, expected_output, status, source) FROM STDIN"
        ) as copy,
    ):
        for _ in range(count):
            copy.write_row(
                (
                    str(uuid.uuid4()),
                    world.tenant.id,
                    world.skill.id,
                    world.author.id,
                    "training_example",
                    TEXT,
                    TEXT,
                    TEXT,
                    "approved",
                    "web",
                )
            )


def _rss() -> int:
    """This process's resident memory in bytes (Linux)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def _export_memory_growth(
    session_factory: sessionmaker[Session], world: factories.World, path: Path
) -> tuple[int, int]:
    """(peak resident-memory growth in bytes, rows) of one export to a file.

    Resident memory, not tracemalloc: it also sees the driver's C buffers, where a client-side
    cursor would hold the whole result; and it costs nothing, so the test stays quick.
    """
    baseline = _rss()
    peak = baseline
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _rss())
            done.wait(0.002)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        # Splits and duplicate dropping on: the costliest query an export makes.
        request = ExportRequest(
            ExportFilters(world.tenant.id), plan=SplitPlan(), drop_duplicates=True
        )
        with session_factory() as session, session.begin(), path.open("wb") as out:
            prepared = export.prepare(session, request)
            summary = export.write(session, prepared, {ONE_FILE: (path.name, out)})
    finally:
        done.set()
        sampler.join()
    return max(peak, _rss()) - baseline, summary.rows


@pytest.fixture
def big_world(session_factory: sessionmaker[Session]) -> Iterator[factories.World]:
    with session_factory() as session:
        yield factories.world(session)


def test_export_memory_does_not_grow_with_the_number_of_rows(
    session_factory: sessionmaker[Session],
    big_world: factories.World,
    database_url: str,
    tmp_path: Path,
) -> None:
    _copy_rows(database_url, big_world, 50_000)
    small, small_rows = _export_memory_growth(session_factory, big_world, tmp_path / "50k")
    _copy_rows(database_url, big_world, 150_000)
    big, big_rows = _export_memory_growth(session_factory, big_world, tmp_path / "200k")

    assert (small_rows, big_rows) == (50_000, 200_000)
    written = (tmp_path / "200k").stat().st_size
    assert written > 80 * MB
    # Four times the rows (~100 MB written) may not cost more memory: what is held is one fetch
    # of the server-side cursor, not the table (which would be well over 100 MB here).
    assert big < small + 8 * MB, (small, big)
    assert big < 32 * MB, big


def test_an_export_gives_back_the_authors_text_where_the_sanitizer_neutralized_it(
    session: Session, session_factory: sessionmaker[Session], world: factories.World
) -> None:
    from worker.ingest.pipeline import process_batch
    from worker.models import SkillFeedback

    code = (
        'if (a &lt; b) { el.innerHTML = "<img src=x onerror=go()>"; } // AKIA' + "Q3EGRIPZ7XK2M4NB"
    )
    submission = factories.golden_submission(
        world, example_input=code, example_output="a < b && c", expected_output=None
    )
    session.commit()
    process_batch(session_factory, [submission])
    stored = session.get(SkillFeedback, submission["submission_id"])
    assert stored is not None and "<img" not in (stored.example_input or "")
    data, _ = _export(session, ExportFilters(world.tenant.id, status=None), ExportFormat.JSONL)
    [line] = [json.loads(row) for row in data.decode().splitlines()]
    # Exactly what the author wrote, their own `&lt;` included, with the secret still redacted.
    assert line["example_input"] == code.replace("AKIAQ3EGRIPZ7XK2M4NB", "[REDACTED]")
    assert line["example_output"] == "a < b && c"
