"""Key files kept outside the database: the log's Ed25519 signing key and the KEK.

Both are created on first use (parent folder 0700, file 0600) at the paths in
``settings.HIREPROOF_AUDIT_SIGNING_KEY`` and ``settings.HIREPROOF_KEK``. Each file holds exactly
32 raw bytes. A database backup therefore never contains a key, and a stolen database alone
can neither forge checkpoints nor decrypt personal data.

Next to the signing key, ``<key file>.last-signed`` remembers the size and root of the last
checkpoint this key holder signed. It lives outside the database on purpose: a database
restored from an old backup carries its own (old) checkpoints, so only a record kept elsewhere
can notice that the restored log is about to fork from what was already published.

After a rotation the retired private key is destroyed (``destroy_key_file``: overwritten with
zeros, flushed to disk, unlinked) once the rotation commits; its public half stays in the log
and in ``LogKey``. Every process that serves or writes destroys any retired key a crash left
behind once the log records its retirement, and refuses to start while a key file or its
folder is open to other users (``hireproof.audit.startup``).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import glob
import json
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from hireproof.core.errors import HireproofError

KEY_SIZE = 32
KEY_FILE_MODE = 0o600
KEY_FOLDER_MODE = 0o700
RETIRED_MARK = ".retired-"
# Keyed by path and checked against the file's identity, so a key file replaced by another
# process (``hireproof audit rotate-key`` while the server runs) is read again.
_cache: dict[Path, tuple[tuple[int, int], bytes]] = {}


class KeyFileError(HireproofError):
    """A key file is missing, unreadable or malformed."""


@dataclass(frozen=True)
class SignedHead:
    """The size and root of the last checkpoint the key holder signed."""

    size: int
    root: bytes


def signing_key_path() -> Path:
    """Where the log's Ed25519 signing key lives."""
    return Path(settings.HIREPROOF_AUDIT_SIGNING_KEY)


def kek_path() -> Path:
    """Where the key-encryption key lives."""
    return Path(settings.HIREPROOF_KEK)


def signing_key_bytes() -> bytes:
    """The current signing key's 32 raw bytes, creating the key file on first use."""
    return _load_or_create(signing_key_path(), "audit signing key")


def kek_bytes() -> bytes:
    """The key-encryption key's 32 raw bytes, creating the key file on first use."""
    return _load_or_create(kek_path(), "key-encryption key")


def _load_or_create(path: Path, what: str) -> bytes:
    cached = _cache.get(path)
    if cached is not None and cached[0] == _identity(path):
        return cached[1]
    # If the file exists (created earlier, or by another process a moment ago), read it.
    with contextlib.suppress(FileExistsError):
        _write_new_key_file(path, secrets.token_bytes(KEY_SIZE))
    identity = _identity(path)
    raw = _read_key_file(path, what)
    _cache[path] = (identity, raw)
    return raw


def _identity(path: Path) -> tuple[int, int]:
    """Which file is at ``path`` now (inode, change time); (0, 0) if none."""
    try:
        status = path.stat()
    except OSError:
        return (0, 0)
    return (status.st_ino, status.st_mtime_ns)


