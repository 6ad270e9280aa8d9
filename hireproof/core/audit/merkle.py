"""The RFC 6962 / RFC 9162 Merkle tree: hashes, roots, proofs and their verification.

Indices are 0-based (RFC 9162 and transparency-dev; pymerkle is 1-based). The tree's shape is
fixed by its size alone: the left subtree of a tree of ``n > 1`` leaves holds the largest power
of two ``k < n`` leaves. This is not the Bitcoin "duplicate the last node" tree.

A *perfect node* ``(level, index)`` is the root of the perfect subtree over the leaves
``[index * 2**level, (index + 1) * 2**level)``; level 0 is the leaf hashes. Proofs are built
from perfect nodes only, so a store that keeps them (``CompactRange.append`` hands each new one
over) answers any proof with O(log n) reads.

Verification follows RFC 9162 sections 2.1.3.2 and 2.1.4.2 with every check the design note's
pitfall list calls for: 32-byte hashes everywhere, ``index < size``, proofs capped at 64
hashes, the final ``sn == 0`` test, and an empty consistency proof refused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from hireproof.core.errors import ProofError

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "MAX_PROOF_LENGTH",
    "CompactRange",
    "MemorySource",
    "SubtreeSource",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "root_of",
    "subtree_root",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
# A tree of 2**64 leaves has height 64: no honest proof is longer (design note, pitfall 2).
MAX_PROOF_LENGTH = 64
EMPTY_ROOT = hashlib.sha256(b"").digest()

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


def leaf_hash(data: bytes) -> bytes:
    """``SHA-256(0x00 || data)``: the hash of one leaf's raw bytes."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 || left || right)``: the hash of an interior node."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def _split_point(size: int) -> int:
    """The largest power of two strictly below ``size`` (``size > 1``)."""
    return 1 << ((size - 1).bit_length() - 1)


def root_of(leaf_hashes: Iterable[bytes]) -> bytes:
    """The tree head over ``leaf_hashes`` (RFC 9162 2.1.2, the stack algorithm).

    ``EMPTY_ROOT`` for no leaves.
    """
    stack: list[bytes] = []
    for index, hashed in enumerate(leaf_hashes):
        stack.append(hashed)
        # Each trailing 1-bit of the index completes one perfect subtree.
        merges = index
        while merges & 1:
            right = stack.pop()
            stack[-1] = node_hash(stack[-1], right)
            merges >>= 1
    return _fold_stack(stack)


def _fold_stack(stack: Sequence[bytes]) -> bytes:
    """Fold the perfect-subtree roots (largest first) into the tree head."""
    if not stack:
        return EMPTY_ROOT
    root = stack[-1]
    for left in reversed(stack[:-1]):
        root = node_hash(left, root)
    return root


class SubtreeSource(Protocol):
    """Anything that can hand over the hash of a perfect subtree of the log."""

    def perfect_node(self, level: int, index: int) -> bytes:
        """The root of the perfect subtree over leaves ``[index*2**level, (index+1)*2**level)``."""
        ...  # pragma: no cover - a protocol has no body


class MemorySource:
    """Every perfect node of a list of leaf hashes, computed once and kept in memory.

    Building costs about one hash per leaf; afterwards any perfect node is one list lookup,
    so proofs and roots at any size cost O(log n).
    """

    def __init__(self, leaf_hashes: Sequence[bytes]) -> None:
        levels: list[list[bytes]] = [list(leaf_hashes)]
        while len(levels[-1]) > 1:
            below = levels[-1]
            levels.append(
                [
                    hashlib.sha256(_NODE_PREFIX + left + right).digest()
                    for left, right in zip(below[0::2], below[1::2], strict=False)
                ]
            )
        self._levels = levels

    @property
    def size(self) -> int:
        """How many leaves the source holds."""
        return len(self._levels[0])

    def perfect_node(self, level: int, index: int) -> bytes:
        """The stored perfect node; ``ValueError`` if the leaves do not complete it."""
        if level >= len(self._levels) or not 0 <= index < len(self._levels[level]):
            raise ValueError(f"no perfect node at level {level}, index {index}")
        return self._levels[level][index]

    def root(self, size: int | None = None) -> bytes:
        """The tree head over the first ``size`` leaves (all of them by default)."""
        return subtree_root(self, 0, self.size if size is None else size)


