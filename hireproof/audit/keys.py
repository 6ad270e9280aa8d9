"""Key files kept outside the database: the log's Ed25519 signing key and the KEK.

Both are created on first use (parent folder 0700, file 0600) at the paths in
``settings.HIREPROOF_AUDIT_SIGNING_KEY`` and ``settings.HIREPROOF_KEK``. Each file holds exactly
32 raw bytes. A database backup therefore never contains a key, and a stolen database alone
can neither forge checkpoints nor decrypt personal data.

Next to the signing key, ``<key file>.last-signed`` remembers the size and root of the last
checkpoint this key holder signed. It lives outside the database on purpose: a database
restored from an old backup carries its own (old) checkpoints, so only a record kept elsewhere
can notice that the restored log is about to fork from what was already published.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from hireproof.core.errors import HireproofError

KEY_SIZE = 32
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

    Returns the retired file's path. The old key file is kept (not deleted) so checkpoints it
    signed can still be explained, and so a failed rotation can be undone by hand.
    """
    path = signing_key_path()
    retired = path.with_name(f"{path.name}.retired-{retired_suffix}")
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
