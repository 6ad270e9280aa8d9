"""``hireproof audit verify`` and ``hireproof audit receipt verify``, end to end."""

from __future__ import annotations

import base64
import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from hireproof.cli import main
from hireproof.core.audit import (
    Checkpoint,
    EventType,
    MemorySource,
    Receipt,
    TrustFile,
    generate_signing_key,
    inclusion_proof,
    leaf_hash,
    sign_checkpoint,
    signer_from_key_bytes,
    write_bundle,
)
from hireproof.core.canonical import canonical_json
from hireproof.core.tests.audit.builders import (
    ORIGIN,
    OTHER_KEY,
    SIGNER,
    SUBJECT,
    answers_opening,
    checkpoints_for,
    event_leaf,
    make_bundle,
    plain_leaves,
    scored_leaf,
)

VKEY = SIGNER.verifier.vkey
UNSIGNED = (
    "not covered by any signed checkpoint: anyone could have written them, "
    "nothing in them is verified"
)


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
        f"trusted keys: {VKEY}\n"
        "result: OK\n"
    )


def test_verify_without_a_trusted_key_says_so_and_exits_3(
    bundle_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "verify", str(bundle_path)]) == 3
    out = capsys.readouterr().out
    assert out.startswith(
        "no trusted key: pass the log's key with --vkey, or a trust file with --trust\n"
    )
    assert out.endswith(
        f"no trusted key: the log's key {VKEY} is not one you trust\nresult: UNTRUSTED\n"
    )


def test_verify_with_another_key_than_the_logs_exits_3(
    bundle_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = signer_from_key_bytes(ORIGIN, OTHER_KEY).verifier.vkey
    assert main(["audit", "verify", str(bundle_path), "--vkey", other]) == 3
    assert f"no trusted key: the log's key {VKEY} is not one you trust\n" in (
        capsys.readouterr().out
    )


def test_verify_refuses_a_key_and_a_trust_file_together(
    bundle_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["audit", "verify", str(bundle_path), "--vkey", VKEY, "--trust", "t.json"])
    assert exited.value.code == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_a_forged_leaf_appended_with_the_leaf_count_bumped_fails_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    leaves = [*plain_leaves(8), scored_leaf(8)]
    honest = make_bundle(leaves)
    # A copy of the scoring event, now saying strong_pass, appended past the signed tree.
    forged = json.loads(scored_leaf(9))
    forged["public"]["verdict"] = "strong_pass"
    erased = event_leaf(10, EventType.SUBJECT_ERASED, public={"basis": "art17"})
    tampered = dataclasses.replace(
        honest,
        leaves=[*leaves, canonical_json(forged), erased],
        erased_subjects=(SUBJECT,),
    )
    path = tmp_path / "forged.bundle"
    write_bundle(path, tampered)
    assert json.loads(path.read_bytes().split(b"\n")[0])["leaf_count"] == 11
    assert main(["audit", "verify", str(path), "--vkey", VKEY]) == 1
    out = capsys.readouterr().out
    assert "strong_pass" not in out
    assert "erased subjects: none" in out
    assert out.endswith(
        "problems: 2\n"
        f"  leaves 9-10: {UNSIGNED}\n"
        f"  field erased_subjects: the bundle lists subject {SUBJECT} as erased, but the log's "
        "signed leaves hold no subject.erased event for it\n"
        "result: FAILED\n"
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
        "problems: 1\n"
        "  leaf 42 (attempt.scored): field answers: commitment does not open\n"
        "result: FAILED\n"
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


# --- trust files ---------------------------------------------------------------------------------


def test_trust_init_then_verify_moves_the_trust_file_forward(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trust = tmp_path / "trust.json"
    assert main(["audit", "trust", "init", str(trust), "--vkey", VKEY]) == 0
    assert capsys.readouterr().out == f"wrote {trust}: trusting {VKEY} for log {ORIGIN}\n"
    leaves = plain_leaves(12)
    first = tmp_path / "first.bundle"
    write_bundle(first, make_bundle(leaves[:8]))
    assert main(["audit", "verify", str(first), "--trust", str(trust)]) == 0
    assert capsys.readouterr().out.endswith(f"result: OK\ntrust file {trust} updated\n")
    remembered = TrustFile.from_json(trust.read_text())
    assert remembered.checkpoint is not None
    assert remembered.checkpoint[0] == 8
    assert main(["audit", "trust", "show", str(trust)]) == 0
    root = base64.b64encode(remembered.checkpoint[1]).decode()
    assert capsys.readouterr().out == (
        f"log: {ORIGIN}\n"
        "trusted keys:\n"
        f"  {VKEY}\n"
        f"verified: the first 8 leaves, root {root}\n"
        "witnesses: 0 keys, 0 required\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first.bundle", "trust.json"]


def test_a_bundle_going_back_on_the_trust_file_fails_and_leaves_it_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    leaves = plain_leaves(12)
    trust = tmp_path / "trust.json"
    assert main(["audit", "trust", "init", str(trust), "--vkey", VKEY]) == 0
    whole = tmp_path / "whole.bundle"
    write_bundle(whole, make_bundle(leaves))
    assert main(["audit", "verify", str(whole), "--trust", str(trust)]) == 0
    kept = trust.read_text()
    cut = tmp_path / "cut.bundle"
    write_bundle(cut, make_bundle(leaves[:8]))
    capsys.readouterr()
    assert main(["audit", "verify", str(cut), "--trust", str(trust)]) == 1
    assert "your trust file remembers a verified checkpoint of size 12" in capsys.readouterr().out
    assert trust.read_text() == kept


def test_an_untrusted_bundle_leaves_the_trust_file_alone_and_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = signer_from_key_bytes(ORIGIN, OTHER_KEY).verifier.vkey
    trust = tmp_path / "trust.json"
    assert main(["audit", "trust", "init", str(trust), "--vkey", other]) == 0
    kept = trust.read_text()
    bundle = tmp_path / "log.bundle"
    write_bundle(bundle, make_bundle(plain_leaves(4)))
    assert main(["audit", "verify", str(bundle), "--trust", str(trust)]) == 3
    assert trust.read_text() == kept


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["init", "{exists}", "--vkey", VKEY], "already exists; it is not overwritten"),
        (["init", "{new}", "--vkey", "nonsense"], "--vkey: the vkey 'nonsense' is not"),
        (["show", "{broken}"], "broken.json: the trust file is not valid JSON"),
        (["show", "{missing}"], "cannot read the trust file"),
    ],
)
def test_trust_commands_exit_2_with_a_plain_reason(
    arguments: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "exists.json").write_text("{}")
    (tmp_path / "broken.json").write_text("{")
    names = {
        name: str(tmp_path / f"{name}.json") for name in ["exists", "new", "broken", "missing"]
    }
    assert main(["audit", "trust", *[a.format(**names) for a in arguments]]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "new.json").exists()


