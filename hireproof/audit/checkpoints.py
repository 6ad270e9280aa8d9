"""Signing checkpoints: automatically every N events or T seconds, and on demand.

Before any signature the new tree head is checked against the last checkpoint signed, both the
one stored in the database and the one the key holder remembers beside the key file
(``keys.last_signed_head``). A database restored from an old backup and appended to again
forms a different tree: no consistency proof joins it to what was signed, and signing is refused
with ``ForkError`` instead of publishing two histories.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from hireproof.audit import keys
from hireproof.audit.models import Checkpoint, LogKey
from hireproof.audit.store import (
    StoredTree,
    fetch_one,
    read_head,
    resume_compact_range,
    take_writer_lock,
)
from hireproof.core.audit import (
    Checkpoint as CheckpointBody,
)
from hireproof.core.audit import (
    Signer,
    check_extends,
    consistency_proof,
    sign_checkpoint,
    signer_from_key_bytes,
    vkey_of,
)
from hireproof.core.errors import AuditError, ForkError

_LAST_CHECKPOINT = (
    "SELECT size, signed_at FROM audit_checkpoint ORDER BY size DESC, id DESC LIMIT 1"
)


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


def sign_checkpoint_if_due() -> Checkpoint | None:
    """Sign a checkpoint over the whole log if the automatic cadence asks for one now.

    Appends check the cadence as they happen; this is for a quiet log, whose newest events
    would otherwise wait for the next append to be signed (``checkpointer`` calls it).
    """
    with transaction.atomic():
        take_writer_lock()
        head = read_head()
        if head.size == 0 or not checkpoint_due(head.size):
            return None
        return sign_head(head.size, resume_compact_range(head).root())


def checkpoint_due(size: int) -> bool:
    """Whether the automatic cadence asks for a checkpoint now that the log has ``size`` leaves."""
    last = fetch_one(_LAST_CHECKPOINT)
    if last is None:
        return True
    last_size, signed_at = last[0], _aware(last[1])
    if size - last_size >= settings.HIREPROOF_CHECKPOINT_EVERY:
        return True
    age = timezone.now() - signed_at
    return size > last_size and age >= timedelta(seconds=settings.HIREPROOF_CHECKPOINT_SECONDS)


def _aware(value: datetime | str) -> datetime:
    """A raw query's timestamp as an aware datetime (SQLite hands back text)."""
    moment = value if isinstance(value, datetime) else parse_datetime(value)
    if moment is None:
        raise ValueError(f"not a timestamp: {value!r}")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, UTC)


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
        _refuse_fork_from(previous, new)


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
