"""Deterministic train/validation/test splits: a function of an example's cluster, never of order.

An example's split is read off a point in [0, 2^60): the first 60 bits of
SHA-256("<seed>:<key>"), where the key is the id of the example's duplicate cluster (its own id
when it has no duplicates, or was never flagged). The point never changes, so an example never
moves as the dataset grows; and every near-duplicate of an example lands in the same split, so
no test example has a copy in train. The same formula runs in SQL (versions are taken
server-side) and in Python (`split_of`); a property test holds them equal.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Text, case, cast, func, literal
from sqlalchemy.dialects.postgresql import BIT

from worker.datasets.models import SPLITS
from worker.operations.errors import InvalidValue

POINT_BITS = 60
SPACE = 1 << POINT_BITS
DEFAULT_SEED = "intake-splits-v1"
DEFAULT_RATIOS = (0.8, 0.1, 0.1)


@dataclass(frozen=True, slots=True)
class SplitPlan:
    """Ratios of train, validation and test (summing to 1) and the seed of the assignment."""

    train: float = DEFAULT_RATIOS[0]
    validation: float = DEFAULT_RATIOS[1]
    test: float = DEFAULT_RATIOS[2]
    seed: str = DEFAULT_SEED

    def __post_init__(self) -> None:
        ratios = (self.train, self.validation, self.test)
        if any(not math.isfinite(r) or r < 0 for r in ratios) or not math.isclose(
            sum(ratios), 1.0, abs_tol=1e-9
        ):
            raise InvalidValue(
                f"split ratios must be three non-negative numbers that add up to 1, got {ratios}"
            )
        if not self.seed:
            raise InvalidValue("the split seed must not be empty")

    @classmethod
    def parse(cls, ratios: str, seed: str = DEFAULT_SEED) -> SplitPlan:
        """From 'TRAIN,VALIDATION,TEST' (e.g. '0.8,0.1,0.1' or '80,10,10', scaled to 1)."""
        parts = ratios.split(",")
        try:
            values = [float(part) for part in parts]
        except ValueError:
            values = []
        if len(values) != 3 or not all(math.isfinite(v) and v >= 0 for v in values):
            raise InvalidValue(
                f"splits must be three non-negative numbers like 0.8,0.1,0.1, got {ratios!r}"
            )
        total = sum(values)
        if total <= 0:
            raise InvalidValue("at least one split ratio must be above 0")
        train, validation = values[0] / total, values[1] / total
        return cls(train, validation, max(0.0, 1.0 - train - validation), seed)

    @classmethod
    def from_version(cls, ratios: Mapping[str, Any], seed: str) -> SplitPlan:
        return cls(float(ratios["train"]), float(ratios["validation"]), float(ratios["test"]), seed)

    def ratios(self) -> dict[str, float]:
        return {
            name: round(value, 9)
            for name, value in zip(SPLITS, (self.train, self.validation, self.test), strict=True)
        }

    def bounds(self) -> tuple[int, int]:
        """The points below which an example is train, and below which it is validation."""
        train = min(SPACE, math.floor(self.train * SPACE))
        return train, min(SPACE, train + math.floor(self.validation * SPACE))

    def split_of(self, key: str) -> str:
        """The split of the example (or cluster) with this id."""
        train, validation = self.bounds()
        point = split_point(self.seed, key)
        return SPLITS[0] if point < train else SPLITS[1] if point < validation else SPLITS[2]

    def split_column(self, key: ColumnElement[str]) -> ColumnElement[str]:
        """The same assignment as a SQL expression over a column holding the key."""
        train, validation = self.bounds()
        point = sql_split_point(self.seed, key)
        return case(
            (point < literal(train, BigInteger), literal(SPLITS[0], Text)),
            (point < literal(validation, BigInteger), literal(SPLITS[1], Text)),
            else_=literal(SPLITS[2], Text),
        )


def split_point(seed: str, key: str) -> int:
    """The first 60 bits of SHA-256('<seed>:<key>') as an integer."""
    digest = hashlib.sha256(f"{seed}:{key}".encode()).hexdigest()
    return int(digest[: POINT_BITS // 4], 16)


def sql_split_point(seed: str, key: ColumnElement[str]) -> ColumnElement[int]:
    prefix = literal(f"{seed}:", Text)
    digest = func.encode(func.sha256(func.convert_to(prefix + key, "UTF8")), "hex")
    hex_bits = literal("x", Text) + func.left(digest, POINT_BITS // 4)
    return cast(cast(hex_bits, BIT(POINT_BITS)), BigInteger)
