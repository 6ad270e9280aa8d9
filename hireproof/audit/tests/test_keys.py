"""Key files: retired private keys destroyed; loose modes and a misplaced KEK refused at start."""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from hireproof.audit import checkpoints, keys, startup
from hireproof.audit.actions import rotate_signing_key
from hireproof.audit.export import export_bundle
from hireproof.audit.models import LogKey
from hireproof.audit.tests.factories import record_many
from hireproof.core.audit import verify_bundle

CaptureOnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def test_destroying_a_key_file_zeroes_its_bytes_before_unlinking(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    folder.mkdir(mode=0o700)
    path = folder / "audit-signing.key.retired-abcd1234"
    path.write_bytes(b"\x5a" * keys.KEY_SIZE)
    # A second name for the same inode shows what became of the bytes after the unlink.
    witness = tmp_path / "same-inode"
    os.link(path, witness)

    keys.destroy_key_file(path)

    assert not path.exists()
    assert witness.read_bytes() == b"\0" * keys.KEY_SIZE


@pytest.mark.django_db
def test_a_committed_rotation_destroys_the_retired_private_key_and_keeps_its_public_half(
    key_files: Path,
    tmp_path: Path,
    settings: Any,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    settings.HIREPROOF_CHECKPOINT_EVERY = 1000
    record_many(3)
    old_vkey = checkpoints.current_vkey()
    old_id = checkpoints.key_id_of_vkey(old_vkey)
    retired = key_files / f"audit-signing.key.retired-{old_id}"

    with django_capture_on_commit_callbacks(execute=True):
        rotate_signing_key(actor="staff:1")
        assert retired.exists()  # until the rotation commits, a failure can still put it back

    assert not retired.exists()
    assert keys.retired_signing_keys() == []
    assert sorted(p.name for p in key_files.iterdir() if "signing" in p.name) == [
        "audit-signing.key",
        "audit-signing.key.last-signed",
        "audit-signing.key.last-signed.lock",
    ]
    assert LogKey.objects.filter(vkey=old_vkey, retired_at__isnull=False).exists()
    export_bundle(tmp_path / "log.bundle")
    report = verify_bundle(tmp_path / "log.bundle", trusted_vkeys=[old_vkey])
    assert report.failures == ()
    assert report.checkpoints_verified == report.checkpoints_total


@pytest.mark.django_db
def test_start_up_destroys_the_retired_key_of_a_committed_rotation_and_keeps_any_other(
    key_files: Path,
    settings: Any,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    settings.HIREPROOF_CHECKPOINT_EVERY = 1000
    record_many(3)
    old_id = checkpoints.key_id_of_vkey(checkpoints.current_vkey())
    # The rotation commits, and the process dies before it destroys the retired key.
    with django_capture_on_commit_callbacks(execute=False):
        rotate_signing_key(actor="staff:1")
    committed = key_files / f"audit-signing.key.retired-{old_id}"
    assert committed.exists()
    # A rotation that died before it committed leaves the log's current key aside like this.
    current_id = checkpoints.key_id_of_vkey(checkpoints.current_vkey())
    unfinished = key_files / f"audit-signing.key.retired-{current_id}"
    unfinished.write_bytes(keys.signing_key_bytes())
    unfinished.chmod(0o600)
    unrelated = key_files / "other.key.retired-cccc0003"
    unrelated.write_bytes(b"\x02" * keys.KEY_SIZE)
    unrelated.chmod(0o600)

    prepared = startup.prepare_process()

    assert prepared.destroyed == (committed,)
    assert not committed.exists()
    assert unfinished.read_bytes() == keys.signing_key_bytes()  # kept: it may be the only copy
    assert unrelated.exists()  # only the signing key's retired files are ours
    assert prepared.kept == (
        f"{unfinished} holds private key {current_id}, which the log has not retired: a key"
        " rotation did not finish, and this may be the only copy of the log's current key."
        f" It was kept. Put it back with  mv {unfinished} {key_files / 'audit-signing.key'}"
        "  (the file there now holds a key the log never registered), then run the rotation"
        " again",
    )
    assert startup.notices(prepared)[:2] == [
        f"destroyed the retired private signing key {committed}",
        f"WARNING: {prepared.kept[0]}",
    ]
    assert startup.prepare_process().destroyed == ()  # nothing left to destroy


@pytest.mark.parametrize(
    ("target", "mode", "what", "fix"),
    [
        ("audit-signing.key", 0o644, "the audit signing key", "chmod 600"),
        ("kek.key", 0o640, "the KEK", "chmod 600"),
        ("", 0o755, "the folder of the audit signing key", "chmod 700"),
    ],
)
def test_start_up_refuses_key_files_or_folders_open_to_others(
    key_files: Path, target: str, mode: int, what: str, fix: str
) -> None:
    keys.signing_key_bytes()
    keys.kek_bytes()
    path = key_files / target if target else key_files
    path.chmod(mode)
    try:
        with pytest.raises(startup.StartRefused) as refused:
            startup.check_files()
    finally:
        path.chmod(0o700 if not target else 0o600)
    assert str(refused.value) == (
        f"{what} {path} has mode {mode:04o}, open to other users; it must be"
        f" {'0700' if not target else '0600'}: run  {fix} {path}"
    )


def test_start_up_refuses_a_data_folder_open_to_others(settings: Any, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    settings.DATA_DIR = data
    with pytest.raises(startup.StartRefused) as refused:
        startup.check_files()
    assert str(refused.value) == (
        f"the data folder {data} has mode 0755, open to other users; it must be 0700:"
        f" run  chmod 700 {data}"
    )


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_start_up_refuses_a_database_file_open_to_others(sqlite_file_db: Path, suffix: str) -> None:
    path = Path(f"{sqlite_file_db}{suffix}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM audit_logleaf")  # the WAL and its index exist
    assert path.exists()
    path.chmod(0o644)
    with pytest.raises(startup.StartRefused) as refused:
        startup.check_files()
    assert str(refused.value) == (
        f"the database file {path} has mode 0644, open to other users; it must be 0600:"
        f" run  chmod 600 {path}"
    )


def test_start_up_accepts_private_files_and_skips_key_files_not_created_yet(
    key_files: Path,
) -> None:
    assert startup.check_files() is None  # no key yet: created 0600 in 0700 on first use
    keys.signing_key_bytes()
    keys.kek_bytes()
    (key_files / "kek.key").chmod(0o400)
    assert startup.check_files() is None
    assert oct(key_files.stat().st_mode & 0o777) == "0o700"


def test_under_production_settings_start_up_refuses_a_kek_inside_the_data_folder(
    settings: Any, tmp_path: Path
) -> None:
    settings.DATA_DIR = tmp_path
    settings.HIREPROOF_KEK = tmp_path / "keys" / "kek.key"
    settings.HIREPROOF_PRODUCTION = True
    with pytest.raises(startup.StartRefused) as refused:
        startup.check_files()
    message = str(refused.value)
    assert message.startswith(
        f"refusing to start under production settings: HIREPROOF_KEK={tmp_path}/keys/kek.key"
        f" lies inside the data folder {tmp_path.resolve()}"
    )
    assert "set HIREPROOF_KEK to its path" in message
    assert "SECURE_COOKIES is on, or DEBUG is off and ALLOWED_HOSTS names a host" in message


def test_outside_production_a_kek_inside_the_data_folder_is_a_loud_warning(
    settings: Any, tmp_path: Path
) -> None:
    settings.DATA_DIR = tmp_path
    settings.HIREPROOF_KEK = tmp_path / "keys" / "kek.key"
    settings.HIREPROOF_PRODUCTION = False
    prepared = startup.Prepared(destroyed=(), kept=(), kek_problem=startup.check_files())
    (warning,) = startup.notices(prepared)
    assert warning.startswith(f"WARNING: HIREPROOF_KEK={tmp_path}/keys/kek.key lies inside")
    assert warning.endswith("This is refused under production settings.")
    assert startup.notices(prepared, kek_warning=False) == []


def test_a_kek_outside_the_data_folder_passes_quietly_even_in_production(
    settings: Any, tmp_path: Path
) -> None:
    (tmp_path / "data").mkdir(mode=0o700)
    settings.DATA_DIR = tmp_path / "data"
    settings.HIREPROOF_KEK = tmp_path / "secrets" / "kek.key"
    settings.HIREPROOF_PRODUCTION = True
    assert startup.check_files() is None
    assert keys.kek_placement_problem() is None
