"""What must hold in the database whatever the wire carried: no example text, no orphan row."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.wire.shapes import SENTINEL


def assert_no_example_text_outside_rows(session: Session) -> None:
    """Outcomes and dead letters never hold example text (every generated text holds SENTINEL)."""
    dump = session.execute(
        text(
            "SELECT coalesce(string_agg(t, ''), '') FROM ("
            " SELECT row_to_json(o)::text AS t FROM intake_outcomes o"
            " UNION ALL SELECT row_to_json(d)::text FROM intake_dead_letters d) everything"
        )
    ).scalar_one()
    session.rollback()
    assert SENTINEL not in dump


def assert_every_row_has_an_accepted_outcome(session: Session) -> None:
    orphans = session.execute(
        text(
            "SELECT count(*) FROM skill_feedback f LEFT JOIN intake_outcomes o"
            " ON o.submission_id = f.id WHERE o.outcome IS DISTINCT FROM 'accepted'"
        )
    ).scalar_one()
    session.rollback()
    assert orphans == 0, "a row without an accepted outcome"
