"""``hireproof audit ...`` operator commands, run as a real subprocess on a real database file."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from hireproof.audit import keys
from hireproof.audit.actions import rotate_signing_key
from hireproof.audit.checkpoints import current_vkey, key_id_of_vkey
from hireproof.audit.models import LogKey, LogLeaf
from hireproof.audit.tests.factories import record_many
from hireproof.audit.tests.flow import record_hiring_flow
from hireproof.core.audit import open_checkpoint, parse_leaf, parse_vkey, verify_inclusion

HIREPROOF = str(Path(sys.executable).with_name("hireproof"))


def hireproof(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [HIREPROOF, "audit", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_export_then_the_offline_verifier_says_ok(
    sqlite_file_db: Path, tmp_path: Path, subprocess_env: dict[str, str], settings: Any
) -> None:
    settings.HIREPROOF_CHECKPOINT_EVERY = 10
    flow = record_hiring_flow()
    connection.close()
    bundle = tmp_path / "audit.bundle"

    exported = hireproof(
        subprocess_env, "export", "--out", str(bundle), "--disclose", flow.candidate.pseudonym
    )
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout == (
        f"wrote {bundle}: 20 leaves, 7 checkpoints, 9 disclosed fields of 1 candidates, 1 erased\n"
    )  # at 2 and 12 by the cadence, after the submission, scoring, decision and erasure
    # committed, and by the export over the last 20
    # The disclosure is itself recorded, by the command line, before the bundle is written.
    last = LogLeaf.objects.order_by("-index").first()
    assert last is not None
    disclosed = parse_leaf(bytes(last.data))
    assert (disclosed.event_type, disclosed.actor) == ("audit.exported", "cli")
    assert dict(disclosed.public) == {"disclosed": [flow.candidate.pseudonym]}
    verified = hireproof(subprocess_env, "verify", str(bundle), "--vkey", current_vkey())
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "checkpoints: 7 of 7 verified, latest signs 20 leaves" in verified.stdout
    assert verified.stdout.endswith("result: OK\n")
    unpinned = hireproof(subprocess_env, "verify", str(bundle))
    assert unpinned.returncode == 3, unpinned.stdout + unpinned.stderr
    assert unpinned.stdout.endswith("result: UNTRUSTED\n")


def test_an_export_without_a_disclosure_records_no_event(
    sqlite_file_db: Path, tmp_path: Path, subprocess_env: dict[str, str]
) -> None:
    record_many(3)
    connection.close()
    before = LogLeaf.objects.count()
    exported = hireproof(subprocess_env, "export", "--out", str(tmp_path / "a.bundle"))
    assert exported.returncode == 0, exported.stderr
    assert LogLeaf.objects.count() == before
    assert not LogLeaf.objects.filter(event_type="audit.exported").exists()


def test_an_export_that_cannot_sign_its_tail_is_refused_and_exits_2(
    sqlite_file_db: Path, tmp_path: Path, subprocess_env: dict[str, str], key_files: Path
) -> None:
    record_many(3)
    connection.close()
    (key_files / "audit-signing.key").unlink()  # a stranger's key file will take its place
    bundle = tmp_path / "refused.bundle"
    refused = hireproof(subprocess_env, "export", "--out", str(bundle))
    assert refused.returncode == 2
    assert refused.stderr.splitlines()[-1].startswith(
        "hireproof: leaves 2-3 cannot be signed (the signing key in"
    )
    assert "export anyway (the bundle will fail verification)" in refused.stderr
    assert not bundle.exists()


def test_an_export_allowed_an_unsigned_tail_warns_exits_1_and_fails_verification(
    sqlite_file_db: Path, tmp_path: Path, subprocess_env: dict[str, str], key_files: Path
) -> None:
    record_many(3)
    connection.close()
    vkey = current_vkey()
    (key_files / "audit-signing.key").unlink()
    bundle = tmp_path / "unsigned.bundle"
    exported = hireproof(subprocess_env, "export", "--out", str(bundle), "--allow-unsigned-tail")
    assert exported.returncode == 1
    assert exported.stdout.startswith(f"wrote {bundle}: 4 leaves, 1 checkpoints")
    assert exported.stderr.endswith(
        "WARNING: leaves 2-3 are not covered by any signed checkpoint: the log could not sign"
        " them, and this bundle FAILS verification. Fix the signing key (see the log above)"
        " and export again.\n"
    )
    verified = hireproof(subprocess_env, "verify", str(bundle), "--vkey", vkey)
    assert verified.returncode == 1
    assert "  leaves 2-3: not covered by any signed checkpoint" in verified.stdout
    assert verified.stdout.endswith("result: FAILED\n")


def test_a_refused_disclosure_records_no_event(
    sqlite_file_db: Path, tmp_path: Path, subprocess_env: dict[str, str]
) -> None:
    flow = record_hiring_flow()
    connection.close()
    leaves = LogLeaf.objects.count()
    live, erased = flow.candidate.pseudonym, flow.erased.pseudonym
    bundle = tmp_path / "refused.bundle"

    refused = hireproof(subprocess_env, "export", "--out", str(bundle), "--disclose", erased)
    assert (refused.returncode, refused.stderr) == (
        2,
        f"hireproof: subject {erased} was erased: their keys are destroyed, so nothing of theirs"
        " can be disclosed. Nothing was exported or recorded\n",
    )
    both = hireproof(subprocess_env, "export", "--out", str(bundle), "--disclose", live, erased)
    assert both.returncode == 2, both.stderr
    nowhere = "/nonexistent-folder/x.bundle"
    unwritable = hireproof(subprocess_env, "export", "--out", nowhere, "--disclose", live)
    assert (unwritable.returncode, unwritable.stderr) == (
        2,
        f"hireproof: {nowhere}: No such file or directory\n",
    )

    assert not bundle.exists()
    assert LogLeaf.objects.count() == leaves
    assert not LogLeaf.objects.filter(event_type="audit.exported").exists()


def test_a_disclosure_whose_tail_cannot_be_signed_is_refused_before_it_is_recorded(
    sqlite_file_db: Path,
    tmp_path: Path,
    subprocess_env: dict[str, str],
    key_files: Path,
    settings: Any,
) -> None:
    settings.HIREPROOF_CHECKPOINT_EVERY = 1000
    flow = record_hiring_flow()
    record_many(2)  # unsigned
    connection.close()
    leaves = LogLeaf.objects.count()
    (key_files / "audit-signing.key").unlink()  # a stranger's key file will take its place
    bundle = tmp_path / "refused.bundle"

    refused = hireproof(
        subprocess_env, "export", "--out", str(bundle), "--disclose", flow.candidate.pseudonym
    )

    assert refused.returncode == 2
    assert refused.stderr.splitlines()[-1].startswith(
        f"hireproof: leaves {leaves - 2}-{leaves - 1} cannot be signed"
    )
    assert refused.stderr.endswith("Nothing was disclosed or recorded\n")
    assert not bundle.exists()
    assert LogLeaf.objects.count() == leaves
    assert not LogLeaf.objects.filter(event_type="audit.exported").exists()


def test_prove_prints_an_inclusion_proof_against_a_signed_checkpoint(
    sqlite_file_db: Path, subprocess_env: dict[str, str]
) -> None:
    record_many(9)
    connection.close()
    proved = hireproof(subprocess_env, "prove", "--leaf", "1")
    assert proved.returncode == 0, proved.stderr
    document = json.loads(proved.stdout)
    checkpoint = open_checkpoint(document["checkpoint"], [parse_vkey(current_vkey())])
    assert (document["tree_size"], checkpoint.size) == (2, 2)
    verify_inclusion(
        bytes.fromhex(document["leaf_hash"]),
        1,
        checkpoint.size,
        [base64.b64decode(h) for h in document["inclusion_proof"]],
        checkpoint.root,
    )


def test_checkpoint_vkey_and_rotate_key(
    sqlite_file_db: Path, subprocess_env: dict[str, str], key_files: Path
) -> None:
    record_many(3)
    connection.close()
    old_vkey = current_vkey()
    assert hireproof(subprocess_env, "vkey").stdout == old_vkey + "\n"

    signed = hireproof(subprocess_env, "checkpoint")
    assert signed.returncode == 0, signed.stderr
    assert open_checkpoint(signed.stdout, [parse_vkey(old_vkey)]).size == 4

    rotated = hireproof(subprocess_env, "rotate-key")
    assert rotated.returncode == 0, rotated.stderr
    new_vkey = hireproof(subprocess_env, "vkey").stdout.strip()
    assert new_vkey != old_vkey
    assert current_vkey() == new_vkey  # this process notices the replaced key file
    assert rotated.stdout.startswith(f"the log now signs with {new_vkey}\n")
    assert "the retired private key file was destroyed" in rotated.stdout
    assert list(key_files.glob("*.retired-*")) == []
    assert LogKey.objects.filter(vkey=old_vkey, retired_at__isnull=False).exists()


def test_issue_receipt_writes_a_receipt_the_offline_command_checks(
    sqlite_file_db: Path, tmp_path: Path, subprocess_env: dict[str, str]
) -> None:
    record_many(4)
    connection.close()
    receipt = tmp_path / "receipt.json"
    issued = hireproof(subprocess_env, "issue-receipt", "--leaf", "2", "--out", str(receipt))
    assert issued.returncode == 0, issued.stderr
    assert json.loads(receipt.read_text())["leaf_index"] == 2
    untrusted = hireproof(subprocess_env, "receipt", "verify", str(receipt))
    assert untrusted.returncode == 3, untrusted.stdout + untrusted.stderr
    checked = hireproof(subprocess_env, "receipt", "verify", str(receipt), "--vkey", current_vkey())
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("prove", "--leaf", "99"),
            "hireproof: the log has no leaf 99 (it holds 3 leaves, from 0)\n",
        ),
        (
            ("export", "--out", "x.bundle", "--disclose", "subj_nobody"),
            "hireproof: --disclose subj_nobody: no candidate has that pseudonym\n",
        ),
        (
            ("export", "--out", "/nonexistent-folder/x.bundle"),
            "hireproof: /nonexistent-folder/x.bundle: No such file or directory\n",
        ),
    ],
)
def test_failures_are_plain_words_and_exit_2(
    sqlite_file_db: Path, subprocess_env: dict[str, str], args: tuple[str, ...], message: str
) -> None:
    record_many(2)
    connection.close()
    failed = hireproof(subprocess_env, *args)
    assert (failed.returncode, failed.stderr) == (2, message)


def test_an_empty_log_has_nothing_to_sign(
    sqlite_file_db: Path, subprocess_env: dict[str, str]
) -> None:
    connection.close()
    failed = hireproof(subprocess_env, "checkpoint")
    assert (failed.returncode, failed.stderr) == (
        2,
        "hireproof: the log is empty: there is nothing to sign yet\n",
    )


def test_a_database_that_was_never_created_is_named(
    tmp_path: Path, subprocess_env: dict[str, str]
) -> None:
    failed = hireproof(subprocess_env, "checkpoint")
    assert failed.returncode == 2
    assert failed.stderr.startswith("hireproof: the database could not be used (no such table")


# --- every command that writes checks the files as a server's start does ----------------------


@pytest.mark.parametrize(
    "command",
    [("audit", "checkpoint"), ("audit", "export", "--out", "x.bundle"), ("sweep",)],
    ids=["audit checkpoint", "audit export", "sweep"],
)
def test_a_command_that_writes_refuses_a_key_file_or_data_folder_open_to_others(
    sqlite_file_db: Path, tmp_path: Path, subprocess_env: dict[str, str], command: tuple[str, ...]
) -> None:
    record_many(2)
    connection.close()
    kek = Path(subprocess_env["HIREPROOF_KEK"])
    keys.kek_bytes()  # created on first use
    kek.chmod(0o644)

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [HIREPROOF, *command],
            env=subprocess_env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )

    refused = run()
    assert (refused.returncode, refused.stderr) == (
        2,
        f"hireproof: the KEK {kek} has mode 0644, open to other users; it must be 0600:"
        f" run  chmod 600 {kek}\n",
    )
    kek.chmod(0o600)
    tmp_path.chmod(0o755)
    try:
        loose = run()
    finally:
        tmp_path.chmod(0o700)
    assert loose.returncode == 2
    assert loose.stderr == (
        f"hireproof: the data folder {tmp_path} has mode 0755, open to other users; it must be"
        f" 0700: run  chmod 700 {tmp_path}\n"
    )
    assert LogLeaf.objects.count() == 3  # nothing was written


def test_a_command_that_writes_refuses_a_kek_inside_the_data_folder_only_in_production(
    sqlite_file_db: Path, subprocess_env: dict[str, str]
) -> None:
    record_many(2)
    connection.close()
    assert Path(subprocess_env["HIREPROOF_KEK"]).is_relative_to(
        subprocess_env["HIREPROOF_DATA_DIR"]
    )
    production = hireproof({**subprocess_env, "SECURE_COOKIES": "true"}, "checkpoint")
    assert production.returncode == 2
    assert production.stderr.startswith(
        f"hireproof: refusing to start under production settings: HIREPROOF_KEK="
        f"{subprocess_env['HIREPROOF_KEK']} lies inside the data folder"
    )
    development = hireproof(subprocess_env, "checkpoint")
    assert (development.returncode, development.stderr) == (0, "")  # the server warns, not this


def test_a_command_that_writes_destroys_the_retired_key_a_committed_rotation_left(
    sqlite_file_db: Path, subprocess_env: dict[str, str], key_files: Path
) -> None:
    record_many(2)
    old_key = keys.signing_key_bytes()
    old_id = key_id_of_vkey(current_vkey())
    rotate_signing_key(actor="cli")
    connection.close()
    # As if the process had died between the rotation's commit and the key's destruction.
    leftover = key_files / f"audit-signing.key.retired-{old_id}"
    leftover.write_bytes(old_key)
    leftover.chmod(0o600)

    signed = hireproof(subprocess_env, "checkpoint")

    assert signed.returncode == 0, signed.stderr
    assert signed.stderr == f"destroyed the retired private signing key {leftover}\n"
    assert not leftover.exists()
