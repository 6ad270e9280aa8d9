"""How fast does an auditor verify the log? A 1,000,000-leaf export, against raw SHA-256.

    .venv/bin/python bench/audit_verify.py [--n 1000000] [--checkpoint-every 10000] [--seed 7]
                                           [--before DIR]

Measured in one run, on one core (with ``--before DIR``, a checkout of the code before a change,
that code first and then this one, each in a process of its own on the same generated log, and
the ratio after / before):

1. the raw SHA-256 rate for 64-byte inputs (the size of a Merkle node's children): the limit
   a verifier that hashes every leaf and every node can approach;
2. ``verify_bundle`` over a generated bundle file of N realistic leaves (varied event types,
   commitments, pseudonyms) with a signed checkpoint every K leaves: reading the file, hashing
   every leaf, recomputing every node, parsing and checking every leaf, every checkpoint
   signature and root. Prints seconds, leaves/s and the ratio to the raw hash rate;
3. one inclusion proof at N leaves from a ``MemorySource`` holding every perfect node (O(log n)
   lookups, like the application's stored-node table), plus one consistency proof.

Targets from the issue: verification under 5 s and a proof under 5 ms at 1,000,000 leaves. The
verification target is judged on CPU time: on a shared machine the wall time says more about
the neighbours than about the code.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import tempfile
import time
from pathlib import Path

# bench/ is the script's folder, first on sys.path.
from before_after import measured_code, print_result, run_measurements

from hireproof.core.audit.bundle import Bundle, KeyPeriod, write_bundle
from hireproof.core.audit.checkpoint import Checkpoint, sign_checkpoint, signer_from_key_bytes
from hireproof.core.audit.commitments import commit_fields
from hireproof.core.audit.events import EventType, build_leaf
from hireproof.core.audit.merkle import (
    MemorySource,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)
from hireproof.core.audit.verify import verify_bundle

VERIFY_TARGET_SECONDS = 5.0
PROOF_TARGET_MS = 5.0
ORIGIN = "bench.hireproof.example/audit-log/v1"
SIGNER = signer_from_key_bytes(ORIGIN, bytes(range(32)))
# Key events name real keys and happen once (leaf 0) or at a rotation: not among the templates.
TEMPLATE_EVENTS = [
    e for e in EventType if e not in {EventType.LOG_CREATED, EventType.LOG_KEY_ROTATED}
]
# A placeholder index that no other field can contain, swapped for the real index per leaf.
INDEX_MARK = b'"index":987654321987654'


def raw_sha256_rate(count: int = 3_000_000) -> float:
    """Hashes per second of SHA-256 over 64-byte inputs, in a tight comprehension."""
    block = bytes(range(64))
    sha256 = hashlib.sha256
    started = time.perf_counter()
    [sha256(block).digest() for _ in range(count)]
    return count / (time.perf_counter() - started)


def leaf_templates(rng: random.Random, count: int = 97) -> list[tuple[bytes, bytes]]:
    """Realistic leaves split around their index, so a million can be stamped out quickly."""
    events = TEMPLATE_EVENTS
    templates = []
    for _ in range(count):
        secret = rng.randbytes(32)
        event = rng.choice(events)
        leaf = build_leaf(
            schema=1,
            index=987654321987654,
            event_type=event,
            at="2026-05-01T09:00:00.000000Z",  # times never go backwards in a log
            actor=f"staff:{rng.randint(1, 40)}",
            subject=f"subj_{rng.randbytes(10).hex()}",
            public={"attempt": f"att_{rng.randint(1, 10**6)}", "item": f"q{rng.randint(1, 12)}"},
            commitments=commit_fields(
                secret, str(rng.random()), {"answer": rng.randbytes(8).hex()}
            ),
        )
        before, after = leaf.split(INDEX_MARK)
        templates.append((before, after))
    return templates


def generate_leaves(count: int, rng: random.Random) -> list[bytes]:
    templates = leaf_templates(rng)
    size = len(templates)
    leaves = [
        b'%s"index":%d%s' % (templates[i % size][0], i, templates[i % size][1])
        for i in range(count)
    ]
    if leaves:  # as in the application: leaf 0 creates the log and names its first key
        leaves[0] = build_leaf(
            schema=1,
            index=0,
            event_type=EventType.LOG_CREATED,
            at="2026-05-01T00:00:00.000000Z",
            actor="system",
            subject=None,
            public={"origin": ORIGIN, "vkey": SIGNER.verifier.vkey},
            commitments={},
        )
    return leaves


def build_bundle(leaves: list[bytes], every: int) -> tuple[Bundle, MemorySource]:
    signer = SIGNER
    tree = MemorySource([leaf_hash(leaf) for leaf in leaves])
    sizes = sorted({*range(every, len(leaves) + 1, every), len(leaves)})
    notes = tuple(sign_checkpoint(signer, Checkpoint(ORIGIN, s, tree.root(s))) for s in sizes)
    # The manifest states what the leaves define: the key from leaf 0 on, every erased subject.
    erased = sorted(
        {json.loads(leaf)["subject"] for leaf in leaves if b'"type":"subject.erased"' in leaf}
    )
    bundle = Bundle(
        origin=ORIGIN,
        leaves=leaves,
        keys=(KeyPeriod(signer.verifier.vkey, 1),),
        checkpoints=notes,
        erased_subjects=tuple(erased),
    )
    return bundle, tree


def time_proofs(tree: MemorySource, size: int, rng: random.Random, rounds: int = 1000) -> None:
    indices = [rng.randrange(size) for _ in range(rounds)]
    root = tree.root(size)
    started = time.perf_counter()
    proofs = [inclusion_proof(tree, index, size) for index in indices]
    per_proof_ms = (time.perf_counter() - started) / rounds * 1000
    started = time.perf_counter()
    for index, proof in zip(indices, proofs, strict=True):
        verify_inclusion(tree.perfect_node(0, index), index, size, proof, root)
    per_check_ms = (time.perf_counter() - started) / rounds * 1000
    old = rng.randrange(1, size)
    started = time.perf_counter()
    proof = consistency_proof(tree, old, size)
    consistency_ms = (time.perf_counter() - started) * 1000
    verify_consistency(old, size, tree.root(old), root, proof)
    status = "ok" if per_proof_ms < PROOF_TARGET_MS else "MISSED"
    print(
        f"inclusion proof at {size:,} leaves: {per_proof_ms:.4f} ms to produce "
        f"({len(proofs[0])} hashes), {per_check_ms:.4f} ms to verify "
        f"(mean of {rounds}; target < {PROOF_TARGET_MS:g} ms: {status})"
    )
    print(f"consistency proof {old:,} -> {size:,}: {consistency_ms:.4f} ms ({len(proof)} hashes)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="leaves in the bundle")
    parser.add_argument(
        "--checkpoint-every", type=int, default=10_000, help="leaves per checkpoint"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--before", type=Path, help="a checkout of the code before a change")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure or args.before is None:  # nothing to compare: this code, in this process
        measure(args.n, args.checkpoint_every, args.seed)
        return
    arguments = ["--n", str(args.n), "--checkpoint-every", str(args.checkpoint_every)]
    results = run_measurements(
        "audit_verify.py", args.before, [*arguments, "--seed", str(args.seed)]
    )
    if len(results) == 2:
        (_, before), (_, after) = results
        print(
            f"after / before: verify_bundle {after['seconds'] / before['seconds']:.2f} of the "
            f"wall time, {after['cpu'] / before['cpu']:.2f} of the CPU time "
            f"({before['cpu']:.2f} s -> {after['cpu']:.2f} s CPU)"
        )


def measure(n: int, every: int, seed: int) -> None:
    """Build the log, verify it once, print the figures and, last, the RESULT line."""
    rng = random.Random(seed)
    print(f"code: {measured_code()}")
    raw_rate = raw_sha256_rate()
    print(f"raw SHA-256, 64-byte inputs: {raw_rate:,.0f} hashes/s")

    leaves = generate_leaves(n, rng)
    bundle, tree = build_bundle(leaves, every)
    signer_vkey = SIGNER.verifier.vkey
    folder = Path(tempfile.mkdtemp(prefix="hireproof-bench-"))
    try:
        path = folder / "audit.bundle"
        write_bundle(path, bundle)
        megabytes = path.stat().st_size / 1e6
        print(f"bundle: {n:,} leaves, {len(bundle.checkpoints)} checkpoints, {megabytes:.0f} MB")
        started, cpu_started = time.perf_counter(), time.process_time()
        report = verify_bundle(path, trusted_vkeys=[signer_vkey])
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu_started
    finally:
        shutil.rmtree(folder)
    if not report.ok:
        raise SystemExit("the generated bundle did not verify:\n" + report.summary())
    rate = n / seconds
    status = "ok" if cpu_seconds < VERIFY_TARGET_SECONDS else "MISSED"
    print(
        f"verify_bundle: {seconds:.2f} s, {rate:,.0f} leaves/s; CPU time {cpu_seconds:.2f} s "
        f"(target < {VERIFY_TARGET_SECONDS:g} s: {status})"
    )
    # Each leaf costs at least two hashes (its leaf hash and, on average, one node hash).
    print(
        f"ratio to raw SHA-256: {rate / raw_rate:.3f} leaves per raw hash "
        f"(the hashing floor is about 0.5: one leaf hash plus one node hash per leaf)"
    )
    time_proofs(tree, n, rng)
    print(f"load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print_result({"seconds": seconds, "cpu": cpu_seconds})


if __name__ == "__main__":
    main()
