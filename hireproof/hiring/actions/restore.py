"""Restoring a backup (``hireproof restore``): the snapshot back, and no erased candidate with it.

``do_restore_backup`` reads the CURRENT log before replacing anything: its size, its last signed
checkpoint (in the database and the record beside the signing key), the checkpoints a rollback
would supersede, and every ``subject.erased`` event after the snapshot. It refuses a restore
that would roll the log back past a signed checkpoint unless the operator confirms it
(``confirm_rollback``). Then it restores the snapshot into a new copy (a temporary file beside
the SQLite database; a new PostgreSQL database), and in that copy, in one transaction, erases
again every candidate erased after the snapshot (the same erasure, so their keys are destroyed
and their rows cleared) and, after a rollback, records ``log.restored`` and signs a checkpoint.
Only then does the copy replace the database (a rename of the file, or of the databases): a
failure at any step before leaves the current database as it was.

The task queue lives in the same database, so the restored queue is the snapshot's own: every
task in it names rows the snapshot holds. Tasks it had queued that ran after the snapshot run
again (each task is idempotent, delivery is at least once); among them, emails still waiting
in the snapshot's outbox are sent again, except those about candidates erased since (the
erasure cancels them).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

from django.core.management import call_command
from django.db import connection, connections, transaction

from hireproof.audit import backup, checkpoints, keys
from hireproof.audit.actions import do_erase_subject, do_record_restore
from hireproof.audit.backup import BackupError, CurrentLog, Erasure, Manifest
from hireproof.audit.models import Checkpoint, LogKey, Subject
from hireproof.audit.store import read_head
from hireproof.core.audit import signer_from_key_bytes, vkey_of
from hireproof.hiring.actions.erasure import do_reapply_erasure
from hireproof.hiring.models.candidates import Candidate


@dataclass(frozen=True)
class Restored:
    """What a restore did: the snapshot's log size, the leaves it lost, the erasures applied
    again (and those whose candidate the snapshot does not hold), the declared restore."""

    manifest: Manifest
    lost: range
    erased_again: tuple[str, ...]
    not_in_snapshot: tuple[str, ...]
    restored_leaf: int | None
    checkpoint_size: int | None
    key_installed: bool


def do_restore_backup(
    folder: Path, *, keys_from: Path | None = None, confirm_rollback: bool = False
) -> Restored:
    """Restore the backup in ``folder`` over the current database; see the module's text."""
    manifest = backup.read_manifest(folder)
    if manifest.vendor != connection.vendor:
        raise BackupError(
            f"the backup in {folder} is of a {manifest.vendor} database; this site uses"
            f" {connection.vendor}"
        )
    newer = backup.unknown_migrations(manifest)
    if newer:
        raise BackupError(
            f"the backup was taken by a newer hireproof ({manifest.version}): its database has"
            f" migrations this version does not know ({', '.join(newer[:5])}). Restore it with"
            " that version"
        )
    if manifest.kek_id != backup.kek_id():
        raise BackupError(
            f"the backup was taken under another KEK (id {manifest.kek_id}; HIREPROOF_KEK now"
            f" holds {backup.kek_id()}): none of its sealed values would open. Put back the KEK"
            " the site used when the backup was taken"
        )
    original = str(connection.settings_dict["NAME"])
    present = _database_present(original)
    if connection.vendor == "sqlite":
        backup.refuse_sqlite_in_use(Path(original))
    elif backup.postgres_sessions(original):
        raise BackupError(
            f"the database {original} is in use by other sessions: stop every hireproof process"
            " (servers, workers) first, then restore"
        )
    current = backup.current_log(manifest.log_size, database_present=present)
    _refuse_foreign(current, manifest)
    lost = range(manifest.log_size, max(current.size, manifest.log_size))
    rolled_back = current.signed is not None and current.signed.size > manifest.log_size
    if rolled_back and not confirm_rollback:
        assert current.signed is not None
        raise BackupError(
            f"the snapshot's log holds {manifest.log_size} leaves, but a checkpoint over"
            f" {current.signed.size} was already signed (and may have been witnessed or given"
            f" in receipts): restoring loses leaves {manifest.log_size}-{lost.stop - 1}, and"
            " auditors holding that checkpoint would see the log fork. If that is what you"
            " want, run again with --confirm-rollback: the log then records the lost range"
            " (log.restored), so a verifier sees a declared gap"
        )
    if connection.vendor == "sqlite":
        return _restore_sqlite(folder, manifest, current, keys_from, lost, rolled_back)
    return _restore_postgresql(folder, manifest, current, keys_from, lost, rolled_back)


