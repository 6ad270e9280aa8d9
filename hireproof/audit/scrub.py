"""The erasure scrub: once an erasure commits, no old copy of the erased rows stays on disk.

SQLite: every connection runs with ``secure_delete`` (see settings), so the pages an erasure
writes hold zeros where her rows were; but they go to the write-ahead log, and the main database
file keeps the OLD pages, her rows readable, until a checkpoint copies the new pages over them.
The scrub is ``PRAGMA wal_checkpoint(TRUNCATE)``: it copies every page into the main file and
empties the WAL. A connection still reading an older snapshot (a long request, a backup) blocks
it, and while it is blocked the old pages stay in the main file.

PostgreSQL keeps dead row versions until VACUUM, and VACUUM cannot remove those an older
transaction may still read: while a session of this database holds a snapshot or a transaction
from before the erasure committed, the scrub waits; then it vacuums.

A scrub is tried as an erasure commits (``scrub_after_erasure``), without waiting on readers.
If it is blocked, or the process ends first, ``scrub_if_pending``, the one function the
periodic task ``finish_scrub`` calls (every minute, on a worker), tries again until it succeeds. It
learns of erasures from the log itself (each appends ``subject.erased``), so it also finishes
the scrub of an erasure another process made, and it scrubs once when the process starts if the
log holds any erasure. A scrub still blocked after ``ALERT_SECONDS`` is logged as an error.

Backups, WAL archives and replicas are beyond reach here: the README says what they mean for
erasure.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection

from hireproof.audit.store import fetch_one, read_head
from hireproof.core.audit import EventType
from hireproof.platform.tasks import background_task

logger = logging.getLogger(__name__)

# How long one SQLite attempt waits for readers before it counts as blocked (milliseconds):
# short, so neither the erasure's request nor the periodic job waits on a long reader.
SQLITE_WAIT_MS = 200
# A scrub blocked this long is logged as an error: someone should end the long reader.
ALERT_SECONDS = 60.0

_ERASED = str(EventType.SUBJECT_ERASED)
_LATEST_ERASURE = 'SELECT MAX("index") FROM audit_logleaf WHERE event_type = %s AND "index" >= %s'
# Other client sessions of this database whose snapshot or transaction is not newer than the
# erasure's transaction (the leaf's xmin): VACUUM could not remove what they may still read.
_OLDER_SESSIONS = (
    "SELECT count(*) FROM pg_stat_activity AS a,"
    ' (SELECT xmin AS erasure FROM audit_logleaf WHERE "index" = %s) AS e'
    " WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()"
    " AND a.backend_type = 'client backend'"
    " AND (age(a.backend_xmin) >= age(e.erasure) OR age(a.backend_xid) >= age(e.erasure))"
)


@dataclass
class _State:
    """What this process knows: the log's leaves it has looked through for erasures, the
    newest erasure among them, and the log size below which every erasure is scrubbed."""

    examined: int | None = None
    latest_erasure: int | None = None
    clean_below: int = 0
    blocked_since: float | None = None
    alerted: bool = False

    @property
    def pending(self) -> bool:
        return self.latest_erasure is not None and self.latest_erasure >= self.clean_below


_state = _State()
_lock = threading.Lock()


def scrub_after_erasure(tables: Iterable[str], erasure_leaf: int) -> bool:
    """Right after an erasure commits: scrub ``tables`` (their database names) now.

    Returns whether the database holds no old copy of the erased rows any more. Never raises
    and never waits on readers: if it is blocked, the periodic job finishes it.
    """
    if not _lock.acquire(blocking=False):
        return False  # the periodic job is scrubbing; it sees this erasure at its next look
    try:
        size = read_head().size
        _state.latest_erasure = max(erasure_leaf, _state.latest_erasure or 0)
        return _attempt(size, erasure_leaf, sorted(set(tables)))
    except Exception:
        logger.exception("the scrub after an erasure failed; the periodic job tries again")
        return False
    finally:
        _lock.release()


def scrub_if_pending() -> bool | None:
    """What a periodic job calls: scrub if an erasure is not scrubbed yet.

    Returns None when nothing was pending, else whether the scrub succeeded. Never raises.
    """
    if not _lock.acquire(blocking=False):
        return None
    try:
        size = read_head().size
        if _state.examined is None:
            _state.examined = 0  # the process just started: look through the whole log once
        elif size < _state.examined:
            # The log was replaced (a restored backup): look through all of it again.
            _state.examined = _state.clean_below = 0
            _state.latest_erasure = None
        found = fetch_one(_LATEST_ERASURE, [_ERASED, _state.examined])
        if found is not None and found[0] is not None:
            _state.latest_erasure = int(found[0])
        _state.examined = size
        if not _state.pending:
            return None
        assert _state.latest_erasure is not None
        return _attempt(size, _state.latest_erasure, None)
    except Exception:
        logger.exception("the scrub after an erasure failed; the next look tries again")
        return False
    finally:
        _lock.release()


@background_task(label="Finish an erasure's scrub", tries=1)
def finish_scrub() -> None:
    """The periodic task: scrub if an erasure is not scrubbed yet (never raises; a scrub a
    reader still blocks is tried again at the next run)."""
    scrub_if_pending()


def forget_scrub_state() -> None:
    """Forget what this process knows, as at its start (tests)."""
    global _state
    with _lock:
        _state = _State()


def _attempt(size: int, erasure_leaf: int, tables: list[str] | None) -> bool:
    """Scrub once; on success every erasure among the first ``size`` leaves is scrubbed."""
    if connection.vendor == "sqlite":
        done = _checkpoint_sqlite()
    elif connection.vendor == "postgresql":
        done = _vacuum_postgresql(erasure_leaf, tables)
    else:
        done = True
    if done:
        _state.clean_below = max(_state.clean_below, size)
        if _state.blocked_since is not None:
            logger.info(
                "the scrub after an erasure succeeded after %.1f s",
                time.monotonic() - _state.blocked_since,
            )
        _state.blocked_since, _state.alerted = None, False
        return True
    _blocked()
    return False


def _checkpoint_sqlite() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        (waits,) = cursor.fetchone()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_WAIT_MS}")
        try:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            busy, _, _ = cursor.fetchone()
        finally:
            cursor.execute(f"PRAGMA busy_timeout = {int(waits)}")
    return not busy


def _vacuum_postgresql(erasure_leaf: int, tables: list[str] | None) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(_OLDER_SESSIONS, [erasure_leaf])
        (older,) = cursor.fetchone()
        if older:
            return False
        if tables is None:
            cursor.execute("VACUUM")  # the erased tables are not known here: all of them
        for table in tables or ():
            cursor.execute(f"VACUUM {connection.ops.quote_name(table)}")
    return True


def _blocked() -> None:
    now = time.monotonic()
    if _state.blocked_since is None:
        _state.blocked_since = now
        logger.warning("%s; the periodic job tries it again until it succeeds", _what_stays())
    elif not _state.alerted and now - _state.blocked_since >= ALERT_SECONDS:
        _state.alerted = True
        logger.error(
            "%s, and has been for %.0f s: end the long-running reader (a stuck request, a"
            " backup or an open database shell)",
            _what_stays(),
            now - _state.blocked_since,
        )


def _what_stays() -> str:
    if connection.vendor == "sqlite":
        return (
            "the scrub after an erasure is blocked by another connection reading an older"
            " snapshot: until it succeeds, the erased rows' old pages stay readable in the main"
            f" database file {connection.settings_dict['NAME']}"
        )
    return (
        "the VACUUM after an erasure waits for older transactions of this database, which may"
        " still read the erased rows: until they end, the old row versions stay in the tables'"
        " files"
    )
