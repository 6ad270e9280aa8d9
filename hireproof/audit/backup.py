"""Backups of the database and of the keys, each to its own place; what a restore reads first.

A backup is a folder: the database snapshot (``hireproof.sqlite3``, taken with SQLite's online
backup, consistent while the server writes; or ``hireproof.pgdump``, ``pg_dump -Fc`` inside one
exported snapshot) and ``manifest.json``: when it was taken, the log's size and root in the
snapshot, the snapshot's applied migrations, the hireproof version, the KEK's id (a hash that
names the KEK without revealing it) and the SHA-256 of each file. The keys go to another folder
(the signing key, the record of the last signed checkpoint, the log's public key history, the
site's secret key); the KEK is never written beside either: by default it is not copied at
all, or, when asked, to a third folder. Files are 0600, folders 0700, and no destination may
lie inside the data folder (a copy of the data folder would then hold its own backups).

The restore (``hireproof.hiring.actions.restore``) first reads the current log
(``current_log``): its size, its last signed checkpoint (in the database and beside the key),
the checkpoints a rollback would supersede, and every erasure it records after the snapshot.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone

from hireproof.audit import keys, witnessing
from hireproof.audit.models import Checkpoint, LogKey, LogLeaf
from hireproof.audit.store import StoredTree, read_head
from hireproof.core.audit import EventType, consistency_proof, parse_leaf, root_of
from hireproof.core.errors import HireproofError
from hireproof.platform.version import hireproof_version

MANIFEST = "manifest.json"
KEYS_MANIFEST = "keys-manifest.json"
SQLITE_FILE = "hireproof.sqlite3"
POSTGRES_FILE = "hireproof.pgdump"
FORMAT = "hireproof-backup/v1"
KEYS_FORMAT = "hireproof-keys-backup/v1"
SIGNING_KEY_FILE = "audit-signing.key"
LAST_SIGNED_FILE = "audit-signing.key.last-signed"
KEY_HISTORY_FILE = "key-history.json"
SECRET_KEY_FILE = "secret-key"  # noqa: S105 (a file name, not a secret)
KEK_FILE = "kek.key"
FILE_MODE = 0o600
FOLDER_MODE = 0o700
_KEK_ID_DOMAIN = b"hireproof/kek-id/v1"


class BackupError(HireproofError):
    """A backup or a restore is refused: a destination, a file, the database in use."""


# --- destinations -------------------------------------------------------------------------------


def check_destinations(database: Path, keys_to: Path | None, kek_to: Path | None) -> None:
    """Refuse destinations inside the data folder, and any two that are the same or nested."""
    data = Path(settings.DATA_DIR).resolve()
    named = [("--to", database), ("--keys-to", keys_to), ("--kek-to", kek_to)]
    chosen = [(flag, path.resolve()) for flag, path in named if path is not None]
    for flag, path in chosen:
        if path.is_relative_to(data):
            raise BackupError(
                f"{flag} {path} lies inside the data folder {data}: a backup there is lost with"
                " the disk it protects, and every copy of the data folder would hold it. Choose"
                " a folder elsewhere (another volume, a backup mount)"
            )
    for position, (flag, path) in enumerate(chosen):
        for other_flag, other in chosen[position + 1 :]:
            if path.is_relative_to(other) or other.is_relative_to(path):
                raise BackupError(
                    f"{flag} {path} and {other_flag} {other} are the same folder or one holds"
                    " the other: each must be a place of its own, so that no copy holds the"
                    " database with the key that decrypts it"
                )
    if kek_to is None:
        return
    kek = keys.kek_path().resolve()
    if database.resolve() == kek.parent or (keys_to and keys_to.resolve() == kek.parent):
        raise BackupError("a destination is the KEK's own folder")


def private_folder(path: Path) -> Path:
    """Create ``path`` (0700) if needed; refuse one that already holds files."""
    path.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    if any(path.iterdir()):
        raise BackupError(f"{path} is not empty: back up into a new folder, never over one")
    os.chmod(path, FOLDER_MODE)
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file ``path``, mode 0600, flushed to disk."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's content, in hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def kek_id() -> str:
    """A name for the KEK that reveals nothing of it: a check that a restore uses the same KEK."""
    return hashlib.sha256(_KEK_ID_DOMAIN + keys.kek_bytes()).hexdigest()[:16]


# --- the manifest -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Manifest:
    """What a backup folder holds, written as ``manifest.json``."""

    created_at: str
    vendor: str
    database_file: str
    log_size: int
    log_root: str
    signed_size: int
    migrations: dict[str, list[str]]
    kek_id: str
    version: str
    files: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, **self.__dict__}, indent=2, sort_keys=True) + "\n"

    @property
    def taken_at(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.created_at)


def read_manifest(folder: Path) -> Manifest:
    """The manifest of a backup folder, every file checked against its SHA-256."""
    path = folder / MANIFEST
    try:
        record = json.loads(path.read_text())
    except FileNotFoundError:
        raise BackupError(f"{folder} is not a hireproof backup: it has no {MANIFEST}") from None
    except (OSError, ValueError) as error:
        raise BackupError(f"cannot read {path}: {error}") from None
    if not isinstance(record, dict) or record.pop("format", None) != FORMAT:
        raise BackupError(f"{path} is not a {FORMAT} manifest")
    try:
        manifest = Manifest(**record)
    except TypeError as error:
        raise BackupError(f"{path}: {error}") from None
    for name, digest in manifest.files.items():
        file = folder / name
        if not file.is_file():
            raise BackupError(f"the backup in {folder} lacks {name}, which its manifest lists")
        if sha256_of(file) != digest:
            raise BackupError(
                f"{file} does not match the SHA-256 its manifest records: the backup was altered"
                " or damaged"
            )
    return manifest


def known_migrations() -> dict[str, list[str]]:
    """Every migration this version of hireproof ships, by app."""
    found: dict[str, list[str]] = {}
    for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations:
        found.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(found.items())}


def _applied(rows: list[tuple[str, str]]) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in rows:
        applied.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


def unknown_migrations(manifest: Manifest) -> list[str]:
    """Migrations the snapshot has applied that this version does not know (a newer version)."""
    known = known_migrations()
    return [
        f"{app}.{name}"
        for app, names in manifest.migrations.items()
        for name in names
        if name not in known.get(app, [])
    ]


# --- taking a backup ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Taken:
    """A backup written: its manifest, the folders, the bytes written and what was left out."""

    manifest: Manifest
    database_bytes: int
    key_files: tuple[Path, ...]
    kek_file: Path | None


def take_backup(to: Path, *, keys_to: Path | None, kek_to: Path | None) -> Taken:
    """Snapshot the database into ``to`` and, if asked, the keys into ``keys_to`` and the KEK
    into ``kek_to`` (three separate places)."""
    check_destinations(to, keys_to, kek_to)
    folder = private_folder(to)
    if connection.vendor == "sqlite":
        manifest = _snapshot_sqlite(folder)
    elif connection.vendor == "postgresql":
        manifest = _snapshot_postgresql(folder)
    else:
        raise BackupError(f"no backup for a {connection.vendor} database")
    write_private(folder / MANIFEST, manifest.to_json().encode())
    key_files = _backup_keys(private_folder(keys_to)) if keys_to is not None else ()
    kek_file = None
    if kek_to is not None:
        kek_file = private_folder(kek_to) / KEK_FILE
        write_private(kek_file, keys.kek_bytes())
    size = sum(path.stat().st_size for path in folder.iterdir())
    return Taken(manifest, size, key_files, kek_file)


def _snapshot_sqlite(folder: Path) -> Manifest:
    target = folder / SQLITE_FILE
    write_private(target, b"")
    connection.ensure_connection()
    source = connection.connection
    copy = sqlite3.Connection(target)
    try:
        # The online backup copies a consistent snapshot while other connections write.
        source.backup(copy, pages=4096)
        copy.execute("PRAGMA journal_mode=DELETE")
        migrations = _applied(copy.execute("SELECT app, name FROM django_migrations").fetchall())
        hashes = [
            bytes(row[0])
            for row in copy.execute('SELECT leaf_hash FROM audit_logleaf ORDER BY "index"')
        ]
        (signed,) = copy.execute("SELECT COALESCE(MAX(size), 0) FROM audit_checkpoint").fetchone()
    finally:
        copy.close()
    return _manifest("sqlite", SQLITE_FILE, hashes, int(signed), migrations, folder)


def postgres_tool(name: str) -> str:
    """The path of a PostgreSQL client tool: on PATH, or the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda path: int(path.parent.parent.name) if path.parent.parent.name.isdigit() else 0,
    )
    if not candidates:
        raise BackupError(
            f"{name} was not found on PATH or in /usr/lib/postgresql/*/bin: install the"
            " PostgreSQL client tools (the package postgresql-client)"
        )
    return str(candidates[-1])


