"""Checkpoints: the automatic cadence, signing on demand, the key file, refusals."""

from __future__ import annotations

import stat
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from hireproof.audit import keys
from hireproof.audit.checkpoints import current_vkey, sign_checkpoint_now
from hireproof.audit.models import Checkpoint, LogKey, LogLeaf
from hireproof.audit.tests.factories import record_many
from hireproof.core.audit import generate_signing_key, open_checkpoint, parse_vkey, root_of
from hireproof.core.errors import ForkError
from hireproof.platform.tasks import run_due_schedules

pytestmark = pytest.mark.django_db


def _sizes() -> list[int]:
    return list(Checkpoint.objects.order_by("size").values_list("size", flat=True))


def test_it_signs_every_n_events(settings: Any) -> None:
    settings.HIREPROOF_CHECKPOINT_EVERY = 5
    record_many(11)
    assert _sizes() == [2, 7, 12]


def test_a_window_is_signed_within_the_period_by_the_request_of_its_first_leaf(
    settings: Any,
) -> None:
    settings.HIREPROOF_CHECKPOINT_EVERY = 1000
    settings.HIREPROOF_CHECKPOINT_SECONDS = 60
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        record_many(3)  # the first signs 2; the second asks for a signature 36 s on (60 - 40%)
    with time_machine.travel(start + timedelta(seconds=35), tick=False):
        record_many(1)
        run_due_schedules()
    assert _sizes() == [2]
    with time_machine.travel(start + timedelta(seconds=37), tick=False):
        run_due_schedules()  # a worker's look
    assert _sizes() == [2, 5]


def test_every_checkpoint_opens_with_the_vkey_and_matches_the_leaves(settings: Any) -> None:
    settings.HIREPROOF_CHECKPOINT_EVERY = 3
    record_many(9)
    verifier = parse_vkey(current_vkey())
    hashes = [bytes(h) for h in LogLeaf.objects.values_list("leaf_hash", flat=True)]
    for stored in Checkpoint.objects.all():
        opened = open_checkpoint(stored.note, [verifier])
        assert (opened.origin, opened.size, opened.root) == (
            "hireproof.local/audit",
            stored.size,
            root_of(hashes[: stored.size]),
        )
        assert bytes(stored.root) == opened.root
        assert stored.key_id == verifier.key_id.hex()


def test_a_checkpoint_can_be_signed_on_demand(settings: Any) -> None:
    settings.HIREPROOF_CHECKPOINT_EVERY = 1000
    record_many(4)
    signed = sign_checkpoint_now()
    assert (signed.size, _sizes()) == (5, [2, 5])


def test_the_signing_key_is_a_private_file_outside_the_database(key_files: Path) -> None:
    record_many(1)
    key_file = key_files / "audit-signing.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    raw = key_file.read_bytes()
    assert len(raw) == 32
    assert not any(raw in bytes(leaf) for leaf in LogLeaf.objects.values_list("data", flat=True))
    assert LogKey.objects.get().vkey == current_vkey()


def test_it_refuses_to_sign_with_a_key_file_that_is_not_the_logs_key(key_files: Path) -> None:
    record_many(1)
    (key_files / "audit-signing.key").write_bytes(generate_signing_key())
    keys.forget_cached_keys()
    with pytest.raises(keys.KeyFileError, match="is not the log's current key"):
        sign_checkpoint_now()


def test_it_refuses_to_sign_when_the_stored_checkpoint_disagrees_with_the_leaves() -> None:
    record_many(3)
    Checkpoint.objects.bulk_create(
        [Checkpoint(size=4, root=bytes(32), note="x", signed_at=timezone.now(), key_id="x")]
    )
    with pytest.raises(ForkError, match="does not extend the signed tree of 4 leaves"):
        sign_checkpoint_now()
