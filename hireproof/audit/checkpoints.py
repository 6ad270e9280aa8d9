"""Signing checkpoints: within seconds of the oldest unsigned leaf, and on demand.

The log's unsigned window is the time its oldest unsigned leaf has waited for a checkpoint:
until one covers it, whoever holds the database could rewrite it and the next checkpoint would
sign the rewrite. The signing tasks (``checkpointer``) keep it under
``HIREPROOF_CHECKPOINT_SECONDS``, batching every leaf that arrived meanwhile into one signature;
an action a candidate or a decision depends on asks for a checkpoint as it commits; a receipt
cites ``checkpoint_covering(leaf)``, signing one on the spot if none covers the leaf yet.

Before any signature the new tree head is checked against the last checkpoint signed, both the
one stored in the database and the one the key holder remembers beside the key file
(``keys.last_signed_head``). A database restored from an old backup and appended to again
forms a different tree: no consistency proof joins it to what was signed, and signing is refused
with ``ForkError`` instead of publishing two histories. The one exception is a restore the log
itself declares: a ``log.restored`` leaf naming that checkpoint's size and root (written by
``hireproof restore --confirm-rollback``) says those leaves were lost on purpose, and signing
the restored log goes on from there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hireproof.audit import keys
from hireproof.audit.models import Checkpoint, LogKey, LogLeaf
from hireproof.audit.store import (
    StoredTree,
    aware_datetime,
    fetch_one,
    read_head,
    resume_compact_range,
    take_writer_lock,
)
from hireproof.core.audit import (
    Checkpoint as CheckpointBody,
)
from hireproof.core.audit import (
    EventType,
    Signer,
    check_extends,
    consistency_proof,
    parse_leaf,
    sign_checkpoint,
    signer_from_key_bytes,
    vkey_of,
)
from hireproof.core.errors import AuditError, ForkError

_SIGNED_SIZE = "SELECT MAX(size) FROM audit_checkpoint"
_LEAF_TIME = 'SELECT recorded_at FROM audit_logleaf WHERE "index" = %s'


def log_origin() -> str:
    """The log's name in its checkpoints, which is also its key name."""
    return str(settings.HIREPROOF_LOG_ORIGIN)


def current_signer() -> Signer:
    """The signer built from the key file (created on first use)."""
    return signer_from_key_bytes(log_origin(), keys.signing_key_bytes())


def current_vkey() -> str:
    """The vkey string of the current signing key: what auditors are given to trust."""
    return vkey_of(current_signer())


def key_id_of_vkey(vkey: str) -> str:
    """The hex key id inside a vkey string (``name+keyid+key``)."""
    return vkey.split("+", 2)[1]


def latest_checkpoint() -> Checkpoint | None:
    """The checkpoint over the most leaves (the latest signed if several share that size)."""
    return Checkpoint.objects.order_by("-size", "-id").first()


def sign_checkpoint_now() -> Checkpoint:
    """Sign a checkpoint over the whole log as it stands; ``ForkError`` if it would fork.

    Opens its own transaction and takes the writer lock, so no append slips in between reading
    the head and signing it.
    """
    with transaction.atomic():
        take_writer_lock()
        head = read_head()
        if head.size == 0:
            raise AuditError("the log is empty: there is nothing to sign yet")
        root = resume_compact_range(head).root()
        return sign_head(head.size, root)


def sign_checkpoint_if_due(*, urgent: bool = False) -> Checkpoint | None:
    """Sign a checkpoint over the whole log if one is due now (any unsigned leaf if ``urgent``).

    Takes the writer lock, so the head it signs is the head it looked at.
    """
    with transaction.atomic():
        take_writer_lock()
        head = read_head()
        if head.size == 0:
            return None
        if not (unsigned_window().unsigned if urgent else checkpoint_due(head.size)):
            return None
        return sign_head(head.size, resume_compact_range(head).root())


def checkpoint_covering(leaf_index: int) -> Checkpoint:
    """The smallest checkpoint whose tree holds ``leaf_index``, signed now if there is none.

    What a receipt cites, so its inclusion proof is always against a signed root. Raises
    ``AuditError`` for a leaf the log does not hold, ``ForkError`` if signing would fork.
    """
    if leaf_index < 0:
        raise AuditError(f"leaf index {leaf_index} is not a whole number >= 0")
    found = _smallest_covering(leaf_index)
    if found is not None:
        return found
    with transaction.atomic():
        take_writer_lock()
        # Another writer may have signed while this one waited for the lock.
        found = _smallest_covering(leaf_index)
        if found is not None:
            return found
        head = read_head()
        if leaf_index >= head.size:
            raise AuditError(
                f"the log has no leaf {leaf_index} (it holds {head.size} leaves, from 0):"
                " no checkpoint can cover it"
            )
        return sign_head(head.size, resume_compact_range(head).root())


def _smallest_covering(leaf_index: int) -> Checkpoint | None:
    return Checkpoint.objects.filter(size__gt=leaf_index).order_by("size", "id").first()


