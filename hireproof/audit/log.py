"""The one way an event enters the audit log: ``record_event``.

Every ``do_*`` action calls it inside its own ``transaction.atomic()`` block, so the event and
the change it describes commit or roll back together: if the action fails, there is no event;
if the event cannot be written, the exception reaches the action and it fails too.

Appends are serialised (see ``store.take_writer_lock``), so indices are gap-free and each new
leaf extends the compact range read back from the stored perfect nodes. The very first append
writes ``log.created`` at index 0, naming the log's origin and first key; every later key is
introduced by a ``log.key_rotated`` event (``actions.rotate_signing_key``).

Time only moves forward in the log: each leaf's ``at`` is the time it was appended, read under
the writer lock and never earlier than the leaf before it (a clock stepped back, or two actions
that read the clock in one order and took the lock in the other, cannot write a leaf dated
before its predecessor). An action's own time for the event, when it passes one and it differs
from the leaf's, is kept in the public part as ``occurred_at``. Both are RFC 3339 UTC with
exactly six fractional digits and a ``Z``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from hireproof.audit import checkpointer, checkpoints, vault
from hireproof.audit.models import LogKey, LogLeaf, LogPrivate, Subject
from hireproof.audit.store import fetch_one, read_head, resume_compact_range, take_writer_lock
from hireproof.core.audit import (
    SCHEMA_VERSION,
    CompactRange,
    EventType,
    build_leaf,
    commit_fields,
    leaf_hash,
)
from hireproof.core.canonical import canonical_json

_INSERT_LEAF = (
    'INSERT INTO audit_logleaf ("index", data, leaf_hash, event_type, recorded_at, subject)'
    " VALUES (%s, %s, %s, %s, %s, %s)"
)
_INSERT_NODE = 'INSERT INTO audit_lognode (level, "index", hash) VALUES (%s, %s, %s)'
_ERASED_SUBJECT = "SELECT 1 FROM audit_subject WHERE id = %s AND erased_at IS NOT NULL"


# The public field that keeps an action's own event time when it is not the leaf's time.
OCCURRED_AT = "occurred_at"


# Events a candidate or a decision depends on: their action asks for a checkpoint as it commits.
CHECKPOINT_ON_COMMIT = frozenset(
    {
        EventType.ATTEMPT_SUBMITTED,
        EventType.ATTEMPT_AUTO_SUBMITTED,
        EventType.ATTEMPT_SCORED,
        EventType.CLI_SCORED,
        EventType.INTERVIEW_SCORECARD_SUBMITTED,
        EventType.INTERVIEW_SCORECARD_AMENDED,
        EventType.RECOMMENDATION_COMPUTED,
        EventType.DECISION_RECORDED,
        EventType.SUBJECT_ERASED,
    }
)


class OutsideTransactionError(RuntimeError):
    """``record_event`` was called outside ``transaction.atomic()``: a programming mistake."""


def record_event(
    event_type: EventType | str,
    *,
    actor: str | None,
    subject: Subject | None = None,
    public: Mapping[str, Any] | None = None,
    private: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> LogLeaf:
    """Append one event to the log inside the caller's transaction and return its leaf.

    ``actor`` names who acted (``"staff:7"``, ``"candidate"``, ``"system"``); ``subject`` is the
    candidate it concerns. ``public`` goes into the leaf as is: ids, hashes, counts, never
    personal data. ``private`` fields are committed per subject: the leaf holds only their
    salted commitments, and the values are kept sealed in ``LogPrivate`` until the subject is
    erased. ``at`` is the action's own time for the event: the leaf is dated when it is
    appended (never before the previous leaf), and ``at`` is kept as ``public["occurred_at"]``
    when it differs.

    Appends never sign: a background task does, within ``HIREPROOF_CHECKPOINT_SECONDS``
    (``checkpointer.after_append`` asks for it when this leaf opens the unsigned window or fills
    a batch), and at once after an event of ``CHECKPOINT_ON_COMMIT`` commits.
    """
    if not connection.in_atomic_block:
        raise OutsideTransactionError(
            "record_event must run inside transaction.atomic(), in the action it records"
        )
    kind = EventType(event_type)
    if private and subject is None:
        raise ValueError(f"{kind}: private fields need a subject whose secret commits them")
    fields = dict(public or {})
    occurred = None if at is None else rfc3339(at)
    if occurred is not None and OCCURRED_AT in fields:
        raise ValueError(
            f"{kind}: public[{OCCURRED_AT!r}] is where the event time `at` goes; pass one or the"
            " other"
        )
    # A savepoint: an event is written whole or not at all, even if the caller catches errors.
    with transaction.atomic():
        take_writer_lock()
        if subject is not None:
            _refuse_erased(kind, subject)
        head = read_head()
        clock = timezone.now()
        when = leaf_time(head.last_recorded_at, clock)
        # The action's own time (``at``, else the clock) is kept whenever the leaf's differs:
        # a clock that stepped back still tells when the action happened.
        stated = occurred if occurred is not None else rfc3339(clock)
        if stated != rfc3339(when):
            fields[OCCURRED_AT] = stated
        tree = resume_compact_range(head)
        if tree.size == 0:
            _append_genesis(tree, when)
        leaf = _append(tree, kind, actor, subject, fields, dict(private or {}), when)
        checkpointer.after_append(tree.size, when)
        if kind in CHECKPOINT_ON_COMMIT:
            transaction.on_commit(checkpointer.request_checkpoint)
    return leaf


def _refuse_erased(kind: EventType, subject: Subject) -> None:
    # Asked of the database, not the instance: a copy loaded before the erasure still holds
    # the wrapped keys in memory and must not commit (or seal) anything new with them.
    if subject.is_erased or fetch_one(_ERASED_SUBJECT, [subject.pk]) is not None:
        raise vault.SubjectErasedError(
            f"{kind}: subject {subject.pseudonym} was erased; nothing more is recorded about them"
        )


def leaf_time(previous: datetime | None, now: datetime | None = None) -> datetime:
    """The time of a leaf appended now: the clock, or the previous leaf's time if the clock
    reads earlier. Call it under the writer lock, with the previous leaf read in that lock."""
    now = timezone.now() if now is None else now
    return now if previous is None or now >= previous else previous


def rfc3339(moment: datetime) -> str:
    """``2026-05-01T10:00:00.000000Z``: the time format of every leaf (UTC, microseconds)."""
    if moment.tzinfo is None:
        raise ValueError("an event time must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _append_genesis(tree: CompactRange, when: datetime) -> None:
    """Leaf 0: the log's origin and first public key, registered as the first ``LogKey``."""
    vkey = checkpoints.current_vkey()
    public = {"origin": checkpoints.log_origin(), "vkey": vkey}
    _append(tree, EventType.LOG_CREATED, "system", None, public, {}, when)
    LogKey.objects.create(
        key_id=checkpoints.key_id_of_vkey(vkey), vkey=vkey, first_leaf_index=0, created_at=when
    )


