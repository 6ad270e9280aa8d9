"""``hireproof audit verify`` and ``hireproof audit receipt verify``, end to end."""

from __future__ import annotations

import base64
import dataclasses
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from hireproof.cli import main
from hireproof.core.audit import (
    EventType,
    Receipt,
    TrustFile,
    add_cosignatures,
    cosign,
    generate_signing_key,
    signer_from_key_bytes,
    witness_vkey_of,
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
    receipt_for,
    rotation_leaf,
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
        "witnesses: none required (no witness keys given)\n"
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


def test_verify_with_another_key_than_the_logs_fails_and_exits_1(
    bundle_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = signer_from_key_bytes(ORIGIN, OTHER_KEY).verifier.vkey
    assert main(["audit", "verify", str(bundle_path), "--vkey", other]) == 1
    out = capsys.readouterr().out
    assert (
        f"  this log was not signed by a key you trust: its keys are {VKEY}, and no rotation "
        "signed by a key you trust vouches for them\n"
    ) in out
    assert "verified," not in out
    assert out.endswith("result: FAILED\n")


def test_verify_with_the_key_of_another_log_fails_and_exits_1(
    bundle_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = signer_from_key_bytes("other.example/log", OTHER_KEY).verifier.vkey
    assert main(["audit", "verify", str(bundle_path), "--vkey", other]) == 1
    assert (
        f"  the key you trust {other} is the key of log other.example/log, not of this "
        f"bundle's log {ORIGIN}\n"
    ) in capsys.readouterr().out


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


def test_a_bundle_another_key_signed_leaves_the_trust_file_alone_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = signer_from_key_bytes(ORIGIN, OTHER_KEY).verifier.vkey
    trust = tmp_path / "trust.json"
    assert main(["audit", "trust", "init", str(trust), "--vkey", other]) == 0
    kept = trust.read_text()
    bundle = tmp_path / "log.bundle"
    write_bundle(bundle, make_bundle(plain_leaves(4)))
    assert main(["audit", "verify", str(bundle), "--trust", str(trust)]) == 1
    assert trust.read_text() == kept


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["init", "{exists}", "--vkey", VKEY], "already exists; it is not overwritten"),
        (
            ["init", "{new}", "--vkey", "nonsense"],
            "--vkey, --witness or --quorum: the vkey 'nonsense' is not",
        ),
        (
            ["init", "{new}", "--vkey", VKEY, "--witness", VKEY],
            "--vkey, --witness or --quorum: the witness vkey is not an Ed25519 cosignature key",
        ),
        (
            ["init", "{new}", "--vkey", VKEY, "--quorum", "1"],
            "--vkey, --witness or --quorum: a witness quorum of 1 needs that many witness keys",
        ),
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
RECEIPT = receipt_for(LEAVES, 6, 11)


def _write(tmp_path: Path, receipt: Receipt | str, name: str = "receipt.json") -> Path:
    path = tmp_path / name
    path.write_text(receipt if isinstance(receipt, str) else receipt.to_json(), encoding="utf-8")
    return path


def test_receipt_verify_says_ok_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, RECEIPT)
    assert main(["audit", "receipt", "verify", str(path), "--vkey", VKEY]) == 0
    assert capsys.readouterr().out == (
        f"receipt OK: leaf 6 (answer.saved) is in log {ORIGIN}: the checkpoint over 11 leaves "
        f"is signed by {VKEY}, a key you trust\n"
    )


def test_receipt_verify_without_the_leaf_says_only_its_index(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, dataclasses.replace(RECEIPT, leaf=None))
    assert main(["audit", "receipt", "verify", str(path), "--vkey", VKEY]) == 0
    assert capsys.readouterr().out.startswith(f"receipt OK: leaf 6 is in log {ORIGIN}: ")


def test_receipt_verify_exits_1_naming_the_field_that_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, dataclasses.replace(RECEIPT, leaf_index=7, leaf=None))
    assert main(["audit", "receipt", "verify", str(path), "--vkey", VKEY]) == 1
    assert capsys.readouterr().out == (
        "receipt FAILED\n"
        "  field inclusion_proof: the inclusion proof for leaf 7 does not lead to the root\n"
    )


