"""``hireproof witness``: the folder commands in-process, ``serve`` as a real process over HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hireproof.cli import main
from hireproof.cli.tests.witness_process import CHILD_ENV, WitnessProcess, post, witness_command
from hireproof.core.audit import (
    SIZE_CONTENT_TYPE,
    Checkpoint,
    MemorySource,
    Signer,
    consistency_proof,
    encode_add_checkpoint,
    leaf_hash,
    parse_witness_vkey,
    read_cosignatures,
    sign_checkpoint,
    signer_from_key_bytes,
)
from hireproof.core.tests.audit.builders import ORIGIN, OTHER_KEY, SIGNER

TREE = MemorySource([leaf_hash(b"leaf %d" % i) for i in range(16)])
NAME = "counsel.example/witness"


def note_of(size: int, signer: Signer = SIGNER) -> str:
    return sign_checkpoint(signer, Checkpoint(ORIGIN, size, TREE.root(size)))


@pytest.fixture
def folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "witness"
    assert main(["witness", "init", str(path), "--name", NAME]) == 0
    assert main(["witness", "trust", str(path), "--log-vkey", SIGNER.verifier.vkey]) == 0
    capsys.readouterr()
    return path


def vkey_of(folder: Path) -> str:
    result = witness_command("vkey", str(folder))
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_init_creates_a_private_key_and_prints_the_vkey(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "w"
    assert main(["witness", "init", str(path), "--name", NAME]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"created the witness {NAME} in {path}\nvkey: {NAME}+")
    vkey = out.split("vkey: ")[1].strip()
    assert parse_witness_vkey(vkey).name == NAME
    assert (path.stat().st_mode & 0o777, (path / "witness.key").stat().st_mode & 0o777) == (
        0o700,
        0o600,
    )
    assert len((path / "witness.key").read_bytes()) == 32
    assert main(["witness", "vkey", str(path)]) == 0
    assert capsys.readouterr().out == vkey + "\n"


def test_init_refuses_to_overwrite_a_key(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (folder / "witness.key").read_bytes()
    assert main(["witness", "init", str(folder), "--name", "other.example"]) == 2
    assert "witness.key already exists: refusing to overwrite" in capsys.readouterr().err
    assert (folder / "witness.key").read_bytes() == before


def test_init_refuses_a_bad_name(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["witness", "init", str(tmp_path / "w"), "--name", "a+b"]) == 2
    assert "the key name 'a+b' must be non-empty" in capsys.readouterr().err
    assert not (tmp_path / "w").exists()


def test_a_key_readable_by_others_is_refused(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (folder / "witness.key").chmod(0o644)
    assert main(["witness", "vkey", str(folder)]) == 2
    assert "must be readable by its owner only" in capsys.readouterr().err


def test_a_missing_witness_folder_says_how_to_create_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["witness", "vkey", str(tmp_path / "none")]) == 2
    assert "is missing: create the witness with `hireproof witness init`" in capsys.readouterr().err


def test_trust_records_each_log_key_once_and_refuses_bad_ones(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["witness", "trust", str(folder), "--log-vkey", SIGNER.verifier.vkey]) == 0
    assert capsys.readouterr().out == f"trusting log {ORIGIN} (key ddffb46d)\n"
    assert (folder / "trusted-logs.txt").read_text() == SIGNER.verifier.vkey + "\n"
    assert main(["witness", "trust", str(folder), "--log-vkey", "nonsense"]) == 2
    assert "the vkey 'nonsense' is not name+keyid+key" in capsys.readouterr().err


def test_the_witness_commands_never_load_django(folder: Path) -> None:
    script = (
        "import sys; from hireproof.cli import main; "
        f"code = main(['witness', 'vkey', {str(folder)!r}]); "
        "print('django' in sys.modules, code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=CHILD_ENV, check=True
    )
    assert result.stdout.endswith("False 0\n")


def test_serve_cosigns_a_checkpoint_and_then_its_extension(folder: Path) -> None:
    vkey = vkey_of(folder)
    with WitnessProcess(folder) as witness:
        status, kind, body = post(witness.url, encode_add_checkpoint(0, [], note_of(4)))
        assert (status, kind) == (200, "text/plain; charset=utf-8")
        [first] = read_cosignatures(note_of(4) + body.decode(), [vkey])
        proof = consistency_proof(TREE, 4, 11)
        status, _, body = post(witness.url, encode_add_checkpoint(4, proof, note_of(11)))
        assert status == 200
        [second] = read_cosignatures(note_of(11) + body.decode(), [vkey])
    assert first.name == second.name == NAME
    assert second.timestamp >= first.timestamp
    state = json.loads((folder / "state.json").read_text())
    assert state["logs"][ORIGIN]["size"] == 11


def test_serve_answers_each_refusal_with_its_status(folder: Path) -> None:
    impostor = signer_from_key_bytes(ORIGIN, OTHER_KEY)
    stranger = signer_from_key_bytes("other.example/log", OTHER_KEY)
    with WitnessProcess(folder) as witness:
        assert post(witness.url, encode_add_checkpoint(0, [], note_of(5)))[0] == 200
        unknown = sign_checkpoint(stranger, Checkpoint("other.example/log", 3, TREE.root(3)))
        assert post(witness.url, encode_add_checkpoint(0, [], unknown))[0] == 404
        assert post(witness.url, encode_add_checkpoint(5, [], note_of(5, impostor)))[0] == 403
        assert post(witness.url, encode_add_checkpoint(9, [], note_of(8)))[0] == 400
        assert post(witness.url, encode_add_checkpoint(0, [], note_of(8))) == (
            409,
            SIZE_CONTENT_TYPE,
            b"5\n",
        )
        fork = sign_checkpoint(SIGNER, Checkpoint(ORIGIN, 5, leaf_hash(b"forged")))
        assert post(witness.url, encode_add_checkpoint(5, [], fork))[0] == 422
        assert post(witness.url, b"old x\n\nnote")[0] == 400
        assert post(witness.url, b"x" * (64 * 1024 + 1))[0] == 413
        assert post(witness.url, b"", path="/other")[0] == 404
    assert json.loads((folder / "state.json").read_text())["logs"][ORIGIN]["size"] == 5


def test_the_state_survives_a_restart(folder: Path) -> None:
    with WitnessProcess(folder) as witness:
        assert post(witness.url, encode_add_checkpoint(0, [], note_of(6)))[0] == 200
    with WitnessProcess(folder) as witness:
        assert post(witness.url, encode_add_checkpoint(0, [], note_of(9)))[:3:2] == (409, b"6\n")
        proof = consistency_proof(TREE, 6, 9)
        assert post(witness.url, encode_add_checkpoint(6, proof, note_of(9)))[0] == 200


def test_serve_refuses_to_start_on_a_damaged_state_file(folder: Path) -> None:
    (folder / "state.json").write_text("{")
    result = witness_command("serve", str(folder), "--port", "0")
    assert result.returncode == 2
    assert "state.json: the witness state is not JSON" in result.stderr
