"""Export the log as an auditor's bundle (``hireproof.core.audit.bundle`` format).

Before reading the log, the export signs a checkpoint over any leaves no checkpoint covers yet
(on demand, like ``hireproof audit checkpoint``): an unsigned leaf proves nothing, and an export
is what an auditor checks. If signing is refused (a fork, a wrong key file), the export is
refused too (``UnsignedTailError``), unless the caller asks for it anyway with
``allow_unsigned_tail=True``: then the bundle is written, ``Exported.unsigned`` names the leaves
no checkpoint covers, and the verifier fails the bundle on them.

A bundle holds every leaf, every signed checkpoint with the cosignatures the witnesses gave it
(the export first asks the configured witnesses to cosign the newest checkpoint), the history
of signing keys, consistency proofs between successive checkpoints, the erased subjects, and,
for the subjects the operator chooses to disclose, the openings of their committed fields plus
the playbook YAML texts their scoring events name, so the auditor can re-run the scorer
without asking us for anything.

What cannot be disclosed after an erasure: the subject's openings (their secret is destroyed
and their sealed values deleted). The bundle then lists them as erased; their events, the
playbook and scorecard hashes recorded in them, and every proof still verify.
"""

from __future__ import annotations

import base64
import itertools
import json
import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources

from hireproof.audit import vault, witnessing
from hireproof.audit.checkpoints import latest_checkpoint, log_origin, sign_checkpoint_now
from hireproof.audit.log import private_context
from hireproof.audit.models import (
    Checkpoint,
    LogKey,
    LogLeaf,
    LogPrivate,
    Subject,
    SupersededCheckpoint,
)
from hireproof.audit.store import StoredTree, read_head
from hireproof.core.audit import (
    SCORING_EVENTS,
    Bundle,
    ConsistencyProof,
    KeyPeriod,
    Opening,
    PlaybookText,
    consistency_proof,
    open_field,
    parse_leaf,
    write_bundle,
)
from hireproof.core.audit import SupersededCheckpoint as BundleSuperseded
from hireproof.core.errors import AuditError, HireproofError

logger = logging.getLogger(__name__)


class UnsignedTailError(AuditError):
    """The newest leaves cannot be signed, so an export would hold leaves nobody signed."""


@dataclass(frozen=True)
class Exported:
    """A written bundle, and the leaves no checkpoint covers (``range(0)`` when none)."""

    bundle: Bundle
    unsigned: range

    @property
    def unsigned_tail(self) -> bool:
        """Whether the bundle holds leaves no checkpoint covers (it will fail verification)."""
        return len(self.unsigned) > 0


PlaybookSource = Callable[[str, str, str], str]
"""``playbook_source(id, version, hash) -> YAML text`` of the playbook a scoring event names."""


def builtin_playbook_source(playbook_id: str, version: str, digest: str) -> str:
    """The YAML text of a built-in playbook, if it is the exact version and hash named."""
    from hireproof.core.playbook import builtin_ids, load_builtin

    if playbook_id not in builtin_ids():
        raise AuditError(f"playbook {playbook_id} {version} is not a built-in playbook")
    playbook = load_builtin(playbook_id)
    if (playbook.version, playbook.hash) != (version, digest):
        raise AuditError(
            f"the built-in playbook {playbook_id} is version {playbook.version} (hash"
            f" {playbook.hash[:12]}...), not the {version} (hash {digest[:12]}...) the log names"
        )
    folder = resources.files("hireproof.core.playbook.builtin")
    return folder.joinpath(f"{playbook_id}.yaml").read_text("utf-8")


def export_bundle(
    out_path: str | os.PathLike[str],
    *,
    disclose: Iterable[Subject] = (),
    playbook_source: PlaybookSource = builtin_playbook_source,
    allow_unsigned_tail: bool = False,
) -> Exported:
    """Write the whole log to ``out_path`` as a bundle, disclosing the given subjects' fields.

    ``playbook_source`` finds the YAML of each playbook a disclosed scoring event names: the
    built-ins by default; the hiring layer passes one that also reads its published library
    (``hireproof.hiring.models.playbooks.published_playbook_source``), since the log knows
    nothing of a library above it.

    Refuses (``vault.SubjectErasedError``) to disclose an erased subject: nothing of theirs
    can be opened any more. Refuses (``UnsignedTailError``) when the newest leaves cannot be
    signed, unless ``allow_unsigned_tail``: then the bundle is written and ``unsigned`` names
    those leaves.
    """
    disclosed = list(disclose)
    unsigned = sign_unsigned_tail()
    if unsigned is not None and not allow_unsigned_tail:
        raise UnsignedTailError(
            f"leaves {_leaf_range(unsigned)} cannot be signed ({unsigned.reason}), so an export "
            "would hold leaves no checkpoint covers; fix the signing key, or export anyway "
            "(the bundle will fail verification)"
        )
    # An auditor who requires the witnesses needs their cosignature over the newest leaves:
    # ask for it now (never raises; a witness that is down leaves the tail uncosigned).
    witnessing.submit_pending()
    checkpoints = list(Checkpoint.objects.order_by("size", "id"))
    openings = _openings(disclosed)
    bundle = Bundle(
        origin=log_origin(),
        leaves=[bytes(data) for data in LogLeaf.objects.values_list("data", flat=True)],
        keys=_key_periods(),
        checkpoints=tuple(witnessing.cosigned_notes(checkpoints)),
        consistency_proofs=_consistency_proofs(sorted({c.size for c in checkpoints})),
        openings=openings,
        playbooks=_playbooks(sorted(openings), playbook_source),
        erased_subjects=tuple(
            Subject.objects.filter(erased_at__isnull=False)
            .order_by("pseudonym")
            .values_list("pseudonym", flat=True)
        ),
        superseded_checkpoints=_superseded(),
    )
    write_bundle(out_path, bundle)
    signed = max((c.size for c in checkpoints), default=0)
    return Exported(bundle, range(signed, len(bundle.leaves)))