def _write_new_key_file(path: Path, raw: bytes) -> None:
    """Create ``path`` holding ``raw`` with mode 0600; ``FileExistsError`` if it is there."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(raw)
        handle.flush()
        os.fsync(handle.fileno())


def _read_key_file(path: Path, what: str) -> bytes:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise KeyFileError(f"cannot read the {what} at {path}: {error.strerror}") from None
    if len(raw) != KEY_SIZE:
        raise KeyFileError(
            f"the {what} at {path} holds {len(raw)} bytes; a key file holds exactly {KEY_SIZE}"
        )
    return raw


def replace_signing_key(new_raw: bytes, retired_suffix: str) -> Path:
    """Move the current signing key aside to ``<path>.retired-<suffix>`` and install ``new_raw``.

    Returns the retired file's path. The caller destroys it (``destroy_key_file``) once the
    rotation commits, or puts it back (``restore_signing_key``) if the rotation fails.
    """
    path = signing_key_path()
    retired = path.with_name(f"{path.name}{RETIRED_MARK}{retired_suffix}")
    if retired.exists():
        raise KeyFileError(f"{retired} already exists; refusing to overwrite a retired key")
    os.replace(path, retired)
    _cache.pop(path, None)
    _write_new_key_file(path, new_raw)
    return retired


def restore_signing_key(retired: Path) -> None:
    """Undo ``replace_signing_key``: put the retired key file back (a rotation rolled back)."""
    path = signing_key_path()
    os.replace(retired, path)
    _cache.pop(path, None)


def destroy_key_file(path: Path) -> None:
    """Overwrite ``path`` with zeros, flush it to disk, unlink it and flush its folder.

    On a copy-on-write or journalling file system old blocks may survive the overwrite; the
    unlink still takes the file out of every later backup of the keys folder.
    """
    with open(path, "r+b") as handle:
        size = os.fstat(handle.fileno()).st_size
        handle.write(b"\0" * size)
        handle.flush()
        os.fsync(handle.fileno())
    path.unlink()
    _cache.pop(path, None)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def retired_signing_keys() -> list[Path]:
    """Retired private signing keys still on disk (a rotation that crashed before cleaning up)."""
    path = signing_key_path()
    return sorted(path.parent.glob(f"{glob.escape(path.name)}{RETIRED_MARK}*"))


def check_key_files() -> None:
    """Refuse (``KeyFileError``) a key file readable by others or a key folder open to others.

    Key files must be 0600 (or stricter) and their folders 0700; the message names the file,
    its mode and the ``chmod`` that fixes it. Files not created yet are skipped: they are
    created with those modes on first use.
    """
    for path, what in ((signing_key_path(), "audit signing key"), (kek_path(), "KEK")):
        if not path.exists():
            continue
        require_private(path.parent, f"the folder of the {what}", KEY_FOLDER_MODE)
        require_private(path, f"the {what}", KEY_FILE_MODE)


def kek_placement_problem() -> str | None:
    """Why the KEK's place is unsafe, in words, or ``None``: it must not lie in the data folder.

    A copy of the data folder (a backup, a stolen disk image) would then hold the database and
    the key that decrypts every candidate's personal data in it, together.
    """
    kek = kek_path().resolve()
    data = Path(settings.DATA_DIR).resolve()
    if not kek.is_relative_to(data):
        return None
    return (
        f"HIREPROOF_KEK={kek_path()} lies inside the data folder {data}: a copy of that folder"
        " would hold the database and the key that decrypts its personal data together. Keep"
        " the KEK on another volume or a secrets mount (for example /run/secrets/hireproof-kek,"
        " mode 0600 in a 0700 folder) and set HIREPROOF_KEK to its path"
    )


def require_private(path: Path, what: str, wanted: int) -> None:
    """Refuse (``KeyFileError``) ``path`` if its mode opens it to anyone but its owner."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise KeyFileError(
            f"{what} {path} has mode {mode:04o}, open to other users; it must be"
            f" {wanted:04o}: run  chmod {wanted:o} {path}"
        )


def forget_cached_keys() -> None:
    """Drop every cached key, so the next use reads the files again (tests, key changes)."""
    _cache.clear()


# --- the last signed head, kept beside the signing key -------------------------------------------


def _last_signed_path() -> Path:
    path = signing_key_path()
    return path.with_name(f"{path.name}.last-signed")


def last_signed_head() -> SignedHead | None:
    """The last checkpoint this key holder signed, or None if it has no record."""
    path = _last_signed_path()
    try:
        record = json.loads(path.read_text())
        return SignedHead(size=int(record["size"]), root=base64.b64decode(record["root"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise KeyFileError(f"cannot read the last signed checkpoint at {path}: {error}") from None


def remember_signed_head(head: SignedHead) -> None:
    """Record ``head`` as the last signed checkpoint, unless a larger one is already recorded.

    Called after the transaction that stored the checkpoint commits; a lock on the file keeps
    two processes from moving the record backwards.
    """
    path = _last_signed_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(path.with_name(f"{path.name}.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current = last_signed_head()
        if current is not None and current.size >= head.size:
            return
        staging = path.with_name(f"{path.name}.new")
        staging.write_text(
            json.dumps({"size": head.size, "root": base64.b64encode(head.root).decode()})
        )
        os.replace(staging, path)


def replace_signed_head(head: SignedHead) -> None:
    """Record ``head`` as the last signed checkpoint even if it is smaller than the one recorded:
    only after a restore the log declares (``log.restored``), which names the one it replaces."""
    path = _last_signed_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with open(path.with_name(f"{path.name}.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        staging = path.with_name(f"{path.name}.new")
        staging.write_text(
            json.dumps({"size": head.size, "root": base64.b64encode(head.root).decode()})
        )
        os.replace(staging, path)
