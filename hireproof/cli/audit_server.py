"""``hireproof audit export|checkpoint|prove|vkey|rotate-key|issue-receipt``: the operator's side.

These commands read the application's database, so each handler sets Django up when it runs
(``DJANGO_SETTINGS_MODULE`` defaults to ``hireproof.settings``); nothing is imported at
registration, which keeps ``hireproof audit verify`` free of Django.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from hireproof.cli.django_setup import with_django


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the operator's actions to the ``hireproof audit`` group."""
    export = subparsers.add_parser(
        "export", help="write the whole log as a bundle an auditor verifies offline"
    )
    export.add_argument("--out", required=True, type=Path, metavar="BUNDLE", help="file to write")
    export.add_argument(
        "--disclose",
        nargs="+",
        default=[],
        metavar="SUBJECT",
        help="candidate pseudonyms (subj_...) whose committed fields are opened in the bundle",
    )
    export.add_argument(
        "--allow-unsigned-tail",
        action="store_true",
        help="write the bundle even if the newest leaves cannot be signed (it then fails "
        "verification, and the command exits 1)",
    )
    export.set_defaults(handler=_export)

    checkpoint = subparsers.add_parser("checkpoint", help="sign a checkpoint of the log now")
    checkpoint.set_defaults(handler=_checkpoint)

    prove = subparsers.add_parser("prove", help="print the inclusion proof of one leaf as JSON")
    prove.add_argument("--leaf", required=True, type=int, metavar="N", help="leaf index (0-based)")
    prove.add_argument(
        "--size", type=int, metavar="M", help="tree size (default: the latest checkpoint's)"
    )
    prove.set_defaults(handler=_prove)

    vkey = subparsers.add_parser("vkey", help="print the log's public key (vkey) for auditors")
    vkey.set_defaults(handler=_vkey)

    rotate = subparsers.add_parser(
        "rotate-key", help="replace the signing key, recording the change in the log"
    )
    rotate.set_defaults(handler=_rotate_key)

    issue = subparsers.add_parser(
        "issue-receipt", help="print a receipt (JSON) proving one leaf is in the signed log"
    )
    issue.add_argument("--leaf", required=True, type=int, metavar="N", help="leaf index (0-based)")
    issue.add_argument("--out", type=Path, metavar="FILE", help="write to FILE, not stdout")
    issue.set_defaults(handler=_issue_receipt)


@with_django
def _export(args: argparse.Namespace) -> int:
    from hireproof.audit.models import Subject
    from hireproof.core.errors import AuditError
    from hireproof.hiring.actions.log_export import do_export_log

    subjects = []
    for pseudonym in args.disclose:
        subject = Subject.objects.filter(pseudonym=pseudonym).first()
        if subject is None:
            raise AuditError(f"--disclose {pseudonym}: no candidate has that pseudonym")
        subjects.append(subject)
    # A disclosure from the command line is recorded like one from the audit page.
    exported = do_export_log(
        args.out, actor="cli", disclose=subjects, allow_unsigned_tail=args.allow_unsigned_tail
    )
    bundle = exported.bundle
    openings = sum(len(found) for found in bundle.openings.values())
    print(
        f"wrote {args.out}: {len(bundle.leaves)} leaves, {len(bundle.checkpoints)} checkpoints,"
        f" {openings} disclosed fields of {len(subjects)} candidates,"
        f" {len(bundle.erased_subjects)} erased"
    )
    if exported.unsigned_tail:
        first, last = exported.unsigned[0], exported.unsigned[-1]
        print(
            f"WARNING: leaves {first}-{last} are not covered by any signed checkpoint: the log"
            " could not sign them, and this bundle FAILS verification. Fix the signing key"
            " (see the log above) and export again.",
            file=sys.stderr,
        )
        return 1
    return 0


@with_django
def _checkpoint(args: argparse.Namespace) -> int:
    from hireproof.audit.checkpoints import sign_checkpoint_now

    print(sign_checkpoint_now().note, end="")
    return 0


@with_django
def _prove(args: argparse.Namespace) -> int:
    from hireproof.audit.receipts import inclusion_proof_document

    print(json.dumps(inclusion_proof_document(args.leaf, args.size), indent=2))
    return 0


@with_django
def _vkey(args: argparse.Namespace) -> int:
    from hireproof.audit.checkpoints import current_vkey

    print(current_vkey())
    return 0


@with_django
def _rotate_key(args: argparse.Namespace) -> int:
    from hireproof.audit.actions import rotate_signing_key

    new_key = rotate_signing_key(actor="cli")
    print(f"the log now signs with {new_key.vkey}")
    print("publish this vkey to auditors; the retired private key file was destroyed")
    return 0


@with_django
def _issue_receipt(args: argparse.Namespace) -> int:
    from hireproof.audit.receipts import receipt_for

    text = receipt_for(args.leaf).to_json()
    if args.out is None:
        print(text, end="")
    else:
        args.out.write_text(text)
        print(f"wrote {args.out}")
    return 0