def postgres_environment(database: Mapping[str, Any], name: str | None = None) -> dict[str, str]:
    """The libpq environment of the tools for ``database`` (``name`` to name another one)."""
    environment = dict(os.environ)
    values = {
        "PGHOST": database.get("HOST"),
        "PGPORT": database.get("PORT"),
        "PGUSER": database.get("USER"),
        "PGPASSWORD": database.get("PASSWORD"),
        "PGDATABASE": name or database.get("NAME"),
    }
    environment.update({key: str(value) for key, value in values.items() if value})
    return environment


def _snapshot_postgresql(folder: Path) -> Manifest:
    target = folder / POSTGRES_FILE
    write_private(target, b"")
    with connection.cursor() as cursor:
        # One exported snapshot: pg_dump and the manifest's figures read the same state.
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone()
            cursor.execute("SELECT app, name FROM django_migrations")
            migrations = _applied(cursor.fetchall())
            cursor.execute('SELECT leaf_hash FROM audit_logleaf ORDER BY "index"')
            hashes = [bytes(row[0]) for row in cursor.fetchall()]
            cursor.execute("SELECT COALESCE(MAX(size), 0) FROM audit_checkpoint")
            (signed,) = cursor.fetchone()
            done = subprocess.run(
                [postgres_tool("pg_dump"), "-Fc", f"--snapshot={snapshot}", "-f", str(target)],
                env=postgres_environment(connection.settings_dict),
                capture_output=True,
                text=True,
                check=False,
            )
        finally:
            cursor.execute("COMMIT")
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    return _manifest("postgresql", POSTGRES_FILE, hashes, int(signed), migrations, folder)


