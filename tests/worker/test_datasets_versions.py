"""Dataset versions: reproduced byte for byte after writes, reviews and a consent revocation."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from tests import factories
from tests.worker.datasets_helpers import example, export_bytes, take_version
from worker.datasets import versions
from worker.datasets.errors import UnknownVersion, VersionChanged, VersionExists
from worker.datasets.export import ExportRequest
from worker.datasets.formats import ExportFormat
from worker.datasets.selection import ExportFilters, Selection
from worker.datasets.splits import SplitPlan
from worker.operations.consent import revoke_consent
from worker.operations.errors import InvalidValue
from worker.operations.review import approve_examples, dismiss_examples


@pytest.fixture
def world(session: Session) -> factories.World:
    return factories.world(session)


def _captures(session: Session, world: factories.World, user_id: str, count: int) -> list[str]:
    """Approved usage captures of a user (reviewed by the skill's author)."""
    ids = [
        example(session, world, user_id=user_id, source="usage_capture", status="pending",
                usage_event_id=f"evt-{user_id}-{n}")
        for n in range(count)
    ]  # fmt: skip
    approve_examples(session, ids, reviewer_id=world.author.id)
    session.commit()
    return ids


def _lines(data: bytes) -> list[dict[str, object]]:
    return [json.loads(line) for line in data.decode().splitlines()]


def test_a_version_exported_again_after_writes_and_a_revocation_differs_only_by_the_withdrawn(
    session: Session, session_factory: sessionmaker[Session], world: factories.World
) -> None:
    consenting = factories.user(session, world.tenant, consent=True)
    session.commit()
    golden = [example(session, world, quality_score=n % 10 + 1) for n in range(12)]
    theirs = _captures(session, world, consenting.id, 5)
    take_version(session_factory, Selection(ExportFilters(world.tenant.id), SplitPlan()), "v1")
    request = ExportRequest(ExportFilters(world.tenant.id), version="v1")
    first, first_summary = export_bytes(session_factory, request)
    assert first_summary.rows == 17 and first_summary.withdrawn == []

    # A week later: new examples, a dismissal, and a revocation of the second user's consent.
    example(session, world)
    _captures(session, world, world.author.id, 2)
    dismiss_examples(session, [golden[3]], reviewer_id=world.author.id, notes="wrong")
    revoke_consent(session, consenting.id, changed_by="dpo")
    session.commit()

    second, summary = export_bytes(session_factory, request)
    assert sorted(summary.withdrawn) == sorted(theirs)
    kept = [
        line for line in first[""].splitlines(keepends=True) if json.loads(line)["id"] not in theirs
    ]
    assert second[""] == b"".join(kept)
    # The dismissed example is written as it was when the version was taken.
    [dismissed] = [line for line in _lines(second[""]) if line["id"] == golden[3]]
    assert dismissed["status"] == "approved"
    assert {line["split"] for line in _lines(second[""])} <= {"train", "validation", "test"}


def test_a_chat_export_of_a_version_keeps_the_system_message_it_was_taken_with(
    session: Session, session_factory: sessionmaker[Session], world: factories.World
) -> None:
    world.skill.description = "You write SQL for PostgreSQL."
    session.commit()
    example(session, world)
    take_version(session_factory, Selection(ExportFilters(world.tenant.id)), "v1")
    world.skill.description = "Something else entirely."
    session.commit()
    request = ExportRequest(ExportFilters(world.tenant.id), ExportFormat.OPENAI_CHAT, version="v1")
    data, _ = export_bytes(session_factory, request)
    [line] = _lines(data[""])
    assert line["messages"][0] == {"role": "system", "content": "You write SQL for PostgreSQL."}  # type: ignore[index]


def test_an_example_whose_stored_text_changed_fails_the_export_loudly(
    session: Session, session_factory: sessionmaker[Session], world: factories.World
) -> None:
    ids = [example(session, world) for _ in range(3)]
    take_version(session_factory, Selection(ExportFilters(world.tenant.id)), "v1")
    request = ExportRequest(ExportFilters(world.tenant.id), version="v1")
    before, _ = export_bytes(session_factory, request)
    # Rows never change but for their review; an edit by hand must not pass unnoticed.
    session.execute(
        text("UPDATE skill_feedback SET example_input = 'edited' WHERE id = :id"), {"id": ids[1]}
    )
    session.commit()
    with pytest.raises(VersionChanged) as refused:
        export_bytes(session_factory, request)
    assert refused.value.ids == [ids[1]]
    assert ids[1] in str(refused.value)
    skipping = ExportRequest(ExportFilters(world.tenant.id), version="v1", skip_changed=True)
    after, summary = export_bytes(session_factory, skipping)
    assert summary.changed == [ids[1]]
    assert after[""] == b"".join(
        line for line in before[""].splitlines(keepends=True) if ids[1] not in line.decode()
    )


def test_the_diff_of_two_versions_names_what_was_added_removed_and_changed(
    session: Session, session_factory: sessionmaker[Session], world: factories.World
) -> None:
    consenting = factories.user(session, world.tenant, consent=True)
    session.commit()
    golden = [example(session, world) for _ in range(4)]
    theirs = _captures(session, world, consenting.id, 2)
    take_version(session_factory, Selection(ExportFilters(world.tenant.id, status=None)), "v1")
    added = example(session, world)
    dismiss_examples(session, [golden[0]], reviewer_id=world.author.id)
    revoke_consent(session, consenting.id, changed_by="dpo")
    session.commit()
    take_version(session_factory, Selection(ExportFilters(world.tenant.id, status=None)), "v2")
    with session_factory() as reader:
        old = versions.get_version(reader, world.tenant.id, "v1")
        new = versions.get_version(reader, world.tenant.id, "v2")
        found = {
            (d.example_id, d.change, d.fields) for d in versions.diff_versions(reader, old, new)
        }
    assert found == {
        (added, "added", ()),
        *((removed, "removed", ()) for removed in theirs),
        (golden[0], "changed", ("status",)),
    }


def test_versions_are_listed_newest_first_and_names_are_never_reused(
    session: Session, session_factory: sessionmaker[Session], world: factories.World
) -> None:
    example(session, world)
    take_version(session_factory, Selection(ExportFilters(world.tenant.id)), "v1", note="first")
    take_version(session_factory, Selection(ExportFilters(world.tenant.id)), "v2")
    with pytest.raises(VersionExists):
        take_version(session_factory, Selection(ExportFilters(world.tenant.id)), "v1")
    with session_factory() as reader:
        listed = versions.list_versions(reader, world.tenant.id)
        assert [v.name for v in listed] == ["v2", "v1"]
        assert listed[1].note == "first" and listed[1].created_by == "ds@example.test"
        assert listed[1].example_count == 1
        with pytest.raises(UnknownVersion):
            versions.get_version(reader, world.tenant.id, "v3")


def test_a_version_must_be_taken_in_one_snapshot(session: Session, world: factories.World) -> None:
    with pytest.raises(InvalidValue, match="REPEATABLE READ"):
        versions.create_version(
            session, Selection(ExportFilters(world.tenant.id)), name="v1", created_by="ds"
        )


@pytest.mark.parametrize("name", ["", " ", "x" * 201, "tab\there"])
def test_a_version_name_must_be_printable_and_short(
    session_factory: sessionmaker[Session], world: factories.World, name: str
) -> None:
    with pytest.raises(InvalidValue):
        take_version(session_factory, Selection(ExportFilters(world.tenant.id)), name)