def test_verify_with_a_broken_trust_file_exits_2(
    bundle_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trust = tmp_path / "trust.json"
    trust.write_text('{"format": "hireproof-trust/v1"}')
    assert main(["audit", "verify", str(bundle_path), "--trust", str(trust)]) == 2
    assert "trust.json: the trust file lacks: checkpoint" in capsys.readouterr().err


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
    assert main(["audit", "receipt", "verify", str(_write(tmp_path, receipt)), "--vkey", VKEY]) == 0
    assert capsys.readouterr().out.startswith(f"receipt OK: leaf {receipt.leaf_index}{shown} is")


def test_receipt_verify_exits_1_when_the_proof_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, dataclasses.replace(RECEIPT, leaf_index=7, leaf=None))
    assert main(["audit", "receipt", "verify", str(path)]) == 1
    assert capsys.readouterr().out == (
        "receipt FAILED: the inclusion proof for leaf 7 does not lead to the root\n"
    )


def test_receipt_verify_without_a_trusted_key_is_untrusted_and_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, RECEIPT)
    assert main(["audit", "receipt", "verify", str(path)]) == 3
    out = capsys.readouterr().out
    assert out.startswith("receipt UNTRUSTED: leaf 6 (answer.saved) is in log")
    assert "no trusted key given" in out
    assert "receipt OK" not in out


def test_a_receipt_signed_by_another_key_is_untrusted_and_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stranger = signer_from_key_bytes(ORIGIN, generate_signing_key()).verifier.vkey
    path = _write(tmp_path, RECEIPT)
    assert main(["audit", "receipt", "verify", str(path), "--vkey", stranger]) == 3
    assert "the key that signed it is not one you trust" in capsys.readouterr().out


def test_receipt_verify_with_a_trust_file_trusts_its_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trust = tmp_path / "trust.json"
    assert main(["audit", "trust", "init", str(trust), "--vkey", VKEY]) == 0
    path = _write(tmp_path, RECEIPT)
    assert main(["audit", "receipt", "verify", str(path), "--trust", str(trust)]) == 0
    assert "receipt OK: leaf 6" in capsys.readouterr().out


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
        f"codes = [main(['audit', 'verify', {str(bundle_path)!r}, '--vkey', {VKEY!r}]),"
        f" main(['audit', 'receipt', 'verify', {str(receipt)!r}, '--vkey', {VKEY!r}])]\n"
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print('CODES', codes, 'DJANGO', loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.stdout.splitlines()[-1] == "CODES [0, 0] DJANGO []", result.stderr
