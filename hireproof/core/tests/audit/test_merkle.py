"""Proof generation, the compact range and subtree reads, including hypothesis properties."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hireproof.core.audit.merkle import (
    EMPTY_ROOT,
    CompactRange,
    MemorySource,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_of,
    subtree_root,
    verify_consistency,
    verify_inclusion,
)
from hireproof.core.errors import ProofError


def _leaves(count: int) -> list[bytes]:
    return [leaf_hash(f"leaf {i}".encode()) for i in range(count)]


def _reference_root(hashes: list[bytes]) -> bytes:
    """MTH written straight from RFC 6962 2.1, recursion and all."""
    if not hashes:
        return hashlib.sha256(b"").digest()
    if len(hashes) == 1:
        return hashes[0]
    split = 1 << ((len(hashes) - 1).bit_length() - 1)
    return node_hash(_reference_root(hashes[:split]), _reference_root(hashes[split:]))


SIZES = st.integers(min_value=1, max_value=300)


@settings(max_examples=150, deadline=None)
@given(size=SIZES, data=st.data())
def test_every_generated_inclusion_proof_verifies(size: int, data: st.DataObject) -> None:
    hashes = _leaves(size)
    source = MemorySource(hashes)
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    root = source.root(size)
    assert root == _reference_root(hashes) == root_of(hashes)
    verify_inclusion(hashes[index], index, size, inclusion_proof(source, index, size), root)


@settings(max_examples=150, deadline=None)
@given(size2=SIZES, data=st.data())
def test_every_generated_consistency_proof_verifies(size2: int, data: st.DataObject) -> None:
    source = MemorySource(_leaves(size2))
    size1 = data.draw(st.integers(min_value=1, max_value=size2))
    proof = consistency_proof(source, size1, size2)
    verify_consistency(size1, size2, source.root(size1), source.root(size2), proof)


def test_every_proof_verifies_for_every_size_up_to_64() -> None:
    hashes = _leaves(64)
    source = MemorySource(hashes)
    for size in range(1, 65):
        root = source.root(size)
        for index in range(size):
            verify_inclusion(hashes[index], index, size, inclusion_proof(source, index, size), root)
        for size1 in range(1, size + 1):
            proof = consistency_proof(source, size1, size)
            verify_consistency(size1, size, source.root(size1), root, proof)


@settings(max_examples=100, deadline=None)
@given(size=SIZES, data=st.data())
def test_any_flipped_byte_in_an_inclusion_proof_or_root_is_rejected(
    size: int, data: st.DataObject
) -> None:
    hashes = _leaves(size)
    source = MemorySource(hashes)
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    proof = inclusion_proof(source, index, size)
    root = source.root(size)
    values = [hashes[index], *proof, root]
    which = data.draw(st.integers(min_value=0, max_value=len(values) - 1))
    byte = data.draw(st.integers(min_value=0, max_value=31))
    bit = data.draw(st.integers(min_value=0, max_value=7))
    flipped = bytearray(values[which])
    flipped[byte] ^= 1 << bit
    values[which] = bytes(flipped)
    with pytest.raises(ProofError):
        verify_inclusion(values[0], index, size, values[1:-1], values[-1])


@settings(max_examples=100, deadline=None)
@given(size2=st.integers(min_value=2, max_value=300), data=st.data())
def test_any_flipped_byte_in_a_consistency_proof_or_root_is_rejected(
    size2: int, data: st.DataObject
) -> None:
    source = MemorySource(_leaves(size2))
    size1 = data.draw(st.integers(min_value=1, max_value=size2 - 1))
    values = [source.root(size1), *consistency_proof(source, size1, size2), source.root(size2)]
    which = data.draw(st.integers(min_value=0, max_value=len(values) - 1))
    byte = data.draw(st.integers(min_value=0, max_value=31))
    flipped = bytearray(values[which])
    flipped[byte] ^= 0x01
    values[which] = bytes(flipped)
    with pytest.raises(ProofError):
        verify_consistency(size1, size2, values[0], values[-1], values[1:-1])


# --- the compact range ---------------------------------------------------------------------------


def test_the_compact_range_reports_each_perfect_node_it_completes() -> None:
    hashes = _leaves(4)
    tree = CompactRange()
    assert tree.append(hashes[0]) == [(0, 0, hashes[0])]
    assert tree.append(hashes[1]) == [(0, 1, hashes[1]), (1, 0, node_hash(hashes[0], hashes[1]))]
    assert tree.append(hashes[2]) == [(0, 2, hashes[2])]
    pair = node_hash(hashes[2], hashes[3])
    four = node_hash(node_hash(hashes[0], hashes[1]), pair)
    assert tree.append(hashes[3]) == [(0, 3, hashes[3]), (1, 1, pair), (2, 0, four)]
    assert tree.size == 4
    assert tree.root() == four


def test_an_empty_compact_range_has_the_empty_root() -> None:
    assert CompactRange().root() == EMPTY_ROOT
    assert CompactRange().size == 0


@settings(max_examples=60, deadline=None)
@given(size=st.integers(min_value=0, max_value=300))
def test_a_compact_range_matches_the_stack_root_and_resumes_from_stored_nodes(size: int) -> None:
    hashes = _leaves(size)
    tree = CompactRange()
    stored: dict[tuple[int, int], bytes] = {}
    for hashed in hashes:
        for level, index, node in tree.append(hashed):
            stored[(level, index)] = node
    assert tree.root() == root_of(hashes)
    for (level, index), node in stored.items():
        assert MemorySource(hashes).perfect_node(level, index) == node
    resumed = CompactRange.from_nodes(size, lambda level, index: stored[(level, index)])
    assert resumed.size == size
    assert resumed.root() == tree.root()
    extra = leaf_hash(b"one more")
    assert resumed.append(extra) == tree.append(extra)
    assert resumed.root() == tree.root()


def test_resuming_reads_one_node_per_set_bit_of_the_size() -> None:
    hashes = _leaves(13)
    source = MemorySource(hashes)
    reads: list[tuple[int, int]] = []

    def get_node(level: int, index: int) -> bytes:
        reads.append((level, index))
        return source.perfect_node(level, index)

    resumed = CompactRange.from_nodes(13, get_node)
    assert reads == [(3, 0), (2, 2), (0, 12)]
    assert resumed.root() == root_of(hashes)


def test_it_refuses_a_leaf_hash_of_the_wrong_length() -> None:
    with pytest.raises(ValueError, match="a leaf hash is 32 bytes, not 3"):
        CompactRange().append(b"abc")


def test_it_refuses_to_resume_a_negative_size() -> None:
    with pytest.raises(ValueError, match="cannot have -1 leaves"):
        CompactRange.from_nodes(-1, lambda level, index: b"")


# --- subtree reads -------------------------------------------------------------------------------


class CountingSource:
    """A SubtreeSource over a MemorySource that counts its reads."""

    def __init__(self, hashes: list[bytes]) -> None:
        self.inner = MemorySource(hashes)
        self.reads = 0

    def perfect_node(self, level: int, index: int) -> bytes:
        self.reads += 1
        return self.inner.perfect_node(level, index)


def test_a_proof_costs_logarithmically_many_reads() -> None:
    source = CountingSource(_leaves(1000))
    inclusion_proof(source, 517, 1000)
    assert source.reads <= 2 * 10
    source.reads = 0
    consistency_proof(source, 333, 1000)
    assert source.reads <= 3 * 10


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_any_range_root_equals_the_rfc_hash_of_that_slice(data: st.DataObject) -> None:
    hashes = _leaves(100)
    source = MemorySource(hashes)
    start = data.draw(st.integers(min_value=0, max_value=100))
    end = data.draw(st.integers(min_value=start, max_value=100))
    assert subtree_root(source, start, end) == _reference_root(hashes[start:end])


def test_it_refuses_a_backwards_range() -> None:
    with pytest.raises(ValueError, match=r"bad leaf range \[5, 4\)"):
        subtree_root(MemorySource(_leaves(8)), 5, 4)


def test_a_memory_source_refuses_a_node_its_leaves_do_not_complete() -> None:
    source = MemorySource(_leaves(5))
    assert source.size == 5
    with pytest.raises(ValueError, match="no perfect node at level 1, index 2"):
        source.perfect_node(1, 2)
    with pytest.raises(ValueError, match="no perfect node at level 3, index 0"):
        source.perfect_node(3, 0)
    assert source.root() == root_of(_leaves(5))


@pytest.mark.parametrize(("index", "size"), [(-1, 4), (4, 4), (0, 0)])
def test_it_refuses_to_prove_a_leaf_outside_the_tree(index: int, size: int) -> None:
    with pytest.raises(ValueError, match=f"leaf index {index} is not in a tree of {size}"):
        inclusion_proof(MemorySource(_leaves(4)), index, size)


@pytest.mark.parametrize(("size1", "size2"), [(0, 4), (5, 4), (-1, 2)])
def test_it_refuses_an_impossible_consistency_proof(size1: int, size2: int) -> None:
    with pytest.raises(ValueError, match=f"from size {size1} to size {size2}"):
        consistency_proof(MemorySource(_leaves(4)), size1, size2)