def _database_present(name: str) -> bool:
    if connection.vendor == "sqlite" and not Path(name).exists():
        return False
    try:
        read_head()
    except Exception:  # no database, or no tables yet: nothing of the current log to read
        connections.close_all()
        return False
    return True


def _refuse_foreign(current: CurrentLog, manifest: Manifest) -> None:
    if current.root_at_snapshot is None:
        return
    if current.root_at_snapshot.hex() != manifest.log_root:
        raise BackupError(
            f"the snapshot's log is not the beginning of this site's log: their first"
            f" {manifest.log_size} leaves differ. It is another site's backup, or this log was"
            " itself restored from another copy since; refusing to mix the two"
        )


def _restore_sqlite(
    folder: Path,
    manifest: Manifest,
    current: CurrentLog,
    keys_from: Path | None,
    lost: range,
    rolled_back: bool,
) -> Restored:
    original = Path(str(connection.settings_dict["NAME"]))
    copy = backup.sqlite_copy(folder / manifest.database_file, original)
    installed: Path | None = None
    try:
        backup.use_database(str(copy))
        result, installed = _apply(manifest, current, keys_from, lost, rolled_back)
        backup.use_database(str(original))
        backup.fold_sqlite_wal(copy)
        if original.exists():
            backup.refuse_sqlite_in_use(original)
            backup.fold_sqlite_wal(original)
        os.replace(copy, original)
        for suffix in ("-wal", "-shm"):
            Path(f"{original}{suffix}").unlink(missing_ok=True)
        _sync_folder(original.parent)
    except BaseException:
        backup.use_database(str(original))
        copy.unlink(missing_ok=True)
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
        _put_back_key(installed)
        raise
    return _finish(result, installed)