@dataclass(frozen=True)
class _Refusal:
    """Leaves the log holds but could not sign, and why."""

    unsigned: range
    reason: str


def sign_unsigned_tail() -> _Refusal | None:
    """Sign a checkpoint over the whole log if its last leaves are not covered by one yet.

    Returns None when every leaf is covered (now or already), or the leaves signing was
    refused for and why (also logged).
    """
    latest = latest_checkpoint()
    signed, size = (latest.size if latest else 0), read_head().size
    if size <= signed:
        return None
    try:
        sign_checkpoint_now()
    except HireproofError as refusal:
        logger.warning("exporting without a checkpoint over the newest leaves: %s", refusal)
        return _Refusal(range(signed, size), str(refusal))
    return None


def _superseded() -> tuple[BundleSuperseded, ...]:
    """The checkpoints signed before a declared restore, over the leaves it lost."""
    return tuple(
        BundleSuperseded(
            note=row.note,
            restored_leaf=row.restored_leaf,
            proof=tuple(base64.b64decode(node) for node in row.proof),
        )
        for row in SupersededCheckpoint.objects.order_by("restored_leaf", "size", "id")
    )


def _leaf_range(refusal: _Refusal) -> str:
    first, last = refusal.unsigned[0], refusal.unsigned[-1]
    return f"{first}-{last}"


def _key_periods() -> tuple[KeyPeriod, ...]:
    """Each key signs checkpoints from the one holding the event that introduced it up to the
    one holding the event that introduced its successor (both keys sign that hand-over)."""
    history = list(LogKey.objects.order_by("first_leaf_index"))
    periods = []
    for position, key in enumerate(history):
        successor = history[position + 1] if position + 1 < len(history) else None
        periods.append(
            KeyPeriod(
                vkey=key.vkey,
                first_size=key.first_leaf_index + 1,
                last_size=successor.first_leaf_index + 1 if successor else None,
            )
        )
    return tuple(periods)


def _consistency_proofs(sizes: list[int]) -> tuple[ConsistencyProof, ...]:
    tree = StoredTree()
    return tuple(
        ConsistencyProof(size1, size2, tuple(consistency_proof(tree, size1, size2)))
        for size1, size2 in itertools.pairwise(sizes)
    )


def _openings(subjects: list[Subject]) -> dict[int, tuple[Opening, ...]]:
    openings: dict[int, list[Opening]] = {}
    for subject in subjects:
        secret = vault.commitment_secret(subject)
        for row in LogPrivate.objects.filter(subject=subject).order_by("leaf_index", "field"):
            index = row.leaf_index
            text = vault.unseal(
                subject, bytes(row.sealed_value), context=private_context(index, row.field)
            )
            opening = open_field(secret, str(index), row.field, json.loads(text))
            openings.setdefault(index, []).append(opening)
    return {index: tuple(found) for index, found in openings.items()}


def _playbooks(indices: list[int], source: PlaybookSource) -> dict[str, PlaybookText]:
    """The YAML of every playbook a disclosed scoring event names, keyed by its hash."""
    playbooks: dict[str, PlaybookText] = {}
    scoring = LogLeaf.objects.filter(
        index__in=indices, event_type__in=[str(kind) for kind in SCORING_EVENTS]
    ).values_list("data", flat=True)
    for data in scoring:
        named = parse_leaf(bytes(data)).public.get("playbook")
        if not isinstance(named, dict) or named.get("hash") in playbooks:
            continue
        playbook_id, version, digest = named["id"], named["version"], named["hash"]
        text = source(playbook_id, version, digest)
        playbooks[digest] = PlaybookText(filename=f"{playbook_id}.yaml", text=text)
    return playbooks
