"""Behaviour that needs a shared database: concurrent writers, restored backup files."""

from __future__ import annotations

import itertools
import random
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from hireproof.audit import keys
from hireproof.audit.checkpoints import sign_checkpoint_now
from hireproof.audit.models import Checkpoint, LogLeaf
from hireproof.audit.store import StoredTree
from hireproof.audit.tests.factories import record, record_many
from hireproof.core.audit import EventType, parse_leaf, root_of
from hireproof.core.errors import ForkError


def _copy_database(source: Path, target: Path) -> None:
    connection.close()  # the last connection to close folds the WAL back into the file
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)


def test_concurrent_writers_get_gap_free_indices(shared_db: None) -> None:
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for number in range(25):
                record(EventType.STAFF_SIGNED_IN, public={"worker": worker, "n": number})
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert list(LogLeaf.objects.values_list("index", flat=True)) == list(range(101))
    hashes = [bytes(h) for h in LogLeaf.objects.values_list("leaf_hash", flat=True)]
    assert StoredTree().root(101) == root_of(hashes)


def test_concurrent_writers_never_date_a_leaf_before_the_one_before_it(shared_db: None) -> None:
    # Each writer reads its clock first and appends a moment later, as an action does: the
    # order of the clock readings is not the order of the appends.
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for number in range(40):
                at = timezone.now()
                time.sleep(random.uniform(0, 0.002))
                record(EventType.STAFF_SIGNED_IN, public={"worker": worker, "n": number}, at=at)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(worker,)) for worker in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    leaves = [parse_leaf(bytes(data)) for data in LogLeaf.objects.values_list("data", flat=True)]
    assert len(leaves) == 161
    backwards = [
        (before.index, before.at, after.at)
        for before, after in itertools.pairwise(leaves)
        if after.at < before.at
    ]
    assert backwards == []
    # The writers' own times were not in append order; each is kept where it is not the leaf's.
    occurred = [leaf.public.get("occurred_at", leaf.at) for leaf in leaves[1:]]
    assert all(at <= leaf.at for at, leaf in zip(occurred, leaves[1:], strict=True))


def test_the_key_holder_remembers_the_last_signed_checkpoint(
    sqlite_file_db: Path, settings: Any
) -> None:
    settings.HIREPROOF_CHECKPOINT_EVERY = 2
    record_many(5)
    remembered = keys.last_signed_head()
    latest = Checkpoint.objects.order_by("-size").first()
    assert latest is not None
    assert remembered == keys.SignedHead(size=latest.size, root=bytes(latest.root))
    assert remembered.size == 6


def test_it_refuses_to_sign_a_shorter_log_after_a_backup_is_restored(
    sqlite_file_db: Path, tmp_path: Path, settings: Any
) -> None:
    settings.HIREPROOF_CHECKPOINT_EVERY = 1
    record_many(3)
    backup = tmp_path / "backup.sqlite3"
    _copy_database(sqlite_file_db, backup)
    record_many(3)
    _copy_database(backup, sqlite_file_db)
    assert LogLeaf.objects.count() == 4

    with pytest.raises(ForkError, match=r"already signed, but the log now holds 5.*restored"):
        record(EventType.STAFF_INVITED)
    assert LogLeaf.objects.count() == 4


def test_it_refuses_to_sign_a_restored_log_that_grew_a_different_history(
    sqlite_file_db: Path, tmp_path: Path, settings: Any
) -> None:
    settings.HIREPROOF_CHECKPOINT_EVERY = 1
    record_many(3)
    backup = tmp_path / "backup.sqlite3"
    _copy_database(sqlite_file_db, backup)
    record_many(3)
    _copy_database(backup, sqlite_file_db)
    settings.HIREPROOF_CHECKPOINT_EVERY = 1000
    record_many(5)  # 9 leaves now, the first 7 no longer the ones signed

    with pytest.raises(ForkError, match="does not extend the signed tree of 7 leaves"):
        sign_checkpoint_now()
    assert Checkpoint.objects.order_by("-size").values_list("size", flat=True).first() == 4