def subtree_root(source: SubtreeSource, start: int, end: int) -> bytes:
    """``MTH(D[start:end])`` built from perfect nodes (``EMPTY_ROOT`` for an empty range).

    An aligned power-of-two range is one read; any other range splits the RFC 6962 way, so the
    ranges a proof asks for cost O(log n) reads.
    """
    if not 0 <= start <= end:
        raise ValueError(f"bad leaf range [{start}, {end})")
    size = end - start
    if size == 0:
        return EMPTY_ROOT
    if size & (size - 1) == 0 and start % size == 0:
        return source.perfect_node(size.bit_length() - 1, start // size)
    split = start + _split_point(size)
    return node_hash(subtree_root(source, start, split), subtree_root(source, split, end))


def inclusion_proof(source: SubtreeSource, index: int, size: int) -> list[bytes]:
    """The audit path of leaf ``index`` in the tree of ``size`` leaves (RFC 9162 2.1.3.1)."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is not in a tree of {size} leaves")
    path: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        split = start + _split_point(end - start)
        if index < split:
            path.append(subtree_root(source, split, end))
            end = split
        else:
            path.append(subtree_root(source, start, split))
            start = split
    path.reverse()  # the recursion collects top-down; the proof runs leaf upwards
    return path


def consistency_proof(source: SubtreeSource, size1: int, size2: int) -> list[bytes]:
    """The proof that the tree of ``size1`` leaves is a prefix of ``size2`` (RFC 9162 2.1.4.1).

    Defined for ``0 < size1 <= size2``; equal sizes give the empty proof.
    """
    if not 0 < size1 <= size2:
        raise ValueError(f"no consistency proof from size {size1} to size {size2}")
    proof: list[bytes] = []
    start, end, whole = 0, size2, True
    while size1 - start != end - start:
        split = start + _split_point(end - start)
        if size1 <= split:
            proof.append(subtree_root(source, split, end))
            end = split
        else:
            proof.append(subtree_root(source, start, split))
            start, whole = split, False
    if not whole:
        proof.append(subtree_root(source, start, end))
    proof.reverse()
    return proof


# --- verification -----------------------------------------------------------------------------


def _require_hash(value: bytes, what: str) -> None:
    if len(value) != HASH_SIZE:
        raise ProofError(f"{what} is {len(value)} bytes long, not {HASH_SIZE}")


def _require_proof_hashes(proof: Sequence[bytes]) -> None:
    if len(proof) > MAX_PROOF_LENGTH:
        raise ProofError(f"the proof has {len(proof)} hashes; no tree needs more than 64")
    for position, hashed in enumerate(proof):
        _require_hash(hashed, f"proof hash {position}")


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf_hash`` sits at ``index`` in the tree of ``size`` leaves with ``root``.

    ``leaf_hash`` is ``leaf_hash(data)``, not the data. Raises ``ProofError`` saying why.
    Size and root must come from one verified checkpoint: for some trees the same path
    verifies for two sizes (design note, pitfall 5).
    """
    _require_hash(leaf_hash, "the leaf hash")
    _require_hash(root, "the root")
    _require_proof_hashes(proof)
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is not in a tree of {size} leaves")
    computed = _root_from_inclusion(leaf_hash, index, size - 1, proof)
    if computed != root:
        raise ProofError(f"the inclusion proof for leaf {index} does not lead to the root")


def _root_from_inclusion(hashed: bytes, fn: int, sn: int, proof: Sequence[bytes]) -> bytes:
    """RFC 9162 2.1.3.2 steps 2-5 (``fn`` = index, ``sn`` = size - 1)."""
    for sibling in proof:
        if sn == 0:
            raise ProofError("the inclusion proof is longer than the tree is high")
        if fn & 1 or fn == sn:
            hashed = node_hash(sibling, hashed)
            # We were the last node of our level: climb until we are a right child again.
            while not (fn & 1 or fn == 0):
                fn >>= 1
                sn >>= 1
        else:
            hashed = node_hash(hashed, sibling)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the inclusion proof is shorter than the tree is high")
    return hashed


def verify_consistency(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree (``size1``, ``root1``) is a prefix of (``size2``, ``root2``).

    RFC 9162 2.1.4.2, plus the transparency-dev conventions: equal sizes need equal roots and
    an empty proof; size 0 and ``size1 > size2`` are refused. Raises ``ProofError``.
    """
    if size1 <= 0 or size2 < size1:
        raise ProofError(f"no consistency proof exists from size {size1} to size {size2}")
    if size1 == size2:
        # Nothing is hashed: the roots are compared byte for byte, as transparency-dev does
        # (its vector "sizes are equal (one) and proof is empty" uses 12-byte roots).
        _require_same_tree(root1, root2, proof)
        return
    _require_hash(root1, "the first root")
    _require_hash(root2, "the second root")
    _require_proof_hashes(proof)
    if not proof:
        raise ProofError(f"the consistency proof from size {size1} to {size2} is empty")
    path = list(proof)
    if size1 & (size1 - 1) == 0:
        # The old tree is a perfect subtree of the new one: its root is the path's start.
        path.insert(0, root1)
    first, second = _roots_from_consistency(size1 - 1, size2 - 1, path)
    if first != root1:
        raise ProofError(f"the consistency proof does not lead to the root of size {size1}")
    if second != root2:
        raise ProofError(f"the consistency proof does not lead to the root of size {size2}")


def _require_same_tree(root1: bytes, root2: bytes, proof: Sequence[bytes]) -> None:
    if proof:
        raise ProofError("two trees of the same size need an empty consistency proof")
    if root1 != root2:
        raise ProofError("two trees of the same size have different roots")


def _roots_from_consistency(fn: int, sn: int, path: Sequence[bytes]) -> tuple[bytes, bytes]:
    """RFC 9162 2.1.4.2 steps 3-7: the old and new roots the path leads to."""
    while fn & 1:
        fn >>= 1
        sn >>= 1
    first = second = path[0]
    for node in path[1:]:
        if sn == 0:
            raise ProofError("the consistency proof is longer than the tree is high")
        if fn & 1 or fn == sn:
            first = node_hash(node, first)
            second = node_hash(node, second)
            while not (fn & 1 or fn == 0):
                fn >>= 1
                sn >>= 1
        else:
            second = node_hash(second, node)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the consistency proof is shorter than the tree is high")
    return first, second


# --- the append-only builder ------------------------------------------------------------------


class CompactRange:
    """The roots of the perfect subtrees covering leaves ``[0, size)``: an append-only tree.

    ``append`` costs amortised O(1) hashes and returns the perfect nodes it completed, which a
    store persists so proofs never need a rebuild.
    """

    def __init__(self) -> None:
        self._size = 0
        self._stack: list[bytes] = []  # the perfect-subtree roots, largest (leftmost) first

    @property
    def size(self) -> int:
        """How many leaves have been appended."""
        return self._size

    def append(self, leaf_hash: bytes) -> list[tuple[int, int, bytes]]:
        """Add one leaf hash; return the new perfect nodes ``(level, index, hash)``, leaf first."""
        if len(leaf_hash) != HASH_SIZE:
            raise ValueError(f"a leaf hash is {HASH_SIZE} bytes, not {len(leaf_hash)}")
        index = self._size
        completed = [(0, index, leaf_hash)]
        self._stack.append(leaf_hash)
        level = 0
        while index & 1:
            right = self._stack.pop()
            self._stack[-1] = node_hash(self._stack[-1], right)
            level += 1
            index >>= 1
            completed.append((level, index, self._stack[-1]))
        self._size += 1
        return completed

    def root(self) -> bytes:
        """The tree head over every leaf appended so far."""
        return _fold_stack(self._stack)

    @classmethod
    def from_nodes(cls, size: int, get_node: Callable[[int, int], bytes]) -> CompactRange:
        """Resume a tree of ``size`` leaves from stored perfect nodes (``get_node(level, index)``).

        Reads one node per 1-bit of ``size``: the perfect subtrees the stack holds.
        """
        if size < 0:
            raise ValueError(f"a tree cannot have {size} leaves")
        resumed = cls()
        start = 0
        for level in reversed(range(size.bit_length())):
            if size >> level & 1:
                resumed._stack.append(get_node(level, start >> level))
                start += 1 << level
        resumed._size = size
        return resumed
