"""Inclusion proofs read from the application's database at 1,000,000 leaves (SQLite).

Fills a temporary database's log tables with N synthetic leaves and their perfect subtree
nodes (written in bulk, as the single writer would have stored them, without signing), then
times proofs produced by the store the app uses (``hireproof.audit.store.StoredTree``: one
indexed read per proof hash) and checks each against the root::

    .venv/bin/python bench/audit_proof.py [--leaves 1000000] [--proofs 1000]

The data folder is created in a temporary directory and removed at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROWS_PER_BATCH = 50_000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--proofs", type=int, default=1000)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="hireproof-bench-"))
    os.environ["HIREPROOF_DATA_DIR"] = str(data_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "hireproof.settings"
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    try:
        return _run(args.leaves, args.proofs)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def _run(leaves: int, proofs: int) -> int:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from hireproof.audit.store import StoredTree
    from hireproof.core.audit.merkle import inclusion_proof, verify_inclusion

    started = time.perf_counter()
    hashes = _fill(leaves)
    print(f"filled {leaves:,} leaves and their nodes in {time.perf_counter() - started:.1f} s")

    tree = StoredTree()
    root = tree.root(leaves)
    picks = random.Random(7).sample(range(leaves), proofs)
    elapsed = 0.0
    for index in picks:
        begin = time.perf_counter()
        proof = inclusion_proof(tree, index, leaves)
        elapsed += time.perf_counter() - begin
        verify_inclusion(hashes[index], index, leaves, proof, root)
    mean_ms = elapsed / proofs * 1000
    verdict = "ok" if mean_ms < 5 else "MISSED"
    print(
        f"inclusion proof from the database at {leaves:,} leaves: {mean_ms:.3f} ms "
        f"(mean of {proofs}, {len(proof)} hashes each; target < 5 ms: {verdict})"
    )
    return 0


def _fill(leaves: int) -> list[bytes]:
    """Insert the leaves and every perfect node above them; return the leaf hashes."""
    from django.db import connection, transaction
    from django.utils import timezone

    from hireproof.core.audit.merkle import CompactRange, leaf_hash

    tree = CompactRange()
    hashes: list[bytes] = []
    leaf_rows: list[tuple[object, ...]] = []
    node_rows: list[tuple[int, int, bytes]] = []
    recorded = connection.ops.adapt_datetimefield_value(timezone.now())
    with transaction.atomic(), connection.cursor() as cursor:
        for index in range(leaves):
            data = f"leaf {index}".encode()
            hashed = leaf_hash(data)
            hashes.append(hashed)
            leaf_rows.append((index, data, hashed, "log.created", recorded, ""))
            node_rows.extend(node for node in tree.append(hashed) if node[0] > 0)
            if len(leaf_rows) == ROWS_PER_BATCH:
                _flush(cursor, leaf_rows, node_rows)
        _flush(cursor, leaf_rows, node_rows)
    return hashes


def _flush(
    cursor: object, leaf_rows: list[tuple[object, ...]], node_rows: list[tuple[int, int, bytes]]
) -> None:
    cursor.executemany(  # type: ignore[attr-defined]
        'INSERT INTO audit_logleaf ("index", data, leaf_hash, event_type, recorded_at, subject)'
        " VALUES (%s, %s, %s, %s, %s, %s)",
        leaf_rows,
    )
    cursor.executemany(  # type: ignore[attr-defined]
        'INSERT INTO audit_lognode (level, "index", hash) VALUES (%s, %s, %s)', node_rows
    )
    leaf_rows.clear()
    node_rows.clear()


if __name__ == "__main__":
    raise SystemExit(main())
