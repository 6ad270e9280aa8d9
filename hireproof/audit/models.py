"""The audit log's tables.

``LogLeaf``, ``LogNode``, ``Checkpoint`` and ``LogKey`` are append-only: database triggers
(see ``triggers.py``) refuse UPDATE and DELETE on them, as a second line of defence behind
verification. ``Subject`` and ``LogPrivate`` are ordinary tables: erasing a candidate changes
them, never the log.
"""

from __future__ import annotations

from django.db import models


class LogLeaf(models.Model):
    """One event of the log: its canonical JSON bytes at a gap-free, 0-based position."""

    index = models.PositiveBigIntegerField(primary_key=True)
    data = models.BinaryField()
    leaf_hash = models.BinaryField(max_length=32)
    event_type = models.CharField(max_length=64)
    recorded_at = models.DateTimeField()
    # The subject's pseudonym, copied out of the leaf so a candidate's timeline is one indexed
    # query. Derived data: verification reads the leaf bytes, never this column.
    subject = models.CharField(max_length=40, blank=True, db_index=True)

    class Meta:
        ordering = ("index",)

    def __str__(self) -> str:
        return f"leaf {self.index} ({self.event_type})"


class LogNode(models.Model):
    """A perfect subtree's hash, stored once it is complete, so a proof costs O(log n) reads.

    The node at (``level``, ``index``) covers leaves ``[index * 2**level, (index + 1) * 2**level)``.
    Level 0 (the leaf hashes) is not repeated here: it lives in ``LogLeaf.leaf_hash``.
    """

    pk = models.CompositePrimaryKey("level", "index")
    level = models.PositiveSmallIntegerField()
    index = models.PositiveBigIntegerField()
    hash = models.BinaryField(max_length=32)

    def __str__(self) -> str:
        return f"node level {self.level} index {self.index}"


class LogKey(models.Model):
    """One signing key in the log's history: its public vkey, never its private half.

    ``first_leaf_index`` is the position of the event that introduced the key (``log.created``
    or ``log.key_rotated``); the key signs checkpoints whose tree contains that event. A key is
    retired when the next one is introduced; ``retired_at`` may be set once, nothing else changes.
    """

    key_id = models.CharField(max_length=8, unique=True)
    vkey = models.CharField(max_length=300, unique=True)
    first_leaf_index = models.PositiveBigIntegerField()
    created_at = models.DateTimeField()
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("first_leaf_index",)

    def __str__(self) -> str:
        return self.vkey


class Checkpoint(models.Model):
    """A signed checkpoint (C2SP tlog-checkpoint note) over the first ``size`` leaves."""

    size = models.PositiveBigIntegerField(db_index=True)
    root = models.BinaryField(max_length=32)
    note = models.TextField()
    signed_at = models.DateTimeField()
    key_id = models.CharField(max_length=8)

    class Meta:
        ordering = ("size", "id")

    def __str__(self) -> str:
        return f"checkpoint size {self.size} ({self.key_id})"


class Subject(models.Model):
    """A candidate's audit identity: a random pseudonym plus their two keys, wrapped by the KEK.

    The pseudonym is the only thing the log says about the person. ``secret_wrapped`` derives the
    salts of the commitments in the leaves; ``data_key_wrapped`` encrypts their personal data in
    the hiring pipeline's tables. Erasure sets both to NULL and ``erased_at``: from then on no
    commitment can be opened and no sealed value decrypted.
    """

    pseudonym = models.CharField(max_length=40, unique=True)
    secret_wrapped = models.BinaryField(null=True)
    data_key_wrapped = models.BinaryField(null=True)
    created_at = models.DateTimeField()
    erased_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.pseudonym

    @property
    def is_erased(self) -> bool:
        """True once the subject's keys have been destroyed."""
        return self.erased_at is not None


class LogPrivate(models.Model):
    """A committed private field's value, sealed under its subject's data key.

    The leaf holds only the commitment; this row lets an export disclose the opening. Erasure
    deletes the rows (and the key that could decrypt them).
    """

    leaf_index = models.PositiveBigIntegerField()
    field = models.CharField(max_length=100)
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="private_values")
    sealed_value = models.BinaryField()

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("leaf_index", "field"), name="audit_private_once"),
        )
        ordering = ("leaf_index", "field")

    def __str__(self) -> str:
        return f"leaf {self.leaf_index} field {self.field}"


class Cosignature(models.Model):
    """A witness's verified cosignature of a checkpoint (C2SP tlog-cosignature line).

    Outside the log on purpose: the checkpoint is what it signs. ``line`` is the whole
    signature line, merged into the checkpoint's note when it is handed out.
    """

    checkpoint = models.ForeignKey(
        Checkpoint, on_delete=models.PROTECT, related_name="cosignatures"
    )
    witness_name = models.CharField(max_length=300)
    key_id = models.CharField(max_length=8)
    timestamp = models.PositiveBigIntegerField()
    line = models.TextField()

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("checkpoint", "witness_name"), name="audit_cosignature_once"
            ),
        )
        ordering = ("checkpoint", "witness_name")

    def __str__(self) -> str:
        return f"cosignature of {self.checkpoint} by {self.witness_name}"


class SupersededCheckpoint(models.Model):
    """A checkpoint signed over leaves a restored backup lost, kept for auditors.

    The ``log.restored`` leaf at ``restored_leaf`` names the last checkpoint signed before the
    restore (its size and root); every checkpoint listed here for that restore is that one, or
    one whose ``proof`` (a consistency proof, hashes in order) joins it to that one. The export
    hands them out with the bundle, so the verifier reports a declared gap, not a fork.
    """

    restored_leaf = models.PositiveBigIntegerField()
    size = models.PositiveBigIntegerField()
    root = models.BinaryField(max_length=32)
    note = models.TextField()  # the signed note, with the cosignatures it had
    signed_at = models.DateTimeField()
    key_id = models.CharField(max_length=8)
    proof = models.JSONField(default=list)  # base64 hashes, to the checkpoint the leaf names

    class Meta:
        ordering = ("restored_leaf", "size", "id")

    def __str__(self) -> str:
        return (
            f"checkpoint size {self.size}, superseded by the restore at leaf {self.restored_leaf}"
        )