def _manifest(
    vendor: str,
    name: str,
    hashes: list[bytes],
    signed: int,
    migrations: dict[str, list[str]],
    folder: Path,
) -> Manifest:
    os.chmod(folder / name, FILE_MODE)
    return Manifest(
        created_at=timezone.now().isoformat(),
        vendor=vendor,
        database_file=name,
        log_size=len(hashes),
        log_root=root_of(hashes).hex(),
        signed_size=signed,
        migrations=migrations,
        kek_id=kek_id(),
        version=hireproof_version(),
        files={name: sha256_of(folder / name)},
    )


def _backup_keys(folder: Path) -> tuple[Path, ...]:
    written: dict[str, Path] = {}
    signing = keys.signing_key_path()
    sources = {
        SIGNING_KEY_FILE: signing,
        LAST_SIGNED_FILE: signing.with_name(f"{signing.name}.last-signed"),
        SECRET_KEY_FILE: Path(settings.DATA_DIR) / "secret-key",
    }
    for name, source in sources.items():
        if source.is_file():
            write_private(folder / name, source.read_bytes())
            written[name] = folder / name
    history = [
        {
            "vkey": key.vkey,
            "first_leaf_index": key.first_leaf_index,
            "retired": bool(key.retired_at),
        }
        for key in LogKey.objects.order_by("first_leaf_index")
    ]
    write_private(folder / KEY_HISTORY_FILE, (json.dumps(history, indent=2) + "\n").encode())
    written[KEY_HISTORY_FILE] = folder / KEY_HISTORY_FILE
    record = {
        "format": KEYS_FORMAT,
        "created_at": timezone.now().isoformat(),
        "files": {name: sha256_of(path) for name, path in written.items()},
    }
    write_private(folder / KEYS_MANIFEST, (json.dumps(record, indent=2) + "\n").encode())
    return (*written.values(), folder / KEYS_MANIFEST)


def read_keys_backup(folder: Path) -> dict[str, bytes]:
    """The files of a keys backup, each checked against its SHA-256."""
    path = folder / KEYS_MANIFEST
    try:
        record = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{folder} is not a hireproof keys backup: {error}") from None
    if not isinstance(record, dict) or record.get("format") != KEYS_FORMAT:
        raise BackupError(f"{path} is not a {KEYS_FORMAT} manifest")
    found = {}
    for name, digest in dict(record.get("files", {})).items():
        data = (folder / name).read_bytes()
        if hashlib.sha256(data).hexdigest() != digest:
            raise BackupError(f"{folder / name} does not match the SHA-256 its manifest records")
        found[str(name)] = data
    return found


# --- what a restore reads first -----------------------------------------------------------------


@dataclass(frozen=True)
class Erasure:
    """A ``subject.erased`` event of the current log."""

    index: int
    pseudonym: str
    basis: str


@dataclass(frozen=True)
class Superseded:
    """A checkpoint signed over leaves a restore loses, and its consistency proof to the last
    one signed (empty for the last one itself)."""

    size: int
    root: bytes
    note: str
    signed_at: dt.datetime
    key_id: str
    proof: tuple[bytes, ...]


