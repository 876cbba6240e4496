"""Tables of the golden datasets: duplicate flags of examples, versions and their members."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from worker.models.base import NOW, Base, Timestamp

SPLITS = ("train", "validation", "test")


class ExampleDuplicate(Base):
    """An example's duplicate cluster, recorded at ingest; the example row itself is untouched.

    Every flagged example has a row: the first of its kind (kind NULL) heads a cluster named by
    its own id; later exact or near copies join that cluster.
    """

    __tablename__ = "intake_example_duplicates"
    __table_args__ = (
        CheckConstraint("kind IS NULL OR kind IN ('exact', 'near')", name="kind_known"),
        Index("ix_intake_example_duplicates_cluster_id", "cluster_id"),
    )

    example_id: Mapped[str] = mapped_column(
        Text, ForeignKey("skill_feedback.id", ondelete="CASCADE"), primary_key=True
    )
    tenant_id: Mapped[str] = mapped_column(Text, nullable=False)
    skill_id: Mapped[str] = mapped_column(Text, nullable=False)
    # The id of the cluster's first example; no foreign key: the label outlives a withdrawn head.
    cluster_id: Mapped[str] = mapped_column(Text, nullable=False)
    kind: Mapped[str | None] = mapped_column(Text)
    # Estimated similarity to the cluster's first example (1 for exact copies).
    similarity: Mapped[float | None] = mapped_column(Float)
    exact_key: Mapped[int] = mapped_column(BigInteger, nullable=False)
    # A cluster head's compact MinHash signature; members are never compared against.
    signature: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Its rows in intake_duplicate_keys (exact key first), removed with it by a trigger.
    keys: Mapped[list[int]] = mapped_column(ARRAY(BigInteger), nullable=False)
    flagged_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False, server_default=NOW)


class DuplicateKey(Base):
    """A lookup key of a flagged example: its exact key, and a cluster head's LSH band keys.

    A new example's candidates are the flagged examples sharing one of its keys: one btree
    probe a key, never a scan.
    """

    __tablename__ = "intake_duplicate_keys"

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    # No foreign key: checking it would cost more than the row (a trigger removes the keys of a
    # removed flag instead).
    example_id: Mapped[str] = mapped_column(Text, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(Text, nullable=False)


class DatasetVersion(Base):
    """A named, immutable snapshot of a tenant's (or one skill's) golden dataset."""

    __tablename__ = "intake_dataset_versions"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name", name="uq_intake_dataset_versions_tenant_id_name"),
        CheckConstraint("duplicates IN ('keep', 'drop')", name="duplicates_known"),
    )

    id: Mapped[str] = mapped_column(Text, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(
        Text, ForeignKey("tenants.id", ondelete="CASCADE"), nullable=False
    )
    skill_id: Mapped[str | None] = mapped_column(Text, ForeignKey("skills.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(Text, nullable=False)
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False, server_default=NOW)
    status_filter: Mapped[str | None] = mapped_column(Text)
    source_filter: Mapped[str | None] = mapped_column(Text)
    duplicates: Mapped[str] = mapped_column(Text, nullable=False)
    split_ratios: Mapped[dict[str, float]] = mapped_column(JSONB, nullable=False)
    split_seed: Mapped[str] = mapped_column(Text, nullable=False)
    example_count: Mapped[int] = mapped_column(Integer, nullable=False)
    split_counts: Mapped[dict[str, int]] = mapped_column(JSONB, nullable=False)
    # Each skill's description when the version was taken: the chat export's system message.
    system_messages: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)


class DatasetVersionExample(Base):
    """One example of a version: what it was (content hash, review state) and its split."""

    __tablename__ = "intake_version_examples"
    __table_args__ = (
        CheckConstraint(f"split IN {SPLITS!r}", name="split_known"),
        CheckConstraint("octet_length(content_sha256) = 32", name="content_sha256_length"),
        Index(
            "ix_intake_version_examples_version_id_created_at",
            "version_id",
            "created_at",
            "example_id",
        ),
    )

    version_id: Mapped[str] = mapped_column(
        Text, ForeignKey("intake_dataset_versions.id", ondelete="CASCADE"), primary_key=True
    )
    # No foreign key: a withdrawn example's row is deleted, and the version must say so.
    example_id: Mapped[str] = mapped_column(Text, primary_key=True)
    tenant_id: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(Timestamp, nullable=False)
    content_sha256: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    split: Mapped[str] = mapped_column(Text, nullable=False)
    # The review state when the version was taken (the only columns of an example that change).
    status: Mapped[str] = mapped_column(Text, nullable=False)
    reviewed_by: Mapped[str | None] = mapped_column(Text)
    reviewed_at: Mapped[datetime | None] = mapped_column(Timestamp)
    review_notes: Mapped[str | None] = mapped_column(Text)
