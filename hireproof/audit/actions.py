"""The audit app's own actions: erasing a subject, rotating the signing key, recording a CLI score,
and trying again a background task that failed (``task.retried``: an administrator's action).

Key rotation leaves a chain an auditor can follow from the first published vkey:

1. ``log.key_rotated`` is appended at index ``r`` with ``{"old_vkey", "new_vkey"}``;
2. the OLD key signs the checkpoint of size ``r + 1``, which contains that event: the old key
   vouches for its successor;
3. the NEW key signs the same checkpoint, then every later one.

``LogKey`` records the history: the old key's ``retired_at`` is set, the new key's
``first_leaf_index`` is ``r``. The old private key is moved aside to
``<key file>.retired-<old key id>`` while the rotation runs (so a failure can put it back) and
destroyed once it commits: a leaked keys folder then holds only the current key. The old key's
public half stays in the log and in ``LogKey``.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from functools import partial
from pathlib import Path

from django.db import models, transaction
from django.utils import timezone

from hireproof.audit import checkpoints, keys, scrub, vault
from hireproof.audit.backup import CurrentLog
from hireproof.audit.log import record_event
from hireproof.audit.models import (
    Checkpoint,
    LogKey,
    LogLeaf,
    LogPrivate,
    Subject,
    SupersededCheckpoint,
)
from hireproof.audit.store import read_head, resume_compact_range, take_writer_lock
from hireproof.audit.vault import SubjectErasedError
from hireproof.core.audit import (
    EventType,
    Signer,
    generate_signing_key,
    scoring_private,
    scoring_public,
    signer_from_key_bytes,
    vkey_of,
)
from hireproof.core.errors import AuditError
from hireproof.core.playbook import Playbook
from hireproof.core.scoring import Scorecard
from hireproof.platform.models import TaskProblem
from hireproof.platform.tasks import retry_now

ERASURE_BASIS = "art17"  # GDPR Article 17, the right to erasure


def do_erase_subject(
    subject: Subject,
    *,
    actor: str,
    basis: str = ERASURE_BASIS,
    other_tables: Iterable[type[models.Model]] = (),
) -> LogLeaf:
    """Erase a subject: record ``subject.erased``, delete their sealed values and destroy their
    keys, in one transaction.

    The caller that holds other rows about the person (``hireproof.hiring.actions.erasure``)
    deletes them inside the same transaction and names their tables in ``other_tables``. The log
    is untouched: every checkpoint and proof still verifies, and the verifier lists the
    pseudonym as erased. Their commitments can never be opened again. Once the transaction
    commits, ``scrub.scrub_after_erasure`` removes the old row images from the database files
    (or, if a reader blocks it, the periodic job does, as soon as it can).
    """
    tables: list[type[models.Model]] = [Subject, LogPrivate, *other_tables]
    with transaction.atomic():
        locked = Subject.objects.select_for_update().get(pk=subject.pk)
        if locked.is_erased:
            raise SubjectErasedError(f"subject {locked.pseudonym} was already erased")
        leaf = record_event(
            EventType.SUBJECT_ERASED, actor=actor, subject=locked, public={"basis": basis}
        )
        LogPrivate.objects.filter(subject=locked).delete()
        erased_at = timezone.now()
        Subject.objects.filter(pk=locked.pk).update(
            secret_wrapped=None, data_key_wrapped=None, erased_at=erased_at
        )
        # Inside the block: it runs only if, and once, the erasure commits; and last, after the
        # checkpoint the erasure asks for (when this process signs it) is written.
        names = [model._meta.db_table for model in tables]
        transaction.on_commit(partial(scrub.scrub_after_erasure, names, leaf.index))
    subject.secret_wrapped = subject.data_key_wrapped = None
    subject.erased_at = erased_at
    return leaf


def rotate_signing_key(*, actor: str = "system") -> LogKey:
    """Replace the signing key, recording the change in the log; returns the new ``LogKey``.

    Run it on its own, not inside a larger transaction: the key file is swapped just before
    the transaction commits, and put back if anything fails before that. Once it commits, the
    retired private key file is destroyed (``keys.destroy_key_file``).
    """
    new_signer = signer_from_key_bytes(checkpoints.log_origin(), generate_signing_key())
    retired_files: list[Path] = []  # filled the moment the key file is swapped
    try:
        with transaction.atomic():
            take_writer_lock()
            new_key = _hand_over(new_signer, actor, retired_files)
            for retired in retired_files:
                transaction.on_commit(partial(keys.destroy_key_file, retired))
            return new_key
    except BaseException:
        for retired in retired_files:
            keys.restore_signing_key(retired)
        raise


def _hand_over(new_signer: Signer, actor: str, retired_files: list[Path]) -> LogKey:
    old_signer = checkpoints.current_signer()
    old_vkey, new_vkey = vkey_of(old_signer), vkey_of(new_signer)
    leaf = record_event(
        EventType.LOG_KEY_ROTATED,
        actor=actor,
        public={"old_vkey": old_vkey, "new_vkey": new_vkey},
    )
    head = read_head()
    root = resume_compact_range(head).root()
    latest = checkpoints.latest_checkpoint()
    old_id = checkpoints.key_id_of_vkey(old_vkey)
    if latest is None or latest.size != head.size or latest.key_id != old_id:
        checkpoints.sign_head(head.size, root, old_signer)
    now = timezone.now()
    LogKey.objects.filter(key_id=old_id, retired_at__isnull=True).update(retired_at=now)
    new_key = LogKey.objects.create(
        key_id=checkpoints.key_id_of_vkey(new_vkey),
        vkey=new_vkey,
        first_leaf_index=leaf.index,
        created_at=now,
    )
    new_raw = new_signer.private_key.private_bytes_raw()
    retired_files.append(keys.replace_signing_key(new_raw, old_id))
    checkpoints.sign_head(head.size, root, new_signer)
    return new_key


def do_record_cli_score(
    playbook: Playbook, answers: Mapping[str, str], scorecard: Scorecard, *, actor: str = "cli"
) -> LogLeaf:
    """Record an answer sheet scored on the command line as ``cli.scored``.

    The sheet gets its own subject, so the answers and the scorecard hash are committed (never
    written into the leaf) and can be disclosed to an auditor, whose verifier re-scores them
    against the playbook named.
    """
    with transaction.atomic():
        return record_event(
            EventType.CLI_SCORED,
            actor=actor,
            subject=vault.create_subject(),
            public=scoring_public(
                playbook_id=playbook.id,
                playbook_version=playbook.version,
                playbook_hash=playbook.hash,
            ),
            private=scoring_private(answers, scorecard.hash),
        )


def do_retry_task(*, actor: str, problem: TaskProblem) -> None:
    """Run a background task that failed once more, now (its next try, if one was waiting, is
    replaced); records ``task.retried`` with the task and the tries it had."""
    with transaction.atomic():
        record_event(
            EventType.TASK_RETRIED,
            actor=actor,
            public={"task": problem.task, "label": problem.label, "tries": problem.tries},
        )
        retry_now(problem)


def do_record_restore(current: CurrentLog, *, snapshot_size: int, snapshot_at: str) -> Checkpoint:
    """Declare, in the restored log, the leaves a restore rolled back past a signed checkpoint:
    ``log.restored`` with the lost range ``[lost_from, lost_to)``, the last checkpoint signed
    before the restore (``superseded``: its size and root), the consistency proof from the kept
    leaves to it, and the snapshot's time; then keep the superseded checkpoints (with their
    cosignatures) for the export, and sign a checkpoint over the restored log.

    Runs inside the restore's transaction, on the restored database.
    """
    signed = current.signed
    if signed is None or signed.size <= snapshot_size:
        raise AuditError("nothing signed was lost: there is no restore to declare")
    public = {
        "lost_from": snapshot_size,
        "lost_to": max(current.size, signed.size),
        "superseded": {"size": signed.size, "root": signed.root.hex()},
        "consistency": [node.hex() for node in current.proof_from_snapshot],
        "snapshot_at": snapshot_at,
    }
    with transaction.atomic():
        take_writer_lock()
        leaf = record_event(EventType.LOG_RESTORED, actor="cli", public=public)
        SupersededCheckpoint.objects.bulk_create(
            SupersededCheckpoint(
                restored_leaf=leaf.index,
                size=old.size,
                root=old.root,
                note=old.note,
                signed_at=old.signed_at,
                key_id=old.key_id,
                proof=[base64.b64encode(node).decode() for node in old.proof],
            )
            for old in current.superseded
        )
        head = read_head()
        return checkpoints.sign_head(head.size, resume_compact_range(head).root())
