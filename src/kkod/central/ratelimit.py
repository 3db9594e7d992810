"""Rate limits whose state lives in the central database, so they hold across server processes.

The generic cell rate algorithm (GCRA): a bucket keeps one number, the theoretical arrival
time (TAT) of its next request. ``count`` requests per ``period`` are allowed, all at once
or spread out; one statement both decides and records, atomically on SQLite and PostgreSQL.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Connection, text

# Both sides of the CASE see the row as it was: the decision and the new TAT agree.
_TAKE = """
INSERT INTO {table} (bucket, tat, denied) VALUES (:bucket, :now + :interval, {false})
ON CONFLICT (bucket) DO UPDATE SET
  tat = CASE WHEN {greatest}({table}.tat, :now) - :now <= :tolerance
        THEN {greatest}({table}.tat, :now) + :interval
        ELSE {table}.tat END,
  denied = CASE WHEN {greatest}({table}.tat, :now) - :now <= :tolerance
           THEN {false} ELSE {true} END
RETURNING tat, denied
"""
_DIALECTS = {
    "postgresql": {"greatest": "GREATEST", "false": "FALSE", "true": "TRUE"},
    "sqlite": {"greatest": "MAX", "false": "0", "true": "1"},
}
# Another party's database keeps its buckets in a table of the same shape under its own name.
DEFAULT_TABLE = "central_rate_limits"


@lru_cache(maxsize=16)
def _sql(dialect: str, table: str):
    return text(_TAKE.format(table=table, **_DIALECTS[dialect]))


_SWEEP = text("DELETE FROM central_rate_limits WHERE tat < :now")


@dataclass(frozen=True, slots=True)
class Rate:
    """``count`` requests per ``period`` seconds."""

    count: int
    period: float = 60.0

    @property
    def interval(self) -> float:
        return self.period / self.count


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    retry_after: int = 0  # whole seconds to wait, when not allowed


def take(
    conn: Connection,
    bucket: str,
    rate: Rate,
    now: float | None = None,
    *,
    table: str = DEFAULT_TABLE,
) -> Decision:
    """Count one request against ``bucket``: allowed, or how long to wait.

    Run it first in a short transaction: on PostgreSQL the bucket's row stays locked until
    the transaction ends.
    """
    now = time.time() if now is None else now
    tolerance = rate.period - rate.interval
    tat, denied = conn.execute(
        _sql(conn.dialect.name, table),
        {"bucket": bucket, "now": now, "interval": rate.interval, "tolerance": tolerance},
    ).one()
    if not denied:
        return Decision(True)
    return Decision(False, max(1, math.ceil(tat - tolerance - now)))


def sweep(conn: Connection, now: float | None = None) -> int:
    """Delete the buckets that are back to empty (a missing bucket is the same as an empty one)."""
    now = time.time() if now is None else now
    return conn.execute(_SWEEP, {"now": now}).rowcount


def throttle(rate: Rate, table: str = DEFAULT_TABLE) -> Callable[[Connection, str], int]:
    """A login throttle (:data:`kkod.logins.store.Throttle`) on ``table``: seconds to wait, or 0."""

    def counted(conn: Connection, bucket: str) -> int:
        decision = take(conn, bucket, rate, table=table)
        return 0 if decision.allowed else decision.retry_after

    return counted
