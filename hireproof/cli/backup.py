"""``hireproof backup`` and ``hireproof restore``: the database and the keys, each to its own place.

``backup --to DIR`` writes the database snapshot and its manifest; ``--keys-to DIR2`` the signing
key, the record of the last signed checkpoint, the key history and the site's secret key;
``--kek-to DIR3`` the KEK, only when asked and only to a third place. ``restore DIR`` puts a
snapshot back (every hireproof process stopped first), erases again every candidate the current
log erased after it, and refuses to roll back past a signed checkpoint unless
``--confirm-rollback`` (the log then records ``log.restored``). See the README's Backups section.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from hireproof.cli.django_setup import with_django


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    take = subparsers.add_parser(
        "backup", help="snapshot the database (and, elsewhere, the keys) while the site runs"
    )
    take.add_argument(
        "--to", required=True, type=Path, metavar="DIR", help="new folder for the database snapshot"
    )
    take.add_argument(
        "--keys-to",
        type=Path,
        metavar="DIR2",
        help="new folder for the signing key and key history",
    )
    take.add_argument(
        "--kek-to",
        type=Path,
        metavar="DIR3",
        help="new folder for the KEK (a third place; by default the KEK is not copied)",
    )
    take.set_defaults(handler=_backup)

    restore = subparsers.add_parser(
        "restore", help="put a backup back (stop the server first), erasures re-applied"
    )
    restore.add_argument(
        "folder", type=Path, metavar="DIR", help="a folder `hireproof backup --to` wrote"
    )
    restore.add_argument(
        "--keys-from", type=Path, metavar="DIR2", help="the keys backup taken with it"
    )
    restore.add_argument(
        "--confirm-rollback",
        action="store_true",
        help="restore even though the log loses leaves a signed checkpoint covers"
        " (the log then records log.restored)",
    )
    restore.set_defaults(handler=_restore)


@with_django
def _backup(args: argparse.Namespace) -> int:
    from hireproof.audit.backup import take_backup

    started = time.monotonic()
    taken = take_backup(args.to, keys_to=args.keys_to, kek_to=args.kek_to)
    seconds = time.monotonic() - started
    manifest = taken.manifest
    print(
        f"wrote {args.to}: the {manifest.vendor} database ({taken.database_bytes} bytes), the log"
        f" at {manifest.log_size} leaves (root {manifest.log_root[:16]}...), in {seconds:.2f} s"
    )
    if args.keys_to is not None:
        print(f"wrote {args.keys_to}: {len(taken.key_files)} key files (not the KEK)")
    if taken.kek_file is not None:
        print(f"wrote {taken.kek_file}: the KEK. Keep it away from the database backups.")
    else:
        print(
            "the KEK was not copied: back it up once, on its own (HIREPROOF_KEK), never beside"
            " a database backup; without it no backup opens"
        )
    return 0


@with_django
def _restore(args: argparse.Namespace) -> int:
    from hireproof.hiring.actions.restore import do_restore_backup

    started = time.monotonic()
    restored = do_restore_backup(
        args.folder, keys_from=args.keys_from, confirm_rollback=args.confirm_rollback
    )
    manifest = restored.manifest
    print(
        f"restored the backup of {manifest.created_at} ({manifest.log_size} leaves) in"
        f" {time.monotonic() - started:.2f} s"
    )
    if restored.lost:
        print(f"leaves {restored.lost.start}-{restored.lost.stop - 1} of the log are gone")
    print(
        f"erased again: {len(restored.erased_again)} candidates erased after the backup"
        + (
            f" ({len(restored.not_in_snapshot)} more were added after it: not in the backup)"
            if restored.not_in_snapshot
            else ""
        )
    )
    if restored.restored_leaf is not None:
        print(
            f"the log records the rollback as log.restored at leaf {restored.restored_leaf},"
            f" signed by a checkpoint over {restored.checkpoint_size} leaves: a verifier reports"
            " the declared gap. Tell your auditors and witnesses."
        )
    if restored.key_installed:
        print("the signing key of the keys backup was put back in the key file")
    return 0