def _append(
    tree: CompactRange,
    kind: EventType,
    actor: str | None,
    subject: Subject | None,
    public: dict[str, Any],
    private: dict[str, Any],
    when: datetime,
) -> LogLeaf:
    index = tree.size
    pseudonym = subject.pseudonym if subject else ""
    commitments = _commit(subject, index, private) if private else {}
    data = build_leaf(
        schema=SCHEMA_VERSION,
        index=index,
        event_type=kind,
        at=rfc3339(when),
        actor=actor,
        subject=pseudonym or None,
        public=public,
        commitments=commitments,
    )
    hashed = leaf_hash(data)
    # Raw INSERTs: the ORM's statement building cost more than the rest of an append.
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT_LEAF,
            [
                index,
                data,
                hashed,
                kind.value,
                connection.ops.adapt_datetimefield_value(when),
                pseudonym,
            ],
        )
        # Level 0 is the leaf hash itself, already stored in LogLeaf.
        completed = [node for node in tree.append(hashed) if node[0] > 0]
        if completed:
            cursor.executemany(_INSERT_NODE, completed)
    leaf = LogLeaf(
        index=index,
        data=data,
        leaf_hash=hashed,
        event_type=kind.value,
        recorded_at=when,
        subject=pseudonym,
    )
    leaf._state.adding, leaf._state.db = False, connection.alias
    return leaf


def _commit(subject: Subject | None, index: int, private: dict[str, Any]) -> dict[str, str]:
    """Commit ``private`` under the subject's secret, keeping each value sealed for disclosure."""
    assert subject is not None  # record_event refuses private fields without a subject
    nonce = str(index)  # unique within the log, as the commitment scheme requires
    commitments = commit_fields(vault.commitment_secret(subject), nonce, private)
    LogPrivate.objects.bulk_create(
        LogPrivate(
            leaf_index=index,
            field=field,
            subject=subject,
            sealed_value=vault.seal(
                subject, canonical_json(value).decode(), context=private_context(index, field)
            ),
        )
        for field, value in private.items()
    )
    return commitments


def private_context(index: int, field: str) -> str:
    """The vault context of a committed value: binds the sealed blob to its leaf and field."""
    return f"audit.private/{index}/{field}"