@dataclass(frozen=True)
class CurrentLog:
    """The log as it stands before a restore replaces the database."""

    size: int
    signed: keys.SignedHead | None
    root_at_snapshot: bytes | None
    superseded: tuple[Superseded, ...]
    erasures: tuple[Erasure, ...]
    proof_from_snapshot: tuple[bytes, ...]
    active_key_ids: tuple[str, ...]


def current_log(snapshot_size: int, *, database_present: bool = True) -> CurrentLog:
    """Read the current log: what a restore to a snapshot of ``snapshot_size`` leaves loses."""
    remembered = keys.last_signed_head()
    if not database_present:
        return CurrentLog(0, remembered, None, (), (), (), ())
    size = read_head().size
    latest = Checkpoint.objects.order_by("-size", "-id").first()
    signed = remembered
    if latest is not None and (signed is None or latest.size > signed.size):
        signed = keys.SignedHead(size=latest.size, root=bytes(latest.root))
    tree = StoredTree()
    root_at_snapshot = tree.root(snapshot_size) if snapshot_size <= size else None
    superseded: list[Superseded] = []
    proof_from_snapshot: tuple[bytes, ...] = ()
    if signed is not None and signed.size > snapshot_size and signed.size <= size:
        last = signed.size
        for row in Checkpoint.objects.filter(size__gt=snapshot_size).order_by("size", "id"):
            (note,) = witnessing.cosigned_notes([row])
            proof = tuple(consistency_proof(tree, row.size, last)) if row.size < last else ()
            superseded.append(
                Superseded(row.size, bytes(row.root), note, row.signed_at, row.key_id, proof)
            )
        if snapshot_size:
            proof_from_snapshot = tuple(consistency_proof(tree, snapshot_size, last))
    erasures = tuple(
        _erasure(index, bytes(data))
        for index, data in LogLeaf.objects.filter(
            index__gte=snapshot_size, event_type=str(EventType.SUBJECT_ERASED)
        ).values_list("index", "data")
    )
    active = tuple(LogKey.objects.filter(retired_at__isnull=True).values_list("key_id", flat=True))
    return CurrentLog(
        size, signed, root_at_snapshot, tuple(superseded), erasures, proof_from_snapshot, active
    )


def _erasure(index: int, data: bytes) -> Erasure:
    leaf = parse_leaf(data)
    return Erasure(index, str(leaf.subject), str(leaf.public.get("basis", "")))


# --- the database in use ------------------------------------------------------------------------

# SQLite's unix VFS: every connection to a WAL database holds a shared lock on this byte of the
# -shm file for as long as it is open ("DMS", the dead-man switch).
_SQLITE_DMS_OFFSET = 128


def refuse_sqlite_in_use(path: Path) -> None:
    """Refuse (``BackupError``) while another process has the SQLite database open.

    Closes this process's connections first: the check takes, then drops, the lock every open
    connection shares, which would drop this process's own SQLite locks on the file too.
    """
    connections.close_all()
    shm = Path(f"{path}-shm")
    if not shm.exists():
        return
    descriptor = os.open(shm, os.O_RDWR)
    try:
        fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, _SQLITE_DMS_OFFSET)
    except OSError:
        raise BackupError(
            f"the database {path} is in use by another process (a server, a worker, a"
            " shell): stop every hireproof process first, then restore"
        ) from None
    finally:
        os.close(descriptor)


def postgres_sessions(name: str) -> int:
    """How many other client sessions are connected to the PostgreSQL database ``name``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
            " AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
            [name],
        )
        (count,) = cursor.fetchone()
    return int(count)


def use_database(name: str) -> None:
    """Point this process's database connection at ``name`` (a file on SQLite)."""
    connections.close_all()
    connection.settings_dict["NAME"] = name


def sqlite_copy(snapshot: Path, beside: Path) -> Path:
    """A private copy of ``snapshot`` in the folder of ``beside``, to restore into."""
    descriptor, name = tempfile.mkstemp(dir=beside.parent, prefix=f".{beside.name}.restoring-")
    os.close(descriptor)
    os.chmod(name, FILE_MODE)
    shutil.copyfile(snapshot, name)
    return Path(name)


def fold_sqlite_wal(path: Path) -> None:
    """Copy every page of ``path``'s write-ahead log into the file and empty the log."""
    if not path.exists():
        return
    link = sqlite3.Connection(path)
    try:
        busy, _, _ = link.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        link.close()
    if busy:
        raise BackupError(f"the database {path} is in use by another process: stop it first")
