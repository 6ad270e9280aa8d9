"""The official RFC 6962 vectors: the 196 transparency-dev JSON cases and design note section 3."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from hireproof.core.audit.merkle import (
    EMPTY_ROOT,
    MemorySource,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_of,
    verify_consistency,
    verify_inclusion,
)
from hireproof.core.errors import ProofError

# transparency-dev/merkle's testdata (Apache-2.0), kept with the tests (vectors/merkle/README.md).
VECTORS = Path(__file__).resolve().parent / "vectors" / "merkle"

CASES = sorted(VECTORS.glob("**/*.json"))


def test_all_196_json_cases_are_present() -> None:
    assert len(CASES) == 196


def _b64(value: str | None) -> bytes:
    return base64.b64decode(value) if value else b""


def _run_case(case: dict[str, object]) -> None:
    proof = [_b64(h) for h in case["proof"] or []]  # type: ignore[attr-defined]  # JSON test vector
    if "leafIdx" in case:
        verify_inclusion(
            _b64(case["leafHash"]),  # type: ignore[arg-type]  # JSON test vector
            case["leafIdx"],  # type: ignore[arg-type]  # JSON test vector
            case["treeSize"],  # type: ignore[arg-type]  # JSON test vector
            proof,
            _b64(case["root"]),  # type: ignore[arg-type]  # JSON test vector
        )
    else:
        verify_consistency(
            case["size1"],  # type: ignore[arg-type]  # JSON test vector
            case["size2"],  # type: ignore[arg-type]  # JSON test vector
            _b64(case["root1"]),  # type: ignore[arg-type]  # JSON test vector
            _b64(case["root2"]),  # type: ignore[arg-type]  # JSON test vector
            proof,
        )


@pytest.mark.parametrize("path", CASES, ids=lambda p: str(p.relative_to(VECTORS)))
def test_it_verifies_exactly_the_valid_json_cases(path: Path) -> None:
    case = json.loads(path.read_text())
    if case["wantErr"]:
        with pytest.raises(ProofError):
            _run_case(case)
    else:
        _run_case(case)


# --- design note section 3 -----------------------------------------------------------------------

H = bytes.fromhex
LEAVES = [
    b"",
    H("00"),
    H("10"),
    H("2021"),
    H("3031"),
    H("40414243"),
    H("5051525354555657"),
    H("606162636465666768696a6b6c6d6e6f"),
]
LEAF_HASHES = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
    "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
    "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
]
ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# RFC 9162 2.1.5 labels mapped to the 8 leaves (design note 3.4).
a, b, c, d, e, f, j = (H(LEAF_HASHES[i]) for i in range(7))
g = H("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")
h = H("5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e")
i_ = H("0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a")
k = H("d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7")
l_ = H("837dbb152e9b079010717e84e865da4ebc0fa198a806d59d31bf15accef22d0e")
ROOT8_PATH_TAIL = H("6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4")
CA85 = H("ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0")
SOURCE = MemorySource([leaf_hash(leaf) for leaf in LEAVES])


def test_it_reproduces_the_hasher_vectors() -> None:
    assert EMPTY_ROOT.hex() == ROOTS[0]
    assert leaf_hash(b"").hex() == LEAF_HASHES[0]
    assert (
        leaf_hash(b"L123456").hex()
        == "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56"
    )
    assert (
        node_hash(b"N123", b"N456").hex()
        == "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb"
    )


def test_it_hashes_the_eight_reference_leaves() -> None:
    assert [leaf_hash(leaf).hex() for leaf in LEAVES] == LEAF_HASHES


@pytest.mark.parametrize("size", range(9))
def test_it_computes_every_reference_root(size: int) -> None:
    hashes = [leaf_hash(leaf) for leaf in LEAVES[:size]]
    assert root_of(hashes).hex() == ROOTS[size]
    assert SOURCE.root(size).hex() == ROOTS[size]


def test_the_root_of_eight_has_the_checkpoint_base64() -> None:
    assert base64.b64encode(H(ROOTS[8])).decode() == "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg="


def test_the_rfc_worked_example_labels_are_the_tree_nodes() -> None:
    assert node_hash(a, b) == g
    assert node_hash(c, d) == h
    assert node_hash(e, f) == i_
    assert node_hash(g, h) == k
    assert node_hash(i_, j) == l_
    assert node_hash(k, l_).hex() == ROOTS[7]


@pytest.mark.parametrize(
    ("index", "expected"),
    [(0, [b, h, l_]), (3, [c, g, l_]), (4, [f, j, k]), (6, [i_, k])],
)
def test_it_generates_the_rfc_example_inclusion_proofs(index: int, expected: list[bytes]) -> None:
    assert inclusion_proof(SOURCE, index, 7) == expected
    verify_inclusion(leaf_hash(LEAVES[index]), index, 7, expected, H(ROOTS[7]))


@pytest.mark.parametrize(
    ("size1", "expected"),
    [(3, [c, d, g, l_]), (4, [l_]), (6, [i_, j, k])],
)
def test_it_generates_the_rfc_example_consistency_proofs(size1: int, expected: list[bytes]) -> None:
    assert consistency_proof(SOURCE, size1, 7) == expected
    verify_consistency(size1, 7, H(ROOTS[size1]), H(ROOTS[7]), expected)


INCLUSION_VECTORS = [
    (0, 1, []),
    (0, 8, [b, h, ROOT8_PATH_TAIL]),
    (5, 8, [e, CA85, k]),
    (2, 3, [g]),
    (1, 5, [a, h, e]),
    (0, 7, [b, h, l_]),
    (1, 7, [a, h, l_]),
    (2, 7, [d, g, l_]),
    (3, 7, [c, g, l_]),
    (4, 7, [f, j, k]),
    (5, 7, [e, j, k]),
    (6, 7, [i_, k]),
    (7, 8, [j, i_, k]),
]


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION_VECTORS)
def test_it_generates_and_verifies_the_note_inclusion_vectors(
    index: int, size: int, path: list[bytes]
) -> None:
    assert inclusion_proof(SOURCE, index, size) == path
    verify_inclusion(leaf_hash(LEAVES[index]), index, size, path, H(ROOTS[size]))


CONSISTENCY_VECTORS = [
    (1, 8, [b, h, ROOT8_PATH_TAIL]),
    (6, 8, [i_, CA85, k]),
    (2, 5, [h, e]),
    (6, 7, [i_, j, k]),
    (2, 8, [h, ROOT8_PATH_TAIL]),
    (3, 8, [c, d, g, ROOT8_PATH_TAIL]),
    (4, 8, [ROOT8_PATH_TAIL]),
    (5, 8, [e, f, CA85, k]),
    (7, 8, [j, H(LEAF_HASHES[7]), i_, k]),
]


@pytest.mark.parametrize(("size1", "size2", "proof"), CONSISTENCY_VECTORS)
def test_it_generates_and_verifies_the_note_consistency_vectors(
    size1: int, size2: int, proof: list[bytes]
) -> None:
    assert consistency_proof(SOURCE, size1, size2) == proof
    verify_consistency(size1, size2, H(ROOTS[size1]), H(ROOTS[size2]), proof)


def test_equal_sizes_give_an_empty_consistency_proof() -> None:
    assert consistency_proof(SOURCE, 1, 1) == []
    verify_consistency(1, 1, H(ROOTS[1]), H(ROOTS[1]), [])


# --- design note 3.7: negative vectors -----------------------------------------------------------

PATH5 = [e, CA85, k]
ROOT8 = H(ROOTS[8])
LEAF5 = leaf_hash(LEAVES[5])
ABACABA = H("abacaba000000000000000000000000000000000000000000060061e00123456")


def _flip(value: bytes, mask: int) -> bytes:
    return bytes([value[0] ^ mask]) + value[1:]


INCLUSION_NEGATIVES = {
    "index 4": (LEAF5, 4, 8, PATH5, ROOT8),
    "index 6": (LEAF5, 6, 8, PATH5, ROOT8),
    "index 7": (LEAF5, 7, 8, PATH5, ROOT8),
    "size 16": (LEAF5, 5, 16, PATH5, ROOT8),
    "size 4": (LEAF5, 5, 4, PATH5, ROOT8),
    "wrong leaf": (b"WrongLeaf", 5, 8, PATH5, ROOT8),
    "empty-tree root": (LEAF5, 5, 8, PATH5, EMPTY_ROOT),
    "abacaba root": (LEAF5, 5, 8, PATH5, ABACABA),
    "empty element appended": (LEAF5, 5, 8, [*PATH5, b""], ROOT8),
    "empty element prepended": (LEAF5, 5, 8, [b"", *PATH5], ROOT8),
    "root appended": (LEAF5, 5, 8, [*PATH5, ROOT8], ROOT8),
    "root prepended": (LEAF5, 5, 8, [ROOT8, *PATH5], ROOT8),
    "element 0 flipped": (LEAF5, 5, 8, [_flip(e, 8), CA85, k], ROOT8),
    "element 1 flipped": (LEAF5, 5, 8, [e, _flip(CA85, 8), k], ROOT8),
    "element 2 flipped": (LEAF5, 5, 8, [e, CA85, _flip(k, 8)], ROOT8),
    "last element missing": (LEAF5, 5, 8, PATH5[:-1], ROOT8),
    "abacaba inserted": (LEAF5, 5, 8, [e, ABACABA, CA85, k], ROOT8),
    "empty leaf, root and proof": (b"", 0, 1, [], b""),
    "negative index": (LEAF5, -1, 8, PATH5, ROOT8),
    "proof longer than 64": (LEAF5, 5, 8, [e] * 65, ROOT8),
}


@pytest.mark.parametrize("case", INCLUSION_NEGATIVES.values(), ids=INCLUSION_NEGATIVES.keys())
def test_it_rejects_each_negative_inclusion_vector(
    case: tuple[bytes, int, int, list[bytes], bytes],
) -> None:
    with pytest.raises(ProofError):
        verify_inclusion(*case)


def test_a_size_8_path_verifies_for_size_7_which_is_why_size_and_root_travel_together() -> None:
    verify_inclusion(LEAF5, 5, 7, PATH5, ROOT8)  # design note 2.9 item 5: correct behaviour


PROOF68 = [i_, CA85, k]
ROOT6 = H(ROOTS[6])
WRONG = b"WrongRoot".ljust(32, b"\0")

CONSISTENCY_NEGATIVES = {
    "size1 5": (5, 8, ROOT6, ROOT8, PROOF68),
    "size1 7": (7, 8, ROOT6, ROOT8, PROOF68),
    "size1 4": (4, 8, ROOT6, ROOT8, PROOF68),
    "size2 16": (6, 16, ROOT6, ROOT8, PROOF68),
    "size2 4": (6, 4, ROOT6, ROOT8, PROOF68),
    "wrong root1": (6, 8, WRONG, ROOT8, PROOF68),
    "wrong root2": (6, 8, ROOT6, WRONG, PROOF68),
    "short wrong root": (6, 8, b"WrongRoot", ROOT8, PROOF68),
    "roots swapped": (6, 8, ROOT8, ROOT6, PROOF68),
    "empty proof": (6, 8, ROOT6, ROOT8, []),
    "empty element": (6, 8, ROOT6, ROOT8, [*PROOF68, b""]),
    "root1 appended": (6, 8, ROOT6, ROOT8, [*PROOF68, ROOT6]),
    "root2 prepended": (6, 8, ROOT6, ROOT8, [ROOT8, *PROOF68]),
    "proof[0] again": (6, 8, ROOT6, ROOT8, [i_, *PROOF68]),
    "truncated": (6, 8, ROOT6, ROOT8, PROOF68[:-1]),
    "element flipped": (6, 8, ROOT6, ROOT8, [i_, _flip(CA85, 0x10), k]),
    "sizes 0 and 0": (0, 0, EMPTY_ROOT, EMPTY_ROOT, []),
    "1 to 1, different roots": (1, 1, a, b, []),
    "1 to 2, empty proof": (1, 2, a, g, []),
    "2 to 1": (2, 1, g, a, []),
    "0 to 1": (0, 1, EMPTY_ROOT, a, []),
    "1 to 1, non-empty proof": (1, 1, a, a, [a]),
    "proof longer than 64": (6, 8, ROOT6, ROOT8, [k] * 65),
    "1 to 8, proof too long": (1, 8, a, ROOT8, [b, h, ROOT8_PATH_TAIL, k]),
}


@pytest.mark.parametrize("case", CONSISTENCY_NEGATIVES.values(), ids=CONSISTENCY_NEGATIVES.keys())
def test_it_rejects_each_negative_consistency_vector(
    case: tuple[int, int, bytes, bytes, list[bytes]],
) -> None:
    with pytest.raises(ProofError):
        verify_consistency(*case)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: verify_inclusion(LEAF5, 5, 8, PATH5, ABACABA), "does not lead to the root"),
        (lambda: verify_inclusion(LEAF5, 8, 8, PATH5, ROOT8), "leaf index 8 is not in a tree"),
        (lambda: verify_inclusion(LEAF5, 5, 8, [*PATH5, k], ROOT8), "longer than the tree"),
        (lambda: verify_inclusion(LEAF5, 5, 8, PATH5[:-1], ROOT8), "shorter than the tree"),
        (lambda: verify_inclusion(b"", 0, 1, [], b""), "the leaf hash is 0 bytes long, not 32"),
        (lambda: verify_inclusion(LEAF5, 5, 8, [b"x"], ROOT8), "proof hash 0 is 1 bytes long"),
        (lambda: verify_consistency(6, 8, WRONG, ROOT8, PROOF68), "root of size 6"),
        (lambda: verify_consistency(6, 8, ROOT6, WRONG, PROOF68), "root of size 8"),
        (lambda: verify_consistency(6, 8, ROOT6, ROOT8, []), "is empty"),
        (lambda: verify_consistency(1, 1, a, a, [a]), "need an empty consistency proof"),
        (lambda: verify_consistency(1, 1, a, b, []), "have different roots"),
        (
            lambda: verify_consistency(1, 8, a, ROOT8, [b, h, ROOT8_PATH_TAIL, k]),
            "longer than the tree",
        ),
        (lambda: verify_consistency(6, 8, ROOT6, ROOT8, PROOF68[:-1]), "shorter than the tree"),
    ],
)
def test_it_says_in_plain_words_why_a_proof_fails(call: Callable[[], object], message: str) -> None:
    with pytest.raises(ProofError, match=message):
        call()
