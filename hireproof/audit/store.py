"""Reading the stored tree: the head of the log, perfect nodes, and the resumed compact range.

All writes go through ``log.record_event``; this module only reads, and takes the writer lock
that serialises appends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from hireproof.core.audit import EMPTY_ROOT, CompactRange, subtree_root
from hireproof.core.errors import AuditError

# Any constant works: it only has to be the same in every process that writes the log.
_POSTGRES_WRITER_LOCK = 0x6869_7265_6C6F_67  # "hirelog"
_LAST_LEAF = (
    'SELECT "index", leaf_hash, recorded_at FROM audit_logleaf ORDER BY "index" DESC LIMIT 1'
)
_NODES = 'SELECT level, "index", hash FROM audit_lognode'
_LEAF_HASH = 'SELECT leaf_hash FROM audit_logleaf WHERE "index" = %s'


@dataclass(frozen=True)
class Head:
    """The log's current size, its last leaf's hash and recorded time (None when empty)."""

    size: int
    last_leaf_hash: bytes | None
    last_recorded_at: datetime | None = None


def take_writer_lock() -> None:
    """Serialise appends until the current transaction ends.

    On SQLite the settings open every transaction with ``BEGIN IMMEDIATE``, which already holds
    the database's single write lock; PostgreSQL takes a transaction-scoped advisory lock.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_POSTGRES_WRITER_LOCK])


def fetch_one(sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
    """One row of a raw query: the append path skips the ORM's query building (most of its
    per-event cost) for the few fixed statements it runs."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row: tuple[Any, ...] | None = cursor.fetchone()
        return row


def read_head() -> Head:
    """The size of the log, its last leaf hash and time, in one indexed read."""
    last = fetch_one(_LAST_LEAF)
    if last is None:
        return Head(size=0, last_leaf_hash=None)
    return Head(
        size=last[0] + 1, last_leaf_hash=bytes(last[1]), last_recorded_at=aware_datetime(last[2])
    )


def aware_datetime(value: datetime | str) -> datetime:
    """A raw query's timestamp as an aware datetime (SQLite hands back text, in UTC)."""
    moment = value if isinstance(value, datetime) else parse_datetime(value)
    if moment is None:
        raise ValueError(f"not a timestamp: {value!r}")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, UTC)


class StoredTree:
    """The log's perfect subtrees read from the database: a ``SubtreeSource`` for proofs."""

    def perfect_node(self, level: int, index: int) -> bytes:
        """One stored node (level 0 is a leaf hash); ``AuditError`` if it is not stored."""
        if level == 0:
            found = fetch_one(_LEAF_HASH, [index])
        else:
            found = fetch_one(f'{_NODES} WHERE level = %s AND "index" = %s', [level, index])
        if found is None:
            raise AuditError(
                f"the log store has no node at level {level}, index {index}: its tables are"
                " incomplete"
            )
        return bytes(found[-1])

    def root(self, size: int) -> bytes:
        """The tree head over the first ``size`` leaves."""
        return subtree_root(self, 0, size) if size else EMPTY_ROOT


def compact_range_nodes(size: int) -> list[tuple[int, int]]:
    """The (level, index) of the perfect subtrees a tree of ``size`` leaves is made of."""
    nodes = []
    start = 0
    for level in reversed(range(size.bit_length())):
        if size >> level & 1:
            nodes.append((level, start >> level))
            start += 1 << level
    return nodes


def resume_compact_range(head: Head) -> CompactRange:
    """The compact range at ``head``, from at most one query for the stored nodes."""
    wanted = compact_range_nodes(head.size)
    known: dict[tuple[int, int], bytes] = {}
    if head.last_leaf_hash is not None and head.size % 2 == 1:
        known[(0, head.size - 1)] = head.last_leaf_hash
    upper = [(level, index) for level, index in wanted if level > 0]
    if upper:
        where = " OR ".join(['(level = %s AND "index" = %s)'] * len(upper))
        with connection.cursor() as cursor:
            cursor.execute(f"{_NODES} WHERE {where}", [value for node in upper for value in node])
            for level, index, hashed in cursor.fetchall():
                known[(level, index)] = bytes(hashed)

    def stored(level: int, index: int) -> bytes:
        try:
            return known[(level, index)]
        except KeyError:
            raise AuditError(
                f"the log store has no node at level {level}, index {index}: its tables are"
                " incomplete"
            ) from None

    return CompactRange.from_nodes(head.size, stored)
