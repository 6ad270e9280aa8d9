"""Before a process serves or writes the log: its files private, its keys in order.

Every entry point that serves or writes calls ``prepare_process``: ``hireproof serve`` and any
WSGI server (both through ``hireproof.wsgi``), and each command that opens the database
(``hireproof.cli.django_setup.with_django``). It does two things:

1. ``check_files``: the data folder must be 0700, the SQLite database file (and its ``-wal``
   and ``-shm``) 0600, each key file 0600 in a 0700 folder; a looser mode is refused
   (``StartRefused``), naming the ``chmod`` that fixes it. The settings create the data folder
   0700; ``check_files`` creates the empty database file 0600 before SQLite would create it
   with the umask's mode (SQLite gives its ``-wal`` and ``-shm`` the database file's mode).
   Under production settings a KEK inside the data folder is refused; elsewhere it is a
   warning, for the caller to print.
2. ``settle_retired_keys``: a retired private signing key that a crash left behind is destroyed
   once the log records its retirement (the rotation committed). One the log has not retired
   is the only copy of the key an unfinished rotation was replacing: it is kept, and the
   warning says how to put it back.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection

from hireproof.audit import keys
from hireproof.audit.models import LogKey
from hireproof.core.errors import HireproofError

DATA_FOLDER_MODE = 0o700
DATABASE_FILE_MODE = 0o600
PRODUCTION_WORDS = (
    "(Production: SECURE_COOKIES is on, or DEBUG is off and ALLOWED_HOSTS names a host other"
    " than this machine.)"
)


_prepared_in: int | None = None  # the process id that ran prepare_process


class StartRefused(HireproofError):
    """A file is open to other users, or the KEK lies in the data folder in production."""


@dataclass(frozen=True)
class Prepared:
    """What ``prepare_process`` did and found: retired key files destroyed, retired key files
    kept (each with why and how to put it back), and where the KEK lies if that is unsafe
    outside production."""

    destroyed: tuple[Path, ...]
    kept: tuple[str, ...]
    kek_problem: str | None


def prepare_process() -> Prepared:
    """Check the files (``StartRefused``), then settle retired signing keys left on disk."""
    global _prepared_in
    kek_problem = check_files()
    destroyed, kept = settle_retired_keys()
    _prepared_in = os.getpid()
    return Prepared(tuple(destroyed), tuple(kept), kek_problem)


def prepare_once() -> Prepared | None:
    """``prepare_process`` unless this process already ran it (then None)."""
    return None if _prepared_in == os.getpid() else prepare_process()


def notices(prepared: Prepared, *, kek_warning: bool = True) -> list[str]:
    """What a process prints about what ``prepare_process`` did and found, line by line."""
    lines = [f"destroyed the retired private signing key {path}" for path in prepared.destroyed]
    lines += [f"WARNING: {warning}" for warning in prepared.kept]
    if kek_warning and prepared.kek_problem is not None:
        lines.append(f"WARNING: {prepared.kek_problem}. This is refused under production settings.")
    return lines


def check_files() -> str | None:
    """Refuse (``StartRefused``) files open to other users, and under production settings a
    KEK inside the data folder; returns that KEK problem outside production, else None.

    Creates the SQLite database file, empty and 0600, if it does not exist yet. Key files not
    created yet are skipped: they are created 0600 in a 0700 folder on first use.
    """
    data = Path(settings.DATA_DIR)
    _require_private(data, "the data folder", DATA_FOLDER_MODE)
    database = sqlite_database_file()
    if database is not None:
        for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
            if path.exists():
                _require_private(path, "the database file", DATABASE_FILE_MODE)
    try:
        keys.check_key_files()
    except keys.KeyFileError as refusal:
        raise StartRefused(str(refusal)) from None
    problem = keys.kek_placement_problem()
    if problem is not None and settings.HIREPROOF_PRODUCTION:
        raise StartRefused(
            f"refusing to start under production settings: {problem}. {PRODUCTION_WORDS}"
        )
    if database is not None:  # nothing refused: create it private, if it is not there yet
        with contextlib.suppress(FileExistsError):
            os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, DATABASE_FILE_MODE))
    return problem


def sqlite_database_file() -> Path | None:
    """The SQLite database's file, or None (PostgreSQL, or an in-memory database)."""
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        return None
    return Path(name)


def settle_retired_keys() -> tuple[list[Path], list[str]]:
    """Destroy the retired private signing keys the log records as retired; keep the others.

    Returns the files destroyed, and a warning for each kept. Reads the database only when
    such a file exists.
    """
    leftovers = keys.retired_signing_keys()
    if not leftovers:
        return [], []
    try:
        retired = set(
            LogKey.objects.filter(retired_at__isnull=False).values_list("key_id", flat=True)
        )
    except DatabaseError:  # no log yet (the database is not migrated): nothing is retired
        retired = set()
    destroyed, kept = [], []
    for leftover in leftovers:
        key_id = leftover.name.rsplit(keys.RETIRED_MARK, 1)[1]
        if key_id in retired:
            with contextlib.suppress(FileNotFoundError):  # another process destroyed it first
                keys.destroy_key_file(leftover)
                destroyed.append(leftover)
            continue
        kept.append(
            f"{leftover} holds private key {key_id}, which the log has not retired: a key"
            " rotation did not finish, and this may be the only copy of the log's current key."
            f" It was kept. Put it back with  mv {leftover} {keys.signing_key_path()}  (the file"
            " there now holds a key the log never registered), then run the rotation again"
        )
    return destroyed, kept


def _require_private(path: Path, what: str, wanted: int) -> None:
    try:
        keys.require_private(path, what, wanted)
    except keys.KeyFileError as refusal:
        raise StartRefused(str(refusal)) from None
