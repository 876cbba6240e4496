"""The declarative base of every table, its naming convention and timestamp type."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import MetaData, text
from sqlalchemy.dialects.postgresql import TIMESTAMP
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Deterministic constraint names keep migrations and autogenerate in agreement.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# The platform stores timestamps as timestamptz(3): millisecond precision.
Timestamp = TIMESTAMP(timezone=True, precision=3)
NOW = text("CURRENT_TIMESTAMP")


def timestamp_now() -> Mapped[datetime]:
    return mapped_column(Timestamp, nullable=False, server_default=NOW)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