def _restore_postgresql(
    folder: Path,
    manifest: Manifest,
    current: CurrentLog,
    keys_from: Path | None,
    lost: range,
    rolled_back: bool,
) -> Restored:
    database = dict(connection.settings_dict)
    original = str(database["NAME"])
    staging = f"{original}_restoring"
    _maintenance(database, f'DROP DATABASE IF EXISTS "{staging}"', f'CREATE DATABASE "{staging}"')
    installed: Path | None = None
    try:
        done = subprocess.run(
            [
                backup.postgres_tool("pg_restore"),
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={staging}",
                str(folder / manifest.database_file),
            ],
            env=backup.postgres_environment(database, staging),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise BackupError(f"pg_restore failed: {done.stderr.strip()}")
        backup.use_database(staging)
        result, installed = _apply(manifest, current, keys_from, lost, rolled_back)
        backup.use_database(original)
        if backup.postgres_sessions(original):
            raise BackupError(f"the database {original} is in use again: nothing was replaced")
        connections.close_all()
        retired = f"{original}_before_restore"
        _maintenance(
            database,
            f'DROP DATABASE IF EXISTS "{retired}"',
            f'ALTER DATABASE "{original}" RENAME TO "{retired}"',
            f'ALTER DATABASE "{staging}" RENAME TO "{original}"',
            f'DROP DATABASE "{retired}"',
        )
    except BaseException:
        backup.use_database(original)
        connections.close_all()
        with contextlib.suppress(Exception):
            _maintenance(database, f'DROP DATABASE IF EXISTS "{staging}"')
        _put_back_key(installed)
        raise
    return _finish(result, installed)


def _maintenance(database: dict[str, object], *statements: str) -> None:
    """Run statements, each in its own transaction, on the server's maintenance database."""
    command = [backup.postgres_tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1"]
    for statement in statements:
        command += ["-c", statement]
    done = subprocess.run(
        command,
        env=backup.postgres_environment(database, "postgres"),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(f"PostgreSQL refused {statements[-1]!r}: {done.stderr.strip()}")


def _apply(
    manifest: Manifest,
    current: CurrentLog,
    keys_from: Path | None,
    lost: range,
    rolled_back: bool,
) -> tuple[Restored, Path | None]:
    """In the restored copy: migrate it, make sure the signing key is the one it names, erase
    again, and declare the rollback. Returns what was done and the key file moved aside."""
    call_command("migrate", interactive=False, verbosity=0)
    installed = _signing_key_for_restored_log(keys_from)
    erased_again: list[str] = []
    absent: list[str] = []
    restored_leaf = checkpoint_size = None
    with transaction.atomic():
        for erasure in current.erasures:
            (erased_again if _erase_again(erasure) else absent).append(erasure.pseudonym)
        if rolled_back:
            checkpoint = do_record_restore(
                current, snapshot_size=manifest.log_size, snapshot_at=manifest.created_at
            )
            restored_leaf, checkpoint_size = checkpoint.size - 1, checkpoint.size
    result = Restored(
        manifest=manifest,
        lost=lost,
        erased_again=tuple(erased_again),
        not_in_snapshot=tuple(absent),
        restored_leaf=restored_leaf,
        checkpoint_size=checkpoint_size,
        key_installed=installed is not None,
    )
    return result, installed


def _erase_again(erasure: Erasure) -> bool:
    subject = Subject.objects.filter(pseudonym=erasure.pseudonym).first()
    if subject is None:
        return False  # added after the snapshot: the restored database never held them
    if subject.is_erased:
        return True
    candidate = Candidate.objects.filter(subject=subject).first()
    if candidate is not None:
        do_reapply_erasure(candidate=candidate, basis=erasure.basis)
    else:
        do_erase_subject(subject, actor="cli", basis=erasure.basis)
    return True


def _signing_key_for_restored_log(keys_from: Path | None) -> Path | None:
    """Make sure the key file holds a key the restored log names as current.

    Returns the path the previous key file was moved to when the keys backup's key was put in
    its place (so a failed restore can put it back), else None.
    """
    active = set(LogKey.objects.filter(retired_at__isnull=True).values_list("key_id", flat=True))
    if not active:
        return None  # a log not created yet: its first key is the current one
    path = keys.signing_key_path()
    if path.exists() and checkpoints.key_id_of_vkey(checkpoints.current_vkey()) in active:
        return None
    backed_up = (
        backup.read_keys_backup(keys_from).get(backup.SIGNING_KEY_FILE) if keys_from else None
    )
    if backed_up is None or _key_id(backed_up) not in active:
        raise BackupError(
            f"the restored log signs with key {', '.join(sorted(active))}, and the key file"
            f" {path} holds another (the key was rotated after the backup). Give the keys backup"
            " taken with this snapshot: --keys-from DIR"
        )
    aside = path.with_name(f"{path.name}.before-restore")
    if path.exists():
        if aside.exists():
            raise BackupError(f"{aside} exists: move it away first (it may be a key you need)")
        os.replace(path, aside)
    keys.forget_cached_keys()
    backup.write_private(path, backed_up)
    return aside if aside.exists() else path


def _key_id(raw: bytes) -> str:
    return checkpoints.key_id_of_vkey(vkey_of(signer_from_key_bytes(checkpoints.log_origin(), raw)))


def _put_back_key(installed: Path | None) -> None:
    """Undo ``_signing_key_for_restored_log``: the previous key file back (or none, as before)."""
    if installed is None:
        return
    path = keys.signing_key_path()
    if installed == path:
        path.unlink(missing_ok=True)
    else:
        os.replace(installed, path)
    keys.forget_cached_keys()


def _finish(result: Restored, installed: Path | None) -> Restored:
    """After the swap: the key holder's record of the last signed checkpoint follows the
    declared restore (it would otherwise keep naming the superseded one)."""
    if result.checkpoint_size is not None:
        latest = Checkpoint.objects.order_by("-size", "-id").first()
        if latest is not None:
            keys.replace_signed_head(keys.SignedHead(size=latest.size, root=bytes(latest.root)))
    return replace(result, key_installed=installed is not None)


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
