"""The auditor's verifier: check an export bundle without trusting the log's operator.

``verify_bundle`` checks, and reports every failure with where it is (leaf, event, field):

1. every checkpoint's signature, by a key allowed to sign that size (the bundle's key history,
   or the keys the auditor pins with ``trusted_vkeys``), and its origin, which is its signer's
   key name. A pinned key also vouches for the keys the log itself records before and after it
   (``log.created``, ``log.key_rotated``), once a checkpoint it signed over that event matches
   the leaves: an auditor who pinned the key published on day one still verifies the log after
   a rotation;
2. every leaf: it is the RFC 8785 canonical JSON of a schema-1 event of a known type (one
   value, one encoding) and its ``index`` equals its position (so a dropped, inserted or moved
   leaf is named exactly);
3. the root recomputed from the leaves at every checkpoint size equals the signed root, so
   successive checkpoints are consistent; consistency proofs in the bundle are checked too. A
   changed leaf is located by the first checkpoint that stops matching: it lies between that
   checkpoint and the last one that still matches (exactly, when the log checkpoints often);
4. leaves missing from the tail of a checkpoint (truncation); checkpoints the auditor kept
   from earlier (``held_checkpoints``) catch a tail cut together with its checkpoints;
5. every disclosed opening opens its leaf's commitment, and for disclosed scoring events the
   deterministic scorer re-runs (with RE2 alone) on the bundled playbook and must give the
   logged scorecard hash;
6. erased subjects are listed separately: their commitments can no longer be opened, by design;
7. leaves past the largest verified checkpoint fail as an unsigned tail, and nothing past the
   proven prefix (the largest checkpoint that matches, before any that does not, and that the
   witnesses saw when they are required) is reported as a fact: no erasure, opening or
   re-scoring is taken from there;
8. leaf times are in the log's one format and never go backwards; the manifest's own claims
   (leaf count, key list, erased subjects, checkpoints in order and each once, proofs each
   once, the final newline) match the content;
9. witnesses, when the auditor names them: a quorum of their cosignatures covers every leaf,
   each verifies, their times never go backwards, and no leaf is dated after the time they
   cosigned the first checkpoint covering it (``check_witnesses``);
10. a declared restore: a checkpoint signed over leaves a restored backup lost does not match
    the leaves, which is a fork, unless a ``log.restored`` leaf declares it: that leaf names the
    last checkpoint signed before the restore (size and root), which the bundle must hold
    signed, with a consistency proof from the kept leaves to it; every other superseded
    checkpoint the bundle carries needs a consistency proof to that one. Such a checkpoint is
    reported as superseded by the declared restore, and any other mismatch still fails;
11. trust: the result is OK only when a key the auditor trusts (``trusted_vkeys``, a trust
    file) signed the log, directly or through rotations a trusted key signed; with no key
    named and nothing failed, it is UNTRUSTED; trusted keys the log does not use fail.

What stays checkable after an erasure: the log's integrity (signatures, consistency, every
root), that a score was recorded with a given playbook and scorecard hash, and the erasure
event itself. What is lost: re-scoring that subject's answers, which are gone with their secret.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import msgspec

from hireproof.core.errors import AuditError, ProofError, SignatureError

from .bundle import Bundle, read_bundle
from .checkpoint import Checkpoint, open_checkpoint, parse_checkpoint_body, parse_vkey
from .commitments import Opening, opening_problem
from .events import (
    ANSWERS_FIELD,
    SCORECARD_HASH_FIELD,
    SCORING_EVENTS,
    TIME_PATTERN,
    EventType,
    Leaf,
    canonical_problem,
    parse_leaf,
)
from .keyhistory import (
    KEY_EVENTS,
    KeyChain,
    KeyedPeriod,
    KeySelection,
    RotationEvidence,
    key_list_problems,
    signing_keys,
)
from .merkle import EMPTY_ROOT, MemorySource, verify_consistency
from .report import Failure, Report, Result
from .rescore import Rescored, Rescorer, rescore_problem, rescore_with_core
from .trust import TrustFile
from .witness import (
    CLOCK_SKEW_SECONDS,
    WitnessPolicy,
    check_witnessed,
    cosigned_limit,
    cosigned_time_text,
)

__all__ = [
    "Failure",
    "Report",
    "Rescored",
    "Rescorer",
    "Result",
    "rescore_with_core",
    "verify_bundle",
]

# Past this many leaf-level failures the rest are counted, not listed: one dropped leaf
# shifts every later position, and a million identical lines help nobody.
MAX_LISTED_LEAF_FAILURES = 20

_ERASED = EventType.SUBJECT_ERASED.value
_CREATED = EventType.LOG_CREATED.value

# --- the fast path's leaf check (see ``_Verification.scan_leaves``) ---------------------------

# The largest whole number JSON carries exactly (RFC 8785 refuses any beyond it).
_MAX_EXACT = 2**53 - 1
_Exact = Annotated[int, msgspec.Meta(ge=-_MAX_EXACT, le=_MAX_EXACT)]
# ``public`` on the fast path: JSON without fractions, two levels deep (deeper: the slow path).
_Scalar = str | _Exact | bool | None
_Inner = str | _Exact | bool | list[_Scalar] | dict[str, _Scalar] | None
_Public = dict[str, str | _Exact | bool | list[_Inner] | dict[str, _Inner] | None]


class _FastLeaf(msgspec.Struct, forbid_unknown_fields=True):
    """A leaf as the fast path decodes it: its fields in canonical (sorted) order."""

    actor: str | None
    at: Annotated[str, msgspec.Meta(min_length=27, max_length=27)]  # TIME_PATTERN's width
    commitments: dict[str, Annotated[str, msgspec.Meta(min_length=64, max_length=64)]]
    index: Annotated[int, msgspec.Meta(ge=0)]
    public: _Public
    schema: Literal[1]
    subject: str | None
    type: Literal[tuple(event.value for event in EventType)]  # type: ignore[valid-type]  # the catalogue


_decode_leaf = msgspec.json.Decoder(_FastLeaf).decode
_encode_leaf = msgspec.json.Encoder(order="sorted").encode
_LOWER_HEX = re.compile(r"[0-9a-f]*").fullmatch
_TIME_MATCH = TIME_PATTERN.fullmatch
_SPECIAL_EVENTS = frozenset({_ERASED, *KEY_EVENTS})


def verify_bundle(
    source: Bundle | str | os.PathLike[str],
    *,
    trusted_vkeys: Sequence[str] = (),
    held_checkpoints: Sequence[str] = (),
    trust: TrustFile | None = None,
    witness_vkeys: Sequence[str] = (),
    witness_quorum: int | None = None,
    rescorer: Rescorer = rescore_with_core,
) -> Report:
    """Verify an export bundle (a ``Bundle`` or the path of a bundle file).

    ``trusted_vkeys`` are the log keys the auditor trusts; ``trust`` adds a trust file's keys
    and witnesses and requires the leaves to extend the checkpoint it remembers. Without a
    trusted key the bundle's own keys check its integrity and the result is at best
    ``UNTRUSTED``, never OK; trusted keys the log does not use are a failure.
    ``held_checkpoints`` are signed notes the auditor kept earlier. ``witness_vkeys`` (and a
    trust file's) are witnesses whose cosignatures are required: ``witness_quorum`` of them
    (default: the trust file's quorum, else all) must have cosigned a checkpoint covering every
    leaf, and no leaf may be dated after the time they cosigned the first checkpoint covering
    it. Raises ``AuditError`` only for input that cannot be read at all (a missing file, a
    malformed manifest, a malformed key, an impossible quorum); everything else is a
    ``Failure``.
    """
    bundle = source if isinstance(source, Bundle) else read_bundle(source)
    pinned = (*trusted_vkeys, *(trust.trusted_vkeys if trust else ()))
    witnesses = (
        trust.witness_policy(witness_vkeys, witness_quorum)
        if trust is not None
        else WitnessPolicy.of(witness_vkeys, witness_quorum)
    )
    return _Verification(bundle, rescorer).run(pinned, held_checkpoints, trust, witnesses)


@dataclass
class _LeafScan:
    erased: dict[str, int] = field(default_factory=dict)  # subject -> erasure leaf index
    bad_positions: list[int] = field(default_factory=list)
    last_at: str = ""  # the time of the last well-formed leaf
    # the keys introduced by each well-formed log.created and log.key_rotated event
    key_chain: KeyChain = field(default_factory=KeyChain)


class _Verification:
    """One run of the checks over one bundle, collecting failures as it goes."""

    def __init__(self, bundle: Bundle, rescorer: Rescorer) -> None:
        self.bundle = bundle
        self.rescorer = rescorer
        self.leaves = bundle.leaves
        self.failures: list[Failure] = []
        self.held: tuple[str, ...] = ()
        self.matching: frozenset[int] = frozenset()  # checkpoint sizes whose roots match
        self.tree = MemorySource([hashlib.sha256(b"\x00" + leaf).digest() for leaf in self.leaves])

    def fail(
        self,
        message: str,
        *,
        leaf: int | None = None,
        event: str | None = None,
        field: str | None = None,
        leaf_end: int | None = None,
    ) -> None:
        self.failures.append(Failure(leaf, event, field, message, leaf_end))

    def run(
        self,
        trusted_vkeys: Sequence[str],
        held: Sequence[str],
        trust: TrustFile | None,
        witnesses: WitnessPolicy,
    ) -> Report:
        self.held = tuple(held)  # the auditor's own checkpoints also vouch for key rotations
        self.check_header()
        scan = self.scan_leaves()
        selection = self.select_keys(trusted_vkeys, scan)
        checkpoints = self.open_checkpoints(self.bundle.checkpoints, selection.keys, "checkpoint")
        checkpoints += self.open_checkpoints(held, selection.keys, "your checkpoint")
        declared, restore_notes = self.check_declared_restores(selection.keys)
        checkpoints = [
            cp
            for cp in checkpoints
            if (cp.size, cp.root) not in declared
            or (cp.size <= len(self.leaves) and self.root_at(cp.size) == cp.root)
        ]
        if not checkpoints:
            self.fail("no checkpoint verifies: nothing ties these leaves to the log's key")
        checkpoints.sort(key=lambda cp: cp.size)
        signed = max((cp.size for cp in checkpoints), default=0)
        proven, consistent = self.check_roots(checkpoints)
        self.check_unsigned_tail(signed)
        proofs = self.check_consistency_proofs(checkpoints)
        witnessed, witness_notes = self.check_witnesses(witnesses)
        # The manifest's erased subjects are those of the proven prefix the log signed...
        self.check_erasures({subject: i for subject, i in scan.erased.items() if i < proven})
        if witnesses.required:  # ...but leaves the witnesses have not seen are no facts either
            proven = min(proven, witnessed)
        # Nothing past the proven prefix is reported as a fact: anyone could have written it.
        erased = {subject: i for subject, i in scan.erased.items() if i < proven}
        openings, rescored, unchecked = self.check_openings(erased, proven)
        for problem in key_list_problems(self.bundle.keys, scan.key_chain):
            self.fail(problem, field="keys")
        checked_against = self.check_remembered(trust, signed)
        return Report(
            origin=self.bundle.origin,
            leaves=len(self.leaves),
            failures=tuple(self.failures),
            erased_subjects=tuple(sorted(erased)),
            checkpoints_verified=len(checkpoints),
            checkpoints_total=len(self.bundle.checkpoints) + len(held),
            signed_size=signed,
            consistent_pairs=consistent,
            proofs_checked=proofs,
            openings_checked=openings,
            rescored=rescored,
            proven_size=proven,
            proven_root=self.root_at(proven) if checkpoints else None,
            openings_unchecked=unchecked,
            trusted_keys=selection.trusted,
            untrusted_keys=selection.untrusted,
            anchored=selection.anchored and bool(checkpoints),
            checked_against=checked_against,
            witness_notes=witness_notes,
            witness_quorum=witnesses.quorum,
            witnessed_size=witnessed if witnesses.required else None,
            restore_notes=tuple(restore_notes),
        )

    # --- declared restores --------------------------------------------------------------------

    def check_declared_restores(
        self, keys: Sequence[KeyedPeriod]
    ) -> tuple[set[tuple[int, bytes]], list[str]]:
        """Check each ``log.restored`` leaf and the superseded checkpoints the bundle carries.

        Returns the (size, root) of every checkpoint a restore declares superseded, and one
        line per such checkpoint for the report.
        """
        carried: dict[int, list[tuple[Checkpoint, tuple[bytes, ...]]]] = {}
        for number, entry in enumerate(self.bundle.superseded_checkpoints, start=1):
            label = f"superseded checkpoint {number}"
            for checkpoint in self.open_checkpoints([entry.note], keys, label):
                carried.setdefault(entry.restored_leaf, []).append((checkpoint, entry.proof))
        restores = self.restore_leaves()
        declared: set[tuple[int, bytes]] = set()
        notes: list[str] = []
        for index in sorted(set(restores) | set(carried)):
            event = str(EventType.LOG_RESTORED)
            fields = restores.get(index)
            if fields is None:
                self.fail(
                    f"superseded checkpoints name leaf {index} as their restore, but it is not"
                    " a log.restored event",
                    leaf=index,
                )
                continue
            lost_from, lost_to, size, root, proof = fields
            entries = carried.get(index, [])
            if not any(cp.size == size and cp.root == root for cp, _ in entries):
                self.fail(
                    f"it declares the checkpoint of size {size} (root {root.hex()[:16]}...)"
                    " superseded, but the bundle holds no such signed checkpoint",
                    leaf=index,
                    event=event,
                )
                continue
            try:
                if lost_from:
                    verify_consistency(lost_from, size, self.root_at(lost_from), root, proof)
            except ProofError as error:
                self.fail(
                    f"the checkpoint it supersedes does not extend the {lost_from} leaves kept:"
                    f" {error}",
                    leaf=index,
                    event=event,
                )
                continue
            for checkpoint, to_named in entries:
                if not self.superseded_by(checkpoint, to_named, fields, index):
                    continue
                declared.add((checkpoint.size, checkpoint.root))
                notes.append(
                    f"checkpoint of size {checkpoint.size}: superseded by the declared restore at"
                    f" leaf {index} (leaves {lost_from}-{lost_to - 1} lost)"
                )
        return declared, notes

    def superseded_by(
        self,
        checkpoint: Checkpoint,
        proof: tuple[bytes, ...],
        fields: tuple[int, int, int, bytes, tuple[bytes, ...]],
        index: int,
    ) -> bool:
        """Whether ``checkpoint`` is the one the restore leaf names or consistent with it."""
        lost_from, _, size, root, _ = fields
        where = f"the superseded checkpoint of size {checkpoint.size}"
        if checkpoint.size == size and checkpoint.root == root:
            return True
        if not lost_from < checkpoint.size < size:
            self.fail(
                f"{where} is not among the lost leaves {lost_from}-{size - 1} the restore at"
                f" leaf {index} declares",
                leaf=index,
            )
            return False
        try:
            verify_consistency(checkpoint.size, size, checkpoint.root, root, proof)
        except ProofError as error:
            self.fail(f"{where} is not consistent with the one the restore names: {error}")
            return False
        return True

    def restore_leaves(self) -> dict[int, tuple[int, int, int, bytes, tuple[bytes, ...]]]:
        """Each well-formed ``log.restored`` leaf: (lost_from, lost_to, size, root, proof);
        a malformed one is a failure."""
        found = {}
        marker = b'"type":"log.restored"'
        for index, raw in enumerate(self.leaves):
            if marker not in raw:
                continue
            try:
                found[index] = _restore_fields(parse_leaf(raw), index)
            except (AuditError, ValueError, TypeError, KeyError) as error:
                self.fail(
                    f"a malformed log.restored event: {error}",
                    leaf=index,
                    event=str(EventType.LOG_RESTORED),
                )
        return found

    # --- the manifest -------------------------------------------------------------------------

    def check_header(self) -> None:
        """The manifest's own claims: its leaf count, checkpoints listed by size and each once,
        consistency proofs each once; and the file's final newline."""
        declared = self.bundle.leaf_count
        if declared is not None and declared != len(self.leaves):
            self.fail(
                f"the manifest says {declared} leaves, the bundle holds {len(self.leaves)}",
                field="leaf_count",
            )
        if not self.bundle.final_newline:
            self.fail(
                "the file's last line does not end with a newline: the file was cut off",
                leaf=len(self.leaves) - 1 if self.leaves else None,
            )
        first_seen: dict[object, int] = {}
        for number, note in enumerate(self.bundle.checkpoints, start=1):
            if note in first_seen:
                self.fail(
                    f"checkpoint {number} repeats checkpoint {first_seen[note]}: each is listed "
                    "once",
                    field="checkpoints",
                )
            first_seen.setdefault(note, number)
        for number, proof in enumerate(self.bundle.consistency_proofs):
            pair = (proof.size1, proof.size2)
            if pair in first_seen:
                self.fail(
                    f"a second consistency proof from size {proof.size1} to {proof.size2}: "
                    "each is listed once",
                    field=f"consistency_proofs[{number}]",
                )
            first_seen.setdefault(pair, number)
        sizes = [_claimed_size(note) for note in self.bundle.checkpoints]
        largest = -1
        for number, size in enumerate(sizes, start=1):
            if size is None:
                continue
            if size < largest:
                self.fail(
                    f"checkpoint {number} (size {size}) comes after one of size {largest}: "
                    "checkpoints are listed in increasing size",
                    field="checkpoints",
                )
            largest = max(largest, size)

    def check_remembered(self, trust: TrustFile | None, signed: int) -> tuple[int, bytes] | None:
        """The leaves must extend the checkpoint the auditor's trust file remembers."""
        if trust is None:
            return None
        if trust.origin != self.bundle.origin:
            self.fail(f"your trust file is for log {trust.origin}, not {self.bundle.origin}")
            return None
        if trust.checkpoint is None:
            return None
        size, root = trust.checkpoint
        if signed < size:
            self.fail(
                f"your trust file remembers a verified checkpoint of size {size}; this bundle's "
                f"checkpoints sign only {signed} leaves: it goes back on what you verified"
            )
        elif self.root_at(size) != root:
            self.fail(
                f"the leaves do not extend the checkpoint of size {size} your trust file "
                "remembers: this is not the history you verified before"
            )
        return trust.checkpoint

    # --- keys and checkpoints -----------------------------------------------------------------

    def select_keys(self, trusted_vkeys: Sequence[str], scan: _LeafScan) -> KeySelection:
        """The keys checkpoints may be signed with (see ``keyhistory.signing_keys``).

        A checkpoint's origin line is its log's name and its signer's key name: a key you trust
        that is named for another log, or a key of the log's named otherwise, signs nothing here.
        """
        origin = self.bundle.origin
        for vkey in trusted_vkeys:
            name = parse_vkey(vkey).name
            if name != origin:
                self.fail(
                    f"the key you trust {vkey} is the key of log {name}, not of this bundle's "
                    f"log {origin}"
                )
        evidence = RotationEvidence(
            notes=(*self.bundle.checkpoints, *self.held),
            leaf_count=len(self.leaves),
            root_at=self.root_at,
        )
        selection = signing_keys(self.bundle.keys, trusted_vkeys, scan.key_chain, evidence.vouches)
        for problem in selection.problems:
            self.fail(problem)
        for _, verifier in selection.keys:
            if verifier.name != origin and verifier.vkey not in trusted_vkeys:
                self.fail(
                    f"the log's key {verifier.vkey} is named {verifier.name}: a checkpoint of "
                    f"log {origin} is signed under the key name {origin}"
                )
        return selection

    def open_checkpoints(
        self, notes: Iterable[str], keys: Sequence[KeyedPeriod], label: str
    ) -> list[Checkpoint]:
        opened = []
        for number, note in enumerate(notes, start=1):
            size = _claimed_size(note)
            where = f"{label} {number}" + ("" if size is None else f" (size {size})")
            verifiers = [v for period, v in keys if size is None or period.covers(size)]
            if size is not None and not verifiers:
                self.fail(f"{where}: no key may sign a checkpoint of this size")
                continue
            try:
                checkpoint = open_checkpoint(note, verifiers)
            except SignatureError as error:
                self.fail(f"{where}: {error}")
                continue
            if checkpoint.origin != self.bundle.origin:
                self.fail(f"{where}: it is for log {checkpoint.origin}, not {self.bundle.origin}")
                continue
            opened.append(checkpoint)
        return opened

    def root_at(self, size: int) -> bytes:
        return self.tree.root(size) if size else EMPTY_ROOT

    def check_roots(self, checkpoints: Sequence[Checkpoint]) -> tuple[int, int]:
        """Compare every checkpoint with the leaves.

        Returns the proven prefix (the largest matching size below any mismatch) and how many
        successive checkpoint pairs agree.
        """
        count = len(self.leaves)
        matching: list[int] = [0]
        mismatched: list[Checkpoint] = []
        for checkpoint in checkpoints:
            if checkpoint.size > count:
                self.fail(
                    f"the checkpoint of size {checkpoint.size} signs leaves "
                    f"{count}-{checkpoint.size - 1}, which the bundle does not hold: "
                    "the tail was cut off or leaves were dropped",
                    leaf=count,
                    leaf_end=checkpoint.size,
                )
            elif self.root_at(checkpoint.size) == checkpoint.root:
                matching.append(checkpoint.size)
            else:
                mismatched.append(checkpoint)
        self.check_same_size_forks(checkpoints)
        self.matching = frozenset(matching)
        proven = max(matching)
        if mismatched:
            proven = max(size for size in matching if size < mismatched[0].size)
            self.locate_change(mismatched, matching)
        return proven, max(0, len(set(matching) - {0}) - 1)

    # --- witnesses ----------------------------------------------------------------------------

    def check_witnesses(self, witnesses: WitnessPolicy) -> tuple[int, tuple[str, ...]]:
        """The witnesses' cosignatures: the largest size a quorum cosigned, and summary lines.

        Every leaf must lie under a checkpoint that a quorum of the auditor's witnesses
        cosigned, so the log cannot have shown it to them differently; a cosignature of theirs
        that does not verify, a witness whose time goes backwards or that cosigned two trees of
        one size, and a leaf dated after the time a quorum cosigned the first checkpoint
        covering it (beyond ``CLOCK_SKEW_SECONDS``) are failures.
        """
        if not witnesses.required:
            return 0, ("witnesses: none required (no witness keys given)",)
        quorum, count = witnesses.quorum, len(witnesses.keys)
        result = check_witnessed(self.bundle.checkpoints, witnesses.keys, quorum)
        for problem in result.failures:
            self.fail(problem, field="checkpoints")
        sizes = [size for size in result.sizes if size in self.matching]
        latest = max(sizes, default=0)
        if latest < len(self.leaves):
            self.fail(
                f"no checkpoint cosigned by {quorum} of your {count} witnesses covers these "
                "leaves: the witnesses have not seen them, so the log could show them "
                "differently to someone else",
                leaf=latest,
                leaf_end=len(self.leaves),
            )
        before = 0
        for size in sizes:
            timestamp = result.time_of(size)
            assert timestamp is not None  # a size in result.sizes has its quorum
            self.check_leaf_times(before, size, timestamp)
            before = size
        if not sizes:
            return 0, (f"witnesses: no checkpoint is cosigned by {quorum} of your {count}",)
        when = result.time_of(latest)
        assert when is not None  # as above
        cosigners = len(result.timestamps[latest])
        return latest, (
            f"witnesses: {cosigners} of your {count} cosigned the checkpoint over {latest} "
            f"leaves (quorum {quorum}) by {cosigned_time_text(when)}; no leaf is dated after "
            f"its witnesses' time (allowing {CLOCK_SKEW_SECONDS} s for clock differences)",
        )

    def check_leaf_times(self, start: int, end: int, timestamp: int) -> None:
        """No leaf in ``[start, end)`` is dated after ``timestamp`` (plus the clock skew).

        Leaf times never go backwards (checked while scanning), so the last leaf is the latest;
        only when it is too late are the others read, to name the first.
        """
        limit = cosigned_limit(timestamp)
        if limit is None or end <= start or _leaf_time(self.leaves[end - 1]) <= limit:
            return
        first = next(i for i in range(start, end) if _leaf_time(self.leaves[i]) > limit)
        self.fail(
            f"dated {_leaf_time(self.leaves[first])}, after the witnesses cosigned the "
            f"checkpoint over {end} leaves covering it at {cosigned_time_text(timestamp)} "
            f"(more than {CLOCK_SKEW_SECONDS} s of clock difference): a leaf dated in the future",
            leaf=first,
            leaf_end=end,
        )

    def check_unsigned_tail(self, signed: int) -> None:
        if len(self.leaves) > signed:
            self.fail(
                "not covered by any signed checkpoint: anyone could have written them, "
                "nothing in them is verified",
                leaf=signed,
                leaf_end=len(self.leaves),
            )

    def check_same_size_forks(self, checkpoints: Sequence[Checkpoint]) -> None:
        for before, after in itertools.pairwise(checkpoints):
            if before.size == after.size and before.root != after.root:
                self.fail(
                    f"two signed checkpoints of size {before.size} have different roots: "
                    "the log has forked"
                )

    def locate_change(self, mismatched: Sequence[Checkpoint], matching: Sequence[int]) -> None:
        """Name the leaves between the last matching checkpoint and the first that fails."""
        first_bad = mismatched[0]
        start = max(size for size in matching if size < first_bad.size)
        message = (
            f"the checkpoint of size {first_bad.size} does not match the leaves "
            f"(the one of size {start} does): "
        )
        if first_bad.size - start == 1:
            self.fail(
                message + "this leaf is not the one that was signed",
                leaf=start,
                event=self.event_of(start),
            )
        else:
            self.fail(
                message + "one of these leaves was changed, dropped, inserted or moved",
                leaf=start,
                leaf_end=first_bad.size,
            )
        later = sorted({cp.size for cp in mismatched[1:]} - {first_bad.size})
        if later:
            sizes = ", ".join(str(size) for size in later[:10]) + (
                " ..." if len(later) > 10 else ""
            )
            self.fail(f"{len(later)} later checkpoints (sizes {sizes}) do not match either")

    def check_consistency_proofs(self, checkpoints: Sequence[Checkpoint]) -> int:
        roots = {cp.size: cp.root for cp in checkpoints}
        checked = 0
        for entry in self.bundle.consistency_proofs:
            where = f"the consistency proof from size {entry.size1} to {entry.size2}"
            if entry.size1 not in roots or entry.size2 not in roots:
                self.fail(f"{where} names a size no verified checkpoint has")
                continue
            try:
                verify_consistency(
                    entry.size1, entry.size2, roots[entry.size1], roots[entry.size2], entry.proof
                )
            except ProofError as error:
                self.fail(f"{where}: {error}")
                continue
            checked += 1
        return checked

    # --- leaves -------------------------------------------------------------------------------

    def scan_leaves(self) -> _LeafScan:
        scan = _LeafScan()
        # Fast path, in C: msgspec decodes the leaf into its typed fields (exactly the fields,
        # each of its type, whole numbers JSON carries exactly) and encodes it back; a leaf of
        # ASCII text without escapes whose bytes equal that encoding is canonical JSON (for such
        # text msgspec writes what RFC 8785 writes: keys sorted, no whitespace, shortest
        # numbers). Then the time's format and order, the index and the commitments' hex are
        # checked. Anything it does not accept takes the slow path, which parses the leaf
        # with json.loads and rfc8785 and says exactly what is wrong: the fast path only ever
        # accepts what the slow path accepts (``core/tests/audit/test_verify_leaves.py``).
        decode, encode = _decode_leaf, _encode_leaf
        time_match, lower_hex = _TIME_MATCH, _LOWER_HEX
        special = _SPECIAL_EVENTS
        last_at = ""
        for position, raw in enumerate(self.leaves):
            if raw.isascii() and b"\\" not in raw:
                try:
                    leaf = decode(raw)
                except msgspec.MsgspecError:
                    leaf = None
                if (
                    leaf is not None
                    and leaf.index == position
                    and leaf.at >= last_at
                    and time_match(leaf.at) is not None
                    and (not leaf.commitments or lower_hex("".join(leaf.commitments.values())))
                    and encode(leaf) == raw
                ):
                    kind = leaf.type
                    if kind not in special:
                        last_at = leaf.at
                        continue
                    if kind != _ERASED:
                        last_at = leaf.at
                        self.note_key_event(scan, position, kind, leaf.public)
                        continue
                    if leaf.subject is not None:  # an erasure without a subject: slow path
                        last_at = leaf.at
                        scan.erased.setdefault(leaf.subject, position)
                        continue
            scan.last_at = last_at
            self.check_leaf_slowly(scan, position, raw)
            last_at = scan.last_at
        hidden = len(scan.bad_positions) - MAX_LISTED_LEAF_FAILURES
        if hidden > 0:
            self.fail(f"and {hidden} more leaves fail the checks above (not listed)")
        return scan

    def check_leaf_slowly(self, scan: _LeafScan, position: int, raw: bytes) -> None:
        """Check one leaf in full, naming what is wrong; keep its key event or erasure."""
        try:
            leaf = parse_leaf(raw)
        except AuditError as error:
            self.leaf_failure(scan, position, None, str(error))
            return
        event = leaf.event_type.value
        if leaf.index != position:
            self.leaf_failure(
                scan,
                position,
                event,
                f"the leaf says it is leaf {leaf.index}: a leaf was dropped, inserted or moved",
            )
            return
        before, scan.last_at = scan.last_at, leaf.at
        problem = None
        if leaf.at < before:
            problem = (
                f"time goes backwards at leaf {position}: {leaf.at} is before {before}, "
                "the time of the leaf before it"
            )
        else:
            canonical = canonical_problem(raw)
            if canonical is not None:
                problem = f"the leaf is not canonical JSON (RFC 8785): {canonical}"
        if problem is not None:
            self.leaf_failure(scan, position, event, problem)
        # A flawed leaf is still one the log signed: keep the key history and the erasures
        # whole for the checks that follow.
        if event in KEY_EVENTS:
            if problem is None:
                self.note_key_event(scan, position, event, dict(leaf.public))
            else:
                scan.key_chain.note(position, event, dict(leaf.public))
        elif event == _ERASED and leaf.subject is not None:
            scan.erased.setdefault(leaf.subject, position)

    def note_key_event(
        self, scan: _LeafScan, position: int, kind: str, public: dict[str, Any]
    ) -> None:
        """Add the key a ``log.created`` or ``log.key_rotated`` event introduces to the chain."""
        problem = scan.key_chain.note(position, kind, public)
        origin = public.get("origin", self.bundle.origin)
        if problem is None and kind == _CREATED and origin != self.bundle.origin:
            problem = f"the log was created as log {origin!r}, not {self.bundle.origin}"
        if problem is not None:
            self.leaf_failure(scan, position, kind, problem)

    def leaf_failure(self, scan: _LeafScan, position: int, event: str | None, message: str) -> None:
        scan.bad_positions.append(position)
        if len(scan.bad_positions) <= MAX_LISTED_LEAF_FAILURES:
            self.fail(message, leaf=position, event=event)

    def event_of(self, position: int) -> str | None:
        try:
            return parse_leaf(self.leaves[position]).event_type.value
        except AuditError:
            return None

    # --- openings and re-scoring --------------------------------------------------------------

    def check_openings(self, erased: dict[str, int], proven: int) -> tuple[int, int, int]:
        """Open the disclosed fields of the proven prefix; count the ones past it, unchecked."""
        opened_count = rescored = unchecked = 0
        for index, openings in sorted(self.bundle.openings.items()):
            if index >= len(self.leaves):
                self.fail("the bundle discloses openings for a leaf it does not hold", leaf=index)
                continue
            if index >= proven:
                unchecked += len(openings)
                continue
            try:
                leaf = parse_leaf(self.leaves[index])
            except AuditError:
                continue  # already reported by the leaf scan
            opened = self.open_leaf_fields(index, leaf, openings, erased)
            opened_count += len(opened)
            if leaf.event_type in SCORING_EVENTS and ANSWERS_FIELD in opened:
                rescored += self.rescore(
                    index, leaf, opened[ANSWERS_FIELD], opened.get(SCORECARD_HASH_FIELD)
                )
        return opened_count, rescored, unchecked

    def open_leaf_fields(
        self, index: int, leaf: Leaf, openings: Sequence[Opening], erased: dict[str, int]
    ) -> dict[str, Any]:
        event = leaf.event_type.value
        if leaf.subject is not None and leaf.subject in erased:
            self.fail(
                f"the bundle opens fields of erased subject {leaf.subject}, "
                "whose secret should have been destroyed",
                leaf=index,
                event=event,
            )
        opened: dict[str, Any] = {}
        for opening in openings:
            commitment = leaf.commitments.get(opening.field)
            problem = (
                "the leaf commits to no such field"
                if commitment is None
                else opening_problem(commitment, opening)
            )
            if problem is None:
                opened[opening.field] = opening.value
            else:
                self.fail(problem, leaf=index, event=event, field=opening.field)
        return opened

    def rescore(self, index: int, leaf: Leaf, answers: object, scorecard_hash: object) -> int:
        problem = rescore_problem(
            leaf,
            answers,
            self.bundle.playbooks,
            self.rescorer,
            opened_scorecard_hash=scorecard_hash,
        )
        if problem is None:
            return 1
        self.fail(problem, leaf=index, event=leaf.event_type.value, field=ANSWERS_FIELD)
        return 0

    def check_erasures(self, erased: dict[str, int]) -> None:
        """The manifest's erased subjects are exactly, sorted, those the signed leaves erase."""
        listed = self.bundle.erased_subjects
        for subject in listed:
            if subject not in erased:
                self.fail(
                    f"the bundle lists subject {subject} as erased, but the log's signed "
                    "leaves hold no subject.erased event for it",
                    field="erased_subjects",
                )
        for subject, index in sorted(erased.items()):
            if subject not in listed:
                self.fail(
                    f"the log erased subject {subject} at leaf {index}, "
                    "but the bundle does not list it",
                    field="erased_subjects",
                )
        if set(listed) == set(erased) and list(listed) != sorted(erased):
            self.fail(
                "the erased subjects are not listed once each, sorted", field="erased_subjects"
            )


def _restore_fields(leaf: Leaf, index: int) -> tuple[int, int, int, bytes, tuple[bytes, ...]]:
    """A ``log.restored`` leaf's lost range, the checkpoint it names and the proof to it."""
    public = leaf.public
    lost_from, lost_to = public["lost_from"], public["lost_to"]
    superseded = public["superseded"]
    size, root = superseded["size"], bytes.fromhex(superseded["root"])
    proof = tuple(bytes.fromhex(node) for node in public["consistency"])
    numbers = (lost_from, lost_to, size)
    if any(type(number) is not int for number in numbers) or len(root) != 32:
        raise ValueError("its sizes are not whole numbers or its root is not 32 bytes")
    if not (lost_from <= index and lost_from < size <= lost_to):
        raise ValueError(
            f"the lost range {lost_from}-{lost_to - 1} must start at or before the leaf and hold"
            f" the checkpoint of size {size} it names"
        )
    return lost_from, lost_to, size, root, proof


def _leaf_time(raw: bytes) -> str:
    """A leaf's time, or "" when it has none to read (that leaf's failure is reported already)."""
    try:
        return parse_leaf(raw).at
    except AuditError:
        return ""


def _claimed_size(note: str) -> int | None:
    """The size a note's body claims, before any signature is checked (None if unreadable)."""
    try:
        return parse_checkpoint_body(note[: note.rfind("\n\n") + 1]).size
    except SignatureError:
        return None