@dataclass(frozen=True)
class UnsignedWindow:
    """The leaves no checkpoint covers yet: ``[signed_size, size)``, the oldest recorded at
    ``oldest_at`` (None when every leaf is signed)."""

    signed_size: int
    size: int
    oldest_at: datetime | None

    @property
    def unsigned(self) -> int:
        """How many leaves wait for a checkpoint."""
        return self.size - self.signed_size

    def age(self, now: datetime | None = None) -> float:
        """Seconds the oldest unsigned leaf has waited (0 when every leaf is signed)."""
        if self.oldest_at is None:
            return 0.0
        return max(0.0, ((now or timezone.now()) - self.oldest_at).total_seconds())


def unsigned_window() -> UnsignedWindow:
    """The log's unsigned leaves as committed now, from three indexed reads."""
    size = read_head().size
    signed = fetch_one(_SIGNED_SIZE)
    signed_size = int(signed[0]) if signed and signed[0] is not None else 0
    if signed_size >= size:
        return UnsignedWindow(signed_size=signed_size, size=size, oldest_at=None)
    oldest = fetch_one(_LEAF_TIME, [signed_size])
    oldest_at = aware_datetime(oldest[0]) if oldest else None
    return UnsignedWindow(signed_size=signed_size, size=size, oldest_at=oldest_at)


def checkpoint_due(size: int) -> bool:
    """Whether a log of ``size`` leaves needs a checkpoint now: none was ever signed, or
    ``HIREPROOF_CHECKPOINT_EVERY`` leaves wait, or the oldest unsigned leaf has waited
    ``HIREPROOF_CHECKPOINT_SECONDS``."""
    window = unsigned_window()
    if window.signed_size == 0:
        return size > 0
    if size - window.signed_size >= settings.HIREPROOF_CHECKPOINT_EVERY:
        return True
    if window.oldest_at is None:
        return False
    waited = timezone.now() - window.oldest_at
    return waited >= timedelta(seconds=settings.HIREPROOF_CHECKPOINT_SECONDS)


def sign_head(size: int, root: bytes, signer: Signer | None = None) -> Checkpoint:
    """Sign and store the checkpoint (``size``, ``root``) after the fork checks.

    Must run inside the writer's transaction. The key holder's record of the last signed head
    moves forward only once that transaction commits, so a rolled-back action leaves no trace.
    """
    signer = signer or current_signer()
    key_id = _require_registered(signer)
    new = CheckpointBody(log_origin(), size, root)
    _refuse_fork(new)
    row = Checkpoint.objects.create(
        size=size,
        root=root,
        note=sign_checkpoint(signer, new),
        signed_at=timezone.now(),
        key_id=key_id,
    )
    head = keys.SignedHead(size=size, root=root)
    transaction.on_commit(lambda: keys.remember_signed_head(head))
    return row


def _require_registered(signer: Signer) -> str:
    key_id = vkey_of(signer).split("+", 2)[1]
    active = LogKey.objects.filter(retired_at__isnull=True).values_list("key_id", flat=True)
    if key_id not in active:
        raise keys.KeyFileError(
            f"the signing key in {keys.signing_key_path()} (key id {key_id}) is not the log's"
            f" current key ({', '.join(active) or 'none registered'}): put the right key file"
            " back, or change keys only with `hireproof audit rotate-key`"
        )
    return key_id


def _refuse_fork(new: CheckpointBody) -> None:
    stored = latest_checkpoint()
    signed_before = [keys.last_signed_head()]
    if stored is not None:
        signed_before.append(keys.SignedHead(size=stored.size, root=bytes(stored.root)))
    # Usually both records name the same head: check it once.
    for previous in dict.fromkeys(head for head in signed_before if head is not None):
        if not declared_superseded(previous, new.size):
            _refuse_fork_from(previous, new)


def declared_superseded(head: keys.SignedHead, size: int) -> bool:
    """Whether a ``log.restored`` leaf among the first ``size`` declares ``head`` superseded:
    the checkpoint a restore rolled back past, named by its size and root."""
    if head.size == 0:
        return False
    named = {"size": head.size, "root": head.root.hex()}
    restores = LogLeaf.objects.filter(
        event_type=str(EventType.LOG_RESTORED), index__lt=size
    ).values_list("data", flat=True)
    return any(parse_leaf(bytes(data)).public.get("superseded") == named for data in restores)


def _refuse_fork_from(previous: keys.SignedHead, new: CheckpointBody) -> None:
    if previous.size > new.size:
        raise ForkError(
            f"a checkpoint over {previous.size} leaves was already signed, but the log now holds"
            f" {new.size}: the database was restored from an older copy or leaves were removed."
            " Refusing to sign a second history"
        )
    proof = consistency_proof(StoredTree(), previous.size, new.size) if previous.size else []
    signed = CheckpointBody(new.origin, previous.size, previous.root)
    check_extends(signed, new, proof)
