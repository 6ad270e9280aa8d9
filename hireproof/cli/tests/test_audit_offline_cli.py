"""``hireproof audit verify`` and ``hireproof audit receipt verify``, end to end."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from hireproof.cli import main
from hireproof.core.audit import (
    Checkpoint,
    MemorySource,
    Receipt,
    inclusion_proof,
    leaf_hash,
    sign_checkpoint,
    write_bundle,
)
from hireproof.core.tests.audit.builders import (
    ORIGIN,
    SIGNER,
    answers_opening,
    checkpoints_for,
    make_bundle,
    plain_leaves,
    scored_leaf,
)

VKEY = SIGNER.verifier.vkey


@pytest.fixture
def bundle_path(tmp_path: Path) -> Path:
    path = tmp_path / "log.bundle"
    write_bundle(path, make_bundle(plain_leaves(8)))
    return path


def test_verify_prints_the_summary_and_exits_0(
    bundle_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "verify", str(bundle_path), "--vkey", VKEY]) == 0
    assert capsys.readouterr().out == (
        "bundle: 8 leaves of log example.com/audit-log-test\n"
        "checkpoints: 2 of 2 verified, latest signs 8 leaves\n"
        "consistency: 1 successive checkpoint pairs consistent, 0 consistency proofs checked\n"
        "openings: 0 commitments opened, 0 scoring events re-scored\n"
        "erased subjects: none (their commitments can no longer be opened)\n"
        "result: OK\n"
    )


def test_verify_without_a_pinned_key_says_so(
    bundle_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "verify", str(bundle_path)]) == 0
    assert capsys.readouterr().out.startswith(
        "note: keys taken from the bundle itself; pin the log's key with --vkey\n"
    )


def test_verify_names_each_failure_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    leaves = [*plain_leaves(42), scored_leaf(42)]
    opening = answers_opening(42, {"q1": "71", "q2": "B"})
    path = tmp_path / "log.bundle"
    write_bundle(path, make_bundle(leaves, openings={42: (opening,)}))
    assert main(["audit", "verify", str(path), "--vkey", VKEY]) == 1
    out = capsys.readouterr().out
    assert out.endswith(
        "result: FAILED (1 problem)\n"
        "  leaf 42 (attempt.scored): field answers: commitment does not open\n"
    )


def test_verify_with_a_held_checkpoint_catches_a_cut_tail(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    leaves = plain_leaves(12)
    note = tmp_path / "kept.note"
    note.write_text(checkpoints_for(leaves, [12])[0], encoding="utf-8")
    path = tmp_path / "cut.bundle"
    write_bundle(path, make_bundle(leaves[:8]))
    assert main(["audit", "verify", str(path), "--vkey", VKEY, "--checkpoint", str(note)]) == 1
    assert "  leaves 8-11: the checkpoint of size 12 signs leaves 8-11" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["missing.bundle"], "hireproof: cannot read the bundle missing.bundle: No such file"),
        (["{bundle}", "--checkpoint", "nope.note"], "cannot read the checkpoint nope.note"),
        (["{bundle}", "--vkey", "nonsense"], "the vkey 'nonsense' is not name+keyid+key"),
        (["{text}"], "the file is not a hireproof-audit-bundle/v1 bundle: line 1 is not"),
    ],
)
def test_verify_exits_2_with_a_plain_reason_for_bad_input(
    arguments: list[str],
    message: str,
    bundle_path: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "text.txt").write_text("hello\n")
    filled = [a.format(bundle=bundle_path, text="text.txt") for a in arguments]
    assert main(["audit", "verify", *filled]) == 2
    assert message in capsys.readouterr().err


# --- receipts ------------------------------------------------------------------------------------

LEAVES = plain_leaves(11)
TREE = MemorySource([leaf_hash(leaf) for leaf in LEAVES])
RECEIPT = Receipt(
    leaf_index=6,
    leaf_hash=leaf_hash(LEAVES[6]),
    checkpoint=sign_checkpoint(SIGNER, Checkpoint(ORIGIN, 11, TREE.root(11))),
    inclusion_proof=tuple(inclusion_proof(TREE, 6, 11)),
    vkey=VKEY,
    leaf=LEAVES[6],
)


def _write(tmp_path: Path, receipt: Receipt) -> Path:
    path = tmp_path / "receipt.json"
    path.write_text(receipt.to_json(), encoding="utf-8")
    return path


def test_receipt_verify_says_ok_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, RECEIPT)
    assert main(["audit", "receipt", "verify", str(path), "--vkey", VKEY]) == 0
    assert capsys.readouterr().out == (
        f"receipt OK: leaf 6 (answer.saved) is in log {ORIGIN}, checkpoint of size 11 "
        f"signed by {VKEY}\n"
    )


@pytest.mark.parametrize(("leaf", "shown"), [(None, ""), (b"not an event", " (unreadable leaf)")])
def test_receipt_verify_shows_the_event_only_when_it_can(
    leaf: bytes | None, shown: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree = MemorySource([leaf_hash(b"not an event")])
    receipt = (
        RECEIPT
        if leaf is None
        else Receipt(
            0,
            leaf_hash(leaf),
            sign_checkpoint(SIGNER, Checkpoint(ORIGIN, 1, tree.root(1))),
            (),
            VKEY,
            leaf,
        )
    )
    if leaf is None:
        receipt = dataclasses.replace(RECEIPT, leaf=None)
    assert main(["audit", "receipt", "verify", str(_write(tmp_path, receipt))]) == 0
    assert capsys.readouterr().out.startswith(f"receipt OK: leaf {receipt.leaf_index}{shown} is")


def test_receipt_verify_exits_1_when_the_proof_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, dataclasses.replace(RECEIPT, leaf_index=7, leaf=None))
    assert main(["audit", "receipt", "verify", str(path)]) == 1
    assert capsys.readouterr().out == (
        "receipt FAILED: the inclusion proof for leaf 7 does not lead to the root\n"
    )


def test_receipt_verify_exits_2_for_a_malformed_receipt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps({"format": "x"}))
    assert main(["audit", "receipt", "verify", str(path)]) == 2
    assert "hireproof: a receipt is a JSON object with exactly" in capsys.readouterr().err
    path.write_bytes(b"\xff")
    assert main(["audit", "receipt", "verify", str(path)]) == 2
    assert "cannot read the receipt" in capsys.readouterr().err


def test_the_offline_verifier_never_imports_django(bundle_path: Path, tmp_path: Path) -> None:
    receipt = _write(tmp_path, RECEIPT)
    script = (
        "import sys\n"
        "from hireproof.cli import main\n"
        f"codes = [main(['audit', 'verify', {str(bundle_path)!r}]),"
        f" main(['audit', 'receipt', 'verify', {str(receipt)!r}])]\n"
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print('CODES', codes, 'DJANGO', loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.stdout.splitlines()[-1] == "CODES [0, 0] DJANGO []", result.stderr