def test_receipt_verify_without_a_trusted_key_is_untrusted_and_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, RECEIPT)
    assert main(["audit", "receipt", "verify", str(path)]) == 3
    out = capsys.readouterr().out
    assert out.startswith(f"receipt UNTRUSTED: it holds together under its own key {VKEY}")
    assert "is in log" not in out  # nothing is stated as a fact
    assert "receipt OK" not in out


def test_a_receipt_signed_by_another_key_fails_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stranger = signer_from_key_bytes(ORIGIN, generate_signing_key()).verifier.vkey
    path = _write(tmp_path, RECEIPT)
    assert main(["audit", "receipt", "verify", str(path), "--vkey", stranger]) == 1
    assert f"signed by {VKEY}, which is not a key you trust" in capsys.readouterr().out


def test_receipt_verify_with_a_trust_file_trusts_its_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trust = tmp_path / "trust.json"
    assert main(["audit", "trust", "init", str(trust), "--vkey", VKEY]) == 0
    path = _write(tmp_path, RECEIPT)
    assert main(["audit", "receipt", "verify", str(path), "--trust", str(trust)]) == 0
    assert "receipt OK: leaf 6" in capsys.readouterr().out


def test_a_receipt_signed_after_a_rotation_verifies_with_the_key_kept_from_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new = signer_from_key_bytes(ORIGIN, OTHER_KEY)
    leaves = list(LEAVES)
    leaves[4] = rotation_leaf(4, SIGNER, new)
    path = _write(tmp_path, receipt_for(leaves, 6, 11, new, rotations=[(4, SIGNER)]))
    assert main(["audit", "receipt", "verify", str(path), "--vkey", VKEY]) == 0
    assert capsys.readouterr().out.endswith(
        f"is signed by {new.verifier.vkey}, which the key you trust vouches for through 1 key "
        "rotation\n"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.__setitem__("format", "x"), "field format: 'x' is not hireproof-receipt/v2"),
        (lambda d: d.__setitem__("leaf_hash", d["leaf_hash"].upper()), "field leaf_hash: not 64"),
        (
            lambda d: d["inclusion_proof"].__setitem__(0, d["inclusion_proof"][0][:-1] + "B="),
            "field inclusion_proof[0]",
        ),
        (lambda d: d.__setitem__("vkey", d["vkey"] + " "), "field vkey: not written the one way"),
    ],
)
def test_receipt_verify_exits_2_for_a_malformed_receipt_naming_the_field(
    change: Callable[[dict[str, Any]], None],
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    document = json.loads(RECEIPT.to_json())
    change(document)
    path = _write(tmp_path, json.dumps(document))
    assert main(["audit", "receipt", "verify", str(path), "--vkey", VKEY]) == 2
    assert f"hireproof: {message}" in capsys.readouterr().err


def test_receipt_verify_exits_2_for_a_file_it_cannot_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "receipt.json"
    path.write_bytes(b"\xff")
    assert main(["audit", "receipt", "verify", str(path)]) == 2
    assert "cannot read the receipt" in capsys.readouterr().err


# --- witnesses ----------------------------------------------------------------------------------

WITNESS_KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(200, 232)))
WITNESS = witness_vkey_of(WITNESS_KEY, "counsel.example/witness")
OTHER_WITNESS = witness_vkey_of(
    Ed25519PrivateKey.from_private_bytes(bytes(range(210, 242))), "council.example/witness"
)
COSIGNED_AT = 1777629630  # 2026-05-01T10:00:30Z, after every leaf of these logs


def cosigned(note: str, at: int = COSIGNED_AT) -> str:
    body = note[: note.rfind("\n\n") + 1]
    return add_cosignatures(note, [cosign(body, WITNESS_KEY, "counsel.example/witness", at)])


