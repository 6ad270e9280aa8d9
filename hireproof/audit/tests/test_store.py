"""Reading the stored tree back, and what happens when the store or key files are damaged."""

from __future__ import annotations

from pathlib import Path

import pytest

from hireproof.audit import keys
from hireproof.audit.actions import rotate_signing_key
from hireproof.audit.checkpoints import current_vkey, key_id_of_vkey, sign_checkpoint_now
from hireproof.audit.store import Head, StoredTree, compact_range_nodes, resume_compact_range
from hireproof.audit.tests.factories import record_many
from hireproof.core.errors import AuditError

pytestmark = pytest.mark.django_db


def test_the_compact_range_of_a_size_is_its_perfect_subtrees() -> None:
    assert compact_range_nodes(0) == []
    assert compact_range_nodes(1) == [(0, 0)]
    assert compact_range_nodes(13) == [(3, 0), (2, 2), (0, 12)]


def test_a_node_the_store_lacks_is_reported_not_invented() -> None:
    record_many(2)
    with pytest.raises(AuditError, match="no node at level 5, index 0: its tables are incomplete"):
        StoredTree().perfect_node(5, 0)


def test_resuming_past_the_stored_leaves_is_refused() -> None:
    record_many(2)
    with pytest.raises(AuditError, match="no node at level 3, index 0"):
        resume_compact_range(Head(size=8, last_leaf_hash=None))


def test_an_empty_log_has_nothing_to_sign() -> None:
    with pytest.raises(AuditError, match="the log is empty: there is nothing to sign yet"):
        sign_checkpoint_now()


def test_a_damaged_record_of_the_last_signed_checkpoint_stops_signing(key_files: Path) -> None:
    record_many(1)
    (key_files / "audit-signing.key.last-signed").write_text("{not json")
    with pytest.raises(keys.KeyFileError, match="cannot read the last signed checkpoint"):
        sign_checkpoint_now()


def test_rotation_never_overwrites_a_retired_key_file(key_files: Path) -> None:
    record_many(1)
    retired = key_files / f"audit-signing.key.retired-{key_id_of_vkey(current_vkey())}"
    retired.write_bytes(b"kept")
    with pytest.raises(keys.KeyFileError, match="already exists; refusing to overwrite"):
        rotate_signing_key()
    assert retired.read_bytes() == b"kept"
