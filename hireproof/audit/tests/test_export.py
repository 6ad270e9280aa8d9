"""The export signs the leaves no checkpoint covers yet, so every exported leaf is provable."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from hireproof.audit import keys
from hireproof.audit.checkpoints import current_vkey
from hireproof.audit.export import UnsignedTailError, export_bundle
from hireproof.audit.models import Checkpoint
from hireproof.audit.tests.factories import record_many
from hireproof.core.audit import Result, verify_bundle

pytestmark = pytest.mark.django_db


@pytest.fixture
def sparse_checkpoints(settings: Any) -> None:
    settings.HIREPROOF_CHECKPOINT_EVERY = 1000
    settings.HIREPROOF_CHECKPOINT_SECONDS = 3600


def test_the_export_signs_a_checkpoint_over_the_leaves_not_yet_covered(
    tmp_path: Path, sparse_checkpoints: None
) -> None:
    record_many(4)  # the first append signs size 2; leaves 2-4 are not covered
    assert list(Checkpoint.objects.values_list("size", flat=True)) == [2]

    bundle = export_bundle(tmp_path / "log.bundle").bundle

    assert list(Checkpoint.objects.values_list("size", flat=True)) == [2, 5]
    assert len(bundle.checkpoints) == 2
    report = verify_bundle(tmp_path / "log.bundle", trusted_vkeys=[current_vkey()])
    assert report.ok
    assert (report.signed_size, report.unsigned_leaves) == (5, 0)


def test_an_export_of_a_fully_signed_log_signs_nothing_more(
    tmp_path: Path, sparse_checkpoints: None
) -> None:
    record_many(1)
    assert list(Checkpoint.objects.values_list("size", flat=True)) == [2]

    export_bundle(tmp_path / "log.bundle")

    assert list(Checkpoint.objects.values_list("size", flat=True)) == [2]


def _replace_the_key_file(key_files: Path) -> None:
    (key_files / "audit-signing.key").unlink()  # a stranger's key file is put in its place
    keys.forget_cached_keys()


def test_an_export_that_may_not_sign_is_refused_and_says_why(
    tmp_path: Path, key_files: Path, sparse_checkpoints: None, caplog: pytest.LogCaptureFixture
) -> None:
    record_many(3)
    _replace_the_key_file(key_files)

    with (
        caplog.at_level(logging.WARNING, logger="hireproof.audit.export"),
        pytest.raises(
            UnsignedTailError, match=r"^leaves 2-3 cannot be signed \(the signing key in"
        ),
    ):
        export_bundle(tmp_path / "log.bundle")

    assert not (tmp_path / "log.bundle").exists()
    assert caplog.messages[0].startswith(
        "exporting without a checkpoint over the newest leaves: the signing key in"
    )


def test_an_export_allowed_an_unsigned_tail_names_it_and_the_bundle_fails(
    tmp_path: Path, key_files: Path, sparse_checkpoints: None
) -> None:
    record_many(3)
    vkey = current_vkey()
    _replace_the_key_file(key_files)

    exported = export_bundle(tmp_path / "log.bundle", allow_unsigned_tail=True)

    assert (exported.unsigned_tail, exported.unsigned) == (True, range(2, 4))
    assert len(exported.bundle.leaves) == 4
    assert list(Checkpoint.objects.values_list("size", flat=True)) == [2]
    report = verify_bundle(tmp_path / "log.bundle", trusted_vkeys=[vkey])
    assert report.result is Result.FAILED
    assert [str(f) for f in report.failures] == [
        "leaves 2-3: not covered by any signed checkpoint: anyone could have written them, "
        "nothing in them is verified"
    ]


def test_a_signed_export_names_no_unsigned_leaves(tmp_path: Path, sparse_checkpoints: None) -> None:
    record_many(3)
    exported = export_bundle(tmp_path / "log.bundle", allow_unsigned_tail=True)
    assert (exported.unsigned_tail, exported.unsigned) == (False, range(4, 4))