@pytest.fixture
def witnessed_path(tmp_path: Path) -> Path:
    bundle = make_bundle(plain_leaves(8))
    notes = (bundle.checkpoints[0], cosigned(bundle.checkpoints[1]))
    path = tmp_path / "witnessed.bundle"
    write_bundle(path, dataclasses.replace(bundle, checkpoints=notes))
    return path


def test_verify_with_a_witness_requires_its_cosignature(
    witnessed_path: Path, bundle_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["audit", "verify", str(witnessed_path), "--vkey", VKEY, "--witness", WITNESS]) == 0
    assert (
        "witnesses: 1 of your 1 cosigned the checkpoint over 8 leaves (quorum 1) by "
        "2026-05-01T10:00:30Z; no leaf is dated after its witnesses' time (allowing 300 s for "
        "clock differences)\nresult: OK\n"
    ) in capsys.readouterr().out
    assert main(["audit", "verify", str(bundle_path), "--vkey", VKEY, "--witness", WITNESS]) == 1
    assert "  leaves 0-7: no checkpoint cosigned by 1 of your 1 witnesses covers these leaves" in (
        capsys.readouterr().out
    )


def test_verify_with_two_witnesses_and_a_quorum_of_one(
    witnessed_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    both = ["--witness", WITNESS, "--witness", OTHER_WITNESS]
    assert main(["audit", "verify", str(witnessed_path), "--vkey", VKEY, *both]) == 1
    assert (
        main(["audit", "verify", str(witnessed_path), "--vkey", VKEY, *both, "--quorum", "1"]) == 0
    )
    capsys.readouterr()
    assert (
        main(["audit", "verify", str(witnessed_path), "--vkey", VKEY, *both, "--quorum", "3"]) == 2
    )
    assert "a witness quorum of 3 is not between 1 and the 2 witnesses" in capsys.readouterr().err


def test_a_trust_file_with_a_witness_requires_it(
    witnessed_path: Path, bundle_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    trust = tmp_path / "trust.json"
    assert main(["audit", "trust", "init", str(trust), "--vkey", VKEY, "--witness", WITNESS]) == 0
    assert capsys.readouterr().out.endswith("requiring 1 of 1 witnesses to cosign\n")
    assert main(["audit", "trust", "show", str(trust)]) == 0
    assert capsys.readouterr().out.endswith(f"witnesses: 1 keys, 1 required\n  {WITNESS}\n")
    kept = trust.read_text()
    assert main(["audit", "verify", str(bundle_path), "--trust", str(trust)]) == 1
    assert trust.read_text() == kept
    assert main(["audit", "verify", str(witnessed_path), "--trust", str(trust)]) == 0
    assert TrustFile.from_json(trust.read_text()).witness_vkeys == (WITNESS,)


def test_receipt_verify_with_a_witness_requires_its_cosignature(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    witnessed = _write(
        tmp_path, dataclasses.replace(RECEIPT, checkpoint=cosigned(RECEIPT.checkpoint))
    )
    arguments = ["--vkey", VKEY, "--witness", WITNESS]
    assert main(["audit", "receipt", "verify", str(witnessed), *arguments]) == 0
    assert capsys.readouterr().out.endswith(
        "\nwitnesses: 1 of your 1 cosigned the checkpoint (quorum 1) by 2026-05-01T10:00:30Z; "
        "the leaf is not dated after that\n"
    )
    bare = _write(tmp_path, RECEIPT, "bare.json")
    assert main(["audit", "receipt", "verify", str(bare), *arguments]) == 1
    assert "field checkpoint: it is cosigned by 0 of your 1 witnesses" in capsys.readouterr().out
    trust = tmp_path / "trust.json"
    assert main(["audit", "trust", "init", str(trust), "--vkey", VKEY, "--witness", WITNESS]) == 0
    assert main(["audit", "receipt", "verify", str(bare), "--trust", str(trust)]) == 1
    assert main(["audit", "receipt", "verify", str(witnessed), "--trust", str(trust)]) == 0


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
