"""Sending checkpoints to a real `hireproof witness serve` process, keeping its cosignatures."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from hireproof import settings as hireproof_settings
from hireproof.audit import checkpointer, witnessing
from hireproof.audit.checkpoints import current_signer, current_vkey, sign_checkpoint_now
from hireproof.audit.export import export_bundle
from hireproof.audit.models import Checkpoint, Cosignature
from hireproof.audit.receipts import receipt_for
from hireproof.audit.tests.factories import record_many
from hireproof.cli import main
from hireproof.cli.tests.witness_process import WitnessProcess, post, witness_command
from hireproof.core.audit import (
    Checkpoint as CheckpointBody,
)
from hireproof.core.audit import (
    MemorySource,
    check_witnessed,
    consistency_proof,
    encode_add_checkpoint,
    generate_signing_key,
    leaf_hash,
    open_note,
    parse_vkey,
    read_cosignatures,
    sign_checkpoint,
    signer_from_key_bytes,
    vkey_of,
)

pytestmark = pytest.mark.django_db
WITNESS_NAME = "counsel.example/witness"


def make_witness(folder: Path, *log_vkeys: str) -> str:
    """Create a witness folder trusting ``log_vkeys``; its vkey."""
    created = witness_command("init", str(folder), "--name", WITNESS_NAME)
    assert created.returncode == 0, created.stderr
    for vkey in log_vkeys:
        trusted = witness_command("trust", str(folder), "--log-vkey", vkey)
        assert trusted.returncode == 0, trusted.stderr
    return created.stdout.split("vkey: ")[1].strip()


@pytest.fixture
def app_log(settings: Any) -> str:
    """A log with a few events; its vkey."""
    settings.HIREPROOF_CHECKPOINT_EVERY = 1000
    record_many(3)
    return current_vkey()


@pytest.fixture
def witness(tmp_path: Path, app_log: str, settings: Any) -> Iterator[WitnessProcess]:
    """A running witness trusting the app's log, configured in the app's settings."""
    vkey = make_witness(tmp_path / "witness", app_log)
    with WitnessProcess(tmp_path / "witness") as process:
        settings.HIREPROOF_WITNESSES = [(process.url, vkey)]
        yield process


def witness_state(process: WitnessProcess) -> dict[str, Any]:
    logs: dict[str, Any] = json.loads((process.folder / "state.json").read_text())["logs"]
    return logs


def witness_vkey(settings: Any) -> str:
    return str(settings.HIREPROOF_WITNESSES[0][1])


def test_the_app_submits_a_checkpoint_and_stores_the_verified_cosignature(
    witness: WitnessProcess, settings: Any
) -> None:
    checkpoint = sign_checkpoint_now()
    [stored] = witnessing.submit_checkpoint(checkpoint)
    assert (stored.checkpoint, stored.witness_name) == (checkpoint, WITNESS_NAME)
    note = witnessing.cosigned_note(checkpoint)
    assert note == checkpoint.note + stored.line
    open_note(note, [parse_vkey(current_vkey())])  # the log's signature still verifies
    [found] = read_cosignatures(note, [witness_vkey(settings)])
    assert (found.timestamp, found.key_id.hex()) == (stored.timestamp, stored.key_id)
    assert abs(found.timestamp - timezone.now().timestamp()) < 60
    assert witness_state(witness)[settings.HIREPROOF_LOG_ORIGIN]["size"] == checkpoint.size
    assert witnessing.submit_checkpoint(checkpoint) == []  # cosigned already: not sent again
    assert Cosignature.objects.count() == 1


def test_the_next_checkpoint_is_sent_with_a_consistency_proof(
    witness: WitnessProcess, settings: Any
) -> None:
    first = sign_checkpoint_now()
    witnessing.submit_checkpoint(first)
    record_many(6)
    second = sign_checkpoint_now()
    assert witnessing.last_cosigned_size(witnessing.configured_witnesses()[0]) == first.size
    assert witnessing.submit_pending() == 1
    assert witness_state(witness)[settings.HIREPROOF_LOG_ORIGIN]["size"] == second.size == 10
    notes = [witnessing.cosigned_note(c) for c in Checkpoint.objects.order_by("size")]
    result = check_witnessed(notes, [witness_vkey(settings)], 1)
    assert (result.ok, result.sizes) == (True, (first.size, second.size))
    assert witnessing.submit_pending() == 0  # the latest is cosigned: nothing to send


def test_a_409_is_retried_once_from_the_size_the_witness_names(
    witness: WitnessProcess, settings: Any
) -> None:
    first = sign_checkpoint_now()  # cosigned by the witness, but the app never stored it
    assert post(witness.url, encode_add_checkpoint(0, [], first.note))[0] == 200
    record_many(2)
    second = sign_checkpoint_now()
    [stored] = witnessing.submit_checkpoint(second)
    assert stored.checkpoint == second
    assert witness_state(witness)[settings.HIREPROOF_LOG_ORIGIN]["size"] == second.size


def test_a_second_history_of_the_same_size_is_refused_and_never_cosigned(
    witness: WitnessProcess, caplog: pytest.LogCaptureFixture, settings: Any
) -> None:
    honest = sign_checkpoint_now()
    witnessing.submit_checkpoint(honest)
    forged_root = leaf_hash(b"another history")
    forged_body = CheckpointBody(settings.HIREPROOF_LOG_ORIGIN, honest.size, forged_root)
    fork = Checkpoint.objects.create(
        size=honest.size,
        root=forged_root,
        note=sign_checkpoint(current_signer(), forged_body),
        signed_at=timezone.now(),
        key_id=honest.key_id,
    )
    with caplog.at_level(logging.WARNING, logger="hireproof.audit.witnessing"):
        assert witnessing.submit_checkpoint(fork) == []
    assert f"answered 422 to old size {honest.size}" in caplog.text
    assert "two trees of the same size have different roots" in caplog.text
    assert not fork.cosignatures.exists()
    kept = witness_state(witness)[settings.HIREPROOF_LOG_ORIGIN]
    assert kept["root"] == base64.b64encode(bytes(honest.root)).decode()


def test_a_larger_tree_that_does_not_extend_the_cosigned_one_is_refused(
    witness: WitnessProcess, settings: Any
) -> None:
    honest = sign_checkpoint_now()
    witnessing.submit_checkpoint(honest)
    other = MemorySource([leaf_hash(b"rewritten %d" % i) for i in range(honest.size + 5)])
    size = honest.size + 5
    body = CheckpointBody(settings.HIREPROOF_LOG_ORIGIN, size, other.root(size))
    forged = sign_checkpoint(current_signer(), body)
    proof = consistency_proof(other, honest.size, size)
    assert post(witness.url, encode_add_checkpoint(0, [], forged))[:3:2] == (
        409,
        f"{honest.size}\n".encode(),
    )
    status, _, answer = post(witness.url, encode_add_checkpoint(honest.size, proof, forged))
    assert status == 422
    assert b"is not consistent with the size" in answer
    assert witness_state(witness)[settings.HIREPROOF_LOG_ORIGIN]["size"] == honest.size


def test_a_checkpoint_signed_by_an_untrusted_log_key_gets_403(
    tmp_path: Path, app_log: str, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    impostor = signer_from_key_bytes(settings.HIREPROOF_LOG_ORIGIN, generate_signing_key())
    vkey = make_witness(tmp_path / "witness", vkey_of(impostor))
    with WitnessProcess(tmp_path / "witness") as process:
        settings.HIREPROOF_WITNESSES = [(process.url, vkey)]
        with caplog.at_level(logging.WARNING, logger="hireproof.audit.witnessing"):
            assert witnessing.submit_checkpoint(sign_checkpoint_now()) == []
    assert "answered 403 to old size 0: the checkpoint's log signature does not verify" in (
        caplog.text
    )
    assert not Cosignature.objects.exists()


def test_an_unknown_origin_gets_404(
    tmp_path: Path, app_log: str, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    other_log = signer_from_key_bytes("other.example/log", generate_signing_key())
    vkey = make_witness(tmp_path / "witness", vkey_of(other_log))
    with WitnessProcess(tmp_path / "witness") as process:
        settings.HIREPROOF_WITNESSES = [(process.url, vkey)]
        with caplog.at_level(logging.WARNING, logger="hireproof.audit.witnessing"):
            assert witnessing.submit_pending() == 0
    assert "answered 404 to old size 0: unknown log origin 'hireproof.local/audit'" in caplog.text
    assert not Cosignature.objects.exists()


def test_the_witness_state_survives_a_restart(tmp_path: Path, app_log: str, settings: Any) -> None:
    vkey = make_witness(tmp_path / "witness", app_log)
    first = sign_checkpoint_now()
    with WitnessProcess(tmp_path / "witness") as process:
        settings.HIREPROOF_WITNESSES = [(process.url, vkey)]
        assert len(witnessing.submit_checkpoint(first)) == 1
    record_many(4)
    second = sign_checkpoint_now()
    with WitnessProcess(tmp_path / "witness") as process:
        assert post(process.url, encode_add_checkpoint(0, [], second.note))[:3:2] == (
            409,
            f"{first.size}\n".encode(),
        )
        settings.HIREPROOF_WITNESSES = [(process.url, vkey)]
        assert len(witnessing.submit_checkpoint(second)) == 1
        assert witness_state(process)[settings.HIREPROOF_LOG_ORIGIN]["size"] == second.size


def test_an_answer_that_does_not_verify_with_the_configured_key_is_not_stored(
    tmp_path: Path, witness: WitnessProcess, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    stranger = make_witness(tmp_path / "stranger")  # same name, another key
    settings.HIREPROOF_WITNESSES = [(witness.url, stranger)]
    with caplog.at_level(logging.WARNING, logger="hireproof.audit.witnessing"):
        assert witnessing.submit_checkpoint(sign_checkpoint_now()) == []
    assert "its answer holds no cosignature by its key" in caplog.text
    assert not Cosignature.objects.exists()


def test_a_witness_that_is_down_is_logged_and_nothing_raises(
    witness: WitnessProcess, caplog: pytest.LogCaptureFixture
) -> None:
    witness.stop()
    with caplog.at_level(logging.WARNING, logger="hireproof.audit.witnessing"):
        assert witnessing.submit_checkpoint(sign_checkpoint_now()) == []
    assert "did not cosign the checkpoint over 4 leaves" in caplog.text
    assert not Cosignature.objects.exists()


def test_the_signing_task_has_the_witnesses_cosign_what_it_signs(witness: WitnessProcess) -> None:
    assert not Cosignature.objects.exists()
    checkpointer.sign_checkpoint()  # then queues the witnesses' task (run at once in tests)
    [stored] = Cosignature.objects.all()
    assert stored.checkpoint.size == 4


def test_the_periodic_safety_net_sends_what_the_witnesses_have_not_cosigned(
    witness: WitnessProcess,
) -> None:
    sign_checkpoint_now()
    assert not Cosignature.objects.exists()
    checkpointer.sign_overdue()
    [stored] = Cosignature.objects.all()
    assert stored.checkpoint.size == 4


def test_no_witness_configured_sends_nothing(app_log: str) -> None:
    sign_checkpoint_now()
    assert witnessing.submit_pending() == 0


def test_the_setting_reads_url_vkey_pairs_and_refuses_bad_ones(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    vkey = make_witness(tmp_path / "w")
    monkeypatch.setenv(
        "HIREPROOF_WITNESSES", f" http://127.0.0.1:1/ ={vkey}, https://w.example={vkey}"
    )
    assert hireproof_settings._witnesses() == [
        ("http://127.0.0.1:1", vkey),
        ("https://w.example", vkey),
    ]
    monkeypatch.setenv("HIREPROOF_WITNESSES", "")
    assert hireproof_settings._witnesses() == []
    for bad, message in [
        ("127.0.0.1:1=" + vkey, "is not URL=VKEY with an http"),
        ("http://127.0.0.1:1", "is not URL=VKEY"),
        ("http://127.0.0.1:1=nonsense", "http://127.0.0.1:1: the witness vkey 'nonsense'"),
    ]:
        monkeypatch.setenv("HIREPROOF_WITNESSES", bad)
        with pytest.raises(ImproperlyConfigured, match=message):
            hireproof_settings._witnesses()


# --- what the auditor gets: bundles and receipts carry the cosignatures ----------------------


def test_an_export_carries_the_cosignatures_and_verifies_requiring_the_witness(
    witness: WitnessProcess,
    settings: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    record_many(2)  # past the last checkpoint: the export signs them and asks the witness
    path = tmp_path / "log.bundle"
    export_bundle(path)
    vkey, witness_key = current_vkey(), witness_vkey(settings)
    latest = Checkpoint.objects.order_by("-size").first()
    assert latest is not None
    assert (latest.size, latest.cosignatures.count()) == (6, 1)
    verify = ["audit", "verify", str(path), "--vkey", vkey, "--witness", witness_key]
    assert main(verify) == 0
    assert "witnesses: 1 of your 1 cosigned the checkpoint over 6 leaves (quorum 1)" in (
        capsys.readouterr().out
    )

    receipt = tmp_path / "receipt.json"
    receipt.write_text(receipt_for(4).to_json(), encoding="utf-8")
    check = ["audit", "receipt", "verify", str(receipt), "--vkey", vkey]
    assert main([*check, "--witness", witness_key]) == 0
    assert "\nwitnesses: 1 of your 1 cosigned the checkpoint (quorum 1) by " in (
        capsys.readouterr().out
    )


def test_leaves_the_witness_has_not_seen_fail_an_auditor_who_requires_it(
    witness: WitnessProcess,
    settings: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    export_bundle(tmp_path / "seen.bundle")  # cosigned over 4 leaves
    witness.stop()
    record_many(2)
    path = tmp_path / "log.bundle"
    export_bundle(path)  # the witness is down: the new tail stays uncosigned
    vkey, witness_key = current_vkey(), witness_vkey(settings)
    assert main(["audit", "verify", str(path), "--vkey", vkey]) == 0
    capsys.readouterr()
    assert main(["audit", "verify", str(path), "--vkey", vkey, "--witness", witness_key]) == 1
    assert "  leaves 4-5: no checkpoint cosigned by 1 of your 1 witnesses covers these leaves" in (
        capsys.readouterr().out
    )
    fresh = tmp_path / "receipt.json"
    fresh.write_text(receipt_for(5).to_json(), encoding="utf-8")
    check = ["audit", "receipt", "verify", str(fresh), "--vkey", vkey]
    assert main([*check, "--witness", witness_key]) == 1
    assert main(check) == 0
